import datetime as dt
from decimal import Decimal

import pytest

from smartcity.lib import formats


@pytest.mark.parametrize("text, expected", [
    ("07/12/2026", dt.date(2026, 12, 7)), ("7/12/2026", dt.date(2026, 12, 7)), ("07.12.2026", dt.date(2026, 12, 7)),
    ("2026-12-07", dt.date(2026, 12, 7)), (" 01/02/2027 ", dt.date(2027, 2, 1)), ("", None), ("  ", None),
])
def test_parse_date_reads_day_first_and_iso(text, expected):
    assert formats.parse_date(text) == expected


@pytest.mark.parametrize("text", ["12/31/2026", "31/02/2026", "2026/12/07", "hôm nay", "07/12/26"])
def test_parse_date_refuses_what_is_not_a_day_first_date(text):
    with pytest.raises(ValueError):
        formats.parse_date(text)


def test_dates_and_moments_are_shown_in_hanoi_time():
    utc = dt.datetime(2026, 12, 7, 20, 5, tzinfo=dt.UTC)  # 03:05 on the 8th in Hà Nội
    assert formats.date(utc) == "08/12/2026"
    assert formats.moment(utc) == "03:05 08/12/2026"
    assert formats.date(dt.date(2026, 1, 2)) == "02/01/2026"
    assert formats.date(None) == formats.moment(None) == ""


def test_numbers_and_money_use_the_vietnamese_separators():
    assert formats.money(8000) == "8.000 đ"
    assert formats.money(Decimal("1234567")) == "1.234.567 đ"
    assert formats.number(4.3, 1) == "4,3"
    assert formats.number(1234.5, 2) == "1.234,50"
    assert formats.number(None) == ""


def test_the_long_date_writes_day_and_month_with_two_digits():
    assert formats.long_date(dt.date(2026, 12, 5)) == "ngày 05 tháng 12 năm 2026"
    assert formats.long_date(dt.datetime(2026, 12, 7, 20, 5, tzinfo=dt.UTC)) == "ngày 08 tháng 12 năm 2026"
    assert formats.long_date(None) == ""


@pytest.mark.parametrize("n, words", [
    (0, "không"), (1, "một"), (5, "năm"), (10, "mười"), (11, "mười một"), (15, "mười lăm"), (20, "hai mươi"),
    (21, "hai mươi mốt"), (24, "hai mươi tư"), (25, "hai mươi lăm"), (31, "ba mươi mốt"), (100, "một trăm"),
    (105, "một trăm linh năm"), (115, "một trăm mười lăm"), (1985, "một nghìn chín trăm tám mươi lăm"),
    (2000, "hai nghìn"), (2001, "hai nghìn không trăm linh một"), (2010, "hai nghìn không trăm mười"),
    (2026, "hai nghìn không trăm hai mươi sáu"), (1_000_000, "một triệu"),
    (1_050_000, "một triệu không trăm năm mươi nghìn"),
])
def test_numbers_are_written_in_vietnamese_words(n, words):
    assert formats.number_in_words(n) == words


def test_a_date_in_words_names_the_month_as_people_say_it():
    assert formats.date_in_words(dt.date(2026, 11, 20)) == (
        "ngày hai mươi tháng mười một năm hai nghìn không trăm hai mươi sáu")
    assert formats.date_in_words(dt.date(1990, 4, 5)) == "ngày năm tháng tư năm một nghìn chín trăm chín mươi"
    assert formats.date_in_words(dt.date(2001, 1, 14)) == (
        "ngày mười bốn tháng một năm hai nghìn không trăm linh một")


def test_shares_are_shown_as_percentages_with_a_decimal_comma():
    assert formats.percent(0.834) == "83%"
    assert formats.percent(0.834, 1) == "83,4%"
    assert formats.percent(1) == "100%"
    assert formats.percent(None) == "—"


def test_numbers_may_drop_trailing_zeros_up_to_their_places():
    assert formats.number(6.0, 2, trim=True) == "6"
    assert formats.number(1.5, 2, trim=True) == "1,5"
    assert formats.number(1.333, 2, trim=True) == "1,33"
    assert formats.number(12000.0, 2, trim=True) == "12.000"
    assert formats.number(6.0, 2) == "6,00"

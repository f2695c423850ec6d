from __future__ import annotations

import datetime as dt

import pytest

from smartcity.lib.errors import Invalid
from smartcity.lib.idnumber import clean_id_number, sex_century_digit, structure_warnings

PROVINCES = {"01", "79"}


def test_a_number_is_twelve_digits_after_spaces_are_removed():
    assert clean_id_number(" 001 090 012 345 ") == "001090012345"


@pytest.mark.parametrize("bad", ["", "12345678901", "1234567890123", "00109001234x", "００１０９００１２３４５"])
def test_anything_else_is_refused(bad):
    with pytest.raises(Invalid) as err:
        clean_id_number(bad)
    assert err.value.field == "id_number"


@pytest.mark.parametrize(
    ("sex", "year", "digit"), [("M", 1990, 0), ("F", 1985, 1), ("M", 2005, 2), ("F", 2020, 3), ("F", 2101, 5)]
)
def test_the_fourth_digit_encodes_sex_and_century(sex, year, digit):
    assert sex_century_digit(sex, year) == digit


def test_a_number_that_agrees_with_the_record_has_no_warning():
    assert structure_warnings("001090012345", sex="M", date_of_birth=dt.date(1990, 5, 17), province_codes=PROVINCES) == []


def test_disagreements_are_warnings_naming_each_part():
    warnings = structure_warnings("099190012345", sex="M", date_of_birth=dt.date(1991, 1, 1), province_codes=PROVINCES)
    assert len(warnings) == 3
    assert "099" in warnings[0] and "(1)" in warnings[1] and "1991" in warnings[2]

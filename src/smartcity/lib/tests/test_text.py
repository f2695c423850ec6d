from __future__ import annotations

import logging

import pytest

from smartcity.lib.redact import RedactFilter, mask_id_numbers
from smartcity.lib.text import fold, fold_key


def test_folding_drops_diacritics_and_case_and_maps_d_stroke():
    assert fold("Đăng ký khai sinh") == "dang ky khai sinh"
    assert fold("ĐĂNG KÝ  KHAI-SINH!") == "dang ky khai sinh"
    assert fold_key("Phường Ba Đình") == "phuongbadinh"


def test_id_numbers_are_masked_in_text():
    assert mask_id_numbers("tra cứu 001090012345 xong") == "tra cứu 001******345 xong"
    assert mask_id_numbers("mã hồ sơ 2026-000123") == "mã hồ sơ 2026-000123"


def test_the_log_filter_masks_the_formatted_message():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "lookup %s by %s", ("001090012345", "officer"), None)
    RedactFilter().filter(record)
    assert record.getMessage() == "lookup 001******345 by officer"


def test_a_name_is_kept_composed_with_single_spaces():
    from smartcity.lib.text import clean_name

    assert clean_name("  Nguye\u0302\u0303n   Văn\tAn ", field="full_name") == "Nguyễn Văn An"


@pytest.mark.parametrize("char", ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066",
                                  "\u2069", "\ufeff", "\u00ad", "\x07"])
def test_invisible_and_bidirectional_characters_in_a_name_are_refused(char):
    from smartcity.lib.errors import Invalid
    from smartcity.lib.text import clean_name

    with pytest.raises(Invalid) as caught:
        clean_name(f"Nguyễn{char} An", field="applicant_full_name")
    assert caught.value.field == "applicant_full_name" and f"U+{ord(char):04X}" in caught.value.message


def test_free_text_refuses_only_bidirectional_controls():
    from smartcity.lib.errors import Invalid
    from smartcity.lib.text import clean_text

    assert clean_text("Ghi chu\u0301", field="note") == "Ghi chú"
    with pytest.raises(Invalid):
        clean_text("abc\u202edef", field="note")


def test_bounded_refuses_what_is_too_long():
    from smartcity.lib.errors import Invalid
    from smartcity.lib.text import bounded

    assert bounded(" x ", field="q") == "x"
    with pytest.raises(Invalid):
        bounded("x" * 201, field="q")


def test_the_written_out_invisible_characters_are_exactly_unicodes_format_and_control_characters():
    import sys
    import unicodedata

    from smartcity.lib.text import _INVISIBLE

    expected = {chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in ("Cf", "Cc")}
    found = {chr(c) for c in range(sys.maxunicode + 1) if _INVISIBLE.fullmatch(chr(c))}
    assert found == expected - set("\t\n\r")

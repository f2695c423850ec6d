from __future__ import annotations

import logging

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

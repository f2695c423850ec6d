"""Amounts in Vietnamese words, as the receipt prints them."""

from __future__ import annotations

import pytest

from smartcity.payments.words import amount_in_words


@pytest.mark.parametrize(("amount", "words"), [
    (0, "Không đồng"),
    (15_000, "Mười lăm nghìn đồng"),
    (21_000, "Hai mươi mốt nghìn đồng"),
    (50_000, "Năm mươi nghìn đồng"),
    (105_000, "Một trăm linh năm nghìn đồng"),
    (1_005, "Một nghìn không trăm linh năm đồng"),
    (1_000_500, "Một triệu năm trăm đồng"),
    (1_250_000, "Một triệu hai trăm năm mươi nghìn đồng"),
    (2_021_000, "Hai triệu không trăm hai mươi mốt nghìn đồng"),
    (1_000_000_005, "Một tỷ không trăm linh năm đồng"),
])
def test_amounts_read_as_a_receipt_writes_them(amount, words):
    assert amount_in_words(amount) == words


def test_a_negative_amount_is_refused():
    with pytest.raises(ValueError):
        amount_in_words(-1)

"""An amount of money in Vietnamese words, as a receipt writes it under "Số tiền bằng chữ".

The usual reading of accounting documents: groups of three digits read with trăm/mươi; "linh" for a zero tens digit
after hundreds; "mốt" for 1 and "lăm" for 5 after a tens digit; "mười" for the tens digit 1; "không trăm" where an
inner group has no hundreds; groups that are all zero are skipped. 105.000 → "Một trăm linh năm nghìn đồng".
"""

from __future__ import annotations

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
SCALES = ("", "nghìn", "triệu")  # then tỷ, which repeats: nghìn tỷ, triệu tỷ, tỷ tỷ


def _group(n: int, *, inner: bool) -> list[str]:
    """Words of 0 < n < 1000; ``inner`` when a higher group precedes it (so its zero hundreds are read)."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or inner:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        else:
            words.append(DIGITS[units])
    return words


def _below_billion(n: int, *, inner: bool) -> list[str]:
    groups = [n // 1_000_000, n // 1000 % 1000, n % 1000]
    words: list[str] = []
    for index, group in enumerate(groups):
        if group:
            words += _group(group, inner=inner or bool(words))
            scale = SCALES[2 - index]
            if scale:
                words.append(scale)
    return words


def _words(n: int, *, inner: bool = False) -> list[str]:
    if n >= 1_000_000_000:
        high, low = divmod(n, 1_000_000_000)
        words = [*_words(high, inner=inner), "tỷ"]
        return words + (_below_billion(low, inner=True) if low else [])
    return _below_billion(n, inner=inner)


def amount_in_words(amount: int, currency: str = "đồng") -> str:
    """``amount_in_words(1_250_000)`` → "Một triệu hai trăm năm mươi nghìn đồng"."""
    if amount < 0:
        raise ValueError(amount)
    text = " ".join(_words(amount)) if amount else DIGITS[0]
    return f"{text[0].upper()}{text[1:]} {currency}"

"""Vietnamese text folding: the same key for "Đăng ký khai sinh", "dang ky khai sinh" and "ĐĂNG KÝ KHAI SINH".

Unicode NFD splits a letter from its tone and vowel marks, which are then dropped; đ/Đ has no decomposition and is
mapped by hand. Used for search and for address parsing.
"""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, strip diacritics, map đ to d, and collapse every run of other characters to one space."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return _NON_ALNUM.sub(" ", stripped).strip()


def fold_key(text: str) -> str:
    """The folded text with no spaces at all: "Phường Ba Đình" → "phuongbadinh"."""
    return fold(text).replace(" ", "")

"""Vietnamese text folding: the same key for "Đăng ký khai sinh", "dang ky khai sinh" and "ĐĂNG KÝ KHAI SINH";
and the one way names and free text people type are kept (NFC, no invisible characters) and searches are bounded.

Unicode NFD splits a letter from its tone and vowel marks, which are then dropped; đ/Đ has no decomposition and is
mapped by hand. Used for search and for address parsing.
"""

from __future__ import annotations

import re
import unicodedata

from smartcity.lib.errors import Invalid

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, strip diacritics, map đ to d, and collapse every run of other characters to one space."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return _NON_ALNUM.sub(" ", stripped).strip()


def fold_key(text: str) -> str:
    """The folded text with no spaces at all: "Phường Ba Đình" → "phuongbadinh"."""
    return fold(text).replace(" ", "")


# Search boxes and look-ups: nobody types more; a longer string only makes every folded comparison slower.
MAX_SEARCH_CHARS = 200
# Characters that change how text looks without being seen: zero-width spaces and joiners, bidirectional marks,
# embeddings, overrides and isolates (Unicode TR #9), the byte-order mark — the whole "format" category (Cf) —
# and control characters (Cc). In a name they hide a different name ("Nguyễn\u202eAn") or defeat duplicate checks.
# Written out (Unicode 14, the test compares it with ``unicodedata``) because asking ``unicodedata.category`` of
# every character costs a million-row import half a minute.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)  # Cf and Cc, less tab, line feed and carriage return (whitespace, collapsed)
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def bounded(text: str | None, *, field: str, limit: int = MAX_SEARCH_CHARS, what: str = "Chuỗi tìm kiếm") -> str:
    """``text`` stripped, or ``Invalid`` naming ``field`` when it is longer than ``limit`` characters."""
    value = (text or "").strip()
    if len(value) > limit:
        raise Invalid(f"{what} dài quá {limit} ký tự", field=field)
    return value


def invisible_characters(text: str) -> list[str]:
    """The code points (as U+XXXX) of the invisible or control characters in ``text``."""
    return sorted({f"U+{ord(ch):04X}" for ch in _INVISIBLE.findall(text)})


def clean_name(value: str | None, *, field: str, required: bool = True) -> str:
    """A person's name as people type it, kept one way: NFC (so "Nguyễn" typed with combining marks and with
    precomposed letters is the same name), single spaces; ``Invalid`` naming ``field`` for invisible or
    bidirectional control characters, or an empty name when one is required."""
    text = value or ""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    hidden = invisible_characters(text)
    if hidden:
        raise Invalid(f"Họ tên chứa ký tự ẩn hoặc ký tự điều khiển hướng chữ ({', '.join(hidden)})", field=field)
    text = " ".join(text.split())
    if required and not text:
        raise Invalid("Họ và tên không được để trống", field=field)
    return text


def clean_text(value: str | None, *, field: str) -> str:
    """Free text (an address, a note) as NFC; ``Invalid`` naming ``field`` for bidirectional controls, which can
    make what is shown differ from what is stored."""
    text = unicodedata.normalize("NFC", value or "")
    bidi = sorted({f"U+{ord(ch):04X}" for ch in _BIDI.findall(text)})
    if bidi:
        raise Invalid(f"Nội dung chứa ký tự điều khiển hướng chữ ({', '.join(bidi)})", field=field)
    return text


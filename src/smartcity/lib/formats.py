"""What people read and type, in Vietnamese formats, written once: dates ``dd/mm/yyyy``, times ``HH:MM dd/mm/yyyy``
(Hà Nội time), money ``8.000 đ``, decimals ``4,3``. Templates, PDFs, exports and forms use these; nothing formats
by hand."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone

_DATE = re.compile(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*")
_ISO = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})\s*")


def parse_date(text: str) -> dt.date | None:
    """``dd/mm/yyyy`` (also with ``.`` or ``-``), or ISO ``yyyy-mm-dd`` (what a date input sends); None for empty
    text; ``ValueError`` naming the expected form otherwise. Never month-first."""
    if not text or not text.strip():
        return None
    if match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DATE.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        raise ValueError(f"Ngày phải có dạng dd/mm/yyyy, không phải {text[:20]!r}")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"Không có ngày {day:02d}/{month:02d}/{year}") from None


def date(value: dt.date | dt.datetime | None) -> str:
    """``07/12/2026``; a moment is first turned into Hà Nội time."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value:%d/%m/%Y}"


def moment(value: dt.datetime | None) -> str:
    """``14:05 07/12/2026`` in Hà Nội time."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local:%H:%M %d/%m/%Y}"


def number(value: int | float | Decimal | None, decimals: int = 0, *, trim: bool = False) -> str:
    """``1.234.567`` or with ``decimals`` places ``4,3``: dot for thousands, comma for the decimal point. With
    ``trim``, at most ``decimals`` places: trailing zeros go (``6,00`` → ``6``, ``1,50`` → ``1,5``)."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def money(value: int | Decimal | None) -> str:
    """``8.000 đ``."""
    return "" if value is None else f"{number(value)} đ"


def long_date(value: dt.date | dt.datetime | None) -> str:
    """``ngày 05 tháng 12 năm 2026``: the date as administrative documents write it in a sentence and on the place
    and date line (Decree 30/2020/NĐ-CP, Appendix I: day and month below 10 take a leading zero)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"ngày {value:%d} tháng {value:%m} năm {value:%Y}"


_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_SCALES = ("", "nghìn", "triệu", "tỷ")
_MONTHS = ("một", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười", "mười một", "mười hai")


def _hundreds(n: int, *, inner: bool) -> list[str]:
    """The words of ``n`` < 1000; ``inner`` when a higher group comes before it ("hai nghìn không trăm linh một")."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words = [_DIGITS[hundreds], "trăm"] if hundreds or inner else []
    if tens == 0:
        if units:
            words += (["linh"] if words else []) + [_DIGITS[units]]
    elif tens == 1:
        words += ["mười"] + (["lăm"] if units == 5 else [_DIGITS[units]] if units else [])
    else:
        words += [_DIGITS[tens], "mươi"] + ([{1: "mốt", 4: "tư", 5: "lăm"}.get(units, _DIGITS[units])] if units
                                          else [])
    return words


def number_in_words(n: int) -> str:
    """A whole number in Vietnamese words, as documents write amounts and dates "bằng chữ": 15 → "mười lăm",
    21 → "hai mươi mốt", 2001 → "hai nghìn không trăm linh một", 1985 → "một nghìn chín trăm tám mươi lăm"."""
    if n < 0:
        return "âm " + number_in_words(-n)
    if n == 0:
        return _DIGITS[0]
    groups: list[int] = []
    while n:
        groups.append(n % 1000)
        n //= 1000
    if len(groups) > len(_SCALES):
        raise ValueError("number too large")
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        words += _hundreds(group, inner=bool(words)) + ([_SCALES[index]] if _SCALES[index] else [])
    return " ".join(words)


def date_in_words(value: dt.date) -> str:
    """A date written out in words, as the birth certificate carries the date of birth "bằng chữ" beside its digits:
    20/11/2026 → "ngày hai mươi tháng mười một năm hai nghìn không trăm hai mươi sáu" (April is "tháng tư")."""
    return (f"ngày {number_in_words(value.day)} tháng {_MONTHS[value.month - 1]} "
            f"năm {number_in_words(value.year)}")


def percent(share: float | Decimal | None, decimals: int = 0) -> str:
    """A share of one as a percentage: ``0.834`` → ``83%`` (``83,4%`` with one decimal); ``—`` for none."""
    if share is None:
        return "—"
    return f"{number(float(share) * 100, decimals)}%"

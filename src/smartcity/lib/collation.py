"""Vietnamese alphabetical order, from ICU's Vietnamese collation (CLDR ``vi``): Ă and Â after A, Đ after D, Ê after
E, Ô and Ơ after O, Ư after U, and the tones (không dấu, huyền, hỏi, ngã, sắc, nặng) only where the letters are the
same. Code-point order (Python's ``sorted``, the database's ``ORDER BY`` under a C collation) puts Đ, Ô, Ơ, Ư after
Z. Lists people read go through ``sort``; a database that must page in this order needs an ICU collation of its own
(PostgreSQL: ``CREATE COLLATION vi (provider = icu, locale = 'vi-VN')``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, TypeVar

import icu

T = TypeVar("T")


@cache
def _collator() -> Any:
    collator = icu.Collator.createInstance(icu.Locale("vi_VN"))
    collator.setStrength(icu.Collator.TERTIARY)
    return collator


def key(text: str) -> bytes:
    """The sort key of ``text`` in Vietnamese order."""
    return _collator().getSortKey(text or "")


def sort(items: Iterable[T], *, by: Callable[[T], str] = str, reverse: bool = False) -> list[T]:
    """``items`` in Vietnamese alphabetical order of ``by(item)``."""
    return sorted(items, key=lambda item: key(by(item)), reverse=reverse)

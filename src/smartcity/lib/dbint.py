"""Integers that came from outside (ids in paths, ``$top``, ``@iot.id``, page numbers) read one bounded way.

``int()`` accepts far more than a database integer holds — thousands of digits (slow, then a ``ValueError`` past
Python's 4,300-digit limit), ``1_000``, Arabic-Indic or superscript digits that ``str.isdigit`` calls digits — and a
value beyond 64 bits is an ``OverflowError`` on SQLite and a ``DataError`` on PostgreSQL. This reads only ASCII
digits, at most 19 of them, within a signed 64-bit integer, and says "not an integer we can hold" with ``None``.
"""

from __future__ import annotations

import re
from typing import Any

MAX_DB_INT = 2**63 - 1  # PostgreSQL bigint, SQLite INTEGER
_INTEGER = re.compile(r"-?[0-9]{1,19}")


def as_db_int(value: Any, *, minimum: int = -MAX_DB_INT - 1) -> int | None:
    """``value`` (an int, or its ASCII decimal text) as an int in [minimum, 2**63 - 1]; ``None`` otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not _INTEGER.fullmatch(text):
            return None
        value = int(text)
    if not isinstance(value, int) or not minimum <= value <= MAX_DB_INT:
        return None
    return value

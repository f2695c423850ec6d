"""The syntax tree of ``$filter`` and ``$orderby`` expressions: what the parser builds and the query compiler reads.

Frozen dataclasses with no behaviour: a literal (with its kind), a property path (``Datastream/ObservedProperty/name``),
a function call, a binary operator (logical, comparison or arithmetic), ``not``, and ``in (…)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Literal:
    value: Any
    kind: str  # "str" "num" "bool" "null" "datetime" "date" "time" "geo"


@dataclass(frozen=True)
class Path:
    segments: tuple[str, ...]

    def __str__(self) -> str:
        return "/".join(self.segments)


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Any, ...]


@dataclass(frozen=True)
class BinOp:
    op: str  # and or eq ne gt ge lt le add sub mul div mod
    left: Any
    right: Any


@dataclass(frozen=True)
class Not:
    operand: Any


@dataclass(frozen=True)
class In:
    operand: Any
    values: tuple[Any, ...]

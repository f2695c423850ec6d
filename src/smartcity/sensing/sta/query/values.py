"""The compiled operand of the ``$filter`` compiler, and the tables of the comparison operators.

A ``Val`` is what an AST node becomes on its way to SQL: a column path (``lookup``), a literal, a database
expression, a condition (``q``), or a spatial measure still to be evaluated in Python (``call``). Its ``kind``
says what it holds, so the compiler can refuse ``name gt 3`` with a sentence instead of a database error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual

from smartcity.sensing.sta.entities import EntityType, Prop
from smartcity.sensing.sta.odata.ast import Call, Literal, Path

FLIP = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}
LOOKUP_NAMES = {"eq": "exact", "gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}
LOOKUP_CLASSES = {"eq": Exact, "gt": GreaterThan, "ge": GreaterThanOrEqual, "lt": LessThan, "le": LessThanOrEqual}
PY_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b, "lt": lambda a, b: a < b, "le": lambda a, b: a <= b,
}


@dataclass
class Val:
    """A compiled operand: a column path (``lookup``), a literal, a database expression, or a condition (``q``)."""

    kind: str  # num str datetime date time bool null json geo interval result
    lookup: str | None = None
    literal: Any = None
    is_literal: bool = False
    expr: Any = None
    q: Q | None = None
    prop: Prop | None = None
    etype: EntityType | None = None  # the entity type that owns ``prop``
    prefix: tuple[str, ...] = ()  # the lookups from the queried entity to ``etype``
    call: Call | None = None  # geo.distance / geo.length, evaluated in Python
    json_keys: tuple[str, ...] = ()  # the members named inside a JSON property (properties/district → district)


KIND_NAMES = {"num": "a number", "str": "text", "datetime": "a date-time", "date": "a date", "time": "a time",
              "bool": "a boolean", "null": "null", "json": "a JSON value", "geo": "a geometry",
              "interval": "a time interval", "result": "a result"}


def kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind, kind)


def result_json(lookup: str) -> str:
    """The JSON column beside ``result``: results that are not numbers are stored there."""
    return lookup[: -len("result")] + "result_json"


def describe(node: Any) -> str:
    """An AST node in a few words, for error messages."""
    if isinstance(node, Path):
        return str(node)
    if isinstance(node, Call):
        return f"{node.name}(…)"
    if isinstance(node, Literal):
        return repr(node.value)
    return "the expression"

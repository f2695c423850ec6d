"""The OData functions of ``$filter`` other than the spatial ones, as database expressions (OGC 18-088, Table 23):

strings (``substringof contains startswith endswith length tolower toupper trim concat indexof substring``), date
and time (``year month day hour minute second date time now mindatetime maxdatetime``, in UTC) and numbers
(``round floor ceiling``). String tests use ``StrIndex``/``Left``/``Right`` rather than ``LIKE``, so they are
case-sensitive on SQLite as on PostgreSQL; ``tolower``/``toupper`` fold Vietnamese letters on SQLite too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import CharField, ExpressionWrapper, IntegerField, Q, Value
from django.db.models.functions import (
    Ceil,
    Concat,
    ExtractDay,
    ExtractHour,
    ExtractMinute,
    ExtractMonth,
    ExtractSecond,
    ExtractYear,
    Floor,
    Left,
    Length,
    Lower,
    Right,
    Round,
    StrIndex,
    Substr,
    Trim,
    TruncDate,
    TruncTime,
    Upper,
)
from django.db.models.lookups import Exact, GreaterThan
from django.utils import timezone

from smartcity.sensing.sta.odata.ast import Call
from smartcity.sensing.sta.query.values import Val

if TYPE_CHECKING:
    from smartcity.sensing.sta.query.compiler import Compiler

UTC = dt.UTC
MIN_DATETIME = dt.datetime(1, 1, 1, tzinfo=UTC)
MAX_DATETIME = dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


class UnicodeLower(Lower):
    """LOWER that folds Vietnamese letters on SQLite too (SQLite's own folds ASCII only)."""

    python = staticmethod(str.lower)
    sqlite_name = "sensing_lower"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        _register(connection, self.sqlite_name, self.python)
        return self.as_sql(compiler, connection, function=self.sqlite_name.upper(), **extra)


class UnicodeUpper(Upper):
    python = staticmethod(str.upper)
    sqlite_name = "sensing_upper"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        _register(connection, self.sqlite_name, self.python)
        return self.as_sql(compiler, connection, function=self.sqlite_name.upper(), **extra)


def _register(connection: Any, name: str, fn: Callable[[str], str]) -> None:
    raw = connection.connection
    done = getattr(raw, "_sensing_functions", None) if raw is not None else None
    if raw is None or (done is not None and name in done):
        return
    raw.create_function(name, 1, lambda v: None if v is None else fn(v), deterministic=True)
    try:
        raw._sensing_functions = (done or set()) | {name}
    except AttributeError:
        pass  # sqlite3.Connection takes no attributes: registering again is cheap and harmless


def check_arity(compiler: Compiler, node: Call, *counts: int) -> None:
    """A 400 naming the function when it is called with the wrong number of arguments."""
    name, args = node.name, node.args
    if len(args) not in counts:
        expected = " or ".join(str(c) for c in counts)
        raise compiler.error(f"{name}() takes {expected} argument{'s' if counts != (1,) else ''}, "
                             f"not {len(args)}")


def call(compiler: Compiler, node: Call) -> Val:
    """A call of a string, date/time or number function as a value (or, for the string tests, a condition)."""
    name, args = node.name, node.args

    def arity(*counts: int) -> None:
        check_arity(compiler, node, *counts)

    if name in ("substringof", "contains", "startswith", "endswith"):
        arity(2)
        hay, needle = (args[1], args[0]) if name == "substringof" else (args[0], args[1])
        return Val(kind="bool", q=string_test(compiler, name, compiler.value(hay), compiler.value(needle)))
    if name in ("length", "tolower", "toupper", "trim"):
        arity(1)
        val = compiler.value(args[0])
        compiler.need(val, ("str",), f"{name}()")
        inner = compiler.expr(val, "str")
        if name == "length":
            return Val(kind="num", expr=Length(inner))
        return Val(kind="str", expr={"tolower": UnicodeLower, "toupper": UnicodeUpper, "trim": Trim}[name](inner))
    if name == "concat":
        arity(2)
        parts = [compiler.value(a) for a in args]
        for part in parts:
            compiler.need(part, ("str",), "concat()")
        return Val(kind="str", expr=Concat(*(compiler.expr(p, "str") for p in parts), output_field=CharField()))
    if name == "indexof":
        arity(2)
        s, sub = compiler.value(args[0]), compiler.value(args[1])
        compiler.need(s, ("str",), "indexof()")
        compiler.need(sub, ("str",), "indexof()")
        found = StrIndex(compiler.expr(s, "str"), compiler.expr(sub, "str"))
        return Val(kind="num", expr=ExpressionWrapper(found - 1, output_field=IntegerField()))
    if name == "substring":
        arity(2, 3)
        s = compiler.value(args[0])
        compiler.need(s, ("str",), "substring()")
        start = compiler.value(args[1])
        compiler.need(start, ("num",), "substring()")
        if start.is_literal:
            if not isinstance(start.literal, int) or start.literal < 0:
                raise compiler.error("substring() needs a non-negative integer start")
            pos: Any = start.literal + 1
        else:
            pos = ExpressionWrapper(compiler.expr(start, "num") + 1, output_field=IntegerField())
        length = None
        if len(args) == 3:
            n = compiler.value(args[2])
            compiler.need(n, ("num",), "substring()")
            length = compiler.expr(n, "num")
        return Val(kind="str", expr=Substr(compiler.expr(s, "str"), pos, length))
    if name in ("year", "month", "day", "hour", "minute", "second"):
        arity(1)
        val = compiler.value(args[0])
        compiler.need(val, ("datetime",), f"{name}()")
        extract = {"year": ExtractYear, "month": ExtractMonth, "day": ExtractDay, "hour": ExtractHour,
                   "minute": ExtractMinute, "second": ExtractSecond}[name]
        return Val(kind="num", expr=extract(compiler.expr(val), tzinfo=UTC))
    if name in ("date", "time"):
        arity(1)
        val = compiler.value(args[0])
        compiler.need(val, ("datetime",), f"{name}()")
        trunc = TruncDate if name == "date" else TruncTime
        return Val(kind=name, expr=trunc(compiler.expr(val), tzinfo=UTC))
    if name in ("now", "mindatetime", "maxdatetime"):
        arity(0)
        moment = {"now": timezone.now(), "mindatetime": MIN_DATETIME, "maxdatetime": MAX_DATETIME}[name]
        return Val(kind="datetime", literal=moment, is_literal=True)
    if name in ("round", "floor", "ceiling"):
        arity(1)
        val = compiler.value(args[0])
        compiler.need(val, ("num",), f"{name}()")
        fn = {"round": Round, "floor": Floor, "ceiling": Ceil}[name]
        return Val(kind="num", expr=fn(compiler.expr(val, "num")))
    raise compiler.error(f"unknown function {name}()")


def string_test(compiler: Compiler, name: str, hay: Val, needle: Val) -> Q:
    """``contains``/``substringof``/``startswith``/``endswith`` as a condition; the empty needle matches any text."""
    compiler.need(hay, ("str",), f"{name}()")
    compiler.need(needle, ("str",), f"{name}()")
    if needle.is_literal and needle.literal == "":
        return Q(**{f"{hay.lookup}__isnull": False}) if hay.lookup else Q()
    h, n = compiler.expr(hay, "str"), compiler.expr(needle, "str")
    if name in ("substringof", "contains"):
        return Q(GreaterThan(StrIndex(h, n), 0))
    width = Value(len(needle.literal)) if needle.is_literal else Length(n)
    return Q(Exact(Left(h, width) if name == "startswith" else Right(h, width), n))

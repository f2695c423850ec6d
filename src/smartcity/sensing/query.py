"""Turning SensorThings query options into database queries, and entities into their JSON form.

* ``$filter`` — the AST of ``smartcity.sensing.odata`` becomes a Django ``Q``: a property compared with a literal is
  an ordinary lookup (``datastream__observed_property__name="PM2.5"``); functions and arithmetic become database
  expressions (``Length``, ``ExtractYear``, ``Round``, ``+``…), so filtering, counting and paging stay in SQL.
  String functions use ``StrIndex``/``Left``/``Right`` rather than ``LIKE``, so they are case-sensitive on SQLite
  as on PostgreSQL. Spatial functions need no PostGIS: candidates are narrowed with the bounding-box columns in SQL,
  the exact test runs in Python (``smartcity.sensing.geo``) over those candidates only, and the answer enters the
  query as ``id IN (…)`` — so it combines with ``and``/``or``/``not`` like any other condition.
* ``$orderby``, ``$top``/``$skip`` with ``@iot.nextLink``, ``$count``, ``$select``, ``$expand`` (nested, each level
  with its own options; one query per level, except Observations, read per parent through the
  (datastream, phenomenon_time) index so ``$top=1`` costs one index probe) and ``$resultFormat=dataArray``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import (
    Cast,
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
    Mod,
    Right,
    Round,
    StrIndex,
    Substr,
    Trim,
    TruncDate,
    TruncTime,
    Upper,
)
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IsNull,
    LessThan,
    LessThanOrEqual,
)

from smartcity.sensing import geo
from smartcity.sensing.entities import TYPES, EntityType, Prop, entity_json, iso, prop_value
from smartcity.sensing.odata import (
    BinOp,
    Call,
    ExpandItem,
    In,
    Literal,
    Not,
    Options,
    Path,
    QueryError,
    parse_datetime,
    parse_filter,
    parse_orderby,
)

UTC = dt.UTC
FLIP = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}
LOOKUP_NAMES = {"eq": "exact", "gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}
LOOKUP_CLASSES = {"eq": Exact, "gt": GreaterThan, "ge": GreaterThanOrEqual, "lt": LessThan, "le": LessThanOrEqual}
PY_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b, "lt": lambda a, b: a < b, "le": lambda a, b: a <= b,
}
GEO_PREDICATES: dict[str, Callable[[Any, Any], bool]] = {
    "st_within": geo.within, "st_contains": geo.contains, "st_intersects": geo.intersects,
    "geo.intersects": geo.intersects, "st_equals": geo.equals, "st_disjoint": geo.disjoint,
}
UNSUPPORTED_GEO = {"st_touches", "st_overlaps", "st_crosses", "st_relate"}
MAX_EXPAND_DEPTH = 5
MIN_DATETIME = dt.datetime(1, 1, 1, tzinfo=UTC)
MAX_DATETIME = dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


def page_size() -> int:
    return settings.SENSING_PAGE_SIZE


def max_page_size() -> int:
    return settings.SENSING_MAX_PAGE_SIZE


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


def _kind(kind: str) -> str:
    return KIND_NAMES.get(kind, kind)


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


class Compiler:
    """Compiles filter and orderby expressions for one entity type."""

    def __init__(self, etype: EntityType, *, option: str = "$filter") -> None:
        self.etype = etype
        self.option = option
        self.to_many = False

    def error(self, message: str) -> QueryError:
        return QueryError(f"{self.option}: {message}", option=self.option)

    # -------------------------------------------------------------------------------------------- operands

    def resolve(self, path: Path) -> Val:
        etype, prefix, segments = self.etype, [], list(path.segments)
        i = 0
        while i < len(segments):
            seg = segments[i]
            nav = etype.nav(seg)
            if nav is not None:
                self.to_many |= nav.many
                prefix.append(nav.lookup)
                etype = TYPES[nav.target]
                i += 1
                if i == len(segments):
                    raise self.error(f"{path} ends at the navigation property {seg}; name one of its properties, "
                                     f"e.g. {path}/id")
                continue
            prop = etype.prop(seg)
            if prop is None:
                known = ", ".join(["id", *(p.name for p in etype.props), *(n.name for n in etype.navs)])
                raise self.error(f"unknown property {seg!r} of {etype.name} in {path} (known: {known})")
            rest = segments[i + 1:]
            if rest and prop.kind != "json":
                raise self.error(f"{path}: {seg} has no sub-properties")
            column = "pk" if prop.kind == "id" and not prefix else prop.columns[0]
            lookup = "__".join([*prefix, column, *rest])
            kind = {"id": "num", "text": "str", "phenomenon": "datetime"}.get(prop.kind, prop.kind)
            return Val(kind=kind, lookup=lookup, prop=prop, etype=etype, prefix=tuple(prefix), json_keys=tuple(rest))
        raise self.error(f"cannot read the path {path}")

    def value(self, node: Any) -> Val:
        if isinstance(node, Literal):
            return Val(kind=node.kind, literal=node.value, is_literal=True)
        if isinstance(node, Path):
            return self.resolve(node)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, BinOp):
            if node.op in ("and", "or") or node.op in FLIP:
                return Val(kind="bool", q=self.condition(node))
            return self.arithmetic(node)
        if isinstance(node, Not | In):
            return Val(kind="bool", q=self.condition(node))
        raise self.error(f"cannot read {node!r}")

    def expr(self, val: Val, want: str | None = None) -> Any:
        """A database expression for ``val``; ``want`` ("num"/"str") converts JSON values."""
        if val.is_literal:
            value = val.literal
            fields = {"str": CharField(), "num": FloatField() if isinstance(value, float) else IntegerField(),
                      "datetime": DateTimeField(), "date": DateField(), "bool": BooleanField()}
            if val.kind == "null":
                return Value(None)
            if val.kind not in fields:
                raise self.error(f"a {val.kind} literal cannot be used here")
            return Value(value, output_field=fields[val.kind])
        if val.expr is not None:
            return val.expr
        if val.call is not None:
            raise self.error(f"{val.call.name}() can only be compared with a number, e.g. "
                             f"{val.call.name}(location, geography'POINT(105.85 21.03)') lt 0.01")
        if val.kind == "json":
            if want in ("num", "str") and not val.json_keys:
                name = val.prop.name if val.prop else "the property"
                raise self.error(f"{name} is a JSON object: name one of its members, e.g. {name}/key")
            if want == "num":
                return Cast(KT(val.lookup), FloatField())
            return KT(val.lookup) if want == "str" else F(val.lookup)
        if val.kind == "geo":
            raise self.error(f"the geometry {val.prop.name if val.prop else ''} can only be used in a spatial "
                             "function (st_within, st_intersects, st_equals, geo.distance…)")
        if val.kind == "interval":
            raise self.error(f"{val.prop.name if val.prop else 'an interval'} is a time interval: compare it with "
                             "a date-time (gt/ge test its start, lt/le its end, eq tests that it contains the time)")
        if val.kind == "result":
            return F(val.lookup)
        if val.kind == "bool":
            raise self.error("a condition cannot be used as a value here")
        return F(val.lookup)

    def _need(self, val: Val, kinds: tuple[str, ...], what: str) -> None:
        allowed = set(kinds)
        if "num" in kinds or "str" in kinds:
            allowed.add("json")  # a member of a JSON property, read as a number or as text
        if "num" in kinds:
            allowed.add("result")
        if val.kind not in allowed:
            raise self.error(f"{what} needs {' or '.join(_kind(k) for k in kinds)}, not {_kind(val.kind)}")

    def arithmetic(self, node: BinOp) -> Val:
        a, b = self.value(node.left), self.value(node.right)
        for side in (a, b):
            self._need(side, ("num",), f"'{node.op}'")
        if node.op == "div" and b.is_literal and b.literal == 0:
            raise self.error("division by zero")
        lhs, rhs = self.expr(a, "num"), self.expr(b, "num")
        if node.op == "mod":
            return Val(kind="num", expr=Mod(lhs, rhs, output_field=FloatField()))
        combined = {"add": lhs + rhs, "sub": lhs - rhs, "mul": lhs * rhs, "div": lhs / rhs}[node.op]
        return Val(kind="num", expr=ExpressionWrapper(combined, output_field=FloatField()))

    # -------------------------------------------------------------------------------------------- functions

    def call(self, node: Call) -> Val:
        name, args = node.name, node.args

        def arity(*counts: int) -> None:
            if len(args) not in counts:
                expected = " or ".join(str(c) for c in counts)
                raise self.error(f"{name}() takes {expected} argument{'s' if counts != (1,) else ''}, "
                                 f"not {len(args)}")

        if name in ("substringof", "contains", "startswith", "endswith"):
            arity(2)
            hay, needle = (args[1], args[0]) if name == "substringof" else (args[0], args[1])
            return Val(kind="bool", q=self.string_test(name, self.value(hay), self.value(needle)))
        if name in GEO_PREDICATES:
            arity(2)
            return Val(kind="bool", q=self.geo_predicate(name, args))
        if name in UNSUPPORTED_GEO:
            raise self.error(f"{name}() is not supported by this server; use st_within, st_contains, "
                             "st_intersects, st_disjoint, st_equals or geo.distance")
        if name in ("geo.distance", "geo.length"):
            arity(2 if name == "geo.distance" else 1)
            return Val(kind="num", call=node)
        if name in ("length", "tolower", "toupper", "trim"):
            arity(1)
            val = self.value(args[0])
            self._need(val, ("str",), f"{name}()")
            inner = self.expr(val, "str")
            if name == "length":
                return Val(kind="num", expr=Length(inner))
            return Val(kind="str", expr={"tolower": UnicodeLower, "toupper": UnicodeUpper, "trim": Trim}[name](inner))
        if name == "concat":
            arity(2)
            parts = [self.value(a) for a in args]
            for part in parts:
                self._need(part, ("str",), "concat()")
            return Val(kind="str", expr=Concat(*(self.expr(p, "str") for p in parts), output_field=CharField()))
        if name == "indexof":
            arity(2)
            s, sub = self.value(args[0]), self.value(args[1])
            self._need(s, ("str",), "indexof()")
            self._need(sub, ("str",), "indexof()")
            return Val(kind="num", expr=ExpressionWrapper(StrIndex(self.expr(s, "str"), self.expr(sub, "str")) - 1,
                                                          output_field=IntegerField()))
        if name == "substring":
            arity(2, 3)
            s = self.value(args[0])
            self._need(s, ("str",), "substring()")
            start = self.value(args[1])
            self._need(start, ("num",), "substring()")
            if start.is_literal:
                if not isinstance(start.literal, int) or start.literal < 0:
                    raise self.error("substring() needs a non-negative integer start")
                pos: Any = start.literal + 1
            else:
                pos = ExpressionWrapper(self.expr(start, "num") + 1, output_field=IntegerField())
            length = None
            if len(args) == 3:
                n = self.value(args[2])
                self._need(n, ("num",), "substring()")
                length = self.expr(n, "num")
            return Val(kind="str", expr=Substr(self.expr(s, "str"), pos, length))
        if name in ("year", "month", "day", "hour", "minute", "second"):
            arity(1)
            val = self.value(args[0])
            self._need(val, ("datetime",), f"{name}()")
            extract = {"year": ExtractYear, "month": ExtractMonth, "day": ExtractDay, "hour": ExtractHour,
                       "minute": ExtractMinute, "second": ExtractSecond}[name]
            return Val(kind="num", expr=extract(self.expr(val), tzinfo=UTC))
        if name in ("date", "time"):
            arity(1)
            val = self.value(args[0])
            self._need(val, ("datetime",), f"{name}()")
            trunc = TruncDate if name == "date" else TruncTime
            return Val(kind=name, expr=trunc(self.expr(val), tzinfo=UTC))
        if name in ("now", "mindatetime", "maxdatetime"):
            arity(0)
            from django.utils import timezone

            moment = {"now": timezone.now(), "mindatetime": MIN_DATETIME, "maxdatetime": MAX_DATETIME}[name]
            return Val(kind="datetime", literal=moment, is_literal=True)
        if name in ("round", "floor", "ceiling"):
            arity(1)
            val = self.value(args[0])
            self._need(val, ("num",), f"{name}()")
            fn = {"round": Round, "floor": Floor, "ceiling": Ceil}[name]
            return Val(kind="num", expr=fn(self.expr(val, "num")))
        raise self.error(f"unknown function {name}()")

    def string_test(self, name: str, hay: Val, needle: Val) -> Q:
        self._need(hay, ("str",), f"{name}()")
        self._need(needle, ("str",), f"{name}()")
        if needle.is_literal and needle.literal == "":
            return Q(**{f"{hay.lookup}__isnull": False}) if hay.lookup else Q()
        h, n = self.expr(hay, "str"), self.expr(needle, "str")
        if name in ("substringof", "contains"):
            return Q(GreaterThan(StrIndex(h, n), 0))
        width = Value(len(needle.literal)) if needle.is_literal else Length(n)
        return Q(Exact(Left(h, width) if name == "startswith" else Right(h, width), n))

    # -------------------------------------------------------------------------------------------- geometry

    def _geo_operands(self, name: str, args: tuple[Any, ...]) -> tuple[Val, dict[str, Any], bool]:
        a, b = self.value(args[0]), self.value(args[1])
        if a.kind == "geo" and not a.is_literal and b.is_literal and b.kind == "geo":
            return a, b.literal, False
        if b.kind == "geo" and not b.is_literal and a.is_literal and a.kind == "geo":
            return b, a.literal, True
        raise self.error(f"{name}() needs a geometry property (e.g. location, feature, Thing/Locations/location) "
                         f"and a geography'…' literal")

    def _geo_ids(self, field: Val, test: Callable[[Any], bool], box: tuple[float, float, float, float] | None,
                 box_mode: str) -> Q:
        assert field.etype is not None and field.prop is not None
        model, column = field.etype.model, field.prop.columns[0]
        candidates = model.objects.exclude(**{f"{column}__isnull": True})
        has_bbox = hasattr(model, "min_x")
        if box is not None and has_bbox:
            x0, y0, x1, y1 = box
            if box_mode == "inside":  # candidate's box within the literal's box
                candidates = candidates.filter(min_x__gte=x0, min_y__gte=y0, max_x__lte=x1, max_y__lte=y1)
            elif box_mode == "covers":  # candidate's box covers the literal's box
                candidates = candidates.filter(min_x__lte=x0, min_y__lte=y0, max_x__gte=x1, max_y__gte=y1)
            else:  # boxes meet
                candidates = candidates.filter(min_x__lte=x1, max_x__gte=x0, min_y__lte=y1, max_y__gte=y0)
        ids = []
        for pk, geometry in candidates.values_list("pk", column).iterator(chunk_size=2000):
            try:
                if test(geometry):
                    ids.append(pk)
            except geo.GeometryError:
                continue  # a geometry we cannot read matches no spatial condition
        lookup = "__".join([*field.prefix, "in"]) if field.prefix else "pk__in"
        return Q(**{lookup: ids})

    def geo_predicate(self, name: str, args: tuple[Any, ...]) -> Q:
        field, literal, swapped = self._geo_operands(name, args)
        fn = GEO_PREDICATES[name]
        box = geo.shape(literal).bbox()
        if name in ("st_within",):
            mode = "covers" if swapped else "inside"
        elif name == "st_contains":
            mode = "inside" if swapped else "covers"
        elif name == "st_disjoint":
            box, mode = None, ""
        else:
            mode = "meets"

        def test(geometry: Any) -> bool:
            return fn(literal, geometry) if swapped else fn(geometry, literal)

        return self._geo_ids(field, test, box, mode)

    def geo_measure(self, call: Call, op: str, number: float) -> Q:
        if call.name == "geo.distance":
            field, literal, _ = self._geo_operands(call.name, call.args)
            box = None
            if op in ("lt", "le", "eq"):
                x0, y0, x1, y1 = geo.shape(literal).bbox()
                box = (x0 - number, y0 - number, x1 + number, y1 + number)

            def test(geometry: Any) -> bool:
                return PY_COMPARE[op](geo.distance(geometry, literal), number)

            return self._geo_ids(field, test, box, "meets")
        field = self.value(call.args[0])
        if field.kind != "geo" or field.is_literal:
            raise self.error("geo.length() needs a geometry property")
        return self._geo_ids(field, lambda g: PY_COMPARE[op](geo.length(g), number), None, "")

    # -------------------------------------------------------------------------------------------- conditions

    def condition(self, node: Any) -> Q:
        if isinstance(node, BinOp) and node.op == "and":
            return self.condition(node.left) & self.condition(node.right)
        if isinstance(node, BinOp) and node.op == "or":
            return self.condition(node.left) | self.condition(node.right)
        if isinstance(node, Not):
            return ~self.condition(node.operand)
        if isinstance(node, BinOp) and node.op in FLIP:
            return self.compare(node.op, node.left, node.right)
        if isinstance(node, In):
            return self.in_list(node)
        if isinstance(node, Literal):
            if node.kind != "bool":
                raise self.error(f"{node.value!r} is not a condition")
            return Q() if node.value else Q(pk__in=[])
        val = self.value(node)
        if val.kind == "bool" and val.q is not None:
            return val.q
        if val.kind == "json" and val.lookup:
            return Q(**{val.lookup: True})
        raise self.error(f"{_describe(node)} is not a condition; compare it, e.g. {_describe(node)} eq …")

    def coerce(self, field: Val, lit: Val) -> Any:
        """A literal converted to the type of the property it is compared with."""
        kind, value = field.kind, lit.literal
        if lit.kind == "null":
            return None
        if kind in ("datetime", "interval"):
            if lit.kind == "datetime":
                return value
            if lit.kind == "date":
                return dt.datetime.combine(value, dt.time(), tzinfo=UTC)
            if lit.kind == "str":
                try:
                    return parse_datetime(value)
                except ValueError as exc:
                    raise self.error(str(exc)) from None
            raise self.error(f"cannot compare the time {field.prop.name if field.prop else ''} with "
                             f"{_kind(lit.kind)}")
        if kind == "num":
            if lit.kind != "num":
                raise self.error(f"cannot compare a number with {_kind(lit.kind)} ({value!r})")
            return value
        if kind == "str":
            if lit.kind != "str":
                raise self.error(f"cannot compare text with {_kind(lit.kind)} ({value!r}); quote text as 'like this'")
            return value
        if kind in ("date", "time"):
            if lit.kind != kind:
                raise self.error(f"cannot compare {_kind(kind)} with {_kind(lit.kind)}")
            return value
        if lit.kind in ("datetime", "date", "time"):
            return iso(value) if lit.kind == "datetime" else value.isoformat()
        if lit.kind == "geo":
            raise self.error("compare geometries with st_equals(), not eq")
        return value

    def compare(self, op: str, left: Any, right: Any) -> Q:
        a, b = self.value(left), self.value(right)
        if a.is_literal and not b.is_literal:
            a, b, op = b, a, FLIP[op]
        if a.call is not None:
            if not (b.is_literal and b.kind == "num"):
                raise self.error(f"{a.call.name}() can only be compared with a number")
            return self.geo_measure(a.call, op, float(b.literal))
        if b.call is not None:
            raise self.error(f"{b.call.name}() can only be compared with a number")
        if a.q is not None or b.q is not None:
            return self._compare_conditions(op, a, b)
        if a.kind == "geo" or b.kind == "geo":
            raise self.error("compare geometries with st_equals(), not a comparison operator")
        if a.is_literal and b.is_literal:
            return self._compare_literals(op, a, b)
        if b.is_literal and b.kind == "null":
            if op not in ("eq", "ne"):
                raise self.error(f"null can only be compared with eq or ne, not {op}")
            if a.lookup:
                lookups = [a.lookup] if a.kind != "result" else [a.lookup, _result_json(a.lookup)]
                conds = [Q(**{f"{lk}__isnull": op == "eq"}) for lk in lookups]
                return conds[0] & conds[1] if len(conds) == 2 and op == "eq" else (
                    conds[0] | conds[1] if len(conds) == 2 else conds[0])
            return Q(IsNull(self.expr(a), op == "eq"))
        if a.kind == "interval" and b.is_literal:
            return self._compare_interval(op, a, self.coerce(a, b))
        if a.lookup and b.is_literal:
            return self._compare_lookup(op, a, b)
        return self._compare_expressions(op, a, b)

    def _compare_conditions(self, op: str, a: Val, b: Val) -> Q:
        if op not in ("eq", "ne"):
            raise self.error(f"conditions can only be compared with eq or ne, not {op}")
        cond, other = (a, b) if a.q is not None else (b, a)
        if not (other.is_literal and other.kind == "bool"):
            raise self.error("a condition can only be compared with true or false")
        positive = other.literal == (op == "eq")
        return cond.q if positive else ~cond.q

    def _compare_literals(self, op: str, a: Val, b: Val) -> Q:
        try:
            truth = PY_COMPARE[op](a.literal, b.literal)
        except TypeError:
            raise self.error(f"cannot compare {a.literal!r} with {b.literal!r}") from None
        return Q() if truth else Q(pk__in=[])

    def _compare_interval(self, op: str, a: Val, moment: dt.datetime) -> Q:
        assert a.prop is not None
        prefix = [*a.prefix]
        start, end = ("__".join([*prefix, c]) for c in a.prop.columns)
        if op == "gt":
            return Q(**{f"{start}__gt": moment})
        if op == "ge":
            return Q(**{f"{start}__gte": moment})
        if op == "lt":
            return Q(**{f"{end}__lt": moment})
        if op == "le":
            return Q(**{f"{end}__lte": moment})
        inside = Q(**{f"{start}__lte": moment, f"{end}__gte": moment})
        return inside if op == "eq" else ~inside

    def _compare_lookup(self, op: str, a: Val, b: Val) -> Q:
        lookup = a.lookup or ""
        if a.kind == "result":
            if b.kind == "num":
                value: Any = b.literal
            elif b.kind in ("str", "bool"):
                lookup, value = _result_json(lookup), b.literal
            else:
                raise self.error(f"cannot compare result with {_kind(b.kind)}")
        else:
            value = self.coerce(a, b)
        if op == "ne":
            return ~Q(**{lookup: value})
        return Q(**{f"{lookup}__{LOOKUP_NAMES[op]}": value})

    def _compare_expressions(self, op: str, a: Val, b: Val) -> Q:
        kinds = {a.kind, b.kind} - {"json", "result"}
        if a.kind == "result" or b.kind == "result":
            kinds.add("num")
        if len(kinds) > 1 and kinds != {"num"}:
            raise self.error(f"cannot compare {_kind(a.kind)} with {_kind(b.kind)}")
        want = next(iter(kinds)) if kinds else None
        lhs = self.expr(a, want)
        if b.is_literal:
            rhs = Value(self.coerce(a, b) if a.kind not in ("json", "result") else b.literal,
                        output_field=self.expr(b).output_field)
        else:
            rhs = self.expr(b, want)
        if op == "ne":
            return ~Q(Exact(lhs, rhs))
        return Q(LOOKUP_CLASSES[op](lhs, rhs))

    def in_list(self, node: In) -> Q:
        field = self.value(node.operand)
        values = [self.value(v) for v in node.values]
        if not all(v.is_literal for v in values):
            raise self.error("the list after 'in' may hold only literals")
        if field.lookup and field.kind not in ("geo", "interval", "bool"):
            lookup = field.lookup
            if field.kind == "result":
                if all(v.kind == "num" for v in values):
                    return Q(**{f"{lookup}__in": [v.literal for v in values]})
                lookup = _result_json(lookup)
                return Q(**{f"{lookup}__in": [v.literal for v in values]})
            return Q(**{f"{lookup}__in": [self.coerce(field, v) for v in values]})
        q = Q(pk__in=[])
        for v in values:
            q |= self.compare("eq", node.operand, Literal(v.literal, v.kind))
        return q

    # -------------------------------------------------------------------------------------------- ordering

    def order_expression(self, node: Any, descending: bool) -> Any:
        val = self.value(node)
        if self.to_many:
            raise self.error(f"cannot order by {_describe(node)}: it reaches a collection (one value per entity "
                             "is needed)")
        if val.is_literal:
            raise self.error("ordering by a constant")
        if val.kind == "interval" and val.prop is not None:
            expression: Any = F("__".join([*val.prefix, val.prop.columns[0]]))
        elif val.kind in ("geo", "bool") or val.call is not None:
            raise self.error(f"cannot order by {_describe(node)}")
        else:
            expression = self.expr(val)
        if self._never_null(val):
            # no NULLS FIRST/LAST, so PostgreSQL can walk an index in either direction
            return expression.desc() if descending else expression.asc()
        # OData puts nulls first in ascending order (PostgreSQL's default is the opposite)
        return expression.desc(nulls_last=True) if descending else expression.asc(nulls_first=True)

    def _never_null(self, val: Val) -> bool:
        if val.expr is not None or val.prop is None or val.etype is None or val.json_keys:
            return False
        if val.prop.kind == "id":
            return True
        field = val.etype.model._meta.get_field(val.prop.columns[0])
        return not field.null


def _result_json(lookup: str) -> str:
    return lookup[: -len("result")] + "result_json"


def _describe(node: Any) -> str:
    if isinstance(node, Path):
        return str(node)
    if isinstance(node, Call):
        return f"{node.name}(…)"
    if isinstance(node, Literal):
        return repr(node.value)
    return "the expression"


# ------------------------------------------------------------------------------------------------ querysets


def base_queryset(etype: EntityType) -> QuerySet:
    qs = etype.model.objects.all()
    if etype.name == "Observation":
        qs = qs.annotate(sta_observation_type=F("datastream__observation_type"))
    return qs


def apply_filter(etype: EntityType, qs: QuerySet, text: str | None) -> QuerySet:
    if not text:
        return qs
    compiler = Compiler(etype)
    q = compiler.condition(parse_filter(text))
    if compiler.to_many:
        # a path through a collection matches an entity once, however many related rows match
        return qs.filter(pk__in=etype.model.objects.filter(q).values("pk"))
    return qs.filter(q)


def ordering(etype: EntityType, text: str | None, *, by_time: bool = False) -> list[Any]:
    """The ORDER BY of ``$orderby``, ending with the id so the order is total and pages never overlap.

    ``by_time``: with no ``$orderby``, one datastream's (or feature's) observations come in phenomenonTime order —
    the order of the (datastream_id, phenomenon_time) index, where id order would sort the whole series."""
    items: list[Any] = []
    if text:
        compiler = Compiler(etype, option="$orderby")
        for node, descending in parse_orderby(text):
            compiler.to_many = False
            items.append(compiler.order_expression(node, descending))
    elif by_time and etype.name == "Observation":
        items.append(F("phenomenon_time").asc())
    items.append(F("pk").asc())
    return items


def check_select(etype: EntityType, select: list[str] | None, *, data_array: bool = False) -> None:
    if select is None:
        return
    names = {"id", "@iot.id", "@iot.selfLink", *(p.name for p in etype.props), *(n.name for n in etype.navs)}
    if data_array:
        names.add("FeatureOfInterest/id")
    for name in select:
        if name not in names:
            raise QueryError(f"$select: unknown property {name!r} of {etype.name}", option="$select")


# ------------------------------------------------------------------------------------------------ rendering


class Renderer:
    """Reads pages of entities with their expansions and renders their JSON."""

    def __init__(self, base: str) -> None:
        self.base = base

    def effective_top(self, opts: Options) -> int:
        return min(opts.top if opts.top is not None else page_size(), max_page_size())

    def prepare(self, etype: EntityType, qs: QuerySet, opts: Options, *, by_time: bool = False) -> QuerySet:
        check_select(etype, opts.select, data_array=opts.result_format is not None)
        qs = apply_filter(etype, qs, opts.filter)
        return qs.order_by(*ordering(etype, opts.orderby, by_time=by_time))

    def collection(self, etype: EntityType, qs: QuerySet, opts: Options, url: str,
                   params: dict[str, str], *, by_time: bool = False) -> dict[str, Any]:
        if opts.result_format is not None and opts.result_format.lower() != "dataarray":
            raise QueryError(f"$resultFormat {opts.result_format!r} is not supported (only dataArray)",
                             option="$resultFormat")
        if opts.result_format is not None and etype.name != "Observation":
            raise QueryError("$resultFormat=dataArray applies to Observations only", option="$resultFormat")
        qs = self.prepare(etype, qs, opts, by_time=by_time)
        top, skip = self.effective_top(opts), opts.skip
        out: dict[str, Any] = {}
        if opts.count:
            out["@iot.count"] = qs.count()
        rows = list(qs[skip: skip + top + 1]) if top else []
        more = len(rows) > top
        rows = rows[:top]
        if more:
            nxt = dict(params)
            nxt["$top"], nxt["$skip"] = str(top), str(skip + top)
            out["@iot.nextLink"] = f"{url}?{urlencode(nxt, safe=_SAFE)}"
        if opts.result_format is not None:
            out["value"] = self.data_array(rows, opts.select)
        else:
            out["value"] = self.render(etype, rows, opts)
        # @iot.count first, then nextLink, then value — the order the specification's examples use
        return {k: out[k] for k in ("@iot.count", "@iot.nextLink", "value") if k in out}

    def refs(self, etype: EntityType, qs: QuerySet, opts: Options, url: str, params: dict[str, str]) -> dict:
        qs = apply_filter(etype, qs, opts.filter).order_by(*ordering(etype, opts.orderby))
        top, skip = self.effective_top(opts), opts.skip
        out: dict[str, Any] = {}
        if opts.count:
            out["@iot.count"] = qs.count()
        ids = list(qs.values_list("pk", flat=True)[skip: skip + top + 1])
        if len(ids) > top:
            nxt = dict(params)
            nxt["$top"], nxt["$skip"] = str(top), str(skip + top)
            out["@iot.nextLink"] = f"{url}?{urlencode(nxt, safe=_SAFE)}"
        out["value"] = [{"@iot.selfLink": f"{self.base}/{etype.plural}({pk})"} for pk in ids[:top]]
        return out

    def entity(self, etype: EntityType, obj: Any, opts: Options) -> dict[str, Any]:
        check_select(etype, opts.select)
        if opts.filter or opts.orderby or opts.top is not None or opts.skip or opts.count:
            raise QueryError("$filter, $orderby, $top, $skip and $count apply to collections, not to one entity",
                             option="$filter")
        return self.render(etype, [obj], opts)[0]

    def render(self, etype: EntityType, objs: list[Any], opts: Options) -> list[dict[str, Any]]:
        pairs = [(obj, entity_json(etype, obj, self.base, opts.select)) for obj in objs]
        self.expand(etype, pairs, opts.expand)
        return [json for _, json in pairs]

    # -------------------------------------------------------------------------------------------- $expand

    def expand(self, etype: EntityType, pairs: list[tuple[Any, dict]], items: list[ExpandItem],
               depth: int = 1) -> None:
        if items and depth > MAX_EXPAND_DEPTH:
            raise QueryError(f"$expand nests deeper than {MAX_EXPAND_DEPTH} levels", option="$expand")
        for item in items:
            nav = etype.nav(item.name)
            if nav is None:
                known = ", ".join(n.name for n in etype.navs)
                raise QueryError(f"$expand: {etype.name} has no navigation property {item.name!r} (known: {known})",
                                 option="$expand")
            target = TYPES[nav.target]
            check_select(target, item.options.select)
            if not pairs:
                # still validate the nested options
                self.prepare(target, base_queryset(target), item.options)
                self.expand(target, [], item.options.expand, depth + 1)
                continue
            if nav.many:
                child_pairs = self._expand_many(etype, nav, target, pairs, item.options)
            else:
                child_pairs = self._expand_one(nav, target, pairs, item.options)
            self.expand(target, child_pairs, item.options.expand, depth + 1)

    def _expand_one(self, nav, target: EntityType, pairs, opts: Options) -> list[tuple[Any, dict]]:
        ids = {getattr(obj, f"{nav.lookup}_id") for obj, _ in pairs}
        qs = apply_filter(target, base_queryset(target).filter(pk__in=ids), opts.filter)
        by_id = {obj.pk: obj for obj in qs}
        children = []
        for obj, json in pairs:
            child = by_id.get(getattr(obj, f"{nav.lookup}_id"))
            if child is None:
                continue
            child_json = entity_json(target, child, self.base, opts.select)
            json[nav.name] = child_json
            children.append((child, child_json))
        return children

    def _expand_many(self, etype: EntityType, nav, target: EntityType, pairs, opts: Options):
        qs = self.prepare(target, base_queryset(target), opts, by_time=True)
        top, skip = self.effective_top(opts), opts.skip
        groups: dict[int, list[Any]] = defaultdict(list)
        counts: dict[int, int] = {}
        parent_ids = list({obj.pk for obj, _ in pairs})
        if target.name == "Observation":
            # per parent, through the (datastream, phenomenon_time) index: never a scan of the big table
            if len(parent_ids) > max_page_size():
                raise QueryError(f"$expand: Observations of {len(parent_ids)} {etype.plural} in one request; "
                                 f"at most {max_page_size()} — lower $top", option="$expand")
            for pk in parent_ids:
                mine = qs.filter(**{nav.reverse: pk})
                groups[pk] = list(mine[skip: skip + top + 1]) if top else []
                if opts.count:
                    counts[pk] = mine.count()
        else:
            rows = qs.filter(**{f"{nav.reverse}__in": parent_ids}).annotate(sta_parent=F(nav.reverse))
            for row in rows:
                groups[row.sta_parent].append(row)
            for pk in parent_ids:
                counts[pk] = len(groups[pk])
                groups[pk] = groups[pk][skip: skip + top + 1] if top else []
        children = []
        for obj, json in pairs:
            rows = groups.get(obj.pk, [])
            link = f"{self.base}/{etype.plural}({obj.pk})/{nav.name}"
            if opts.count:
                json[f"{nav.name}@iot.count"] = counts.get(obj.pk, 0)
            if len(rows) > top:
                nxt = {k: v for k, v in opts.raw.items()}
                nxt["$top"], nxt["$skip"] = str(top), str(skip + top)
                json[f"{nav.name}@iot.nextLink"] = f"{link}?{urlencode(nxt, safe=_SAFE)}"
            rendered = []
            for child in rows[:top]:
                child_json = entity_json(target, child, self.base, opts.select)
                rendered.append(child_json)
                children.append((child, child_json))
            json[nav.name] = rendered
        return children

    # -------------------------------------------------------------------------------------------- dataArray

    def data_array(self, rows: list[Any], select: list[str] | None) -> list[dict[str, Any]]:
        """Observations grouped by Datastream in the dataArray form (OGC 18-088, 14.3)."""
        etype = TYPES["Observation"]
        components = select or ["id", "phenomenonTime", "resultTime", "result"]
        components = ["id" if c == "@iot.id" else c for c in components]
        groups: dict[int, list[list[Any]]] = {}
        for obj in rows:
            line = []
            for name in components:
                if name == "id":
                    line.append(obj.pk)
                elif name == "FeatureOfInterest/id":
                    line.append(obj.feature_of_interest_id)
                else:
                    prop = etype.prop(name)
                    if prop is None:
                        raise QueryError(f"$select: {name} cannot be a dataArray component", option="$select")
                    line.append(prop_value(etype, prop, obj))
            groups.setdefault(obj.datastream_id, []).append(line)
        return [{"Datastream@iot.navigationLink": f"{self.base}/Datastreams({ds})", "components": components,
                 "dataArray@iot.count": len(lines), "dataArray": lines} for ds, lines in groups.items()]


_SAFE = "$'(),/:;="


def finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)

"""``$filter`` → Django ``Q``: the compiler of the OData AST for one entity type.

A property compared with a literal is an ordinary lookup (``datastream__observed_property__name="Nhiệt độ"``);
functions and arithmetic become database expressions, so filtering, counting and paging stay in SQL. Paths reach
related entities through the navigation properties of ``smartcity.sensing.sta.entities`` and members of JSON
properties (``properties/district``); intervals compare by their start (``gt ge``), end (``lt le``) or by
containing the instant (``eq``). The functions are compiled in ``functions`` (strings, time, numbers) and
``spatial`` (geometry); this module holds operands, arithmetic, comparisons and the logical operators.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

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
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Mod
from django.db.models.lookups import Exact, IsNull

from smartcity.sensing.isotime import parse_datetime
from smartcity.sensing.sta.entities import TYPES, EntityType, iso
from smartcity.sensing.sta.odata.ast import BinOp, Call, In, Literal, Not, Path
from smartcity.sensing.sta.odata.errors import QueryError
from smartcity.sensing.sta.query import functions, spatial
from smartcity.sensing.sta.query.values import (
    FLIP,
    LOOKUP_CLASSES,
    LOOKUP_NAMES,
    PY_COMPARE,
    Val,
    describe,
    kind_name,
    result_json,
)

UTC = dt.UTC


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

    def need(self, val: Val, kinds: tuple[str, ...], what: str) -> None:
        allowed = set(kinds)
        if "num" in kinds or "str" in kinds:
            allowed.add("json")  # a member of a JSON property, read as a number or as text
        if "num" in kinds:
            allowed.add("result")
        if val.kind not in allowed:
            raise self.error(f"{what} needs {' or '.join(kind_name(k) for k in kinds)}, not {kind_name(val.kind)}")

    def arithmetic(self, node: BinOp) -> Val:
        a, b = self.value(node.left), self.value(node.right)
        for side in (a, b):
            self.need(side, ("num",), f"'{node.op}'")
        if node.op == "div" and b.is_literal and b.literal == 0:
            raise self.error("division by zero")
        lhs, rhs = self.expr(a, "num"), self.expr(b, "num")
        if node.op == "mod":
            return Val(kind="num", expr=Mod(lhs, rhs, output_field=FloatField()))
        combined = {"add": lhs + rhs, "sub": lhs - rhs, "mul": lhs * rhs, "div": lhs / rhs}[node.op]
        return Val(kind="num", expr=ExpressionWrapper(combined, output_field=FloatField()))

    def call(self, node: Call) -> Val:
        if node.name in spatial.FUNCTIONS:
            return spatial.call(self, node)
        return functions.call(self, node)

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
        raise self.error(f"{describe(node)} is not a condition; compare it, e.g. {describe(node)} eq …")

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
                             f"{kind_name(lit.kind)}")
        if kind == "num":
            if lit.kind != "num":
                raise self.error(f"cannot compare a number with {kind_name(lit.kind)} ({value!r})")
            return value
        if kind == "str":
            if lit.kind != "str":
                raise self.error(f"cannot compare text with {kind_name(lit.kind)} ({value!r}); quote text as 'like this'")
            return value
        if kind in ("date", "time"):
            if lit.kind != kind:
                raise self.error(f"cannot compare {kind_name(kind)} with {kind_name(lit.kind)}")
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
            return spatial.measure(self, a.call, op, float(b.literal))
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
                lookups = [a.lookup] if a.kind != "result" else [a.lookup, result_json(a.lookup)]
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
                lookup, value = result_json(lookup), b.literal
            else:
                raise self.error(f"cannot compare result with {kind_name(b.kind)}")
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
            raise self.error(f"cannot compare {kind_name(a.kind)} with {kind_name(b.kind)}")
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
                lookup = result_json(lookup)
                return Q(**{f"{lookup}__in": [v.literal for v in values]})
            return Q(**{f"{lookup}__in": [self.coerce(field, v) for v in values]})
        q = Q(pk__in=[])
        for v in values:
            q |= self.compare("eq", node.operand, Literal(v.literal, v.kind))
        return q

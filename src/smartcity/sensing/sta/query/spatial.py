"""The spatial functions of ``$filter`` without PostGIS (OGC 18-088, Table 23).

``st_within st_contains st_intersects st_disjoint st_equals geo.intersects`` and comparisons of ``geo.distance`` /
``geo.length`` with a number. Candidates are narrowed with the bounding-box columns stored beside each geometry
(in SQL), the exact test runs in Python (``smartcity.sensing.geo``) over those candidates only, and the answer
enters the query as ``id IN (…)`` — so it combines with ``and``/``or``/``not`` like any other condition.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from smartcity.sensing import geo
from smartcity.sensing.sta.odata.ast import Call
from smartcity.sensing.sta.query.functions import check_arity
from smartcity.sensing.sta.query.values import PY_COMPARE, Val

if TYPE_CHECKING:
    from smartcity.sensing.sta.query.compiler import Compiler

GEO_PREDICATES: dict[str, Callable[[Any, Any], bool]] = {
    "st_within": geo.within, "st_contains": geo.contains, "st_intersects": geo.intersects,
    "geo.intersects": geo.intersects, "st_equals": geo.equals, "st_disjoint": geo.disjoint,
}
UNSUPPORTED_GEO = {"st_touches", "st_overlaps", "st_crosses", "st_relate"}
MEASURES = ("geo.distance", "geo.length")
FUNCTIONS = {*GEO_PREDICATES, *UNSUPPORTED_GEO, *MEASURES}


def call(compiler: Compiler, node: Call) -> Val:
    """A spatial predicate as a condition; a measure as a value to compare with a number (``measure``)."""
    name = node.name
    if name in GEO_PREDICATES:
        check_arity(compiler, node, 2)
        return Val(kind="bool", q=predicate(compiler, name, node.args))
    if name in UNSUPPORTED_GEO:
        raise compiler.error(f"{name}() is not supported by this server; use st_within, st_contains, "
                             "st_intersects, st_disjoint, st_equals or geo.distance")
    check_arity(compiler, node, 2 if name == "geo.distance" else 1)
    return Val(kind="num", call=node)


def _operands(compiler: Compiler, name: str, args: tuple[Any, ...]) -> tuple[Val, dict[str, Any], bool]:
    """(the geometry property, the literal, whether the literal came first)."""
    a, b = compiler.value(args[0]), compiler.value(args[1])
    if a.kind == "geo" and not a.is_literal and b.is_literal and b.kind == "geo":
        return a, b.literal, False
    if b.kind == "geo" and not b.is_literal and a.is_literal and a.kind == "geo":
        return b, a.literal, True
    raise compiler.error(f"{name}() needs a geometry property (e.g. location, feature, Thing/Locations/location) "
                         f"and a geography'…' literal")


def _ids(compiler: Compiler, field: Val, test: Callable[[Any], bool],
         box: tuple[float, float, float, float] | None, box_mode: str) -> Q:
    """``id IN (…)`` of the entities whose geometry passes ``test``, among those whose bounding box is ``box_mode``
    ("inside", "covers", "meets") ``box``."""
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


def predicate(compiler: Compiler, name: str, args: tuple[Any, ...]) -> Q:
    field, literal, swapped = _operands(compiler, name, args)
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

    return _ids(compiler, field, test, box, mode)


def measure(compiler: Compiler, call: Call, op: str, number: float) -> Q:
    if call.name == "geo.distance":
        field, literal, _ = _operands(compiler, call.name, call.args)
        box = None
        if op in ("lt", "le", "eq"):
            x0, y0, x1, y1 = geo.shape(literal).bbox()
            box = (x0 - number, y0 - number, x1 + number, y1 + number)

        def test(geometry: Any) -> bool:
            return PY_COMPARE[op](geo.distance(geometry, literal), number)

        return _ids(compiler, field, test, box, "meets")
    field = compiler.value(call.args[0])
    if field.kind != "geo" or field.is_literal:
        raise compiler.error("geo.length() needs a geometry property")
    return _ids(compiler, field, lambda g: PY_COMPARE[op](geo.length(g), number), None, "")

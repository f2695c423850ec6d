"""``$orderby``: the ORDER BY of a request, total (ending with the id) so pages never overlap.

Any expression the filter compiler reads can be ordered by, as long as it has one value per entity (no path
through a collection) and is not a geometry or a condition. OData puts nulls first in ascending order; columns
that are never null are ordered without ``NULLS FIRST/LAST`` so PostgreSQL can walk an index either way.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F

from smartcity.sensing.sta.entities import EntityType
from smartcity.sensing.sta.odata.parser import parse_orderby
from smartcity.sensing.sta.query.compiler import Compiler
from smartcity.sensing.sta.query.values import Val, describe


def ordering(etype: EntityType, text: str | None, *, by_time: bool = False) -> list[Any]:
    """The ORDER BY of ``$orderby``, ending with the id so the order is total and pages never overlap.

    ``by_time``: with no ``$orderby``, one datastream's (or feature's) observations come in phenomenonTime order —
    the order of the (datastream_id, phenomenon_time) index, where id order would sort the whole series."""
    items: list[Any] = []
    if text:
        compiler = Compiler(etype, option="$orderby")
        for node, descending in parse_orderby(text):
            compiler.to_many = False
            items.append(order_expression(compiler, node, descending))
    elif by_time and etype.name == "Observation":
        items.append(F("phenomenon_time").asc())
    items.append(F("pk").asc())
    return items


def order_expression(compiler: Compiler, node: Any, descending: bool) -> Any:
    val = compiler.value(node)
    if compiler.to_many:
        raise compiler.error(f"cannot order by {describe(node)}: it reaches a collection (one value per entity "
                             "is needed)")
    if val.is_literal:
        raise compiler.error("ordering by a constant")
    if val.kind == "interval" and val.prop is not None:
        expression: Any = F("__".join([*val.prefix, val.prop.columns[0]]))
    elif val.kind in ("geo", "bool") or val.call is not None:
        raise compiler.error(f"cannot order by {describe(node)}")
    else:
        expression = compiler.expr(val)
    if _never_null(val):
        # no NULLS FIRST/LAST, so PostgreSQL can walk an index in either direction
        return expression.desc() if descending else expression.asc()
    # OData puts nulls first in ascending order (PostgreSQL's default is the opposite)
    return expression.desc(nulls_last=True) if descending else expression.asc(nulls_first=True)


def _never_null(val: Val) -> bool:
    if val.expr is not None or val.prop is None or val.etype is None or val.json_keys:
        return False
    if val.prop.kind == "id":
        return True
    field = val.etype.model._meta.get_field(val.prop.columns[0])
    return not field.null


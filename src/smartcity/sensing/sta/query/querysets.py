"""The queryset a request reads: the entity type's base queryset, narrowed by ``$filter``, ordered by ``$orderby``,
its ``$select`` checked against the entity type."""

from __future__ import annotations

from django.db.models import F, QuerySet

from smartcity.sensing.sta.entities import EntityType
from smartcity.sensing.sta.odata.errors import QueryError
from smartcity.sensing.sta.odata.options import Options
from smartcity.sensing.sta.odata.parser import parse_filter
from smartcity.sensing.sta.query.compiler import Compiler
from smartcity.sensing.sta.query.ordering import ordering


def base_queryset(etype: EntityType) -> QuerySet:
    """All entities of the type; Observations carry their datastream's observationType (counts render as integers)."""
    qs = etype.model.objects.all()
    if etype.name == "Observation":
        qs = qs.annotate(sta_observation_type=F("datastream__observation_type"))
    return qs


def apply_filter(etype: EntityType, qs: QuerySet, text: str | None) -> QuerySet:
    """``qs`` narrowed by the ``$filter`` text (unchanged without one)."""
    if not text:
        return qs
    compiler = Compiler(etype)
    q = compiler.condition(parse_filter(text))
    if compiler.to_many:
        # a path through a collection matches an entity once, however many related rows match
        return qs.filter(pk__in=etype.model.objects.filter(q).values("pk"))
    return qs.filter(q)


def check_select(etype: EntityType, select: list[str] | None, *, data_array: bool = False) -> None:
    """A 400 for a ``$select`` naming what the entity type does not have."""
    if select is None:
        return
    names = {"id", "@iot.id", "@iot.selfLink", *(p.name for p in etype.props), *(n.name for n in etype.navs)}
    if data_array:
        names.add("FeatureOfInterest/id")
    for name in select:
        if name not in names:
            raise QueryError(f"$select: unknown property {name!r} of {etype.name}", option="$select")


def prepare(etype: EntityType, qs: QuerySet, opts: Options, *, by_time: bool = False) -> QuerySet:
    """``qs`` filtered and ordered by the options, after checking their ``$select``."""
    check_select(etype, opts.select, data_array=opts.result_format is not None)
    qs = apply_filter(etype, qs, opts.filter)
    return qs.order_by(*ordering(etype, opts.orderby, by_time=by_time))

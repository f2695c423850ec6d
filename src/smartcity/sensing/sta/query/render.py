"""The JSON answer to a GET: a page of a collection (with ``@iot.count``, ``@iot.nextLink``), its ``$ref`` form, or
one entity, each with its ``$expand``-ed relations, or Observations as a ``dataArray``.

The query options are read in ``smartcity.sensing.sta.odata``; here they are applied: ``querysets`` (filter, order,
select), ``paging``, ``expand`` and ``data_array`` each do one part.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from smartcity.sensing.sta.entities import EntityType, entity_json
from smartcity.sensing.sta.odata.errors import QueryError
from smartcity.sensing.sta.odata.options import Options
from smartcity.sensing.sta.query.data_array import data_array
from smartcity.sensing.sta.query.expand import expand
from smartcity.sensing.sta.query.ordering import ordering
from smartcity.sensing.sta.query.paging import effective_top, next_link
from smartcity.sensing.sta.query.querysets import apply_filter, check_select, prepare


class Renderer:
    """Reads pages of entities with their expansions and renders their JSON."""

    def __init__(self, base: str) -> None:
        self.base = base

    def collection(self, etype: EntityType, qs: QuerySet, opts: Options, url: str,
                   params: dict[str, str], *, by_time: bool = False) -> dict[str, Any]:
        if opts.result_format is not None and opts.result_format.lower() != "dataarray":
            raise QueryError(f"$resultFormat {opts.result_format!r} is not supported (only dataArray)",
                             option="$resultFormat")
        if opts.result_format is not None and etype.name != "Observation":
            raise QueryError("$resultFormat=dataArray applies to Observations only", option="$resultFormat")
        qs = prepare(etype, qs, opts, by_time=by_time)
        top, skip = effective_top(opts), opts.skip
        out: dict[str, Any] = {}
        if opts.count:
            out["@iot.count"] = qs.count()
        rows = list(qs[skip: skip + top + 1]) if top else []
        more = len(rows) > top
        rows = rows[:top]
        if more:
            out["@iot.nextLink"] = next_link(url, params, top=top, skip=skip)
        if opts.result_format is not None:
            out["value"] = data_array(self.base, rows, opts.select)
        else:
            out["value"] = self.render(etype, rows, opts)
        # @iot.count first, then nextLink, then value — the order the specification's examples use
        return {k: out[k] for k in ("@iot.count", "@iot.nextLink", "value") if k in out}

    def refs(self, etype: EntityType, qs: QuerySet, opts: Options, url: str, params: dict[str, str]) -> dict:
        qs = apply_filter(etype, qs, opts.filter).order_by(*ordering(etype, opts.orderby))
        top, skip = effective_top(opts), opts.skip
        out: dict[str, Any] = {}
        if opts.count:
            out["@iot.count"] = qs.count()
        ids = list(qs.values_list("pk", flat=True)[skip: skip + top + 1])
        if len(ids) > top:
            out["@iot.nextLink"] = next_link(url, params, top=top, skip=skip)
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
        expand(self.base, etype, pairs, opts.expand)
        return [json for _, json in pairs]

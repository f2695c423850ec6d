"""``$expand`` (OGC 18-088, 9.3.2.1): related entities inline, nested, each level with its own options.

One query per level, except Observations, which are read per parent through the (datastream, phenomenon_time)
index so ``Datastreams?$expand=Observations($top=1)`` costs one index probe per datastream, never a scan of the big
table. A collection expanded per parent pages like a collection (``…@iot.count``, ``…@iot.nextLink``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import F

from smartcity.sensing.sta.entities import TYPES, EntityType, entity_json
from smartcity.sensing.sta.odata.errors import QueryError
from smartcity.sensing.sta.odata.options import ExpandItem, Options
from smartcity.sensing.sta.query.paging import effective_top, max_page_size, next_link
from smartcity.sensing.sta.query.querysets import apply_filter, base_queryset, check_select, prepare

MAX_EXPAND_DEPTH = 5


def expand(base: str, etype: EntityType, pairs: list[tuple[Any, dict]], items: list[ExpandItem],
           depth: int = 1) -> None:
    """Put the related entities named by ``items`` into the JSON of ``pairs`` (entity, its JSON), level by level."""
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
            prepare(target, base_queryset(target), item.options)
            expand(base, target, [], item.options.expand, depth + 1)
            continue
        if nav.many:
            child_pairs = _expand_many(base, etype, nav, target, pairs, item.options)
        else:
            child_pairs = _expand_one(base, nav, target, pairs, item.options)
        expand(base, target, child_pairs, item.options.expand, depth + 1)


def _expand_one(base: str, nav, target: EntityType, pairs, opts: Options) -> list[tuple[Any, dict]]:
    ids = {getattr(obj, f"{nav.lookup}_id") for obj, _ in pairs}
    qs = apply_filter(target, base_queryset(target).filter(pk__in=ids), opts.filter)
    by_id = {obj.pk: obj for obj in qs}
    children = []
    for obj, json in pairs:
        child = by_id.get(getattr(obj, f"{nav.lookup}_id"))
        if child is None:
            continue
        child_json = entity_json(target, child, base, opts.select)
        json[nav.name] = child_json
        children.append((child, child_json))
    return children


def _expand_many(base: str, etype: EntityType, nav, target: EntityType, pairs, opts: Options):
    qs = prepare(target, base_queryset(target), opts, by_time=True)
    top, skip = effective_top(opts), opts.skip
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
        link = f"{base}/{etype.plural}({obj.pk})/{nav.name}"
        if opts.count:
            json[f"{nav.name}@iot.count"] = counts.get(obj.pk, 0)
        if len(rows) > top:
            json[f"{nav.name}@iot.nextLink"] = next_link(link, opts.raw, top=top, skip=skip)
        rendered = []
        for child in rows[:top]:
            child_json = entity_json(target, child, base, opts.select)
            rendered.append(child_json)
            children.append((child, child_json))
        json[nav.name] = rendered
    return children

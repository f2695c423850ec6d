"""Citizen reports (the ``feedback`` app) for the centre — registered by ``register_builtin`` only when the app is
installed. The contract the feedback services keep (docs/ioc.md, "Wiring citizen reports"):

``report_counts(now=None) -> {"open": int, "overdue": int}``
    reports not closed, and those of them past their deadline;
``open_reports_for_map(limit=500) -> list`` of dicts (or objects with the same attributes)
    ``lat``, ``lon``, ``title``, ``status_label``, ``submitted_at``, ``overdue`` (bool), ``href``;
``recent_report_events(since) -> list`` of dicts
    ``key`` (unique and stable, "report:42:submitted"), ``title``, ``at``, ``emergency`` (bool), ``unit_id``,
    ``href``, ``ref`` (the report, "report:42", for an incident it opens).

The module is imported by name at run time so that a branch without the app still passes the import contracts;
once merged, the lead may replace ``_feedback()`` by a plain ``from smartcity.feedback import services``.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from smartcity.ioc.sources import EventIn, Row, TileValue
from smartcity.lib import formats
from smartcity.places.maps import MapPoint

NEW, AGED, LATE = "#1E88E5", "#FF9800", "#E53935"
AGED_AFTER = dt.timedelta(days=3)


def _feedback() -> Any:
    return importlib.import_module("smartcity.feedback.services")


def _get(item: Any, name: str, default: Any = None) -> Any:
    return item.get(name, default) if isinstance(item, dict) else getattr(item, name, default)


def _colour(item: Any, now: dt.datetime) -> str:
    if _get(item, "overdue"):
        return LATE
    submitted = _get(item, "submitted_at")
    return AGED if submitted is not None and now - submitted > AGED_AFTER else NEW


class ReportProvider:
    key = "reports"
    tile_keys = ("reports_open", "reports_overdue")

    def tiles(self, now: dt.datetime) -> list[TileValue]:
        counts = _feedback().report_counts()
        return [TileValue("reports_open", counts["open"]), TileValue("reports_overdue", counts["overdue"])]

    def rows(self, tile_key: str, now: dt.datetime, limit: int) -> list[Row]:
        items = _feedback().open_reports_for_map(limit=limit if tile_key == "reports_open" else 2000)
        if tile_key == "reports_overdue":
            items = [i for i in items if _get(i, "overdue")][:limit]
        return [Row([_get(i, "title", ""), _get(i, "status_label", ""), formats.moment(_get(i, "submitted_at"))],
                    _get(i, "href", "")) for i in items]

    def layers(self) -> dict:
        def points(now: dt.datetime) -> list[MapPoint]:
            return [MapPoint(_get(i, "lat"), _get(i, "lon"), "P", f"{_get(i, 'title', '')} — "
                             f"{_get(i, 'status_label', '')}", _colour(i, now), _get(i, "href", ""))
                    for i in _feedback().open_reports_for_map(limit=500)
                    if _get(i, "lat") is not None and _get(i, "lon") is not None]
        return {"reports": points}

    def events(self, since: dt.datetime, now: dt.datetime) -> list[EventIn]:
        out = []
        for e in _feedback().recent_report_events(since):
            emergency = bool(_get(e, "emergency"))
            out.append(EventIn(str(_get(e, "key")), "report", _("Phản ánh: %(title)s") % {"title": _get(e, "title")},
                               _get(e, "at") or timezone.now(), severity="critical" if emergency else "info",
                               link=_get(e, "href", ""), opens="report:emergency" if emergency else "",
                               unit_id=_get(e, "unit_id"), ref=_get(e, "ref", "")))
        return out

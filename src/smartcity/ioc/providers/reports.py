"""Citizen reports (the ``feedback`` app) for the centre, read through ``feedback.services``:
``report_counts()`` (open, overdue), ``open_reports_for_map()`` (points: id, lat, lon, category, status, age in days,
emergency, overdue) and ``recent_events()`` (timeline steps with no personal data). See docs/ioc.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcity.feedback import services as feedback
from smartcity.feedback.models import Status
from smartcity.ioc.sources import EventIn, Row, TileValue
from smartcity.lib import formats
from smartcity.places.maps import MapPoint

NEW, AGED, LATE = "#1E88E5", "#FF9800", "#E53935"
AGED_AFTER = dt.timedelta(days=3)


def _point(item: dict[str, Any]) -> dict[str, Any]:
    """A report of ``open_reports_for_map`` in the centre's words: a title, its status in words, a link."""
    return {**item, "title": f"#{item['id']} {item['category']}", "status_label": Status(item["status"]).label,
            "href": reverse("feedback:detail", args=[item["id"]])}


def _colour(item: dict[str, Any]) -> str:
    if item["overdue"]:
        return LATE
    return AGED if dt.timedelta(days=item["age"]) > AGED_AFTER else NEW


class ReportProvider:
    key = "reports"
    tile_keys = ("reports_open", "reports_overdue")

    def tiles(self, now: dt.datetime) -> list[TileValue]:
        counts = feedback.report_counts()
        return [TileValue("reports_open", counts["open"]), TileValue("reports_overdue", counts["overdue"])]

    def rows(self, tile_key: str, now: dt.datetime, limit: int) -> list[Row]:
        items = [_point(i) for i in feedback.open_reports_for_map(limit=limit if tile_key == "reports_open" else 2000)]
        if tile_key == "reports_overdue":
            items = [i for i in items if i["overdue"]][:limit]
        return [Row([i["title"], i["status_label"], _("%(days)s ngày") % {"days": formats.number(i["age"])}],
                    i["href"]) for i in items]

    def layers(self) -> dict:
        def points(now: dt.datetime) -> list[MapPoint]:
            return [MapPoint(i["lat"], i["lon"], "P", f"{i['title']} — {i['status_label']}", _colour(i), i["href"])
                    for i in map(_point, feedback.open_reports_for_map(limit=500))
                    if i["lat"] is not None and i["lon"] is not None]
        return {"reports": points}

    def events(self, since: dt.datetime, now: dt.datetime) -> list[EventIn]:
        out = []
        for e in feedback.recent_events(since=since, limit=200):
            emergency = bool(e["emergency"])
            title = f"#{e['report_id']} {e['category']} — {e['label']}"
            out.append(EventIn(f"report:{e['report_id']}:{e['id']}", "report", _("Phản ánh: %(title)s") % {"title": title},
                               e["at"] or timezone.now(), severity="critical" if emergency else "info",
                               link=reverse("feedback:detail", args=[e["report_id"]]),
                               opens="report:emergency" if emergency and e["kind"] == "submitted" else "",
                               unit_id=e["unit_id"], ref=f"report:{e['report_id']}"))
        return out

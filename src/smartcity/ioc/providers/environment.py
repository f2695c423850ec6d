"""Environmental monitoring for the centre: the worst air quality now, open warnings (tile, map layer, feed events
that may open an incident), the air and water-level stations as map layers. Read through
``smartcity.environment.services`` (the cached current values of every station)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from smartcity.environment import services as environment
from smartcity.ioc.sources import EventIn, Row, TileValue
from smartcity.lib import formats
from smartcity.places.maps import MapPoint

AIR, WATER_LEVEL = "air", "water_level"
WARNING_COLOUR = "#B71C1C"


def _tone(level: int | None) -> str:
    """VN_AQI levels 1–2 (good, moderate) fine, 3 (poor for sensitive groups) a warning, 4 and worse late."""
    if level is None:
        return ""
    return "ok" if level <= 2 else "warn" if level == 3 else "late"


def _air(now: dt.datetime) -> list:
    return [s for s in environment.current_statuses(kind=AIR) if s.value is not None]


def _dots(kind: str) -> list[MapPoint]:
    out = []
    for status in environment.current_statuses(kind=kind):
        dot = environment.map_dot(status)
        if dot is not None:
            out.append(MapPoint(dot.lat, dot.lon, dot.label, dot.title, dot.colour, dot.href))
    return out


def _warning_points(now: dt.datetime) -> list[MapPoint]:
    out = []
    for w in environment.open_warnings()[:200]:
        st = w.station
        if st.latitude is None or st.longitude is None:
            continue
        out.append(MapPoint(st.latitude, st.longitude, "!", f"{w.message}", WARNING_COLOUR,
                            reverse("environment:station", args=[st.code])))
    return out


class EnvironmentProvider:
    key = "environment"
    tile_keys = ("worst_aqi", "active_warnings")

    def tiles(self, now: dt.datetime) -> list[TileValue]:
        air = _air(now)
        worst = max(air, key=lambda s: s.value, default=None)
        warnings = list(environment.open_warnings().values("rule__name").annotate(n=Count("id"))
                        .order_by("-n", "rule__name"))
        return [
            TileValue("worst_aqi", None if worst is None else round(worst.value), unit="AQI",
                      note="" if worst is None else f"{worst.station.name} — {worst.level_label}",
                      tone=_tone(worst.level if worst else None)),
            TileValue("active_warnings", sum(r["n"] for r in warnings),
                      breakdown=[(r["rule__name"], r["n"]) for r in warnings[:5]]),
        ]

    def rows(self, tile_key: str, now: dt.datetime, limit: int) -> list[Row]:
        if tile_key == "worst_aqi":
            air = sorted(_air(now), key=lambda s: -s.value)[:limit]
            return [Row([s.station.name, formats.number(s.value), s.level_label],
                        reverse("environment:station", args=[s.station.code])) for s in air]
        if tile_key == "active_warnings":
            return [Row([w.message, w.station.name, formats.moment(w.opened_at)],
                        reverse("environment:station", args=[w.station.code]))
                    for w in environment.open_warnings()[:limit]]
        return []

    def layers(self) -> dict:
        return {"aqi": lambda now: _dots(AIR), "flood": lambda now: _dots(WATER_LEVEL),
                "warnings": _warning_points}

    def events(self, since: dt.datetime, now: dt.datetime) -> list[EventIn]:
        return [EventIn(f"warning:{w.pk}:opened", "warning_opened",
                        _("Cảnh báo %(rule)s — %(station)s") % {"rule": w.rule.name, "station": w.station.name},
                        w.opened_at,
                        severity="critical", link=reverse("environment:station", args=[w.station.code]),
                        opens=f"warning:{w.rule.parameter}", unit_id=w.station.unit_id, ref=f"warning:{w.pk}")
                for w in environment.open_warnings().filter(opened_at__gte=since).order_by("opened_at", "pk")[:100]]

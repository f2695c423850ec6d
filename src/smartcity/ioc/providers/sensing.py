"""Sensor health for the centre: data streams that stopped reporting (open maintenance alerts), as a tile, a
drill-down list and feed events. Read through ``smartcity.sensing.services``."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from smartcity.ioc.sources import EventIn, Row, TileValue
from smartcity.lib import formats
from smartcity.sensing import services as sensing


class SensingProvider:
    key = "sensing"
    tile_keys = ("sensors_offline",)

    def tiles(self, now: dt.datetime) -> list[TileValue]:
        return [TileValue("sensors_offline", sensing.open_alerts().count())]

    def rows(self, tile_key: str, now: dt.datetime, limit: int) -> list[Row]:
        if tile_key != "sensors_offline":
            return []
        return [Row([a.datastream.thing.name, a.detail, formats.moment(a.opened_at)])
                for a in sensing.open_alerts().order_by("-opened_at", "-id")[:limit]]

    def events(self, since: dt.datetime, now: dt.datetime) -> list[EventIn]:
        return [EventIn(f"sensor-alert:{a.pk}:opened", "sensor_offline",
                        _("Cảm biến mất tín hiệu: %(detail)s") % {"detail": a.detail}, a.opened_at, severity="warn")
                for a in sensing.open_alerts().filter(opened_at__gte=since).order_by("opened_at", "id")[:100]]

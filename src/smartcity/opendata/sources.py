"""Live tables: named sources computed from the platform's own data, each a generator of rows (plain JSON values).

A live resource names its source by key; the periodic job ``opendata.refresh`` (``tasks.refresh_live_tables``)
writes each source's rows into the datastore as the resource's new snapshot, in one transaction, so downloads, the
CKAN ``datastore_search`` and the portal read one table shape whatever the source. The heavy sources (air-quality
history: vectorised AQI over every air station; dossier statistics) are computed there, never on a request.

A source is registered with ``@source(key, title, fields, geo=…)``; its rows are mappings from field id to value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

Rows = Iterator[dict[str, Any]]


@dataclass(frozen=True)
class Field:
    id: str
    type: str  # CKAN datastore types: text, int, numeric, timestamp


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    fields: tuple[Field, ...]
    rows: Callable[[], Rows]
    geo: bool = False  # rows carry "latitude" and "longitude"


SOURCES: dict[str, Source] = {}


def source(key: str, title: str, fields: list[tuple[str, str]], *, geo: bool = False
           ) -> Callable[[Callable[[], Rows]], Callable[[], Rows]]:
    def register(make: Callable[[], Rows]) -> Callable[[], Rows]:
        SOURCES[key] = Source(key, title, tuple(Field(i, t) for i, t in fields), make, geo)
        return make

    return register


def get(key: str) -> Source:
    return SOURCES[key]


def choices() -> list[tuple[str, str]]:
    return [(s.key, s.title) for s in SOURCES.values()]


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if moment else None


@source("procedures", "Danh mục thủ tục hành chính", [
    ("code", "text"), ("name", "text"), ("field", "text"), ("levels", "text"), ("agency", "text"),
    ("online_level", "text"), ("result", "text")])
def procedures() -> Rows:
    from smartcity.procedures.models import Procedure

    for p in (Procedure.objects.filter(is_active=True).select_related("field").order_by("code", "id")
              .iterator(chunk_size=1000)):
        yield {"code": p.code, "name": p.name, "field": p.field.name, "levels": ",".join(p.levels),
               "agency": p.agency_text, "online_level": p.online_level, "result": p.result}


@source("units", "Đơn vị hành chính cấp xã của thành phố (GeoJSON điểm trung tâm)", [
    ("code", "text"), ("name", "text"), ("unit_type", "text"), ("area_km2", "numeric"),
    ("latitude", "numeric"), ("longitude", "numeric")], geo=True)
def units() -> Rows:
    from smartcity.places.models import Level, Structure, Unit

    for u in Unit.objects.filter(structure=Structure.Y2025, level=Level.COMMUNE,
                                 province_code=settings.CITY_PROVINCE_CODE).order_by("code"):
        yield {"code": u.code, "name": u.name, "unit_type": u.unit_type, "area_km2": u.area_km2,
               "latitude": u.latitude, "longitude": u.longitude}


@source("stations", "Trạm quan trắc môi trường", [
    ("code", "text"), ("name", "text"), ("kind", "text"), ("address", "text"), ("commune", "text"),
    ("latitude", "numeric"), ("longitude", "numeric"), ("active", "text")], geo=True)
def stations() -> Rows:
    from smartcity.environment.services import registry

    for st in registry.stations().select_related("unit").order_by("code"):
        yield {"code": st.code, "name": st.name, "kind": st.kind, "address": st.address,
               "commune": st.unit.name if st.unit else None, "latitude": st.latitude, "longitude": st.longitude,
               "active": "true" if st.is_active else "false"}


_AIR = ("aqi", "pm25", "pm10", "o3", "no2", "so2", "co")
_KIND_COLUMNS = {"air": _AIR, "water_level": ("water_level", "flood_level"), "rain": ("rain_1h", "rain_24h")}


def _hourly(kind: str) -> Rows:
    """Hourly values of every station of ``kind`` over the last ``OPENDATA_HISTORY_DAYS`` days."""
    from smartcity.environment import readings
    from smartcity.environment.services import registry

    columns = _KIND_COLUMNS[kind]
    end = readings.floor_hour(timezone.now())
    hours = 24 * settings.OPENDATA_HISTORY_DAYS
    start = end - dt.timedelta(hours=hours)
    stations = list(registry.stations(kind=kind).order_by("code"))
    for i in range(0, len(stations), 20):  # a few stations at a time: bounded arrays
        group = stations[i:i + 20]
        tables = readings.hour_tables(group, start, hours)
        for st in group:
            table = tables[st.pk]
            for n, moment in enumerate(table.times):
                values = {c: table.value(c, n) for c in columns}
                if all(v is None for v in values.values()):
                    continue
                yield {"station": st.code, "time": _iso(moment), **values}


@source("air_quality_hourly", "Chất lượng không khí theo giờ (VN_AQI và nồng độ)",
        [("station", "text"), ("time", "timestamp")] + [(c, "numeric") for c in _AIR])
def air_quality_hourly() -> Rows:
    return _hourly("air")


@source("water_levels_hourly", "Mực nước theo giờ", [
    ("station", "text"), ("time", "timestamp"), ("water_level", "numeric"), ("flood_level", "numeric")])
def water_levels_hourly() -> Rows:
    return _hourly("water_level")


@source("rainfall_hourly", "Lượng mưa theo giờ", [
    ("station", "text"), ("time", "timestamp"), ("rain_1h", "numeric"), ("rain_24h", "numeric")])
def rainfall_hourly() -> Rows:
    return _hourly("rain")


_STAT_COLUMNS = ("received", "received_online", "processed", "processed_on_time", "processed_late",
                 "in_progress_late", "online_share")


@source("dossier_statistics", "Thống kê hồ sơ thủ tục hành chính theo cơ quan và tháng",
        [("month", "text"), ("agency_code", "text"), ("agency", "text")]
        + [(c, "numeric" if c.endswith("share") else "int") for c in _STAT_COLUMNS])
def dossier_statistics() -> Rows:
    from smartcity.dossiers import statistics

    today = timezone.localdate()
    first = today.replace(day=1)
    months = []
    for _ in range(12):
        months.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    for month in reversed(months):
        following = (month + dt.timedelta(days=32)).replace(day=1)
        start, end = statistics.local_range(month, following)
        for row in statistics.compute(start, end, group="agency"):
            yield {"month": month.strftime("%Y-%m"), "agency_code": row["key"], "agency": row["name"],
                   **{c: row[c] for c in _STAT_COLUMNS}}

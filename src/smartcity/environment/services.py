"""Use cases of environmental monitoring — the only entry other apps call.

Stations
    ``register_station`` (a sensing Thing in one role, placed in its ward), ``ensure_demo_stations`` (a Station
    for every Thing whose datastreams make one, for the demo load), ``stations``, ``get_station``.

What the public sees
    ``current_statuses`` / ``current_status`` (hourly VN_AQI with its sub-indices and the highest one marked,
    water level and flood alarm level, rain over 1/3/24 h, hourly LAeq against QCVN 26:2010, VN_WQI),
    ``history`` (hourly or daily tables over a validated time range), ``history_csv``.

Warnings
    ``evaluate_warnings(now)`` opens and closes ``WarningEvent``s by the active ``WarningRule``s and queues the
    notifications of the subscriptions of the area (run by ``smartcity environment check-warnings``);
    ``open_warnings``, ``warnings``; ``ensure_default_rules``.

Subscriptions
    ``subscribe`` (a citizen's account, or an e-mail address / phone number that confirms by link),
    ``confirm_subscription``, ``cancel_subscription``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from smartcity.agencies import services as agencies
from smartcity.audit import services as audit
from smartcity.audit.models import Action
from smartcity.environment import aqi, readings, wqi
from smartcity.environment.models import (
    Comparison,
    NoiseZone,
    Parameter,
    Station,
    Subscription,
    WarningEvent,
    WarningRule,
)
from smartcity.environment.parameters import BY_CODE, Kind, kinds_measured, parameter_of
from smartcity.lib.errors import Forbidden, Invalid, NotFound
from smartcity.lib.principal import Principal
from smartcity.lib.text import fold
from smartcity.notifications import services as notifications
from smartcity.places import services as places
from smartcity.places.models import Level, Structure, Unit
from smartcity.sensing import services as sensing

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)
STATUS_CACHE_KEY = "environment:statuses:v1"
BANNER_CACHE_KEY = "environment:banner:v1"
KIND_SLUG = {Kind.AIR: "kk", Kind.WATER: "cln", Kind.RAIN: "mua", Kind.WATER_LEVEL: "mn", Kind.NOISE: "on"}

# ------------------------------------------------------------------------------------------------ stations


def _point_of(thing: Any) -> tuple[float, float] | None:
    """(lon, lat) of the Thing's first Location: a GeoJSON Point, else the centre of its envelope."""
    for location in thing.locations.all():
        geometry = location.location if isinstance(location.location, dict) else {}
        if geometry.get("type") == "Feature":
            geometry = geometry.get("geometry") or {}
        coords = geometry.get("coordinates")
        if geometry.get("type") == "Point" and isinstance(coords, list) and len(coords) >= 2:
            return float(coords[0]), float(coords[1])
        if location.min_x is not None:
            return (location.min_x + location.max_x) / 2, (location.min_y + location.max_y) / 2
    return None


def _province() -> Unit | None:
    return Unit.objects.filter(structure=Structure.Y2025, level=Level.PROVINCE,
                               code=settings.ENVIRONMENT_PROVINCE_CODE).first()


def _communes() -> QuerySet[Unit]:
    return Unit.objects.filter(structure=Structure.Y2025, level=Level.COMMUNE,
                               province_code=settings.ENVIRONMENT_PROVINCE_CODE, latitude__isnull=False)


def nearest_commune(lon: float, lat: float) -> Unit | None:
    """The 2025 commune/ward of the province whose centre is nearest (an approximation: the package has centres
    and areas of the 2025 units, not their boundaries). None when the point is farther than any ward's reach."""
    rows = list(_communes().values_list("pk", "latitude", "longitude", "area_km2"))
    if not rows:
        return None
    pk, la, lo, area = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
    dy = (la - lat) * 111.32
    dx = (lo - lon) * 111.32 * math.cos(math.radians(lat))
    distance = np.hypot(dx, dy)
    best = int(np.argmin(distance))
    reach = 3 * math.sqrt(np.nan_to_num(area[best], nan=10.0) / math.pi) + 2  # km: well beyond the ward's radius
    return Unit.objects.get(pk=int(pk[best])) if distance[best] <= reach else None


def _unique_code(base: str) -> str:
    code, n = base[:80], 2
    while Station.objects.filter(code=code).exists():
        code = f"{base[:76]}-{n}"
        n += 1
    return code


@transaction.atomic
def register_station(*, thing_id: int, kind: str, name: str = "", code: str = "", unit_key: str = "",
                     noise_zone: str = NoiseZone.NORMAL, reference_elevation_m: float | None = None,
                     flood_levels: Sequence[float] | None = None, actor: Principal | None = None) -> Station:
    """Make a sensing Thing a public station of ``kind``. Its place is the Thing's Location (the ward: given, or
    the nearest), its parameters come from its datastreams, which must include what the kind needs."""
    thing = sensing.datastreams(thing_id=thing_id).first()
    if thing is None:
        raise NotFound("Thiết bị không tồn tại hoặc chưa có chuỗi dữ liệu (Datastream)", field="thing_id")
    thing = thing.thing
    if kind not in Kind.values:
        raise Invalid(f"Loại trạm phải là một trong {', '.join(Kind.values)}", field="kind")
    codes = {parameter_of(d.observed_property.name, d.observed_property.definition)
             for d in sensing.datastreams(thing_id=thing_id)}
    if kind not in kinds_measured({c for c in codes if c}):
        raise Invalid(f"Thiết bị «{thing.name}» không đo các thông số của trạm {Kind(kind).label.lower()}",
                      field="kind")
    if noise_zone not in NoiseZone.values:
        raise Invalid(f"Khu vực tiếng ồn phải là {' hoặc '.join(NoiseZone.values)}", field="noise_zone")
    levels = list(flood_levels) if flood_levels else [None, None, None]
    if flood_levels and (len(levels) != 3 or not levels[0] < levels[1] < levels[2]):
        raise Invalid("Ba mốc báo động lũ phải tăng dần: I < II < III", field="flood_levels")
    point = _point_of(thing)
    unit = places.get_unit(unit_key) if unit_key else (nearest_commune(*point) if point else None)
    name = " ".join((name or thing.name).split())
    code = slugify(code) if code else _unique_code(f"{slugify(fold(thing.name))[:60]}-{KIND_SLUG[kind]}")
    try:
        with transaction.atomic():
            station = Station.objects.create(
                thing=thing, kind=kind, code=code, name=name, unit=unit, noise_zone=noise_zone,
                longitude=point[0] if point else None, latitude=point[1] if point else None,
                address=str((thing.properties or {}).get("address") or ""),
                reference_elevation_m=reference_elevation_m, flood_level_i=levels[0], flood_level_ii=levels[1],
                flood_level_iii=levels[2])
    except IntegrityError:
        raise Invalid("Thiết bị đã là trạm loại này, hoặc mã trạm đã được dùng", field="code") from None
    audit.record(actor=None if actor is None else _actor(actor), action=Action.CREATE,
                 subject_type="environment.station", subject_id=station.pk,
                 detail={"code": station.code, "kind": kind, "thing": thing.pk})
    cache.delete(STATUS_CACHE_KEY)
    return station


def _actor(user: Principal) -> audit.Actor:
    return agencies.actor_for(user)


# Decision 05/2020/QĐ-TTg: the alarm levels of the Red River at Hà Nội (Long Biên) station, used by the demo for a
# water-level Thing that does not state its own (properties.floodLevels).
DEMO_FLOOD_LEVELS = (9.5, 10.5, 11.5)


def ensure_demo_stations() -> list[Station]:
    """Register a Station for every sensing Thing (and every kind its datastreams make) not yet registered, and
    the default warning rules. Reads, from the Thing's ``properties``: ``referenceElevation`` (m, the water-level
    sensor's reference point), ``floodLevels`` ([I, II, III] m), ``noiseZone`` ("special"/"normal"), ``address``.
    Idempotent; answers the stations created."""
    created: list[Station] = []
    done = set(Station.objects.values_list("thing_id", "kind"))
    by_thing: dict[int, set[str]] = {}
    for ds in sensing.datastreams():
        code = parameter_of(ds.observed_property.name, ds.observed_property.definition)
        if code:
            by_thing.setdefault(ds.thing_id, set()).add(code)
    for thing_id, codes in sorted(by_thing.items()):
        for kind in kinds_measured(codes):
            if (thing_id, kind) in done:
                continue
            props = sensing.datastreams(thing_id=thing_id).first().thing.properties or {}
            levels = props.get("floodLevels") if kind == Kind.WATER_LEVEL else None
            if kind == Kind.WATER_LEVEL and not levels:
                levels = DEMO_FLOOD_LEVELS
            zone = props.get("noiseZone") if props.get("noiseZone") in NoiseZone.values else NoiseZone.NORMAL
            reference = props.get("referenceElevation") if kind == Kind.WATER_LEVEL else None
            created.append(register_station(
                thing_id=thing_id, kind=kind, noise_zone=zone,
                reference_elevation_m=float(reference) if isinstance(reference, int | float) else None,
                flood_levels=[float(x) for x in levels] if levels else None))
    ensure_default_rules()
    return created


def stations(*, kind: str | None = None, unit: Unit | None = None) -> QuerySet[Station]:
    qs = Station.objects.active().in_area(unit)
    return qs.filter(kind=kind) if kind else qs


def get_station(code: str) -> Station:
    station = Station.objects.active().filter(code=code).first()
    if station is None:
        raise NotFound(f"Không có trạm quan trắc {code!r}", field="station")
    return station


# ------------------------------------------------------------------------------------------------ current values


@dataclass
class Reading:
    code: str
    label: str
    unit: str
    value: float | None
    time: dt.datetime | None  # end of the hour the value is the mean of, or the reading's own time
    sub_index: float | None = None
    dominant: bool = False


@dataclass
class Status:
    """A station now: the headline value (AQI, water level, 24-hour rain, LAeq, WQI) with its level and colour,
    every reading, and the hourly series the warning rules look at (``series[parameter]``: (hour, value) pairs,
    oldest first, the last one the current value)."""

    station: Station
    time: dt.datetime | None = None
    value: float | None = None
    level: int | None = None
    level_label: str = "Chưa có số liệu"
    colour: str = "#9E9E9E"
    headline: str = ""
    unit: str = ""
    dominant: str = ""
    advice: str = ""
    readings: list[Reading] = field(default_factory=list)
    extra: dict[str, float | None] = field(default_factory=dict)
    series: dict[str, list[tuple[dt.datetime, float | None]]] = field(default_factory=dict)

    @property
    def dominant_label(self) -> str:
        return parameter_label(self.dominant)


def parameter_label(code: str | None) -> str:
    return BY_CODE[code].label if code in BY_CODE else (code or "")


NO_DATA = "#9E9E9E"
FLOOD_LEVELS: tuple[tuple[str, str], ...] = (
    ("Dưới báo động I", "#1E88E5"), ("Báo động I", "#FFD600"), ("Báo động II", "#FF7E00"),
    ("Báo động III", "#E53935"))
# Rain over 24 hours in the categories of Việt Nam's weather bulletins (mm, upper bounds).
RAIN_LEVELS: tuple[tuple[float, str, str], ...] = (
    (0.6, "Không mưa", "#ECEFF1"), (16, "Mưa nhỏ", "#90CAF9"), (50, "Mưa vừa", "#42A5F5"),
    (100, "Mưa to", "#1565C0"), (math.inf, "Mưa rất to", "#311B92"))
NOISE_LEVELS: tuple[tuple[str, str], ...] = (("Trong giới hạn QCVN 26:2010/BTNMT", "#00E400"),
                                             ("Vượt giới hạn QCVN 26:2010/BTNMT", "#FF0000"))
HEADLINES = {Kind.AIR: ("AQI giờ", ""), Kind.WATER_LEVEL: ("Mực nước", "m"), Kind.RAIN: ("Mưa 24 giờ", "mm"),
             Kind.NOISE: ("LAeq giờ", "dBA"), Kind.WATER: ("VN_WQI", "")}


def _f(value: Any) -> float | None:
    if value is None or isinstance(value, str):
        return None
    value = float(value)
    return None if math.isnan(value) else value


def current_statuses(*, now: dt.datetime | None = None, kind: str | None = None) -> list[Status]:
    """Every active station now (cached ``ENVIRONMENT_STATUS_CACHE_SECONDS`` when ``now`` is not given)."""
    if now is None:
        result = cache.get(STATUS_CACHE_KEY)
        if result is None:
            result = compute_statuses(list(stations()), timezone.now())
            cache.set(STATUS_CACHE_KEY, result, settings.ENVIRONMENT_STATUS_CACHE_SECONDS)
    else:
        result = compute_statuses(list(stations()), now)
    return [s for s in result if kind is None or s.station.kind == kind]


def current_status(station: Station, *, now: dt.datetime | None = None) -> Status:
    return compute_statuses([station], now or timezone.now())[0]


def compute_statuses(selected: Sequence[Station], now: dt.datetime) -> list[Status]:
    """The status of each station at ``now``, from the last 24 hours of its readings (plus 23 hours of context)."""
    if not selected:
        return []
    start = readings.floor_hour(now) - 24 * HOUR
    streams = readings.streams_of(selected)
    tables = readings.hour_tables(selected, start, 25, streams)
    latest = _latest_levels(selected, streams, now)
    return [_status(st, tables[st.pk], latest.get(st.pk), streams[st.pk], now) for st in selected]


def _latest_levels(selected: Sequence[Station], streams: dict, now: dt.datetime) -> dict[int, tuple]:
    """The newest water level of each water-level station from its latest reading, if from the last two hours."""
    wanted = {}
    for st in selected:
        if st.kind != Kind.WATER_LEVEL:
            continue
        s = streams[st.pk].get("water_level") or streams[st.pk].get("water_level_distance")
        if s is not None:
            wanted[s.datastream_id] = (st, s)
    out: dict[int, tuple] = {}
    for latest in sensing.latest_values(datastream_ids=wanted):
        st, s = wanted[latest.datastream_id]
        if latest.result is None or not now - 2 * HOUR <= latest.phenomenon_time <= now:
            continue
        value = latest.result * s.factor
        if s.code == "water_level_distance":
            if st.reference_elevation_m is None:
                continue
            value = st.reference_elevation_m - value
        out[st.pk] = (latest.phenomenon_time, value)
    return out


def _series(table: readings.Table, column: str, upto: int) -> list[tuple[dt.datetime, float | None]]:
    return [(table.times[i], _f(table.columns[column][i])) for i in range(upto + 1)] if column in table.columns \
        else []


def _pick(table: readings.Table, column: str, *candidates: int) -> int | None:
    for i in candidates:
        if column in table.columns and _f(table.columns[column][i]) is not None:
            return i
    return None


def _status(st: Station, table: readings.Table, latest: tuple | None, streams: dict, now: dt.datetime) -> Status:
    headline, unit = HEADLINES[st.kind]
    status = Status(station=st, headline=headline, unit=unit)
    complete, partial = len(table.times) - 2, len(table.times) - 1
    if st.kind == Kind.AIR:
        cur = _pick(table, "aqi", complete, partial)
        if cur is not None:
            value = _f(table.columns["aqi"][cur])
            band = aqi.band(value)
            status.time, status.value = table.times[cur] + HOUR, value
            status.level, status.level_label, status.colour = aqi.BANDS.index(band) + 1, band.name, band.hex
            status.dominant = str(table.columns["dominant"][cur])
            status.advice = band.advice_general
        status.series = {Parameter.AQI: _series(table, "aqi", cur if cur is not None else complete),
                         Parameter.PM25: _series(table, "pm25", cur if cur is not None else complete),
                         Parameter.PM10: _series(table, "pm10", cur if cur is not None else complete)}
        at = cur if cur is not None else complete
        for code in streams:
            sub = _f(table.columns.get(f"aqi_{code}", [None] * len(table.times))[at])
            status.readings.append(_reading(code, table, at, sub_index=sub,
                                            dominant=bool(status.dominant) and code == status.dominant))
    elif st.kind == Kind.WATER_LEVEL:
        series = _series(table, "water_level", complete)
        if latest is not None:
            series.append(latest)
        else:
            series.extend(_series(table, "water_level", partial)[-1:])
        current = series[-1] if series else (None, None)
        status.series = {Parameter.WATER_LEVEL: series,
                         Parameter.FLOOD_LEVEL: [(t, _f(readings.flood_levels(st, np.array(
                             np.nan if v is None else v)))) for t, v in series]}
        if current[1] is not None:
            status.time, status.value = current[0] if latest is not None else current[0] + HOUR, current[1]
            grade = status.series[Parameter.FLOOD_LEVEL][-1][1]
            if grade is None:
                status.level_label, status.colour = "Chưa có mốc báo động", "#1E88E5"
            else:
                status.level = int(grade)
                status.level_label, status.colour = FLOOD_LEVELS[status.level]
                if st.has_flood_levels and status.level < 3:
                    nxt = (st.flood_level_i, st.flood_level_ii, st.flood_level_iii)[status.level]
                    status.extra["margin_m"] = round(nxt - current[1], 3)
        status.extra |= {"flood_level_i": st.flood_level_i, "flood_level_ii": st.flood_level_ii,
                         "flood_level_iii": st.flood_level_iii}
        status.readings.append(Reading("water_level", "Mực nước", "m", current[1], status.time))
        for code in streams:
            if code != "water_level":
                status.readings.append(_reading(code, table, complete))
    elif st.kind == Kind.RAIN:
        cur = _pick(table, "rain_1h", partial, complete)
        at = cur if cur is not None else complete
        status.series = {p: _series(table, p, at) for p in (Parameter.RAIN_1H, Parameter.RAIN_3H, Parameter.RAIN_24H)}
        for window in ("1h", "3h", "24h"):
            status.extra[f"rain_{window}"] = _f(table.columns[f"rain_{window}"][at])
            status.readings.append(Reading(f"rain_{window}", f"Lượng mưa {window[:-1]} giờ", "mm",
                                           status.extra[f"rain_{window}"], min(table.times[at] + HOUR, now)))
        total = status.extra["rain_24h"]
        if total is not None:
            status.time, status.value = min(table.times[at] + HOUR, now), total
            status.level, (_, status.level_label, status.colour) = next(
                (i, r) for i, r in enumerate(RAIN_LEVELS) if total < r[0])
        for code in streams:
            if code != "rainfall":
                status.readings.append(_reading(code, table, at))
    elif st.kind == Kind.NOISE:
        cur = _pick(table, "laeq", complete)
        status.series = {Parameter.LAEQ: _series(table, "laeq", complete),
                         Parameter.NOISE_EXCESS: _series(table, "noise_excess", complete)}
        if cur is not None:
            status.time, status.value = table.times[cur] + HOUR, round(_f(table.columns["laeq"][cur]), 1)
            exceeds = status.value > table.columns["limit_dba"][cur]
            status.level = int(exceeds)
            status.level_label, status.colour = NOISE_LEVELS[status.level]
        status.extra["limit_dba"] = _f(table.columns["limit_dba"][complete])
        for code in streams:
            status.readings.append(_reading(code, table, complete))
    elif st.kind == Kind.WATER:
        cur = next((i for i in range(partial, -1, -1) if _f(table.columns["wqi"][i]) is not None), None)
        at = cur if cur is not None else complete
        status.series = {Parameter.WQI: _series(table, "wqi", at)[-1:]}
        if cur is not None:
            status.time, status.value = table.times[cur] + HOUR, _f(table.columns["wqi"][cur])
            band = wqi.band(int(status.value))
            status.level = wqi.BANDS.index(band) + 1
            status.level_label, status.colour, status.advice = band.name, band.hex, band.use
        for code in streams:
            status.readings.append(_reading(code, table, at))
    return status


def _reading(code: str, table: readings.Table, i: int, *, sub_index: float | None = None,
             dominant: bool = False) -> Reading:
    p = BY_CODE[code]
    value = _f(table.columns[code][i]) if code in table.columns else None
    return Reading(code, p.label, p.unit, None if value is None else round(value, 3), table.times[i] + HOUR,
                   sub_index, dominant)


# ------------------------------------------------------------------------------------------------ history


RESOLUTIONS = ("hour", "day")


def parse_moment(value: str, name: str) -> dt.datetime:
    """ISO 8601 date or date-time; a naive one is local time (Asia/Ho_Chi_Minh)."""
    text = (value or "").strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return readings.local_midnight(dt.date.fromisoformat(text))
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"{name} phải là ngày hoặc thời điểm ISO 8601, ví dụ 2026-03-01 hoặc 2026-03-01T07:00:00+07:00",
                      field=name) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=readings.zone())
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Range:
    start: dt.datetime
    end: dt.datetime
    resolution: str

    @property
    def first_day(self) -> dt.date:
        return self.start.astimezone(readings.zone()).date()

    @property
    def count(self) -> int:
        step = HOUR if self.resolution == "hour" else dt.timedelta(days=1)
        return int((self.end - self.start) / step)


def parse_range(*, start: str | None, end: str | None, resolution: str = "hour",
                now: dt.datetime | None = None) -> Range:
    """A history range: [start, end) in whole hours (``hour``) or whole local days (``day``). Defaults: the last
    24 hours / 30 days. ``Invalid`` naming the field for a bad value, an empty range, or one longer than
    ``ENVIRONMENT_HISTORY_MAX_HOURS`` hours / ``ENVIRONMENT_HISTORY_MAX_DAYS`` days."""
    if resolution not in RESOLUTIONS:
        raise Invalid("resolution phải là hour hoặc day", field="resolution")
    now = now or timezone.now()
    zone = readings.zone()
    if resolution == "hour":
        hi = parse_moment(end, "end") if end else readings.floor_hour(now) + HOUR
        hi = readings.floor_hour(hi) + (HOUR if hi != readings.floor_hour(hi) else dt.timedelta(0))
        lo = readings.floor_hour(parse_moment(start, "start")) if start else hi - 24 * HOUR
        limit, step, unit = settings.ENVIRONMENT_HISTORY_MAX_HOURS, HOUR, "giờ"
    else:
        hi_moment = parse_moment(end, "end") if end else now
        hi_local = hi_moment.astimezone(zone)
        hi_day = hi_local.date() + dt.timedelta(days=1 if (hi_local.time() != dt.time() or not end) else 0)
        hi = readings.local_midnight(hi_day)
        lo = readings.local_midnight(parse_moment(start, "start").astimezone(zone).date()) if start \
            else hi - dt.timedelta(days=30)
        limit, step, unit = settings.ENVIRONMENT_HISTORY_MAX_DAYS, dt.timedelta(days=1), "ngày"
    if hi <= lo:
        raise Invalid("end phải sau start", field="end")
    if (hi - lo) / step > limit:
        raise Invalid(f"Khoảng thời gian tối đa {limit} {unit} cho resolution={resolution}", field="end")
    return Range(lo, hi, resolution)


def history(station: Station, span: Range) -> readings.Table:
    """The station's hourly or daily table over ``span``."""
    if span.resolution == "hour":
        return readings.hour_tables([station], span.start, span.count)[station.pk]
    return readings.day_tables([station], span.first_day, span.count)[station.pk]


# Columns first in a table of each kind (then the measured parameters, in the order of ``parameters``).
HEAD_COLUMNS = {
    Kind.AIR: ("aqi", "aqi_level", "dominant", "aqi_pm25", "aqi_pm10", "aqi_o3", "aqi_no2", "aqi_so2", "aqi_co"),
    Kind.WATER_LEVEL: ("water_level", "flood_level"),
    Kind.RAIN: ("rain_1h", "rain_3h", "rain_24h"),
    Kind.NOISE: ("laeq", "limit_dba", "noise_excess", "laeq_day", "laeq_night"),
    Kind.WATER: ("wqi",),
}
COLUMN_LABELS = {
    "aqi": "VN_AQI", "aqi_level": "Mức AQI (1–6)", "dominant": "Thông số có chỉ số cao nhất",
    "water_level": "Mực nước (m)", "flood_level": "Cấp báo động (0–3)", "rain_1h": "Mưa 1 giờ (mm)",
    "rain_3h": "Mưa 3 giờ (mm)", "rain_24h": "Mưa 24 giờ (mm)", "laeq": "LAeq (dBA)",
    "limit_dba": "Giới hạn (dBA)", "noise_excess": "Vượt giới hạn (dB)", "laeq_day": "LAeq ngày 6–21 h (dBA)",
    "laeq_night": "LAeq đêm 21–6 h (dBA)", "wqi": "VN_WQI", "o3_1h_max": "O₃ lớn nhất 1 giờ (µg/m³)",
    "o3_8h_max": "O₃ lớn nhất 8 giờ (µg/m³)", "no2_1h_max": "NO₂ lớn nhất 1 giờ (µg/m³)",
    "so2_1h_max": "SO₂ lớn nhất 1 giờ (µg/m³)", "co_1h_max": "CO lớn nhất 1 giờ (µg/m³)",
}


def column_label(column: str) -> str:
    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column]
    if column.startswith("aqi_") and column[4:] in BY_CODE:
        return f"AQI {BY_CODE[column[4:]].label}"
    p = BY_CODE.get(column)
    return f"{p.label} ({p.unit})" if p and p.unit else (p.label if p else column)


def ordered_columns(station: Station, table: readings.Table) -> list[str]:
    head = [c for c in HEAD_COLUMNS[station.kind] if c in table.columns]
    rest = [p.code for p in BY_CODE.values() if p.code in table.columns and p.code not in head]
    others = sorted(c for c in table.columns if c not in head and c not in rest)
    return head + rest + others


def history_csv(station: Station, table: readings.Table, span: Range) -> str:
    """The table as CSV (UTF-8 with BOM, so spreadsheet programs read the Vietnamese): local time first."""
    columns = ordered_columns(station, table)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["Thời điểm (giờ Việt Nam, đầu khoảng)", *(column_label(c) for c in columns)])
    zone = readings.zone()
    for i, moment in enumerate(table.times):
        local = moment.astimezone(zone)
        stamp = local.strftime("%Y-%m-%d %H:%M") if span.resolution == "hour" else local.strftime("%Y-%m-%d")
        writer.writerow([stamp, *(_cell(table.value(c, i)) for c in columns)])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return str(value)


# ------------------------------------------------------------------------------------------------ warnings


@dataclass
class Evaluation:
    now: dt.datetime
    opened: list[WarningEvent] = field(default_factory=list)
    updated: list[WarningEvent] = field(default_factory=list)
    closed: list[WarningEvent] = field(default_factory=list)
    notified: int = 0


def _in_area(station: Station, unit: Unit | None) -> bool:
    if unit is None:
        return True
    return station.unit_id == unit.pk or (station.unit is not None and station.unit.parent_id == unit.pk)


def _triggers(rule: WarningRule, series: list[tuple[dt.datetime, float | None]]) -> bool:
    """The current value and the ``min_duration_hours`` values before it all meet the rule (and, with
    ``rising``, the current value is above the one before it)."""
    needed = rule.min_duration_hours + 1
    if len(series) < needed or not all(rule.holds(v) for _, v in series[-needed:]):
        return False
    if rule.rising:
        if len(series) < 2 or series[-2][1] is None:
            return False
        return series[-1][1] > series[-2][1]
    return True


def evaluate_warnings(now: dt.datetime | None = None) -> Evaluation:
    """Open a warning for each (active rule, station of its kind in its area) whose condition holds and has none
    open; update open ones that still hold; close those that no longer do (or whose station has been silent for
    ``ENVIRONMENT_WARNING_STALE_HOURS``). Subscribers of the area are notified of each warning opened, through the
    outbox, in the same transaction. Safe to run concurrently (open events are locked; one open per rule and
    station is a database constraint). Refreshes the cached current values."""
    now = now or timezone.now()
    active = list(stations())
    statuses = {s.station.pk: s for s in compute_statuses(active, now)}
    rules = list(WarningRule.objects.filter(is_active=True).select_related("unit"))
    result = Evaluation(now)
    stale = dt.timedelta(hours=settings.ENVIRONMENT_WARNING_STALE_HOURS)
    with transaction.atomic():
        open_events = {(e.rule_id, e.station_id): e for e in
                       WarningEvent.objects.select_for_update().filter(closed_at__isnull=True)}
        for rule in rules:
            for status in statuses.values():
                st = status.station
                if st.kind != rule.kind or not _in_area(st, rule.unit):
                    continue
                series = status.series.get(rule.parameter, [])
                current = series[-1] if series else (None, None)
                event = open_events.pop((rule.pk, st.pk), None)
                if event is None:
                    if _triggers(rule, series):
                        result.opened.append(_open(rule, status, series, now))
                elif rule.holds(current[1]):
                    event.last_value, event.last_seen_at = current[1], min(status.time or now, now)
                    event.peak_value = _worse(rule, event.peak_value, current[1])
                    event.save(update_fields=["last_value", "last_seen_at", "peak_value"])
                    result.updated.append(event)
                elif current[1] is None and now - event.last_seen_at < stale:
                    continue  # no value this hour: wait for data before closing
                else:
                    reason = "Không còn số liệu" if current[1] is None else \
                        f"Giá trị trở lại {'dưới' if rule.comparison == Comparison.AT_LEAST else 'trên'} ngưỡng"
                    result.closed.append(_close(event, now, reason))
        for event in open_events.values():  # rule stopped, or station no longer active
            result.closed.append(_close(event, now, "Quy tắc hoặc trạm ngừng áp dụng"))
        result.notified = sum(e.notified for e in result.opened)
    cache.set(STATUS_CACHE_KEY, list(statuses.values()), settings.ENVIRONMENT_STATUS_CACHE_SECONDS)
    cache.delete(BANNER_CACHE_KEY)
    return result


def _worse(rule: WarningRule, a: float, b: float) -> float:
    return max(a, b) if rule.comparison == Comparison.AT_LEAST else min(a, b)


def _format(parameter: str, value: float | None) -> str:
    if value is None:
        return "—"
    if parameter in (Parameter.AQI, Parameter.FLOOD_LEVEL, Parameter.WQI):
        return f"{value:.0f}"
    if parameter == Parameter.WATER_LEVEL:
        return f"{value:.2f} m"
    if parameter in (Parameter.RAIN_1H, Parameter.RAIN_3H, Parameter.RAIN_24H):
        return f"{value:.1f} mm"
    if parameter in (Parameter.LAEQ, Parameter.NOISE_EXCESS):
        return f"{value:.1f} dB"
    return f"{value:.1f} µg/m³"


def _open(rule: WarningRule, status: Status, series: list, now: dt.datetime) -> WarningEvent:
    st = status.station
    needed = rule.min_duration_hours + 1 + (1 if rule.rising else 0)
    trigger = [{"time": t.isoformat(), "value": v} for t, v in series[-needed:]]
    value = series[-1][1]
    local = timezone.localtime(status.time or now)
    where = f"{st.name}" + (f" ({st.unit.name})" if st.unit else "")
    sign = "≥" if rule.comparison == Comparison.AT_LEAST else "≤"
    lines = [f"{rule.name} tại trạm {where} lúc {local:%H:%M %d/%m/%Y}: "
             f"{Parameter(rule.parameter).label.split(' (')[0]} = {_format(rule.parameter, value)} "
             f"(ngưỡng {sign} {_format(rule.parameter, rule.threshold)}"
             + (f", kéo dài từ {rule.min_duration_hours + 1} giờ" if rule.min_duration_hours else "") + ")."]
    if status.level_label and status.value is not None:
        lines.append(f"Mức hiện tại: {status.level_label}.")
    if rule.advice or status.advice:
        lines.append(rule.advice or status.advice)
    event = WarningEvent.objects.create(
        rule=rule, station=st, opened_at=now, trigger=trigger, first_value=value, peak_value=value,
        last_value=value, last_seen_at=min(status.time or now, now), message=" ".join(lines))
    audit.record(actor=None, action=Action.CREATE, subject_type="environment.warningevent", subject_id=event.pk,
                 detail={"rule": rule.pk, "station": st.code, "value": value, "trigger": trigger})
    event.notified = _notify(event, rule)
    if event.notified:
        event.save(update_fields=["notified"])
    return event


def _close(event: WarningEvent, now: dt.datetime, reason: str) -> WarningEvent:
    event.closed_at, event.close_reason = now, reason
    event.save(update_fields=["closed_at", "close_reason"])
    audit.record(actor=None, action=Action.STATE, subject_type="environment.warningevent", subject_id=event.pk,
                 detail={"closed": reason, "peak": event.peak_value})
    return event


def _station_url(station: Station) -> str:
    return settings.SITE_URL + reverse("environment:station", args=[station.code])


def _notify(event: WarningEvent, rule: WarningRule) -> int:
    """Queue one message per recipient (person, e-mail or phone) among the active subscriptions that cover the
    station's area and want this warning."""
    station = event.station
    subject = f"Cảnh báo môi trường: {rule.name} — {station.name}"[:200]
    seen: set[tuple] = set()
    count = 0
    subs = (Subscription.objects.filter(confirmed_at__isnull=False, cancelled_at__isnull=True)
            .select_related("user__person", "unit").order_by("pk"))
    for sub in subs:
        if not sub.wants(rule) or not _in_area(station, sub.unit):
            continue
        person = getattr(sub.user, "person", None) if sub.user_id else None
        key = ("person", person.pk) if person else ("user", sub.user_id) if sub.user_id else (sub.email, sub.phone)
        if key in seen:
            continue
        seen.add(key)
        email = (person.email if person else "") or (sub.user.email if sub.user_id else sub.email)
        phone = (person.phone if person else "") if sub.user_id else sub.phone
        cancel = settings.SITE_URL + reverse("environment:unsubscribe", args=[sub.token])
        body = f"{event.message}\nXem chi tiết: {_station_url(station)}\nNgừng nhận cảnh báo: {cancel}"
        count += len(notifications.notify_person(person_id=person.pk if person else None, email=email, phone=phone,
                                                 subject=subject, body=body))
    return count


def open_warnings() -> QuerySet[WarningEvent]:
    return WarningEvent.objects.open().with_related().filter(station__is_active=True)


def banner_warnings(limit: int = 5) -> list[dict[str, Any]]:
    """The open warnings the site-wide banner shows (plain values, cached until the next evaluation)."""
    items = cache.get(BANNER_CACHE_KEY)
    if items is None:
        items = [{"message": e.message, "code": e.station.code, "station": e.station.name, "rule": e.rule.name,
                  "opened_at": e.opened_at} for e in open_warnings()[:limit]]
        cache.set(BANNER_CACHE_KEY, items, settings.ENVIRONMENT_STATUS_CACHE_SECONDS)
    return items


@dataclass
class WarningPage:
    items: list[WarningEvent]
    more: bool


def warnings(*, state: str = "all", before: int | None = None, station: Station | None = None,
             limit: int = 50) -> WarningPage:
    """Warnings newest first, keyset-paged by id (``before``: the last id of the previous page)."""
    if state not in ("open", "closed", "all"):
        raise Invalid("state phải là open, closed hoặc all", field="state")
    if not 1 <= limit <= settings.ENVIRONMENT_MAX_PAGE_SIZE:
        raise Invalid(f"limit phải từ 1 đến {settings.ENVIRONMENT_MAX_PAGE_SIZE}", field="limit")
    qs = WarningEvent.objects.with_related().order_by("-pk")
    if state != "all":
        qs = qs.filter(closed_at__isnull=state == "open")
    if before is not None:
        qs = qs.filter(pk__lt=before)
    if station is not None:
        qs = qs.filter(station=station)
    items = list(qs[:limit + 1])
    return WarningPage(items[:limit], len(items) > limit)


DEFAULT_RULES: tuple[dict[str, Any], ...] = (
    # VN_AQI bands of Decision 1459/QĐ-TCMT, Table 1: "Xấu" (151–200) for two hours, "Rất xấu" at once.
    dict(name="Không khí xấu (AQI > 150)", parameter=Parameter.AQI, threshold=151, min_duration_hours=1),
    dict(name="Không khí rất xấu (AQI > 200)", parameter=Parameter.AQI, threshold=201),
    # The station's own alarm levels (Decision 05/2020/QĐ-TTg).
    dict(name="Lũ vượt báo động I", parameter=Parameter.FLOOD_LEVEL, threshold=1),
    dict(name="Lũ vượt báo động II", parameter=Parameter.FLOOD_LEVEL, threshold=2),
    dict(name="Lũ vượt báo động III", parameter=Parameter.FLOOD_LEVEL, threshold=3),
    # Heavy rain that floods Hà Nội's streets: the city's choice, to tune.
    dict(name="Mưa lớn (≥ 50 mm trong 3 giờ)", parameter=Parameter.RAIN_3H, threshold=50),
    dict(name="Tiếng ồn vượt giới hạn 3 giờ liền", parameter=Parameter.NOISE_EXCESS, threshold=0.1,
         min_duration_hours=2),
)


def ensure_default_rules() -> list[WarningRule]:
    """Create the default rules that do not exist yet (matched by name); answers those created."""
    existing = set(WarningRule.objects.values_list("name", flat=True))
    return [WarningRule.objects.create(**spec) for spec in DEFAULT_RULES if spec["name"] not in existing]


# ------------------------------------------------------------------------------------------------ subscriptions


_PHONE = re.compile(r"^(?:\+?84|0)(\d{9})$")


def _area(unit_key: str | None) -> Unit | None:
    if not unit_key:
        return None
    unit = places.current_successor(places.get_unit(unit_key))
    if unit.province_code != settings.ENVIRONMENT_PROVINCE_CODE or unit.level == Level.DISTRICT:
        raise Invalid("Khu vực phải là một phường/xã của thành phố hoặc toàn thành phố", field="unit")
    return None if unit.level == Level.PROVINCE else unit


def _parameters(values: Iterable[str]) -> list[str]:
    chosen = []
    for value in values or ():
        if value not in Kind.values and value not in Parameter.values:
            raise Invalid(f"Loại cảnh báo không hợp lệ: {value!r} (một trong {', '.join(Kind.values)} hoặc "
                          f"{', '.join(Parameter.values)})", field="parameters")
        if value not in chosen:
            chosen.append(value)
    return chosen


@transaction.atomic
def subscribe(*, user: Principal | None = None, email: str = "", phone: str = "", unit_key: str | None = None,
              parameters: Iterable[str] = ()) -> Subscription:
    """Subscribe to the warnings of an area (a ward/commune; none: the whole city). With ``user``, a signed-in
    citizen is told at the contacts of their record, at once; otherwise exactly one of ``email``/``phone`` is
    given and a confirmation link is sent there first. Subscribing again updates the same subscription."""
    unit = _area(unit_key)
    chosen = _parameters(parameters)
    email, phone = (email or "").strip().lower(), re.sub(r"[\s.\-()]", "", phone or "")
    now = timezone.now()
    if user is not None:
        if not getattr(user, "is_authenticated", False) or getattr(user, "person_id", None) is None:
            raise Forbidden("Chỉ công dân đã đăng nhập mới đăng ký bằng tài khoản")
        sub, _ = Subscription.objects.get_or_create(
            user=user, unit=unit, cancelled_at=None,
            defaults={"token": secrets.token_urlsafe(32), "confirmed_at": now, "parameters": chosen})
        sub.parameters, sub.confirmed_at = chosen, sub.confirmed_at or now
        sub.save(update_fields=["parameters", "confirmed_at"])
        audit.record(actor=_actor(user), action=Action.CREATE, subject_type="environment.subscription",
                     subject_id=sub.pk, person_id=user.person_id,
                     detail={"unit": unit.key if unit else None, "parameters": chosen})
        return sub
    if bool(email) == bool(phone):
        raise Invalid("Nhập một địa chỉ thư điện tử hoặc một số điện thoại", field="email" if not email else "phone")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Invalid("Địa chỉ thư điện tử không hợp lệ", field="email") from None
    if phone:
        match = _PHONE.fullmatch(phone)
        if not match:
            raise Invalid("Số điện thoại không hợp lệ (ví dụ 0912345678)", field="phone")
        phone = "0" + match.group(1)
    sub = Subscription.objects.filter(user=None, email=email, phone=phone, unit=unit, cancelled_at=None).first()
    if sub is None:
        sub = Subscription.objects.create(email=email, phone=phone, unit=unit, parameters=chosen,
                                          token=secrets.token_urlsafe(32))
    else:
        sub.parameters = chosen
        sub.save(update_fields=["parameters"])
    if sub.confirmed_at is None:
        link = settings.SITE_URL + reverse("environment:confirm", args=[sub.token])
        area = unit.name if unit else "toàn thành phố"
        notifications.notify_person(
            person_id=None, email=email, phone=phone, subject="Xác nhận đăng ký nhận cảnh báo môi trường",
            body=f"Bạn (hoặc ai đó) vừa đăng ký nhận cảnh báo môi trường cho {area}. Xác nhận tại: {link}\n"
                 "Nếu không phải bạn, hãy bỏ qua tin này: sẽ không có tin nào khác được gửi.")
    audit.record(actor=None, action=Action.CREATE, subject_type="environment.subscription", subject_id=sub.pk,
                 detail={"unit": unit.key if unit else None, "parameters": chosen,
                         "channel": "email" if email else "sms"})
    return sub


def _by_token(token: str) -> Subscription:
    sub = Subscription.objects.filter(token=token or "").select_related("unit").first()
    if sub is None:
        raise NotFound("Liên kết không hợp lệ hoặc đã hết hiệu lực", field="token")
    return sub


@transaction.atomic
def confirm_subscription(*, token: str) -> Subscription:
    sub = _by_token(token)
    if sub.cancelled_at is not None:
        raise Invalid("Đăng ký này đã bị hủy", field="token")
    if sub.confirmed_at is None:
        sub.confirmed_at = timezone.now()
        sub.save(update_fields=["confirmed_at"])
        audit.record(actor=None, action=Action.STATE, subject_type="environment.subscription", subject_id=sub.pk,
                     detail={"confirmed": True})
    return sub


@transaction.atomic
def cancel_subscription(*, token: str) -> Subscription:
    sub = _by_token(token)
    if sub.cancelled_at is None:
        sub.cancelled_at = timezone.now()
        sub.save(update_fields=["cancelled_at"])
        audit.record(actor=None, action=Action.STATE, subject_type="environment.subscription", subject_id=sub.pk,
                     detail={"cancelled": True})
    return sub


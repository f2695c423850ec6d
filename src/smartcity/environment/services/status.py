"""What a station shows now: the headline value with its level, colour and advice, every reading, and the hourly
series the warning rules look at.

Air: the hourly VN_AQI with its sub-indices and the highest one marked (Decision 1459/QĐ-TCMT); water level: the
newest level and the flood alarm level reached (Decision 05/2020/QĐ-TTg); rain: totals over 1, 3 and 24 hours in the
categories of the weather bulletins; noise: the hourly LAeq against the noise regulation in force (``noise_limits``); water quality: VN_WQI.
The statuses of every active station are cached (``ENVIRONMENT_STATUS_CACHE_SECONDS``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from smartcity.environment import aqi, readings, wqi
from smartcity.environment.models import Parameter, Station
from smartcity.environment.parameters import BY_CODE, Kind
from smartcity.environment.readings import HOUR
from smartcity.environment.services.registry import STATUS_CACHE_KEY, stations
from smartcity.sensing import services as sensing


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
# The regulation a reading is judged by is data (NoiseLimit, in force on its date); the station page names it.
NOISE_LEVELS: tuple[tuple[str, str], ...] = (("Trong giới hạn tiếng ồn", "#00E400"),
                                             ("Vượt giới hạn tiếng ồn", "#FF0000"))
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


"""From sensing's readings to the numbers the public sees: hourly and daily tables per station, computed with the
pure index modules (``aqi``, ``hydro``, ``noise``, ``wqi``), vectorised over the stations of a kind.

Where the hourly values come from
    Sensing's hourly roll-up (``hourly_series``) for the hours it has, and the raw readings (``observations``,
    aggregated by the database per clock hour) for its last ``ENVIRONMENT_RAW_HOURS`` buckets and everything after
    — the roll-up runs every few minutes, so its newest hours may be partial. Noise is always read raw: its hourly
    LAeq is an energy average, 10·log10(mean(10^(L/10))), which an arithmetic roll-up cannot give back.

The hour axis
    Hour-beginning UTC instants; Việt Nam has no daylight saving, so local days are whole blocks of 24 hours, as
    ``aqi``'s daily functions want. "Current" hourly values are those of the last complete hour (as stations
    publish them), or of the hour in progress when the last complete one has none; rain totals run to the hour in
    progress; the water level is the latest reading.

Tables
    An ``HourTable``/``DayTable`` holds one array per column (``pm25``, ``aqi``, ``aqi_pm25`` (a sub-index),
    ``dominant``, ``water_level``, ``flood_level``, ``rain_1h``, ``laeq``, ``limit_dba``, ``wqi``…), NaN where
    missing — what the charts, the CSV, the API and the warnings read.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db.models import Avg, Count, F, Sum
from django.db.models.functions import Power, Trunc

from smartcity.environment import aqi, hydro, noise, noise_limits, wqi
from smartcity.environment.parameters import (
    AIR_POLLUTANTS,
    BY_CODE,
    WQI_PARAMETERS,
    Kind,
    parameter_of,
    unit_factor,
)
from smartcity.sensing import services as sensing

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)
CONTEXT_HOURS = 23  # hours before the first output hour: 11 for the NowCast, 23 for 24-hour rain
_CHUNK = 100  # datastreams per raw aggregation query


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def floor_hour(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zone()).astimezone(UTC)


# ----------------------------------------------------------------------------------------------- datastreams


@dataclass(frozen=True)
class Stream:
    datastream_id: int
    code: str
    factor: float
    interval_s: int | None


def streams_of(stations: Iterable) -> dict[int, dict[str, Stream]]:
    """Per station id, its Thing's recognised datastreams by parameter code (the first one of each parameter)."""
    stations = list(stations)
    by_thing: dict[int, dict[str, Stream]] = defaultdict(dict)
    rows = sensing.datastreams().filter(thing_id__in={s.thing_id for s in stations})
    for ds in rows:
        code = parameter_of(ds.observed_property.name, ds.observed_property.definition)
        if code and code not in by_thing[ds.thing_id]:
            by_thing[ds.thing_id][code] = Stream(ds.pk, code, unit_factor(code, ds.unit_of_measurement),
                                                 ds.reporting_interval)
    return {s.pk: by_thing.get(s.thing_id, {}) for s in stations}


# ----------------------------------------------------------------------------------------------- hourly values


@dataclass
class Hourly:
    """One datastream on the hour axis: the mean (energy mean in dB for noise), total and count of each hour."""

    mean: np.ndarray
    total: np.ndarray
    count: np.ndarray


def _empty(n: int) -> Hourly:
    return Hourly(np.full(n, np.nan), np.full(n, np.nan), np.zeros(n))


def hourly_values(streams: Sequence[Stream], start: dt.datetime, n_hours: int) -> dict[int, Hourly]:
    """Hourly aggregates of the datastreams over ``n_hours`` hours from ``start`` (a whole UTC hour), converted to
    our units. Two reads for all datastreams together: the roll-up, then the raw readings from where each
    datastream's roll-up may be stale (grouped, ``_CHUNK`` datastreams per query)."""
    end = start + n_hours * HOUR
    out = {s.datastream_id: _empty(n_hours) for s in streams}
    factors = {s.datastream_id: s.factor for s in streams}
    energy = {s.datastream_id for s in streams if s.code == "laeq"}
    rolled = [s.datastream_id for s in streams if s.datastream_id not in energy]
    last_bucket: dict[int, dt.datetime] = {}
    if rolled:
        rows = sensing.hourly_series(datastream_ids=rolled, start=start, end=end).values_list(
            "datastream_id", "bucket", "mean", "count")
        for ds, bucket, mean, count in rows:
            i = int((bucket - start) / HOUR)
            h = out[ds]
            h.mean[i], h.count[i], h.total[i] = mean * factors[ds], count, mean * count * factors[ds]
            last_bucket[ds] = max(bucket, last_bucket.get(ds, bucket))
    keep = max(settings.ENVIRONMENT_RAW_HOURS, 1) - 1
    raw_from: dict[dt.datetime, list[int]] = defaultdict(list)
    for s in streams:
        since = start
        if s.datastream_id in last_bucket:
            since = max(start, last_bucket[s.datastream_id] - keep * HOUR)
        raw_from[since].append(s.datastream_id)
    for since, ids in raw_from.items():
        first = int((since - start) / HOUR)
        for ds in ids:  # these hours are read again from the raw readings
            h = out[ds]
            h.mean[first:], h.total[first:], h.count[first:] = np.nan, np.nan, 0
        for i in range(0, len(ids), _CHUNK):
            _raw_into(out, ids[i:i + _CHUNK], since, end, start, factors, energy)
    return out


def _raw_into(out: dict[int, Hourly], ids: list[int], since: dt.datetime, end: dt.datetime, start: dt.datetime,
              factors: dict[int, float], energy: set[int]) -> None:
    qs = functools.reduce(operator.or_, [sensing.observations(datastream_id=ds, start=since, end=end) for ds in ids])
    aggregates = {"n": Count("result"), "mean": Avg("result"), "total": Sum("result")}
    if energy & set(ids):
        aggregates["energy"] = Avg(Power(10.0, F("result") / 10.0))
    rows = (qs.order_by().annotate(hour=Trunc("phenomenon_time", "hour", tzinfo=UTC))
            .values("datastream_id", "hour").annotate(**aggregates))
    for row in rows:
        if not row["n"]:
            continue
        ds, i = row["datastream_id"], int((row["hour"] - start) / HOUR)
        h = out[ds]
        h.count[i] = row["n"]
        if ds in energy:
            h.mean[i] = 10 * np.log10(row["energy"]) if row["energy"] and row["energy"] > 0 else np.nan
        else:
            h.mean[i] = row["mean"] * factors[ds]
            h.total[i] = row["total"] * factors[ds]


# ----------------------------------------------------------------------------------------------- tables


@dataclass
class Table:
    """Columns of one station over a time axis (hours or local days)."""

    times: list[dt.datetime]
    columns: dict[str, np.ndarray] = field(default_factory=dict)

    def value(self, column: str, i: int) -> float | str | None:
        if column not in self.columns:
            return None
        v = self.columns[column][i]
        if isinstance(v, str):
            return v or None
        return None if v is None or v != v else float(v)

    def rows(self) -> list[dict[str, object]]:
        return [{"time": t, **{c: self.value(c, i) for c in self.columns}} for i, t in enumerate(self.times)]


def _matrix(stations: Sequence, streams: dict[int, dict[str, Stream]], values: dict[int, Hourly], code: str,
            n: int, what: str = "mean") -> np.ndarray:
    m = np.full((len(stations), n), np.nan)
    for row, st in enumerate(stations):
        stream = streams[st.pk].get(code)
        if stream is not None:
            m[row] = getattr(values[stream.datastream_id], what)
    return m


def hour_tables(stations: Sequence, start: dt.datetime, n_hours: int,
                streams: dict[int, dict[str, Stream]] | None = None) -> dict[int, Table]:
    """Hourly tables of the stations for ``n_hours`` hours from ``start`` (a whole UTC hour)."""
    streams = streams if streams is not None else streams_of(stations)
    lead = start - CONTEXT_HOURS * HOUR
    n = n_hours + CONTEXT_HOURS
    values = hourly_values([s for st in stations for s in streams[st.pk].values()], lead, n)
    times = [start + i * HOUR for i in range(n_hours)]
    tables = {st.pk: Table(times) for st in stations}
    by_kind: dict[str, list] = defaultdict(list)
    for st in stations:
        by_kind[st.kind].append(st)
        for code, stream in streams[st.pk].items():  # every recognised parameter, as hourly means (rain: totals)
            h = values[stream.datastream_id]
            tables[st.pk].columns[code] = (h.total if code == "rainfall" else h.mean)[CONTEXT_HOURS:]
    cut = slice(CONTEXT_HOURS, None)
    for kind, group in by_kind.items():
        cols = _HOURLY[kind](group, streams, values, n, lead)
        for row, st in enumerate(group):
            for name, array in cols.items():
                tables[st.pk].columns[name] = array[row, cut]
    return tables


def _air_hourly(group, streams, values, n, lead) -> dict[str, np.ndarray]:
    series = {p: _matrix(group, streams, values, p, n) for p in AIR_POLLUTANTS}
    result = aqi.hourly_aqi(**series)
    cols = {"aqi": result.aqi, "dominant": result.dominant_names(), "aqi_level": _aqi_level(result.aqi)}
    cols |= {f"aqi_{p}": v for p, v in result.sub_indices.items()}
    return cols


def _aqi_level(values: np.ndarray) -> np.ndarray:
    """Band number 1–6 of Decision 1459/QĐ-TCMT, Table 1 (NaN where there is no AQI)."""
    highs = np.array([b.high for b in aqi.BANDS[:-1]], dtype=float)
    level = np.searchsorted(highs, values, side="left").astype(float) + 1
    return np.where(np.isnan(values), np.nan, level)


def _water_level_matrix(group, streams, values, n, what: str = "mean") -> np.ndarray:
    level = _matrix(group, streams, values, "water_level", n, what)
    distance = _matrix(group, streams, values, "water_level_distance", n, what)
    reference = np.array([np.nan if st.reference_elevation_m is None else st.reference_elevation_m for st in group])
    derived = hydro.water_level(reference[:, None], distance)
    return np.where(np.isnan(level), derived, level)


def flood_levels(station, level: np.ndarray) -> np.ndarray:
    """Alarm level 0–3 (NaN where the level is missing or the station has no thresholds)."""
    if not station.has_flood_levels:
        return np.full(np.shape(level), np.nan)
    grade = hydro.FloodThresholds(station.flood_level_i, station.flood_level_ii,
                                  station.flood_level_iii).alert_level(level).astype(float)
    return np.where(grade < 0, np.nan, grade)


def _water_level_hourly(group, streams, values, n, lead) -> dict[str, np.ndarray]:
    level = _water_level_matrix(group, streams, values, n)
    alert = np.vstack([flood_levels(st, level[row]) for row, st in enumerate(group)]) if group else level
    return {"water_level": level, "flood_level": alert}


def _rain_hourly(group, streams, values, n, lead) -> dict[str, np.ndarray]:
    totals = _matrix(group, streams, values, "rainfall", n, "total")
    counts = _matrix(group, streams, values, "rainfall", n, "count")
    totals = np.where(counts > 0, totals, np.nan)  # an hour without a report is missing, never dry
    acc = hydro.rainfall_accumulations(totals, interval_minutes=60,
                                       min_fraction=settings.ENVIRONMENT_RAIN_MIN_COVERAGE)
    return {f"rain_{k}": a.total_mm for k, a in acc.items()}


def _noise_level(group, streams, values, n) -> np.ndarray:
    """Hourly LAeq, NaN where an hour has fewer than 3/4 of its samples (``noise.hourly_laeq``'s rule; with no
    reportingInterval on the datastream, any sample counts)."""
    level = _matrix(group, streams, values, "laeq", n)
    counts = _matrix(group, streams, values, "laeq", n, "count")
    expected = np.array([3600 / s.interval_s if (s := streams[st.pk].get("laeq")) and s.interval_s else 1.0
                         for st in group])
    return np.where(counts >= 0.75 * expected[:, None], level, np.nan)


def _noise_hourly(group, streams, values, n, lead) -> dict[str, np.ndarray]:
    level = _noise_level(group, streams, values, n)
    table, times = noise_limits.limit_table(), [lead + i * HOUR for i in range(n)]
    # each hour by the regulation in force on its local date (the NoiseLimit table)
    limit = np.vstack([table.hourly(st.noise_zone, times) for st in group]).astype(float)
    excess = np.where(np.isnan(level), np.nan, level - limit)
    return {"laeq": level, "limit_dba": limit, "noise_excess": excess}


def _water_hourly(group, streams, values, n, lead) -> dict[str, np.ndarray]:
    series = {p: _matrix(group, streams, values, p, n) for p in WQI_PARAMETERS}
    temperature = _matrix(group, streams, values, "temperature", n)
    out = np.full((len(group), n), np.nan)
    for row in range(len(group)):
        for i in range(n):
            out[row, i] = _wqi({p: series[p][row, i] for p in WQI_PARAMETERS}, temperature[row, i])
    return {"wqi": out}


def _wqi(sample: dict[str, float], temperature: float) -> float:
    """VN_WQI of one set of values (NaN = missing); DO needs the water temperature, so without it DO is left out."""
    present = {p: float(v) for p, v in sample.items() if v == v}
    t = None if temperature != temperature else float(temperature)
    if t is None:
        present.pop("do", None)
    try:
        result = wqi.wqi(present, temperature_c=t)
    except ValueError:
        return np.nan
    return np.nan if result.value is None else float(result.value)


_HOURLY = {Kind.AIR: _air_hourly, Kind.WATER_LEVEL: _water_level_hourly, Kind.RAIN: _rain_hourly,
           Kind.NOISE: _noise_hourly, Kind.WATER: _water_hourly}


# ----------------------------------------------------------------------------------------------- days


def day_tables(stations: Sequence, first_day: dt.date, n_days: int,
               streams: dict[int, dict[str, Stream]] | None = None) -> dict[int, Table]:
    """Daily tables (local days) for ``n_days`` days from ``first_day``; the day before is read too, for the
    8-hour O3 means that reach back into it (Decision 1459/QĐ-TCMT, 2.2.2)."""
    streams = streams if streams is not None else streams_of(stations)
    lead = local_midnight(first_day - dt.timedelta(days=1))
    n = 24 * (n_days + 1)
    values = hourly_values([s for st in stations for s in streams[st.pk].values()], lead, n)
    times = [local_midnight(first_day + dt.timedelta(days=d)) for d in range(n_days)]
    tables = {st.pk: Table(times) for st in stations}
    by_kind: dict[str, list] = defaultdict(list)
    for st in stations:
        by_kind[st.kind].append(st)
        for code, stream in streams[st.pk].items():
            h = values[stream.datastream_id]
            if code not in ("rainfall", "laeq"):
                tables[st.pk].columns[code] = _days(h.mean[None, :], np.nanmean)[0, 1:]
    for kind, group in by_kind.items():
        cols = _DAILY[kind](group, streams, values, n, lead)
        for row, st in enumerate(group):
            for name, array in cols.items():
                tables[st.pk].columns[name] = array[row, 1:]
    return tables


def _air_daily(group, streams, values, n, lead) -> dict[str, np.ndarray]:
    series = {p: _matrix(group, streams, values, p, n) for p in AIR_POLLUTANTS}
    stats = aqi.daily_statistics(**series)
    result = aqi.daily_aqi_from_statistics(stats)
    cols = {"aqi": result.aqi, "dominant": result.dominant_names(), "aqi_level": _aqi_level(result.aqi)}
    cols |= {f"aqi_{p}": v for p, v in result.sub_indices.items()}
    cols |= {f"{p}": stats[f"{p}_24h"] for p in ("pm25", "pm10")}
    cols |= {k: v for k, v in stats.items() if not k.endswith("_24h")}
    return cols


def _days(hourly: np.ndarray, reduce) -> np.ndarray:
    """``reduce`` (np.nanmean, np.nanmax…) of each day of 24 hours, NaN for a day without data. (``aqi``'s daily
    helpers drop negative values, which are real for temperatures and water levels.)"""
    days = hourly.reshape(hourly.shape[0], -1, 24)
    some = ~np.all(np.isnan(days), axis=-1)
    safe = np.where(some[..., None], days, 0.0)
    return np.where(some, reduce(safe, axis=-1), np.nan)


def _water_level_daily(group, streams, values, n, lead) -> dict[str, np.ndarray]:
    level = _water_level_matrix(group, streams, values, n, "mean")
    highest = _days(level, np.nanmax)
    alert = np.vstack([flood_levels(st, highest[row]) for row, st in enumerate(group)])
    return {"water_level": highest, "flood_level": alert}


def _rain_daily(group, streams, values, n, lead) -> dict[str, np.ndarray]:
    totals = _matrix(group, streams, values, "rainfall", n, "total")
    counts = _matrix(group, streams, values, "rainfall", n, "count")
    totals = np.where(counts > 0, totals, np.nan)
    days = totals.reshape(len(group), -1, 24)
    present = (~np.isnan(days)).sum(axis=-1)
    total = np.round(np.nansum(days, axis=-1), 6)
    enough = present >= settings.ENVIRONMENT_RAIN_MIN_COVERAGE * 24 - 1e-9
    return {"rainfall": np.where(enough, total, np.nan)}


def _daily_laeq(hourly: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Energy mean of each day's hourly LAeq over the hours of ``mask`` (local hours 0–23)."""
    days = hourly.reshape(hourly.shape[0], -1, 24)[..., mask]
    return noise.laeq(days, axis=-1)


def _noise_daily(group, streams, values, n, lead) -> dict[str, np.ndarray]:
    level = _noise_level(group, streams, values, n)
    hours = np.arange(24)
    day_mask, night_mask = noise.is_daytime(hours), ~noise.is_daytime(hours)
    day, night = _daily_laeq(level, day_mask), _daily_laeq(level, night_mask)
    # each day by the regulation in force on it (the NoiseLimit table); NaN where none is
    table = noise_limits.limit_table()
    dates = [(lead.astimezone(zone()) + dt.timedelta(days=d)).date() for d in range(n // 24)]
    limits = [[table.zone_limits(st.noise_zone, d) for d in dates] for st in group]
    day_limit = np.array([[lim.day_dba if lim else np.nan for lim in row] for row in limits], dtype=float)
    night_limit = np.array([[lim.night_dba if lim else np.nan for lim in row] for row in limits], dtype=float)
    return {"laeq_day": day, "laeq_night": night,
            "noise_excess": np.fmax(np.where(np.isnan(day), np.nan, day - day_limit),
                                    np.where(np.isnan(night), np.nan, night - night_limit))}


def _water_daily(group, streams, values, n, lead) -> dict[str, np.ndarray]:
    means = {p: _days(_matrix(group, streams, values, p, n), np.nanmean) for p in WQI_PARAMETERS}
    temperature = _days(_matrix(group, streams, values, "temperature", n), np.nanmean)
    days = temperature.shape[-1]
    out = np.full((len(group), days), np.nan)
    for row in range(len(group)):
        for d in range(days):
            out[row, d] = _wqi({p: means[p][row, d] for p in WQI_PARAMETERS}, temperature[row, d])
    return {"wqi": out}


_DAILY = {Kind.AIR: _air_daily, Kind.WATER_LEVEL: _water_level_daily, Kind.RAIN: _rain_daily,
          Kind.NOISE: _noise_daily, Kind.WATER: _water_daily}


def label(code: str) -> str:
    return BY_CODE[code].label if code in BY_CODE else code

"""The next-24-hour air forecast every air station shows: ``refresh_forecasts`` issues it (the hourly job
``environment.forecast``), ``station_forecast`` reads it back for the page and the API.

``refresh_forecasts`` reads the hourly PM2.5 (and PM10 where measured) of every active air station over the last
``WINDOW_DAYS`` days into stations × hours arrays — one query on sensing's hourly roll-up for all stations, then the
last ``TAIL_HOURS`` again through ``readings.hourly_values`` (roll-up plus the raw readings of the hours the roll-up
may not have finished), so the newest hours, which the forecast leans on most, are complete — fits
``forecast``'s pooled model once for all stations and forecasts the 24 hours from the current hour. A station whose
PM2.5 record is shorter than ``forecast.MIN_HISTORY_DAYS`` days gets no forecast, and the page says why.

Only the latest forecast is kept (``AirForecast``): each run replaces the forecasts of every active air station in
one transaction, under a lock on their rows, so a second run of the job — or two overlapping ones — leaves the same
rows, and a station that lost its data loses its stale forecast too.

Only PM drives the forecast AQI (see ``forecast``'s docstring): O3, NO2, SO2 and CO are not forecast;
``forecast_caveat`` says so on the page.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcity.environment import aqi, forecast, readings
from smartcity.environment.models import AirForecast, Station
from smartcity.environment.parameters import Kind
from smartcity.environment.readings import HOUR
from smartcity.environment.services.registry import stations
from smartcity.environment.services.status import NO_DATA
from smartcity.sensing import services as sensing

WINDOW_DAYS = 60  # the model's training window (``forecast.fit``'s default)
TAIL_HOURS = 24  # newest hours read again with the raw readings the roll-up may not have reached yet
POLLUTANTS = ("pm25", "pm10")


def need_days_reason() -> str:
    return _("Chưa có dự báo: cần ít nhất %(days)d ngày số liệu PM2.5 theo giờ.") % {
        "days": forecast.MIN_HISTORY_DAYS}


def forecast_caveat() -> str:
    return _("Dự báo chỉ dựa trên bụi PM2.5 và PM10: O3, NO2, SO2 và CO không được dự báo, nên vào những giờ một "
             "chất khí có chỉ số cao nhất, AQI thực tế sẽ cao hơn dự báo. Khoảng 80 %: giá trị đo được dự kiến nằm "
             "trong khoảng này 8 trên 10 giờ.")


# ----------------------------------------------------------------------------------------------- issuing


@dataclass
class ForecastRun:
    """What a run of ``refresh_forecasts`` did: the first forecast hour (UTC), the stations forecast and the ones
    skipped with the reason, by station code."""

    issued_at: dt.datetime
    start: dt.datetime
    forecast: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def _pm_history(selected: list[Station], end: dt.datetime, hours: int) -> dict[str, np.ndarray]:
    """Hourly means (µg/m³) of PM2.5 and PM10 of the stations over the ``hours`` whole hours before ``end``, as
    stations × hours arrays, NaN where missing (a station without the pollutant: a row of NaN)."""
    start = end - hours * HOUR
    streams = readings.streams_of(selected)
    wanted = [(row, code, s[code]) for row, st in enumerate(selected) for code in POLLUTANTS
              if code in (s := streams[st.pk])]
    out = {code: np.full((len(selected), hours), np.nan) for code in POLLUTANTS}
    if not wanted:
        return out
    ids = np.array(sorted(stream.datastream_id for _row, _code, stream in wanted))
    factor = np.empty(len(ids))
    values = np.full((len(ids), hours), np.nan)  # one row per datastream, in ``ids`` order
    for _row, _code, stream in wanted:
        factor[np.searchsorted(ids, stream.datastream_id)] = stream.factor
    tail = min(TAIL_HOURS, hours)
    rows = list(sensing.hourly_series(datastream_ids=ids.tolist(), start=start, end=end - tail * HOUR)
                .values_list("datastream_id", "bucket", "mean"))
    if rows:
        ds, buckets, means = zip(*rows, strict=True)
        where = np.searchsorted(ids, np.array(ds))
        column = np.fromiter(((b - start) // HOUR for b in buckets), dtype=np.int64, count=len(buckets))
        values[where, column] = np.array(means, dtype=float) * factor[where]
    recent = readings.hourly_values([stream for _row, _code, stream in wanted], end - tail * HOUR, tail)
    for i, ds_id in enumerate(ids):
        values[i, hours - tail:] = recent[int(ds_id)].mean
    for row, code, stream in wanted:
        out[code][row] = values[np.searchsorted(ids, stream.datastream_id)]
    return out


def refresh_forecasts(*, now: dt.datetime | None = None) -> ForecastRun:
    """Forecast the 24 hours from the current hour at every active air station and replace the stored forecasts.
    Idempotent: a second run in the same hour finds the same data and writes the same rows."""
    now = now or timezone.now()
    end = readings.floor_hour(now)  # the hour in progress is the first forecast hour
    run = ForecastRun(issued_at=now, start=end)
    selected = list(stations(kind=Kind.AIR).order_by("pk"))
    hours = WINDOW_DAYS * 24
    series = _pm_history(selected, end, hours)
    pm25 = np.where(series["pm25"] >= 0, series["pm25"], np.nan)
    valid = ~np.isnan(pm25)
    first = np.where(valid.any(axis=1), valid.argmax(axis=1), hours)
    eligible = first <= hours - forecast.MIN_HISTORY_DAYS * 24  # a record of at least 14 days
    reason = need_days_reason()
    new: list[AirForecast] = []
    if eligible.any():
        lo = int(first[eligible].min())
        pm25_in = pm25[eligible, lo:]
        pm10 = series["pm10"][eligible, lo:]
        enough_pm10 = (np.sum(pm10 >= 0, axis=1) >= forecast.MIN_STATION_HOURS).any()
        try:
            fc = forecast.forecast(pm25_in, start=end - (hours - lo) * HOUR, pm10=pm10 if enough_pm10 else None,
                                   window_days=WINDOW_DAYS)
        except ValueError as exc:  # too few complete training rows over all stations together
            fc, reason = None, f"{reason} ({exc})"
        if fc is not None:
            times = [end + h * HOUR for h in range(forecast.HORIZON)]
            for row, st in enumerate(s for s, ok in zip(selected, eligible, strict=True) if ok):
                if np.isnan(fc.pm25[row]).any():
                    continue  # the model's own rule: too few valid hours in the training window
                run.forecast.append(st.code)
                new += [AirForecast(station=st, issued_at=now, hour_start=t, pm25=float(fc.pm25[row, h]),
                                    pm25_low=float(fc.pm25_low[row, h]), pm25_high=float(fc.pm25_high[row, h]),
                                    aqi=None if math.isnan(fc.aqi[row, h]) else int(fc.aqi[row, h]),
                                    degraded=bool(fc.degraded[row]))
                        for h, t in enumerate(times)]
    run.skipped = {st.code: reason for st in selected if st.code not in run.forecast}
    with transaction.atomic():
        list(Station.objects.select_for_update().filter(pk__in=[s.pk for s in selected]).values_list("pk"))
        AirForecast.objects.filter(station__in=selected).delete()
        AirForecast.objects.bulk_create(new)
    return run


# ----------------------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class ForecastHour:
    start: dt.datetime  # UTC, hour-beginning
    pm25: float
    pm25_low: float
    pm25_high: float
    aqi: int | None
    band: str  # the AQI band's name, "" without an AQI
    colour: str


@dataclass
class StationForecast:
    """A station's current forecast: its hours from the current one on, or none and the reason."""

    station: Station
    issued_at: dt.datetime | None
    hours: list[ForecastHour]
    degraded: bool
    reason: str  # "" when there is a forecast
    interval: float = 0.8


def station_forecast(station: Station, *, now: dt.datetime | None = None) -> StationForecast:
    """The stored forecast of ``station`` for the hours from the current one on (an hour already past is no longer
    a forecast)."""
    if station.kind != Kind.AIR:
        return StationForecast(station, None, [], False, _("Chỉ trạm quan trắc không khí có dự báo."))
    now = now or timezone.now()
    rows = list(AirForecast.objects.filter(station=station).order_by("hour_start"))
    if not rows:
        return StationForecast(station, None, [], False, need_days_reason())
    current = [r for r in rows if r.hour_start >= readings.floor_hour(now)]
    if not current:
        local = rows[0].issued_at.astimezone(readings.zone())
        return StationForecast(station, rows[0].issued_at, [], False,
                               _("Dự báo gần nhất (phát hành lúc %(time)s) đã hết hạn.")
                               % {"time": local.strftime("%H:%M %d/%m/%Y")})
    hours = []
    for r in current:
        band = aqi.band(r.aqi)
        hours.append(ForecastHour(r.hour_start, r.pm25, r.pm25_low, r.pm25_high, r.aqi,
                                  band.name if band else "", band.hex if band else NO_DATA))
    return StationForecast(station, rows[0].issued_at, hours, any(r.degraded for r in current), "")

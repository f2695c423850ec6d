"""Next-24-hour PM2.5 (and PM10) forecast per station, the VN_AQI derived from it, and an honest evaluation of the
forecast against persistence on held-out days.

Series follow ``aqi``'s layout: the **last axis is time in hours** (one leading axis of stations, or none for a
single station), hour-beginning, NaN or a negative value = missing, µg/m³. ``start`` is the local time of the first
column (Asia/Ho_Chi_Minh; an aware datetime is converted, a naive one is taken as local). Việt Nam keeps UTC+7 all
year, without daylight saving, so column ``i`` is exactly ``start + i`` hours. A forecast covers the 24 hours that
follow the last column of the history.

The model, in order:

1. **Log scale.** ``y = log(1 + c)``: PM concentrations are skewed and their variations multiplicative.
2. **Short gaps.** Inside the history, gaps of at most ``max_gap`` hours are interpolated linearly (on the log
   scale); a gap still open at the forecast origin is carried forward if it is that short. Longer gaps stay missing.
3. **Profile, per station**, from the training window (the last ``window_days`` days): the station's 24-hour
   shape, and a weekday × hour shape pooled over all stations (Sunday mornings have no rush hour), each cell mean
   shrunk towards zero by a few pseudo-observations so that a short window or a single station stays stable.
4. **Level: the trailing week.** Lags are taken relative to the station's mean (profile removed) over the 7 days
   before the origin, and the forecast reverts towards that level, not towards the mean of the training window.
   The window mean looks stable in training only because, for most training rows, it contains their future; in
   operation the season moves on (autumn into winter, winter into the wet season) and a model reverting to it is
   biased: in the benchmark's synthetic year 14 % too low in October, 17 % too high in June; within 5 % now.
5. **Dynamics, pooled over stations, direct strategy.** For every horizon h = 1…24 its own ridge regression of the
   log value at origin + h − 1 (less profile and level) on the values at lags 1, 2, 3, 6, 12 and 24 h before the
   origin and their 24-hour mean (each less the level) and the hour of day, which for a fixed horizon fixes the
   target hour. Direct rather than recursive: each horizon is fitted on exactly the error it is judged by, errors
   do not compound through 24 steps of a model whose 24-hour mean feature would need forecasting too, and all 24
   fits share one Gram matrix, so they cost about one. Pooled rather than per station: the short-term dynamics
   are much the same everywhere, the level and the daily shape are not (steps 3 and 4 keep those per station), and
   a station with a short record still gets a well-estimated model. Training rows whose features are missing, or
   whose last ``max_gap`` hours have a gap (whose filling would have read the target), are skipped; a missing target
   skips only its horizon. Plain least squares with NumPy, deterministic.
6. **Back to µg/m³.** ``exp(ŷ) − 1`` of a forecast on the log scale is close to the conditional *median* (the right
   point forecast for MAE). The prediction interval comes from the quantiles of each horizon's training residuals
   (default 80 %); ``evaluate`` reports the coverage it actually reaches on held-out days.

At forecast time a lag still missing after step 2 takes the station's 24-hour mean, or else the level itself; a
level missing for lack of data in the week takes the training window's; either way the station is flagged
``degraded``. A station without ``MIN_STATION_HOURS`` of data in the training window gets NaN.

**AQI.** The forecast AQI is the hourly VN_AQI (Decision 1459/QĐ-TCMT, 2.2.1) that the station will publish,
computed by ``aqi.hourly_aqi`` from the PM2.5 (and PM10, when given) series made of the last observed hours and
the forecast hours, so the NowCast of the first forecast hours uses the observed ones (and, as the decision
requires 2 of the 3 latest hours, a station silent for the last hours has no AQI for the first forecast hour).
Only PM drives it: O3, NO2, SO2 and CO are not forecast, so where a gas dominates the published AQI the forecast
will be lower. PM2.5 dominates Hà Nội's AQI most hours of the year.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import ArrayLike

from smartcity.environment import aqi

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
HORIZON = 24
LAGS: tuple[int, ...] = (1, 2, 3, 6, 12, 24)  # hours before the origin; lag 1 is the latest observed hour
DAY_MEAN = 24  # hours of the trailing mean feature
LEVEL_HOURS = 7 * 24  # the trailing week that sets the level a forecast reverts to
CONTEXT = LEVEL_HOURS  # hours of history a forecast reads
MIN_HISTORY_DAYS = 14
MIN_STATION_HOURS = 7 * 24  # valid hours a station needs in the training window to be forecast
MIN_MEAN_FRACTION = 0.75  # a trailing mean needs 75 % of its hours, as aqi's 18-of-24 rule
LOG_OFFSET = 1.0  # µg/m³, so that a reading of 0 has a logarithm
SHRINK_HOURLY = 3.0  # pseudo-observations pulling each station's hour-of-day mean towards its overall mean
SHRINK_WEEKLY = 10.0  # the same for the pooled day-of-week × hour cells
METHODS: tuple[str, ...] = ("model", "persistence", "seasonal_persistence")
_BAND_HIGHS = np.array([b.high for b in aqi.BANDS], dtype=float)


# --- time --------------------------------------------------------------------------------------------------------

def _local(start: datetime) -> datetime:
    start = start.replace(tzinfo=LOCAL) if start.tzinfo is None else start.astimezone(LOCAL)
    if start.minute or start.second or start.microsecond:
        raise ValueError(f"start must be on the hour, got {start.isoformat()}")
    return start


def _calendar(start: datetime, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hour of day (0–23) and day of week (Monday 0) of the given columns of a series that starts at ``start``."""
    hours = np.asarray(columns) + start.hour
    return hours % 24, (start.weekday() + hours // 24) % 7


# --- input ---------------------------------------------------------------------------------------------------------

def _as_stations(values: ArrayLike, name: str) -> np.ndarray:
    x = aqi.clean(values)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2:
        raise ValueError(f"{name} must be stations × hours (or one station's hours), got shape {x.shape}")
    return x


def _inputs(pm25: ArrayLike, pm10: ArrayLike | None) -> tuple[dict[str, np.ndarray], tuple[int, ...]]:
    shape = np.shape(pm25)
    series = {"pm25": _as_stations(pm25, "pm25")}
    if pm10 is not None:
        if np.shape(pm10) != shape:
            raise ValueError(f"pm10 must have the shape of pm25 {shape}, got {np.shape(pm10)}")
        series["pm10"] = _as_stations(pm10, "pm10")
    return series, shape[:-1]


def _fill(y: np.ndarray, max_gap: int) -> np.ndarray:
    """Interpolate interior gaps of at most ``max_gap`` hours linearly, carry the last value over a trailing gap of
    at most ``max_gap`` hours; leave longer and leading gaps missing. Rows are stations, vectorised."""
    rows, hours = y.shape
    idx = np.arange(hours)
    valid = ~np.isnan(y)
    prev = np.maximum.accumulate(np.where(valid, idx, -1), axis=1)
    nxt = np.minimum.accumulate(np.where(valid, idx, hours)[:, ::-1], axis=1)[:, ::-1]
    r = np.arange(rows)[:, None]
    before = y[r, np.maximum(prev, 0)]
    after = y[r, np.minimum(nxt, hours - 1)]
    out = y.copy()
    interior = ~valid & (prev >= 0) & (nxt < hours) & (nxt - prev - 1 <= max_gap)
    with np.errstate(divide="ignore", invalid="ignore"):
        line = before + (after - before) * (idx - prev) / (nxt - prev)
    out[interior] = line[interior]
    trailing = ~valid & (prev >= 0) & (nxt == hours) & (idx - prev <= max_gap)
    out[trailing] = before[trailing]
    return out


# --- the model -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PollutantModel:
    """One pollutant's fitted model: each station's profile and the 24 direct regressions."""

    level: np.ndarray  # (stations,) mean of log(1 + c) in the window; NaN where the station has too little data
    hourly: np.ndarray  # (stations, 24) shrunk hour-of-day deviation from the level
    weekly: np.ndarray  # (7, 24) pooled, shrunk day-of-week × hour deviation
    coef: np.ndarray  # (24 horizons, features)
    residual_low: np.ndarray  # (24,) lower residual quantile per horizon (log scale)
    residual_high: np.ndarray  # (24,)
    training_rows: int

    def profile(self, hod: np.ndarray, dow: np.ndarray) -> np.ndarray:
        """Deviation of log(1 + c) from the station's level at hours with the given hour of day and day of week,
        (stations, hours); NaN for stations without a model."""
        return self.hourly[:, hod] + self.weekly[dow, hod][None, :]


def _trailing_mean(z: np.ndarray, origins: np.ndarray, hours: int) -> np.ndarray:
    """Mean of z over the ``hours`` columns before each origin, NaN with fewer than 75 % of them present."""
    present = ~np.isnan(z)
    zero = np.concatenate([np.zeros((z.shape[0], 1)), np.cumsum(np.where(present, z, 0.0), axis=1)], axis=1)
    count = np.concatenate([np.zeros((z.shape[0], 1)), np.cumsum(present, axis=1)], axis=1)
    total = zero[:, origins] - zero[:, origins - hours]
    n = count[:, origins] - count[:, origins - hours]
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / n
    mean[n < MIN_MEAN_FRACTION * hours] = np.nan
    return mean


def _features(d: np.ndarray, origins: np.ndarray, hod: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows for forecasts whose first hour is column ``origin`` of ``d`` (filled log values less the
    profile), one row per station and origin (station-major), ``hod`` being the hour of day of each origin; and the
    trailing week's level of each row, which the lags are taken relative to. A station's features are its own, so
    its forecast does not depend on which other stations are forecast with it. Built column by column in Fortran
    order, where each column is contiguous."""
    stations = d.shape[0]
    level = _trailing_mean(d, origins, LEVEL_HOURS)
    columns = [d[:, origins - k] - level for k in LAGS] + [_trailing_mean(d, origins, DAY_MEAN) - level]
    x = np.zeros((stations * len(origins), 1 + len(columns) + 23), order="F")
    x[:, 0] = 1.0
    for j, column in enumerate(columns, 1):
        x[:, j] = column.ravel()
    hours = np.tile(hod, stations)
    for h in range(1, 24):
        x[hours == h, len(columns) + h] = 1.0
    return x, level.ravel()


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence "Mean of empty slice" for all-missing slices: they are meant to give NaN."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _cell_means(values: np.ndarray, cells: np.ndarray, n_cells: int, shrink: float) -> np.ndarray:
    """Mean of each row of ``values`` (rows × hours) in each cell (``cells`` gives each hour's cell), shrunk towards
    0 by ``shrink`` pseudo-observations; missing values are skipped. Returns rows × n_cells."""
    rows = values.shape[0]
    present = ~np.isnan(values)
    index = (np.arange(rows)[:, None] * n_cells + cells[None, :])[present]
    total = np.bincount(index, weights=values[present], minlength=rows * n_cells)
    count = np.bincount(index, minlength=rows * n_cells)
    return (total / (count + shrink)).reshape(rows, n_cells)


def _fit_pollutant(raw: np.ndarray, hod: np.ndarray, dow: np.ndarray, *, max_gap: int, ridge: float,
                   interval: float) -> PollutantModel:
    """Fit on a window (stations × hours of raw concentrations, NaN = missing)."""
    y_raw = np.log(raw + LOG_OFFSET)
    y = _fill(y_raw, max_gap)
    present = ~np.isnan(y)
    usable = present.sum(axis=1) >= MIN_STATION_HOURS
    if not usable.any():
        raise ValueError(f"no station has {MIN_STATION_HOURS} hours of data in the training window")
    with _quiet():
        level = np.where(usable, np.nanmean(y, axis=1), np.nan)
    hourly = _cell_means(y - level[:, None], hod, 24, SHRINK_HOURLY)
    rest = (y - level[:, None] - hourly[:, hod])[usable]
    weekly = _cell_means(rest.reshape(1, -1), np.tile(dow * 24 + hod, len(rest)), 168, SHRINK_WEEKLY).reshape(7, 24)
    profile = hourly[usable][:, hod] + weekly[dow, hod][None, :]
    d = y[usable] - profile
    target = y_raw[usable] - profile  # targets are observed values only, never interpolated ones

    hours = raw.shape[1]
    origins = np.arange(CONTEXT, hours)
    x, origin_level = _features(d, origins, hod[origins])  # (stations × origins, features)
    padded = np.concatenate([target, np.full((len(target), HORIZON - 1), np.nan)], axis=1)
    ys = np.empty((len(x), HORIZON), order="F")
    for h in range(HORIZON):
        ys[:, h] = padded[:, origins + h].ravel() - origin_level
    # Skip rows with a missing feature, and rows with a gap in the last ``max_gap`` hours before the origin: there
    # the interpolation would have read the hours after the origin (the targets), which a forecast cannot.
    missing_raw = np.concatenate([np.zeros((len(d), 1)), np.cumsum(np.isnan(y_raw[usable]), axis=1)], axis=1)
    recent_gap = (missing_raw[:, origins] - missing_raw[:, origins - max_gap]).ravel() > 0
    keep = ~np.isnan(x).any(axis=1) & ~recent_gap
    x, ys = x[keep], ys[keep]
    features = x.shape[1]
    if len(x) < 10 * features:
        raise ValueError(f"too little complete history to fit: {len(x)} training rows for {features} features "
                         f"(need {10 * features}); give more days, more stations or fewer gaps")

    # One Gram matrix for all horizons; each horizon removes the rows whose target is missing (few after step 2).
    gram = x.T @ x
    missing = np.isnan(ys)
    xty = x.T @ np.where(missing, 0.0, ys)
    penalty = np.eye(features)
    penalty[0, 0] = 0.0  # the intercept is not shrunk
    coef = np.empty((HORIZON, features))
    for h in range(HORIZON):
        gone = x[missing[:, h]]
        coef[h] = np.linalg.solve(gram - gone.T @ gone + ridge * (len(x) - len(gone)) * penalty, xty[:, h])
    # residual quantiles of each horizon, on an evenly spaced subsample of at most 50,000 rows (plenty for a 10 %
    # tail, and a tenth of the time of the full sort)
    step = max(1, len(x) // 50_000)
    residuals = ys[::step] - x[::step] @ coef.T
    tail = (1 - interval) / 2
    low, high = np.array([np.quantile(r[~np.isnan(r)], [tail, 1 - tail]) for r in residuals.T]).T
    return PollutantModel(level=level, hourly=hourly, weekly=weekly, coef=coef, residual_low=low,
                          residual_high=high, training_rows=len(x))


@dataclass(frozen=True)
class Forecast:
    """The next 24 hours after a history, per station; arrays are (stations, 24), or (24,) for one station."""

    start: datetime  # local time of the first forecast hour
    pm25: np.ndarray  # µg/m³, median forecast
    pm25_low: np.ndarray  # prediction interval of level ``interval``
    pm25_high: np.ndarray
    aqi: np.ndarray  # hourly VN_AQI (integral floats) from the PM forecast, see the module docstring
    degraded: np.ndarray  # (stations,) a lag or the week's level was missing at the origin (see the module doc)
    interval: float
    pm10: np.ndarray | None = None
    pm10_low: np.ndarray | None = None
    pm10_high: np.ndarray | None = None

    @property
    def times(self) -> list[datetime]:
        return [self.start + timedelta(hours=h) for h in range(HORIZON)]


@dataclass(frozen=True)
class ForecastModel:
    """A fitted model for a fixed set of stations (the rows of the series it was fitted on)."""

    stations: int
    models: dict[str, PollutantModel]
    fitted_until: datetime  # local time of the first hour after the training window
    window_days: int
    max_gap: int
    interval: float

    def predict(self, pm25: ArrayLike, *, start: datetime, pm10: ArrayLike | None = None) -> Forecast:
        """Forecast the 24 hours after the last column of the history (which may run past the training window;
        the model reads only its last 7 days and never refits)."""
        series, lead = _inputs(pm25, pm10)
        if set(series) != set(self.models):
            raise ValueError(f"the model was fitted on {', '.join(sorted(self.models))}; give the same series")
        start = _local(start)
        stations, hours = series["pm25"].shape
        if stations != self.stations:
            raise ValueError(f"the model was fitted on {self.stations} stations, got {stations}")
        if hours < CONTEXT:
            raise ValueError(f"a forecast reads the last {CONTEXT} hours of history, got {hours}")
        columns = np.arange(hours - CONTEXT, hours + HORIZON)
        hod, dow = _calendar(start, columns)
        out: dict[str, np.ndarray] = {}
        degraded = np.zeros(stations, dtype=bool)
        for name, model in self.models.items():
            raw = series[name][:, -CONTEXT:]
            y = _fill(np.log(raw + LOG_OFFSET), self.max_gap)
            profile = model.profile(hod, dow)
            x, level = _features(y - profile[:, :CONTEXT], np.array([CONTEXT]), hod[CONTEXT:CONTEXT + 1])
            degraded |= (np.isnan(x).any(axis=1) | np.isnan(level)) & ~np.isnan(model.level)
            # without the week's level, the training window's; a missing lag takes the 24-hour mean, and without
            # that the level itself
            level = np.where(np.isnan(level), model.level, level)
            day_mean = np.nan_to_num(x[:, 1 + len(LAGS)], nan=0.0)
            x = np.where(np.isnan(x), day_mean[:, None], x)
            mean = profile[:, CONTEXT:] + level[:, None] + x @ model.coef.T  # (stations, 24)
            out[name] = np.maximum(np.exp(mean) - LOG_OFFSET, 0.0)
            out[f"{name}_low"] = np.maximum(np.exp(mean + model.residual_low) - LOG_OFFSET, 0.0)
            out[f"{name}_high"] = np.maximum(np.exp(mean + model.residual_high) - LOG_OFFSET, 0.0)
        recent = aqi.NOWCAST_HOURS - 1
        joined = {p: np.concatenate([series[p][:, hours - recent:], out[p]], axis=1) for p in self.models}
        aqi_values = aqi.hourly_aqi(**joined).aqi[:, recent:]

        def shaped(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a.reshape(*lead, HORIZON)

        return Forecast(start=start + timedelta(hours=hours), pm25=shaped(out["pm25"]),
                        pm25_low=shaped(out["pm25_low"]), pm25_high=shaped(out["pm25_high"]),
                        aqi=shaped(aqi_values), degraded=degraded.reshape(lead), interval=self.interval,
                        pm10=shaped(out.get("pm10")), pm10_low=shaped(out.get("pm10_low")),
                        pm10_high=shaped(out.get("pm10_high")))


def fit(pm25: ArrayLike, *, start: datetime, pm10: ArrayLike | None = None, window_days: int = 60,
        max_gap: int = 3, ridge: float = 1e-3, interval: float = 0.8) -> ForecastModel:
    """Fit the model on the last ``window_days`` days of the history (all of it if shorter, at least
    ``MIN_HISTORY_DAYS`` days). ``ridge`` is the penalty per training row on the non-intercept coefficients."""
    series, _ = _inputs(pm25, pm10)
    start = _local(start)
    if not 0 < interval < 1:
        raise ValueError(f"interval must be between 0 and 1, got {interval}")
    if max_gap < 0 or ridge < 0 or window_days < MIN_HISTORY_DAYS:
        raise ValueError(f"need max_gap ≥ 0, ridge ≥ 0 and window_days ≥ {MIN_HISTORY_DAYS}")
    stations, hours = series["pm25"].shape
    if hours < 24 * MIN_HISTORY_DAYS:
        raise ValueError(f"the forecast needs at least {MIN_HISTORY_DAYS} days ({24 * MIN_HISTORY_DAYS} hours) of "
                         f"hourly history, got {hours} hours")
    first = max(0, hours - 24 * window_days)
    hod, dow = _calendar(start, np.arange(first, hours))
    models = {name: _fit_pollutant(x[:, first:], hod, dow, max_gap=max_gap, ridge=ridge, interval=interval)
              for name, x in series.items()}
    return ForecastModel(stations=stations, models=models, fitted_until=start + timedelta(hours=hours),
                         window_days=window_days, max_gap=max_gap, interval=interval)


def forecast(pm25: ArrayLike, *, start: datetime, pm10: ArrayLike | None = None, window_days: int = 60,
             max_gap: int = 3, ridge: float = 1e-3, interval: float = 0.8) -> Forecast:
    """Fit on the last ``window_days`` days and forecast the next 24 hours of every station."""
    model = fit(pm25, start=start, pm10=pm10, window_days=window_days, max_gap=max_gap, ridge=ridge,
                interval=interval)
    return model.predict(pm25, start=start, pm10=pm10)


# --- evaluation ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scores:
    """Errors of one method on one quantity: per horizon (index 0 = the first forecast hour) and over all. ``bias``
    is the mean error, forecast − observed."""

    mae: np.ndarray
    rmse: np.ndarray
    bias: np.ndarray
    mae_all: float
    rmse_all: float
    bias_all: float


@dataclass(frozen=True)
class Evaluation:
    """Model vs persistence on held-out days. Every method is scored on the same hours: those where the truth and
    all three forecasts exist (``hours_scored`` per horizon)."""

    stations: int
    train_days: int
    test_days: int
    test_start: datetime  # local time of the first held-out hour
    hours_scored: np.ndarray  # (24,)
    pm25: dict[str, Scores]  # by method: "model", "persistence", "seasonal_persistence"
    aqi: dict[str, Scores]
    band_hit: dict[str, np.ndarray]  # share of hours whose forecast AQI is in the observed AQI's band, per horizon
    band_hit_all: dict[str, float]
    coverage: np.ndarray  # share of held-out PM2.5 values inside the model's interval, per horizon
    coverage_all: float
    interval: float
    fit_seconds: float
    forecast_seconds: float
    pm10: dict[str, Scores] | None = None

    def ratio(self, quantity: str, metric: str, baseline: str) -> float:
        """Model error ÷ baseline error over all horizons, e.g. ``ratio("pm25", "mae", "persistence")``."""
        scores = getattr(self, quantity)
        return getattr(scores["model"], f"{metric}_all") / getattr(scores[baseline], f"{metric}_all")


def _band_index(values: np.ndarray) -> np.ndarray:
    """Index into ``aqi.BANDS`` of rounded AQI values, −1 for NaN (the vectorised ``aqi.band``)."""
    index = np.minimum(np.searchsorted(_BAND_HIGHS, values, side="left"), len(_BAND_HIGHS) - 1)
    return np.where(np.isnan(values), -1, index)


def _latest(block: np.ndarray) -> np.ndarray:
    """The last non-missing value of each row (NaN if none)."""
    present = ~np.isnan(block)
    last = block.shape[1] - 1 - np.argmax(present[:, ::-1], axis=1)
    return np.where(present.any(axis=1), block[np.arange(len(block)), last], np.nan)


def _scores(errors: np.ndarray) -> Scores:
    """Scores from errors (days, stations, 24) already masked to the scored hours (NaN elsewhere)."""
    with _quiet():
        mae = np.nanmean(np.abs(errors), axis=(0, 1))
        rmse = np.sqrt(np.nanmean(errors ** 2, axis=(0, 1)))
        return Scores(mae=mae, rmse=rmse, bias=np.nanmean(errors, axis=(0, 1)),
                      mae_all=float(np.nanmean(np.abs(errors))), rmse_all=float(np.sqrt(np.nanmean(errors ** 2))),
                      bias_all=float(np.nanmean(errors)))


def evaluate(pm25: ArrayLike, *, start: datetime, train_days: int = 60, test_days: int = 30,
             pm10: ArrayLike | None = None, max_gap: int = 3, ridge: float = 1e-3,
             interval: float = 0.8) -> Evaluation:
    """Hold out the last ``test_days`` whole local days, fit on the ``train_days`` days before them, and forecast
    each held-out day at 00:00 for its 24 hours from the history up to that midnight (the model's parameters never
    see a held-out day; its inputs are only hours before each origin, as in operation).

    Baselines: **persistence** — every hour of the day gets the last value observed before midnight (within the
    last 24 h); **seasonal persistence** — each hour gets the same hour of the day before. For the AQI the
    baselines persist the observed hourly AQI the same way. The truth AQI is ``aqi.hourly_aqi`` of the observed PM
    series (PM-driven, as the forecast is). A trailing part of a day after the last midnight is ignored.
    """
    series, _ = _inputs(pm25, pm10)
    start = _local(start)
    stations, hours = series["pm25"].shape
    if test_days < 1 or train_days < MIN_HISTORY_DAYS:
        raise ValueError(f"need test_days ≥ 1 and train_days ≥ {MIN_HISTORY_DAYS}")
    first_midnight = (24 - start.hour) % 24
    whole_days = (hours - first_midnight) // 24
    end = first_midnight + 24 * whole_days
    test_from = end - 24 * test_days
    if test_from < 24 * MIN_HISTORY_DAYS:
        raise ValueError(f"{hours} hours leave too little history before {test_days} held-out days: the model "
                         f"needs at least {MIN_HISTORY_DAYS} days before them")
    observed_aqi = aqi.hourly_aqi(**{p: x[:, :end] for p, x in series.items()}).aqi

    started = time.perf_counter()
    model = fit(series["pm25"][:, :test_from], start=start,
                pm10=series["pm10"][:, :test_from] if "pm10" in series else None,
                window_days=train_days, max_gap=max_gap, ridge=ridge, interval=interval)
    fitted = time.perf_counter()
    predicted: dict[str, list[np.ndarray]] = {k: [] for k in ("pm25", "pm25_low", "pm25_high", "aqi", "pm10")}
    for origin in range(test_from, end, 24):
        fc = model.predict(series["pm25"][:, :origin], start=start,
                           pm10=series["pm10"][:, :origin] if "pm10" in series else None)
        for key in predicted:
            value = getattr(fc, key)
            if value is not None:
                predicted[key].append(value.reshape(stations, HORIZON))
    forecast_seconds = time.perf_counter() - fitted

    def days(x: np.ndarray) -> np.ndarray:  # (stations, hours) → (days, stations, 24) over the held-out days
        return x[:, test_from:end].reshape(stations, test_days, HORIZON).transpose(1, 0, 2)

    def baselines(x: np.ndarray) -> dict[str, np.ndarray]:
        origins = range(test_from, end, 24)
        last = np.stack([_latest(x[:, o - 24:o]) for o in origins])  # (days, stations)
        return {"persistence": np.repeat(last[:, :, None], HORIZON, axis=2),
                "seasonal_persistence": np.stack([x[:, o - 24:o] for o in origins])}

    quantities = {"pm25": (days(series["pm25"]), np.stack(predicted["pm25"]), baselines(series["pm25"])),
                  "aqi": (days(observed_aqi), np.stack(predicted["aqi"]), baselines(observed_aqi))}
    if "pm10" in series:
        quantities["pm10"] = (days(series["pm10"]), np.stack(predicted["pm10"]), baselines(series["pm10"]))
    scored = np.ones((test_days, stations, HORIZON), dtype=bool)
    for truth, model_values, base in quantities.values():
        scored &= ~np.isnan(truth) & ~np.isnan(model_values)
        for values in base.values():
            scored &= ~np.isnan(values)

    results: dict[str, dict[str, Scores]] = {}
    band_hit: dict[str, np.ndarray] = {}
    band_hit_all: dict[str, float] = {}
    for quantity, (truth, model_values, base) in quantities.items():
        methods = {"model": model_values, **base}
        results[quantity] = {m: _scores(np.where(scored, v - truth, np.nan)) for m, v in methods.items()}
        if quantity == "aqi":
            truth_band = _band_index(truth)
            for m, v in methods.items():
                hit = (_band_index(v) == truth_band) & scored
                band_hit[m] = hit.sum(axis=(0, 1)) / scored.sum(axis=(0, 1))
                band_hit_all[m] = float(hit.sum() / scored.sum())
    truth = quantities["pm25"][0]
    low, high = np.stack(predicted["pm25_low"]), np.stack(predicted["pm25_high"])
    inside = (truth >= low) & (truth <= high) & scored
    return Evaluation(stations=stations, train_days=train_days, test_days=test_days,
                      test_start=start + timedelta(hours=test_from), hours_scored=scored.sum(axis=(0, 1)),
                      pm25=results["pm25"], aqi=results["aqi"], band_hit=band_hit, band_hit_all=band_hit_all,
                      coverage=inside.sum(axis=(0, 1)) / scored.sum(axis=(0, 1)),
                      coverage_all=float(inside.sum() / scored.sum()), interval=interval,
                      fit_seconds=fitted - started, forecast_seconds=forecast_seconds, pm10=results.get("pm10"))

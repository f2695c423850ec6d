"""Water level, flood warning levels, rainfall accumulations and flood depth — the arithmetic, no storage.

* Water level from a downward-looking (radar or ultrasonic) gauge: the elevation of the sensor's reference point
  minus the measured distance to the water surface. Elevations are in metres in the station's datum (gauge zero
  or the national height datum); the station record carries it.
* Flood warning levels: Decision 05/2020/QĐ-TTg sets, per hydrological station, the water levels of the three
  alarm levels (báo động I, II, III; III is the most dangerous) — e.g. Hà Nội station on the Red River (Long Biên):
  9.5, 10.5 and 11.5 m. Each station carries its own three thresholds (``FloodThresholds``).
* Rainfall: totals per fixed interval (from a logger, or from tipping-bucket tips counted per interval) summed over
  1, 3 and 24 hours. A gap is never read as zero rain: an interval without a report is missing, and an
  accumulation needs every interval of its window unless ``min_fraction`` says otherwise; the coverage is returned.
* Flood depth at a point: water-surface elevation minus ground elevation, never negative.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


def water_level(sensor_elevation_m: ArrayLike, distance_m: ArrayLike) -> np.ndarray:
    """Water-surface elevation = sensor reference elevation − measured distance down to the water."""
    return np.asarray(sensor_elevation_m, dtype=float) - np.asarray(distance_m, dtype=float)


@dataclass(frozen=True)
class FloodThresholds:
    """Water levels (m, station datum) at which alarm levels I, II and III begin."""

    level_i: float
    level_ii: float
    level_iii: float

    def __post_init__(self) -> None:
        if not self.level_i < self.level_ii < self.level_iii:
            raise ValueError("flood alarm levels must rise: I < II < III")

    def alert_level(self, level_m: ArrayLike) -> np.ndarray:
        """0 below level I, then 1, 2, 3 (reached when the water is at or above the threshold); -1 when missing."""
        x = np.asarray(level_m, dtype=float)
        grade = (x >= self.level_i).astype(np.int8) + (x >= self.level_ii) + (x >= self.level_iii)
        return np.where(np.isnan(x), np.int8(-1), grade).astype(np.int8)

    def margin_m(self, level_m: ArrayLike) -> np.ndarray:
        """Distance (m) to the next alarm level; NaN at level III and above or when missing."""
        x = np.asarray(level_m, dtype=float)
        nxt = np.where(x < self.level_i, self.level_i, np.where(x < self.level_ii, self.level_ii,
                                                                  np.where(x < self.level_iii, self.level_iii,
                                                                           np.nan)))
        return nxt - x


def tips_to_intervals(tip_times_s: ArrayLike, *, start_s: float, interval_s: float, n_intervals: int,
                      bucket_mm: float = 0.2, reported: ArrayLike | None = None) -> np.ndarray:
    """Rain (mm) per interval from tipping-bucket tip times (seconds, e.g. Unix time).

    A tipping bucket is silent both when it is dry and when it is dead, so ``reported`` (one bool per interval:
    the logger was alive, e.g. from its heartbeat) marks which intervals are known; the others are NaN.
    """
    edges = start_s + interval_s * np.arange(n_intervals + 1)
    counts, _ = np.histogram(np.asarray(tip_times_s, dtype=float), bins=edges)
    rain = counts * bucket_mm
    if reported is None:
        return rain.astype(float)
    alive = np.asarray(reported, dtype=bool)
    if alive.shape != (n_intervals,):
        raise ValueError(f"reported must have one flag per interval ({n_intervals})")
    return np.where(alive, rain, np.nan)


@dataclass(frozen=True)
class Accumulation:
    total_mm: np.ndarray  # NaN where coverage < min_fraction
    coverage: np.ndarray  # fraction of the window's intervals that reported


def accumulate(interval_mm: ArrayLike, *, window_intervals: int, min_fraction: float = 1.0) -> Accumulation:
    """Rain over the ``window_intervals`` intervals ending at each interval (last axis is time)."""
    x = np.asarray(interval_mm, dtype=float)
    n = x.shape[-1]
    present = ~np.isnan(x)
    zeros = np.zeros(x.shape[:-1] + (1,))
    csum = np.concatenate([zeros, np.cumsum(np.where(present, x, 0.0), axis=-1)], axis=-1)
    ccount = np.concatenate([zeros, np.cumsum(present, axis=-1)], axis=-1)
    end = np.arange(1, n + 1)
    begin = np.maximum(end - window_intervals, 0)
    total = csum[..., end] - csum[..., begin]
    coverage = (ccount[..., end] - ccount[..., begin]) / window_intervals  # before the series start = missing
    total = np.where(coverage >= min_fraction - 1e-12, np.round(total, 6), np.nan)
    return Accumulation(total_mm=total, coverage=coverage)


def rainfall_accumulations(interval_mm: ArrayLike, *, interval_minutes: int,
                           min_fraction: float = 1.0) -> dict[str, Accumulation]:
    """1-hour, 3-hour and 24-hour accumulations ending at each interval."""
    if 60 % interval_minutes:
        raise ValueError("the interval must divide an hour (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60 minutes)")
    per_hour = 60 // interval_minutes
    return {f"{h}h": accumulate(interval_mm, window_intervals=h * per_hour, min_fraction=min_fraction)
            for h in (1, 3, 24)}


def flood_depth(water_surface_m: ArrayLike, ground_elevation_m: ArrayLike) -> np.ndarray:
    """Depth of water (m) over the ground at a point: max(0, water surface − ground); NaN when either is missing."""
    depth = np.asarray(water_surface_m, dtype=float) - np.asarray(ground_elevation_m, dtype=float)
    return np.where(np.isnan(depth), np.nan, np.maximum(depth, 0.0))

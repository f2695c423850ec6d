"""Environmental noise: hourly LAeq from short LAeq samples, and exceedances of the national limits.

LAeq over a period is the energy average of equal-length LAeq samples: 10·log10(mean(10^(L/10))). Samples of 1 s
or 1 min are grouped into clock hours; an hour with too few samples (``min_fraction``, our choice: 3/4) has no
LAeq rather than one biased by the gap.

The limits (maximum LAeq, dBA, by area and band of the day) are reference data the city edits, not code: the
``NoiseLimit`` table, seeded with QCVN 26:2010/BTNMT, Table 1, and read by ``noise_limits``, which picks the
regulation in force at each reading's time. Here a regulation's limits for one area are a ``ZoneLimits`` (its bands),
and the comparison is pure arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

DAY_START_HOUR = 6
NIGHT_START_HOUR = 21


@dataclass(frozen=True)
class Band:
    """A band of the day (local clock hours ``start_hour`` to ``end_hour``, past midnight when ``end_hour`` is not
    after ``start_hour``) and its maximum LAeq."""

    start_hour: int
    end_hour: int
    limit_dba: float

    def covers(self, hour_of_day: ArrayLike) -> np.ndarray:
        h = np.asarray(hour_of_day)
        if self.end_hour > self.start_hour:
            return (h >= self.start_hour) & (h < self.end_hour)
        return (h >= self.start_hour) | (h < self.end_hour % 24)


@dataclass(frozen=True)
class ZoneLimits:
    """One regulation's limits for one area: what a reading is judged by, and what the page names."""

    legal_source: str
    zone: str
    zone_name: str
    bands: tuple[Band, ...]
    note: str = ""

    def limit_dba(self, hour_of_day: ArrayLike) -> np.ndarray:
        """The limit of each local clock hour (NaN for an hour no band covers)."""
        h = np.asarray(hour_of_day)
        out = np.full(h.shape, np.nan)
        for band in self.bands:
            out = np.where(band.covers(h), band.limit_dba, out)
        return out

    @property
    def day_dba(self) -> float:
        """The daytime limit: the band covering noon (the daily LAeq of 6–21 h is compared with it)."""
        return float(self.limit_dba(12))

    @property
    def night_dba(self) -> float:
        """The night-time limit: the band covering midnight."""
        return float(self.limit_dba(0))


def laeq(levels_db: ArrayLike, axis: int | None = None) -> np.ndarray:
    """Energy-average LAeq of equal-length LAeq samples (NaN samples ignored; NaN when none)."""
    x = np.asarray(levels_db, dtype=float)
    energy = np.where(np.isnan(x), 0.0, np.power(10.0, x / 10))
    count = np.sum(~np.isnan(x), axis=axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(count > 0, 10 * np.log10(np.sum(energy, axis=axis) / count), np.nan)


def hourly_laeq(levels_db: ArrayLike, *, samples_per_hour: int, min_fraction: float = 0.75) -> np.ndarray:
    """LAeq of each clock hour from samples on the last axis (3600 per hour for 1 s, 60 for 1 min samples),
    the first sample starting on the hour. NaN where fewer than ``min_fraction`` of the samples are present."""
    x = np.asarray(levels_db, dtype=float)
    if x.shape[-1] % samples_per_hour:
        raise ValueError(f"{x.shape[-1]} samples is not a whole number of hours of {samples_per_hour}")
    hours = x.reshape(x.shape[:-1] + (x.shape[-1] // samples_per_hour, samples_per_hour))
    enough = np.sum(~np.isnan(hours), axis=-1) >= min_fraction * samples_per_hour
    return np.where(enough, laeq(hours, axis=-1), np.nan)


def is_daytime(hour_of_day: ArrayLike) -> np.ndarray:
    """True for hours starting 6:00…20:00 (the 6–21 h period), False for 21:00…5:00."""
    h = np.asarray(hour_of_day)
    return (h >= DAY_START_HOUR) & (h < NIGHT_START_HOUR)


@dataclass(frozen=True)
class Exceedance:
    limit_dba: np.ndarray
    exceeds: np.ndarray  # True where LAeq > limit (False where there is no LAeq)
    excess_db: np.ndarray  # LAeq − limit where exceeded, 0 where not, NaN where there is no LAeq


def exceedances(hourly_laeq_db: ArrayLike, hour_of_day: ArrayLike, *, limits: ZoneLimits) -> Exceedance:
    """Compare hourly LAeq (local clock hours 0–23) with the limit of their band in one area's ``limits``."""
    level = np.asarray(hourly_laeq_db, dtype=float)
    limit = limits.limit_dba(hour_of_day)
    exceeds = level > limit  # NaN compares False
    excess = np.where(np.isnan(level), np.nan, np.where(exceeds, level - limit, 0.0))
    return Exceedance(limit_dba=np.broadcast_to(limit, level.shape), exceeds=exceeds, excess_db=excess)

"""Environmental noise: hourly LAeq from short LAeq samples, and exceedances of the national limits.

LAeq over a period is the energy average of equal-length LAeq samples: 10·log10(mean(10^(L/10))). Samples of 1 s
or 1 min are grouped into clock hours; an hour with too few samples (``min_fraction``, our choice: 3/4) has no
LAeq rather than one biased by the gap.

Limits (maximum LAeq, dBA) of QCVN 26:2010/BTNMT, Table 1, by area and period: special areas (inside the fences
of hospitals, libraries, nurseries, schools, churches, temples, pagodas and other specially designated areas)
55 dBA from 6:00 to 21:00 and 45 dBA from 21:00 to 6:00; ordinary areas (apartment blocks, houses, hotels, guest
houses, administrative offices) 70 and 55 dBA. Note: QCVN 26:2025/BNNMT (Circular 01/2025/TT-BNNMT of 15/05/2025,
in force from 14/11/2025) replaces QCVN 26:2010/BTNMT with limits for more finely drawn areas. Its table could not be
read from here (the public copies stop before it), so the 2010 limits are still applied and the station pages say so;
the 2025 table belongs in ``LIMITS``, chosen by the measurement's date, once someone enters it from the text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

DAY_START_HOUR = 6
NIGHT_START_HOUR = 21


@dataclass(frozen=True)
class NoiseLimit:
    day_dba: float
    night_dba: float


# QCVN 26:2010/BTNMT, Table 1.
LIMITS: dict[str, NoiseLimit] = {"special": NoiseLimit(55, 45), "normal": NoiseLimit(70, 55)}


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


def limit_dba(area: str, hour_of_day: ArrayLike) -> np.ndarray:
    if area not in LIMITS:
        raise ValueError(f"unknown area {area!r}; expected one of {', '.join(LIMITS)}")
    limit = LIMITS[area]
    return np.where(is_daytime(hour_of_day), limit.day_dba, limit.night_dba)


@dataclass(frozen=True)
class Exceedance:
    limit_dba: np.ndarray
    exceeds: np.ndarray  # True where LAeq > limit (False where there is no LAeq)
    excess_db: np.ndarray  # LAeq − limit where exceeded, 0 where not, NaN where there is no LAeq


def exceedances(hourly_laeq_db: ArrayLike, hour_of_day: ArrayLike, *, area: str) -> Exceedance:
    """Compare hourly LAeq (local clock hours 0–23) with the limit of their period in the given area."""
    level = np.asarray(hourly_laeq_db, dtype=float)
    limit = limit_dba(area, hour_of_day)
    exceeds = level > limit  # NaN compares False
    excess = np.where(np.isnan(level), np.nan, np.where(exceeds, level - limit, 0.0))
    return Exceedance(limit_dba=np.broadcast_to(limit, level.shape), exceeds=exceeds, excess_db=excess)

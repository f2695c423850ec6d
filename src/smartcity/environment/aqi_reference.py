"""VN_AQI (Decision 1459/QĐ-TCMT) reading by reading in plain Python: the reference for ``aqi``.

Not for production use: it exists to cross-check the vectorised ``aqi`` module in the tests (the two must agree
bit for bit, so the sums run in the same order) and as the baseline of ``bench/aqi.py``. It shares only the legal
tables (Table 2) with ``aqi``; every rule is written again here, one reading at a time.

A series is a sequence of hourly means (µg/m³), hour-beginning, the first one at 00:00 local time; ``None``, NaN
and negative values are missing readings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .aqi import BREAKPOINTS, GASES, INDEX_LEVELS, NOWCAST_HOURS, PM, POLLUTANTS, table_key

Reading = float | None


@dataclass(frozen=True)
class ReferenceAqi:
    aqi: int | None
    dominant: str | None
    sub_indices: dict[str, int | None]


def value(reading: float | None) -> float | None:
    if reading is None or not reading >= 0:  # NaN fails the comparison
        return None
    return float(reading)


def round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


def sub_index_reference(pollutant: str, concentration: float | None, *, averaging: str = "1h") -> float | None:
    """AQIx of one concentration, unrounded; ``None`` when missing (or 8-hour O3 above 400 µg/m³)."""
    key = table_key(pollutant, averaging)
    c = value(concentration)
    if c is None:
        return None
    bp = BREAKPOINTS[key]
    levels = INDEX_LEVELS[: len(bp)]
    top = float(bp[-1])
    if c > top and key == "o3_8h":
        return None
    if c >= top:
        return float(levels[-1])
    for i in range(len(bp) - 1):
        lo, hi = float(bp[i]), float(bp[i + 1])
        if lo <= c < hi:
            ilo, ihi = float(levels[i]), float(levels[i + 1])
            return (ihi - ilo) / (hi - lo) * (c - lo) + ilo
    raise AssertionError("unreachable: 0 ≤ c < top is always in a segment")


def nowcast_reference(window: Sequence[float | None], *, literal_half_weight: bool = True) -> float | None:
    """NowCast of one hour; ``window[0]`` is the current hour c1, ``window[11]`` is c12 (shorter = missing)."""
    values = [value(v) for v in list(window)[:NOWCAST_HOURS]]
    values += [None] * (NOWCAST_HOURS - len(values))
    if sum(v is not None for v in values[:3]) < 2:
        return None
    present = [v for v in values if v is not None]
    cmin, cmax = min(present), max(present)
    w_star = cmin / cmax if cmax > 0 else 1.0
    w = w_star if w_star > 0.5 else 0.5
    if w > 0.5 or not literal_half_weight:
        num = den = 0.0
        wk = 1.0
        for v in values:
            if v is not None:
                num += wk * v
                den += wk
            wk *= w
        return num / den
    total = 0.0
    hk = 0.5
    for v in values:
        if v is not None:
            total += hk * v
        hk *= 0.5
    return total


def combine_reference(sub_indices: Mapping[str, float | None]) -> ReferenceAqi:
    """The largest sub-index, rounded, if a PM sub-index exists; first pollutant of ``POLLUTANTS`` wins ties."""
    best: str | None = None
    for p in POLLUTANTS:
        s = sub_indices.get(p)
        if s is not None and (best is None or s > sub_indices[best]):
            best = p
    has_pm = any(sub_indices.get(p) is not None for p in PM)
    rounded = {p: (None if s is None else round_half_up(s)) for p, s in sub_indices.items()}
    if not has_pm or best is None:
        return ReferenceAqi(aqi=None, dominant=None, sub_indices=rounded)
    return ReferenceAqi(aqi=round_half_up(sub_indices[best]), dominant=best, sub_indices=rounded)


def hourly_aqi_reference(series: Mapping[str, Sequence[Reading]]) -> list[ReferenceAqi]:
    """Hourly AQI of one station: ``series`` maps pollutant names to equally long hourly series."""
    hours = len(next(iter(series.values())))
    out = []
    for t in range(hours):
        subs: dict[str, float | None] = {}
        for p in PM:
            if p in series:
                x = series[p]
                window = [x[t - k] if t - k >= 0 else None for k in range(NOWCAST_HOURS)]
                nc = nowcast_reference(window)
                subs[p] = None if nc is None else sub_index_reference(p, nc)
        for p in GASES:
            if p in series:
                subs[p] = sub_index_reference(p, series[p][t])
        out.append(combine_reference(subs))
    return out


def mean_8h_reference(series: Sequence[Reading], t: int, *, min_hours: int = 6) -> float | None:
    total, count = 0.0, 0
    for k in range(8):
        v = value(series[t - k]) if t - k >= 0 else None
        if v is not None:
            total += v
            count += 1
    return total / count if count >= min_hours else None


def daily_aqi_reference(series: Mapping[str, Sequence[Reading]], *, min_hours_24h: int = 18,
                        min_hours_8h: int = 6) -> list[ReferenceAqi]:
    """Daily AQI of one station, one entry per whole day of the hourly series."""
    hours = len(next(iter(series.values())))
    out = []
    for day in range(hours // 24):
        first = 24 * day
        subs: dict[str, float | None] = {}
        for p in PM:
            if p in series:
                total, count = 0.0, 0
                for t in range(first, first + 24):
                    v = value(series[p][t])
                    if v is not None:
                        total += v
                        count += 1
                subs[p] = sub_index_reference(p, total / count) if count >= min_hours_24h else None
        for p in GASES:
            if p not in series:
                continue
            highest: float | None = None
            for t in range(first, first + 24):
                v = value(series[p][t])
                if v is not None and (highest is None or v > highest):
                    highest = v
            if p != "o3":
                subs[p] = sub_index_reference(p, highest)
                continue
            highest_8h: float | None = None
            for t in range(first, first + 24):
                m = mean_8h_reference(series[p], t, min_hours=min_hours_8h)
                if m is not None and (highest_8h is None or m > highest_8h):
                    highest_8h = m
            one = sub_index_reference("o3", highest, averaging="1h")
            eight = sub_index_reference("o3", highest_8h, averaging="8h")
            candidates = [s for s in (one, eight) if s is not None]
            subs[p] = max(candidates) if candidates else None
        out.append(combine_reference(subs))
    return out

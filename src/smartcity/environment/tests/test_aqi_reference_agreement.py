"""The vectorised VN_AQI and the per-reading reference agree exactly, on random series with gaps.

Property-style: each seed draws stations × hours of all six pollutants across the whole of Table 2 (zeros, values
on breakpoints, values past the last one, negatives), with scattered missing hours and whole missing stretches.
"""

from __future__ import annotations

import numpy as np
import pytest

from smartcity.environment import aqi
from smartcity.environment.aqi_reference import (
    daily_aqi_reference,
    hourly_aqi_reference,
    nowcast_reference,
    sub_index_reference,
)

SCALE = {"pm25": 60.0, "pm10": 100.0, "o3": 120.0, "no2": 150.0, "so2": 200.0, "co": 9000.0}


def random_series(seed: int, stations: int = 3, days: int = 4) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    hours = 24 * days
    out = {}
    for p in aqi.POLLUTANTS:
        x = rng.lognormal(np.log(SCALE[p]), 1.1, (stations, hours))
        x = np.round(x, rng.integers(0, 3))
        picks = rng.random((stations, hours))
        key = aqi.table_key(p, "8h" if p == "o3" else "1h")
        x[picks < 0.04] = rng.choice(aqi.BREAKPOINTS[key], size=int((picks < 0.04).sum()))  # on a breakpoint
        x[(picks >= 0.04) & (picks < 0.06)] = 0.0
        x[(picks >= 0.06) & (picks < 0.07)] = -rng.random(int(((picks >= 0.06) & (picks < 0.07)).sum()))
        x[picks > 1 - rng.uniform(0.03, 0.3)] = np.nan
        for s in range(stations):  # an outage of up to a day
            start = rng.integers(0, hours)
            x[s, start: start + rng.integers(0, 25)] = np.nan
        if rng.random() < 0.3:  # steady readings: w* = 1, equal sub-indices
            x[0, : 24] = SCALE[p] / 2
        out[p] = x
    if seed % 3 == 0:  # a station with only PM10
        out["pm25"][-1] = np.nan
    return out


def as_lists(series: dict[str, np.ndarray], station: int, names=aqi.POLLUTANTS) -> dict[str, list]:
    return {p: [None if np.isnan(v) else float(v) for v in series[p][station]] for p in names}


def assert_same(result: aqi.AqiResult, reference: list, station: int) -> None:
    ref_aqi = np.array([np.nan if r.aqi is None else r.aqi for r in reference])
    assert np.array_equal(result.aqi[station], ref_aqi, equal_nan=True)
    ref_dominant = np.array([-1 if r.dominant is None else aqi.POLLUTANTS.index(r.dominant) for r in reference])
    assert np.array_equal(result.dominant[station], ref_dominant)
    for p, values in result.sub_indices.items():
        ref_sub = np.array([np.nan if r.sub_indices[p] is None else r.sub_indices[p] for r in reference])
        assert np.array_equal(values[station], ref_sub, equal_nan=True), p


@pytest.mark.parametrize("seed", range(12))
def test_hourly_aqi_agrees_with_the_reference_hour_by_hour(seed):
    series = random_series(seed)
    result = aqi.hourly_aqi(**series)
    for station in range(series["pm25"].shape[0]):
        assert_same(result, hourly_aqi_reference(as_lists(series, station)), station)


@pytest.mark.parametrize("seed", range(12))
def test_daily_aqi_agrees_with_the_reference_day_by_day(seed):
    series = random_series(seed)
    minimums = {"min_hours_24h": [18, 1, 24][seed % 3], "min_hours_8h": [6, 1, 8][seed % 3]}
    result = aqi.daily_aqi(**series, **minimums)
    for station in range(series["pm25"].shape[0]):
        assert_same(result, daily_aqi_reference(as_lists(series, station), **minimums), station)


def test_any_subset_of_pollutants_with_pm_agrees():
    series = random_series(99)
    names = ("pm10", "co", "o3")
    result = aqi.hourly_aqi(**{p: series[p] for p in names})
    daily = aqi.daily_aqi(**{p: series[p] for p in names})
    for station in range(3):
        assert_same(result, hourly_aqi_reference(as_lists(series, station, names)), station)
        assert_same(daily, daily_aqi_reference(as_lists(series, station, names)), station)


@pytest.mark.parametrize("literal", [True, False])
def test_nowcast_agrees_bit_for_bit_on_random_windows(literal):
    rng = np.random.default_rng(7)
    x = rng.lognormal(3, 1.2, (200, 40))
    x[rng.random(x.shape) < 0.2] = np.nan
    ours = aqi.nowcast(x, literal_half_weight=literal)
    for s in range(x.shape[0]):
        for t in range(x.shape[1]):
            window = [None if t - k < 0 or np.isnan(x[s, t - k]) else x[s, t - k] for k in range(12)]
            ref = nowcast_reference(window, literal_half_weight=literal)
            assert (np.isnan(ours[s, t]) and ref is None) or ours[s, t] == ref


def test_sub_indices_agree_bit_for_bit_across_every_table():
    rng = np.random.default_rng(3)
    for key in aqi.BREAKPOINTS:
        pollutant, averaging = (key.split("_") if key.startswith("o3") else (key, "1h"))
        top = aqi.BREAKPOINTS[key][-1]
        c = np.concatenate([rng.uniform(-1, top * 1.2, 2000), np.asarray(aqi.BREAKPOINTS[key], float)])
        ours = aqi.sub_index(pollutant, c, averaging=averaging)
        for value, got in zip(c, ours, strict=True):
            ref = sub_index_reference(pollutant, float(value), averaging=averaging)
            assert (np.isnan(got) and ref is None) or got == ref, (key, value)

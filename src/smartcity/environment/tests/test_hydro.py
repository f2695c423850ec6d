"""Water level, flood alarm levels, rainfall accumulations with gaps, flood depth."""

from __future__ import annotations

import numpy as np
import pytest

from smartcity.environment import hydro

# Decision 05/2020/QĐ-TTg: Hà Nội station (Red River, Long Biên), alarm levels I, II, III.
HANOI = hydro.FloodThresholds(9.5, 10.5, 11.5)


def test_water_level_is_the_sensor_elevation_minus_the_distance_to_the_water():
    assert np.allclose(hydro.water_level(14.0, [5.2, 3.4, np.nan]), [8.8, 10.6, np.nan], equal_nan=True)


def test_alarm_levels_of_the_hanoi_station():
    levels = [8.0, 9.5, 10.49, 10.5, 11.6, np.nan]
    assert list(HANOI.alert_level(levels)) == [0, 1, 1, 2, 3, -1]
    assert np.allclose(HANOI.margin_m([9.0, 10.0, 12.0]), [0.5, 0.5, np.nan], equal_nan=True)


def test_alarm_levels_must_rise():
    with pytest.raises(ValueError, match="rise"):
        hydro.FloodThresholds(10.0, 9.5, 11.0)


def test_tipping_bucket_tips_become_interval_totals_and_a_dead_logger_is_a_gap_not_dry_weather():
    tips = [10, 20, 650, 3000]  # seconds after start; 0.2 mm each
    rain = hydro.tips_to_intervals(tips, start_s=0, interval_s=600, n_intervals=6, bucket_mm=0.2)
    assert np.allclose(rain, [0.4, 0.2, 0.0, 0.0, 0.0, 0.2])
    alive = [True, True, True, False, True, True]
    rain = hydro.tips_to_intervals(tips, start_s=0, interval_s=600, n_intervals=6, reported=alive)
    assert np.isnan(rain[3]) and rain[2] == 0.0


def test_accumulations_over_1_3_and_24_hours_from_10_minute_totals():
    ten_minutes = np.full(6 * 24, 0.5)
    acc = hydro.rainfall_accumulations(ten_minutes, interval_minutes=10)
    assert acc["1h"].total_mm[5] == pytest.approx(3.0) and np.isnan(acc["1h"].total_mm[4])
    assert acc["3h"].total_mm[17] == pytest.approx(9.0)
    assert acc["24h"].total_mm[-1] == pytest.approx(72.0) and acc["24h"].coverage[-1] == 1.0


def test_a_gap_makes_the_accumulation_unknown_unless_partial_coverage_is_accepted():
    hourly = np.array([2.0, np.nan, 3.0, 1.0])
    strict = hydro.accumulate(hourly, window_intervals=3)
    assert np.isnan(strict.total_mm[2]) and np.isnan(strict.total_mm[3])
    assert strict.coverage[3] == pytest.approx(2 / 3)
    lenient = hydro.accumulate(hourly, window_intervals=3, min_fraction=0.6)
    assert lenient.total_mm[3] == pytest.approx(4.0)  # a lower bound, with its coverage alongside


def test_rainfall_for_many_stations_at_once():
    rain = np.array([[1.0] * 48, [0.0] * 48])
    acc = hydro.rainfall_accumulations(rain, interval_minutes=60)
    assert np.array_equal(acc["24h"].total_mm[:, -1], [24.0, 0.0])


def test_interval_must_divide_an_hour():
    with pytest.raises(ValueError):
        hydro.rainfall_accumulations([1.0], interval_minutes=7)


def test_flood_depth_is_never_negative():
    assert np.allclose(hydro.flood_depth([6.3, 5.0, np.nan], [5.8, 5.5, 5.0]), [0.5, 0.0, np.nan], equal_nan=True)

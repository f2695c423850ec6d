"""Hourly LAeq and the QCVN 26:2010/BTNMT limits."""

from __future__ import annotations

import numpy as np
import pytest

from smartcity.environment import noise


def test_laeq_is_an_energy_average_not_an_arithmetic_one():
    assert float(noise.laeq([60.0, 60.0])) == pytest.approx(60.0)
    assert float(noise.laeq([70.0, 50.0])) == pytest.approx(10 * np.log10((1e7 + 1e5) / 2))  # 67.03, not 60
    assert float(noise.laeq([80.0] + [40.0] * 99)) == pytest.approx(60.04, abs=0.01)  # one loud minute dominates


def test_missing_samples_are_ignored_and_no_sample_gives_no_level():
    assert float(noise.laeq([65.0, np.nan])) == pytest.approx(65.0)
    assert np.isnan(noise.laeq([np.nan, np.nan]))


def test_hourly_laeq_from_one_minute_samples_of_two_stations():
    minutes = np.full((2, 120), 55.0)
    minutes[1, 60:] = 75.0
    assert np.allclose(noise.hourly_laeq(minutes, samples_per_hour=60), [[55, 55], [55, 75]])


def test_an_hour_with_too_few_samples_has_no_laeq():
    seconds = np.full(3600, 62.0)
    seconds[:1000] = np.nan  # 72 % present
    assert np.isnan(noise.hourly_laeq(seconds, samples_per_hour=3600)[0])
    assert float(noise.hourly_laeq(seconds, samples_per_hour=3600, min_fraction=0.5)[0]) == pytest.approx(62.0)
    with pytest.raises(ValueError, match="whole number of hours"):
        noise.hourly_laeq(seconds[:100], samples_per_hour=3600)


def test_the_day_runs_from_6_to_21_and_the_night_from_21_to_6():
    hours = np.arange(24)
    assert list(hours[noise.is_daytime(hours)]) == list(range(6, 21))


@pytest.mark.parametrize(("area", "hour", "limit"), [
    ("special", 6, 55), ("special", 20, 55), ("special", 21, 45), ("special", 5, 45),
    ("normal", 12, 70), ("normal", 23, 55),
])
def test_limits_of_qcvn_26_2010(area, hour, limit):
    assert float(noise.limit_dba(area, hour)) == limit


def test_exceedances_flag_hours_above_the_limit_of_their_period():
    levels = np.array([50.0, 60.0, np.nan, 72.0])
    hours = np.array([22, 22, 10, 10])
    result = noise.exceedances(levels, hours, area="normal")
    assert list(result.exceeds) == [False, True, False, True]
    assert np.array_equal(result.excess_db, [0.0, 5.0, np.nan, 2.0], equal_nan=True)
    with pytest.raises(ValueError, match="unknown area"):
        noise.exceedances(levels, hours, area="industrial")

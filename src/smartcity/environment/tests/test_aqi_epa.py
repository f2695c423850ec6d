"""US EPA AQI (May 2024 breakpoints) and the PM NowCast as AirNow computes them.

The cases follow EPA's published rules (2024 Table 6 breakpoints, "2 of the 3 latest hours", truncation of the
NowCast and of concentrations, rounding of the AQI); the numbers are worked by hand from those rules, and the
NowCast pulse is the example of a single 71 µg/m³ hour among zeros given in the NowCast literature.
"""

from __future__ import annotations

import numpy as np
import pytest

from smartcity.environment.aqi_epa import epa_aqi, epa_nowcast, epa_nowcast_aqi, epa_sub_index, ppb_from_ugm3

NAN = np.nan


@pytest.mark.parametrize(("pm25", "expected"), [
    (0.0, 0), (9.0, 50), (9.1, 51), (35.4, 100), (35.5, 101), (55.4, 150), (55.5, 151), (125.4, 200),
    (125.5, 201), (225.4, 300), (225.5, 301), (325.4, 500), (400.0, 500),
])
def test_the_2024_pm25_breakpoints(pm25, expected):
    assert np.floor(epa_sub_index("pm25", pm25) + 0.5) == expected


def test_concentrations_are_truncated_before_the_equation():
    assert float(epa_sub_index("pm25", 9.09)) == 50  # 9.09 → 9.0, not 9.1 (51)
    assert float(epa_sub_index("pm25", 0.3)) == pytest.approx(50 / 9 * 0.3)  # 0.3 stays 0.3
    assert float(epa_sub_index("pm10", 54.9)) == 50
    assert float(epa_sub_index("o3", 0.0549, averaging="8h")) == 50


def test_a_mid_band_value_rounds_to_the_nearest_integer():
    # PM2.5 35.9: (150 − 101) / (55.4 − 35.5) × (35.9 − 35.5) + 101 = 101.98 → 102
    result = epa_aqi({"pm25": epa_sub_index("pm25", 35.9)})
    assert float(result.aqi) == 102


def test_ozone_and_so2_hand_over_to_the_other_averaging_period_outside_their_tables():
    assert np.isnan(epa_sub_index("o3", 0.201, averaging="8h"))
    assert float(epa_sub_index("o3", 0.125, averaging="1h")) == 101
    assert np.isnan(epa_sub_index("o3", 0.1, averaging="1h"))  # the 1-hour table starts at AQI 101
    assert np.isnan(epa_sub_index("so2", 305, averaging="1h"))
    assert float(epa_sub_index("so2", 305, averaging="24h")) == 201
    with pytest.raises(ValueError):
        epa_sub_index("o3", 0.05)


def test_the_nowcast_of_a_single_71_microgram_pulse_is_35_5_and_aqi_101():
    hourly = [0.0] * 11 + [71.0]  # the pulse is the latest hour
    assert float(epa_nowcast(hourly)[-1]) == 35.5  # 71 / Σ 0.5^k = 35.508…, truncated
    assert float(epa_nowcast_aqi(pm25=hourly).aqi[-1]) == 101
    after = [0.0] * 10 + [71.0, 0.0]
    assert float(epa_nowcast(after)[-1]) == 17.7  # one hour later: 35.5 / 2 truncated


def test_the_nowcast_needs_two_of_the_three_latest_hours():
    hourly = [20.0] * 10 + [NAN, NAN]
    assert np.isnan(epa_nowcast(hourly)[-1])
    assert float(epa_nowcast([20.0] * 9 + [NAN, 20.0, 20.0])[-1]) == 20.0


def test_steady_air_gives_the_12_hour_mean_and_pm10_is_truncated_to_whole_micrograms():
    assert float(epa_nowcast([12.34] * 12)[-1]) == 12.3
    assert float(epa_nowcast([80.9] * 12, "pm10")[-1]) == 80.0


def test_epa_needs_no_particular_pollutant():
    assert float(epa_aqi({"o3": epa_sub_index("o3", 0.06, averaging="8h")}).aqi) == 67  # 49/0.015 × 0.005 + 51


def test_micrograms_convert_to_ppb_at_25_degrees():
    assert float(ppb_from_ugm3("no2", 100.0)) == pytest.approx(53.14, abs=0.01)
    assert float(ppb_from_ugm3("o3", 196.3)) == pytest.approx(100.0, abs=0.05)

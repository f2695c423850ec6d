"""VN_AQI against Decision 1459/QĐ-TCMT: its worked examples (section 2.3 and the 8-hour example of 2.2.2.a) and
the rules they do not exercise, built by hand from the decision's formulas."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest

from smartcity.environment import aqi

NAN = np.nan


def half_up(x: float, places: str = "0.1") -> Decimal:
    return Decimal(repr(float(x))).quantize(Decimal(places), rounding=ROUND_HALF_UP)


# --- the decision's worked examples ---------------------------------------------------------------------------

def test_the_decisions_nowcast_example_gives_20_3():
    # 2.3.a: PM2.5 from 09:00 to 20:00; c1 is 20:00. The decision rounds w to 0.61; we keep 16.5/26.9.
    hourly = [26.9, 24.7, 20.5, 23.5, 19.5, 16.5, 19.0, 16.5, 20.3, 22.4, 19.6, 20.6]
    assert half_up(aqi.nowcast(hourly)[-1]) == Decimal("20.3")


def test_the_decisions_hourly_example_except_its_no2_rounding_slip():
    # 2.3.b: O3 136.1, NO2 118.7, NowCast PM2.5 20.3 → the decision prints 43, 60, 41 and AQI^h = 60. But
    # 50/100 × (118.7 − 100) + 50 = 59.35, which rounds to 59; no single rounding rule gives 60 here and 65 in the
    # daily example below (59.35 → 60 would need ceiling, 65.4 → 65 forbids it), so 60 is a slip in the text.
    subs = {"o3": aqi.sub_index("o3", 136.1), "no2": aqi.sub_index("no2", 118.7),
            "pm25": aqi.sub_index("pm25", 20.3)}
    assert float(subs["no2"]) == pytest.approx(59.35)
    result = aqi.aqi_from_sub_indices(subs)
    assert {p: float(v) for p, v in result.sub_indices.items()} == {"o3": 43, "no2": 59, "pm25": 41}
    assert float(result.aqi) == 59 and result.dominant_names() == "no2"


def test_the_decisions_daily_example_gives_110_from_pm25():
    # 2.3.c: O3 8-h max 89.3, O3 1-h max 114.6, NO2 1-h max 130.8, PM2.5 24-h 55.7 → 45, 36, 65, 110; AQI^d 110.
    stats = {"o3_8h_max": 89.3, "o3_1h_max": 114.6, "no2_1h_max": 130.8, "pm25_24h": 55.7}
    assert round(float(aqi.sub_index("o3", 89.3, averaging="8h"))) == 45
    assert round(float(aqi.sub_index("o3", 114.6, averaging="1h"))) == 36
    result = aqi.daily_aqi_from_statistics(stats)
    assert {p: float(v) for p, v in result.sub_indices.items()} == {"pm25": 110, "o3": 45, "no2": 65}
    assert float(result.aqi) == 110 and result.dominant_names() == "pm25"


O3_EXAMPLE = [15.7, 14.2, 17.7, 18.9, 19.3, 15.7, 19.7,  # 18:00 … 00:00 of the day before (hour-ending labels)
              22.6, 27.1, 29.0, 31.9, 25.3, 34.7, 35.2, 41.6, 45.7, 49.2, 55.8, 69.6, 78.3, 91.5, 97.7, 81.2, 71.8,
              43.5, 34.3, 21.5, 20.5, 19.4, 20.4, 21.3]  # 1:00 … 0:00 of the day
O3_EXAMPLE_8H = ["18.0", "19.4", "21.2", "23.0", "23.8", "25.8", "28.2", "30.9", "33.8", "36.6", "39.9", "44.7",
                 "51.3", "58.4", "66.2", "71.1", "74.4", "73.7", "71.0", "65.0", "57.8", "48.7", "39.1", "31.6"]


def test_the_decisions_8_hour_ozone_example_except_one_printed_value():
    # 2.2.2.a: the 24 8-hour means of a day reach back 7 hours into the day before; their maximum is 74.4.
    # The value printed for 12:00, 44.7, is the one that does not follow: (25.3 + 34.7 + 35.2 + 41.6 + 45.7 +
    # 49.2 + 55.8 + 69.6) / 8 = 44.6375.
    # The printed values are rounded to 0.1, ties either way (21.25 is printed 21.2, 25.75 is printed 25.8).
    hours = np.full(48, NAN)
    hours[17:] = O3_EXAMPLE  # day 0 hours 17…23 are the decision's 18:00…00:00; day 1 is the example day
    means = aqi.rolling_mean_8h(hours)[24:]
    off = [i for i, (m, p) in enumerate(zip(means, O3_EXAMPLE_8H, strict=True)) if abs(m - float(p)) > 0.05 + 1e-9]
    assert off == [11] and means[11] == pytest.approx(44.6375)
    assert half_up(aqi.daily_statistics(pm25=np.full(48, 10.0), o3=hours)["o3_8h_max"][1]) == Decimal("74.4")


# --- Table 2, the rounding and the bands -----------------------------------------------------------------------

@pytest.mark.parametrize(("pollutant", "averaging", "concentration", "expected"), [
    ("pm25", "1h", 25, 50), ("pm25", "1h", 50, 100), ("pm25", "1h", 80, 150), ("pm25", "1h", 150, 200),
    ("pm25", "1h", 250, 300), ("pm25", "1h", 350, 400), ("pm25", "1h", 500, 500), ("pm25", "1h", 900, 500),
    ("pm10", "1h", 420, 300), ("pm10", "1h", 600, 500), ("co", "1h", 10_000, 50), ("co", "1h", 150_000, 500),
    ("so2", "1h", 2630, 500), ("so2", "1h", 1600, 300), ("no2", "1h", 3850, 500), ("no2", "1h", 700, 150),
    ("o3", "1h", 160, 50), ("o3", "1h", 1200, 500), ("o3", "8h", 100, 50), ("o3", "8h", 400, 300),
    ("pm25", "1h", 0, 0),
])
def test_the_breakpoints_of_table_2_map_to_their_levels(pollutant, averaging, concentration, expected):
    assert float(aqi.sub_index(pollutant, concentration, averaging=averaging)) == expected


def test_8_hour_ozone_above_400_is_not_used_and_the_1_hour_ozone_decides():
    assert np.isnan(aqi.sub_index("o3", 400.1, averaging="8h"))
    result = aqi.daily_aqi_from_statistics({"pm25_24h": 10.0, "o3_1h_max": 500.0, "o3_8h_max": 450.0})
    # 1-h: (300 − 200) / (800 − 400) × (500 − 400) + 200 = 225
    assert float(result.sub_indices["o3"]) == 225 and float(result.aqi) == 225


def test_the_larger_of_the_two_ozone_sub_indices_is_the_days_ozone():
    result = aqi.daily_aqi_from_statistics({"pm10_24h": 20.0, "o3_1h_max": 150.0, "o3_8h_max": 115.0})
    assert float(result.sub_indices["o3"]) == 88  # 8-h: 50/20 × 15 + 50 = 87.5 → 88 (1-h gives 46.9)


def test_rounding_is_half_up():
    assert list(aqi.round_half_up([109.5, 59.35, 0.5, 44.49])) == [110, 59, 1, 44]


def test_missing_and_negative_readings_have_no_sub_index():
    assert np.isnan(aqi.sub_index("pm25", [NAN, -1.0])).all()


def test_unknown_pollutants_and_averagings_are_refused():
    with pytest.raises(ValueError):
        aqi.sub_index("pm1", 3.0)
    with pytest.raises(ValueError):
        aqi.sub_index("o3", 3.0, averaging="24h")


@pytest.mark.parametrize(("value", "name", "rgb"), [
    (0, "Tốt", (0, 228, 0)), (50, "Tốt", (0, 228, 0)), (51, "Trung bình", (255, 255, 0)),
    (101, "Kém", (255, 126, 0)), (200, "Xấu", (255, 0, 0)), (201, "Rất xấu", (143, 63, 151)),
    (301, "Nguy hại", (126, 0, 35)), (500, "Nguy hại", (126, 0, 35)),
])
def test_the_six_bands_have_the_decisions_names_and_colours(value, name, rgb):
    b = aqi.band(value)
    assert (b.name, b.rgb) == (name, rgb)


def test_each_band_carries_the_advice_of_table_5_for_both_groups():
    kem = aqi.band(120)
    assert kem.advice_general.startswith("Những người thấy có triệu chứng đau mắt")
    assert kem.advice_sensitive.endswith("có thể cần sử dụng thuốc thường xuyên hơn.")
    assert aqi.band(250).advice_sensitive == "Nên ở trong nhà và giảm hoạt động mạnh."
    assert aqi.band(400).advice_general == aqi.band(400).advice_sensitive
    assert aqi.band(150).hex == "#FF7E00" and aqi.band(float("nan")) is None


# --- NowCast rules ---------------------------------------------------------------------------------------------

def test_nowcast_needs_two_of_the_three_latest_hours():
    base = [30.0] * 12
    missing_c1 = base[:11] + [NAN]
    assert aqi.nowcast(missing_c1)[-1] == pytest.approx(30.0)  # c2, c3 present
    missing_c1_c2 = base[:10] + [NAN, NAN]
    assert np.isnan(aqi.nowcast(missing_c1_c2)[-1])
    missing_c2_c3 = base[:9] + [NAN, NAN, 30.0]
    assert np.isnan(aqi.nowcast(missing_c2_c3)[-1])


def test_nowcast_with_w_one_half_is_the_decisions_unnormalised_sum():
    # c1 = 100, c2 = 10, nothing else: w* = 0.1 → w = 1/2 → (1/2)·100 + (1/2)²·10 = 52.5 (EPA would say 70).
    series = [NAN] * 10 + [10.0, 100.0]
    assert aqi.nowcast(series)[-1] == pytest.approx(52.5)
    assert aqi.nowcast(series, literal_half_weight=False)[-1] == pytest.approx(70.0)


def test_nowcast_of_steady_air_is_the_12_hour_mean_and_all_zeros_give_zero():
    assert aqi.nowcast([40.0] * 12)[-1] == pytest.approx(40.0)
    assert aqi.nowcast([0.0] * 12)[-1] == 0.0


def test_nowcast_is_computed_for_every_hour_of_many_stations_at_once():
    series = np.array([[20.0] * 24, [60.0] * 24])
    out = aqi.nowcast(series)
    assert out.shape == (2, 24) and np.isnan(out[:, 0]).all()  # the first hour has 1 of the 3 latest hours
    assert np.allclose(out[:, 1:], series[:, 1:])


# --- combining, PM requirement, daily completeness -------------------------------------------------------------

def test_hourly_aqi_needs_a_pm_series():
    with pytest.raises(ValueError, match="PM2.5 or PM10"):
        aqi.hourly_aqi(o3=[100.0] * 24)


def test_an_hour_without_pm_has_no_aqi_even_with_ozone():
    pm25 = [30.0] * 10 + [NAN, NAN]
    result = aqi.hourly_aqi(pm25=pm25, o3=[100.0] * 12)
    assert np.isnan(result.aqi[-1]) and result.dominant[-1] == -1
    assert float(result.sub_indices["o3"][-1]) == 31  # still reported: 50/160 × 100 = 31.25
    assert float(result.aqi[1]) == 60 and result.dominant_names()[1] == "pm25"  # 50/25 × (30 − 25) + 50


def test_a_day_with_fewer_than_18_hours_of_pm_has_no_24_hour_mean_unless_asked():
    pm25 = np.full(24, 40.0)
    pm25[:7] = NAN
    assert np.isnan(aqi.daily_aqi(pm25=pm25).aqi[0])
    assert float(aqi.daily_aqi(pm25=pm25, min_hours_24h=1).aqi[0]) == 80  # 2 × (40 − 25) + 50


def test_daily_values_need_whole_days():
    with pytest.raises(ValueError, match="whole days"):
        aqi.daily_aqi(pm25=[10.0] * 30)


def test_the_daily_maximum_of_no2_so2_and_co_is_used():
    no2 = np.full(24, 50.0)
    no2[17] = 300.0
    result = aqi.daily_aqi(pm25=np.full(24, 10.0), no2=no2)
    assert float(result.sub_indices["no2"][0]) == 110  # 50/500 × (300 − 200) + 100
    assert result.dominant_names()[0] == "no2"


def test_ties_go_to_the_first_pollutant_in_order():
    result = aqi.aqi_from_sub_indices({"o3": 70.0, "pm10": 70.0, "pm25": 20.0})
    assert result.dominant_names() == "pm10"

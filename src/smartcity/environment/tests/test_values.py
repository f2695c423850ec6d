"""Current values and history computed from sensing's readings agree with the pure index modules."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from smartcity.environment import aqi, services
from smartcity.environment.parameters import parameter_of, unit_factor
from smartcity.sensing import services as sensing

from .conftest import HOURS, NOW, START, expected_means, make_thing


def expected_hourly_aqi() -> aqi.AqiResult:
    return aqi.hourly_aqi(**{p: expected_means(p) for p in ("pm25", "pm10", "o3", "no2")})


def test_observed_property_names_and_definitions_map_to_parameters():
    assert parameter_of("PM2.5") == parameter_of("pm2_5") == parameter_of("PM 2.5") == "pm25"
    assert parameter_of("Bụi", "https://example.vn/def/PM2.5") == "pm25"
    assert parameter_of("x", "http://dd.eionet.europa.eu/vocabulary/aq/pollutant/8") == "no2"
    assert parameter_of("Mực nước") == "water_level"
    assert parameter_of("water_level_distance") == "water_level_distance"
    assert parameter_of("Lượng mưa") == parameter_of("rainfall") == "rainfall"
    assert parameter_of("LAeq") == "laeq"
    assert parameter_of("Tiếng ồn LAeq", "urn:smartcity:def:observed-property:noise-laeq-5min") == "laeq"  # simulate
    assert parameter_of("Wind speed") is None
    assert parameter_of("Nhiệt độ nước") is None  # a whole name or nothing: its "độ" is not DO
    assert unit_factor("co", {"symbol": "mg/m3"}) == 1000
    assert unit_factor("water_level_distance", {"symbol": "cm"}) == 0.01


def test_the_current_aqi_is_the_hourly_vn_aqi_of_the_last_complete_hour(air):
    status = services.current_status(air, now=NOW)
    expected = expected_hourly_aqi()
    last = HOURS - 1  # 04:00–05:00 UTC, the last complete hour
    assert status.value == expected.aqi[last] == 169
    assert status.time == START + HOURS * services.HOUR  # end of that hour, 05:00 UTC
    assert status.level_label == "Xấu" and status.colour == "#FF0000"
    assert status.dominant == expected.dominant_names()[last] == "pm25"
    by_code = {r.code: r for r in status.readings}
    assert by_code["pm25"].value == pytest.approx(expected_means("pm25")[last])
    for p in ("pm25", "pm10", "o3", "no2"):
        assert by_code[p].sub_index == expected.sub_indices[p][last]
    assert [r.code for r in status.readings if r.dominant] == ["pm25"]
    # The AQI of every one of the last 24 hours, as aqi.py gives it, is the series the warnings read.
    series = [v for _, v in status.series["aqi"]]
    assert series == list(expected.aqi[HOURS - 24: HOURS])


def test_the_roll_up_and_the_raw_readings_give_the_same_aqi(air, settings):
    before = services.current_status(air, now=NOW)
    sensing.rollup(START, NOW)
    settings.ENVIRONMENT_RAW_HOURS = 1
    after = services.current_status(air, now=NOW)
    assert after.value == before.value
    assert [r.value for r in after.readings] == pytest.approx([r.value for r in before.readings])
    assert after.series["aqi"] == before.series["aqi"]


def test_hourly_history_matches_aqi_py_hour_by_hour(air):
    span = services.parse_range(start="2026-03-01T12:00:00+07:00", end="2026-03-02T12:00:00+07:00",
                                resolution="hour", now=NOW)
    table = services.history(air, span)
    expected = expected_hourly_aqi()
    first = int((span.start - START) / services.HOUR)
    assert len(table.times) == 24
    assert list(table.columns["aqi"]) == list(expected.aqi[first:first + 24])
    assert list(table.columns["aqi_pm25"]) == list(expected.sub_indices["pm25"][first:first + 24])


def test_daily_history_is_the_daily_vn_aqi_of_local_days(air):
    span = services.parse_range(start="2026-03-01", end="2026-03-02", resolution="day", now=NOW)
    table = services.history(air, span)
    assert table.times == [dt.datetime(2026, 2, 28, 17, tzinfo=dt.UTC)]
    # The local day 1 March is UTC 28 Feb 17:00 – 1 Mar 17:00; the day before gives the 8-hour O3 its start.
    offset = int((dt.datetime(2026, 2, 27, 17, tzinfo=dt.UTC) - START) / services.HOUR)  # negative: before START
    series = {p: np.concatenate([np.full(-offset, np.nan), expected_means(p)[:48 + offset]])
              for p in ("pm25", "pm10", "o3", "no2")}
    expected = aqi.daily_aqi(**series)
    assert table.columns["aqi"][0] == expected.aqi[-1]
    assert table.columns["dominant"][0] == expected.dominant_names()[-1]
    assert table.columns["pm25"][0] == pytest.approx(np.mean([expected_means("pm25")[k] for k in range(12, 36)]))


def test_water_level_is_reference_minus_distance_with_the_stations_alarm_level(river):
    station, _ = river
    status = services.current_status(station, now=NOW)
    assert status.value == pytest.approx(10.8)  # 15 − 4.2, the latest reading
    assert status.level == 2 and status.level_label == "Báo động II"
    assert status.extra["margin_m"] == pytest.approx(0.7)
    assert status.time == NOW
    hourly = services.history(station, services.parse_range(start=None, end=None, resolution="hour", now=NOW))
    assert hourly.times[0] == dt.datetime(2026, 3, 1, 6, tzinfo=dt.UTC)  # the 24 hours up to NOW's hour
    assert hourly.value("water_level", 21) == pytest.approx(10.2)  # 03:00–04:00 UTC
    assert hourly.value("flood_level", 21) == 1
    assert hourly.value("water_level", 22) == pytest.approx(10.8)
    assert hourly.value("flood_level", 22) == 2
    assert hourly.value("water_level", 0) is None


def test_rain_totals_over_one_three_and_twenty_four_hours(rain):
    status = services.current_status(rain, now=NOW)
    assert status.extra == {"rain_1h": 12.0, "rain_3h": 60.0, "rain_24h": 84.0}
    assert status.value == 84.0 and status.level_label == "Mưa to"


def test_rain_with_a_silent_hour_has_no_total_rather_than_a_dry_one(db):
    thing, streams = make_thing("Trạm mưa thiếu số liệu", (105.80, 21.00), {"r": ("rainfall", "mm")})
    from .conftest import feed

    feed(streams["r"], [(NOW - dt.timedelta(hours=h), 1.0) for h in range(1, 30) if h != 5])
    station = services.register_station(thing_id=thing.pk, kind="rain")
    status = services.current_status(station, now=NOW)
    assert status.extra["rain_1h"] == 1.0 and status.extra["rain_3h"] == 3.0
    assert status.extra["rain_24h"] is None and status.value is None


def test_noise_is_the_energy_average_of_the_hour_against_the_zone_limit(noisy):
    normal = services.register_station(thing_id=noisy.pk, kind="noise")
    status = services.current_status(normal, now=NOW)
    assert status.value == pytest.approx(67.4)  # 10·log10((10^6 + 10^7) / 2), not the arithmetic 65
    assert status.extra["limit_dba"] == 70 and status.level == 0
    normal.noise_zone = "special"
    normal.save()
    strict = services.current_status(normal, now=NOW)
    assert strict.level == 1 and strict.level_label.startswith("Vượt")
    assert strict.series["noise_excess"][-1][1] == pytest.approx(67.404 - 55, abs=1e-3)

"""The next-24-hour air forecast end to end: issued from sensing's hourly roll-up by ``refresh_forecasts`` (and the
hourly job), stored, shown on the station page and served by the API.

The station "Trạm Cầu Giấy" reports one PM2.5 and one PM10 reading on each hour for the 20 days before NOW's hour,
a daily cycle that repeats exactly (``cycle``); "Trạm Tây Hồ" has only 10 days of the same cycle.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from smartcity.environment import aqi, services
from smartcity.environment.models import AirForecast
from smartcity.sensing import services as sensing

from .conftest import HOAN_KIEM, NOW, feed, make_thing

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)
END = NOW.replace(minute=0)  # 05:00 UTC = 12:00 in Hà Nội: the first forecast hour


def cycle(moment: dt.datetime) -> float:
    """PM2.5 (µg/m³) at a UTC hour: 35 at night, a peak of 75 at 08:00 and at 20:00 Hà Nội time."""
    local_hour = (moment.hour + 7) % 24
    return 35.0 + 40.0 * max(0.0, 1 - abs(local_hour - 8) / 4) + 40.0 * max(0.0, 1 - abs(local_hour - 20) / 4)


def make_air(name: str, days: int):
    thing, streams = make_thing(name, HOAN_KIEM, {"pm25": ("PM2.5", "µg/m3"), "pm10": ("PM10", "µg/m3")})
    hours = [END - k * HOUR for k in range(days * 24, 0, -1)]
    feed(streams["pm25"], [(t, cycle(t)) for t in hours])
    feed(streams["pm10"], [(t, 1.5 * cycle(t)) for t in hours])
    return services.register_station(thing_id=thing.pk, kind="air")


@pytest.fixture
def stations(db):
    long, short = make_air("Trạm Cầu Giấy", 20), make_air("Trạm Tây Hồ", 10)
    sensing.rollup(END - 21 * 24 * HOUR, END)
    return long, short


def test_a_station_with_20_days_gets_24_hours_and_one_with_10_days_gets_the_reason(stations):
    long, short = stations
    run = services.refresh_forecasts()
    assert run.start == END and run.issued_at == NOW
    assert run.forecast == [long.code]
    assert run.skipped == {short.code: "Chưa có dự báo: cần ít nhất 14 ngày số liệu PM2.5 theo giờ."}
    rows = list(AirForecast.objects.filter(station=long))
    assert [r.hour_start for r in rows] == [END + h * HOUR for h in range(24)]
    assert not AirForecast.objects.filter(station=short).exists()
    truth = np.array([cycle(END + h * HOUR) for h in range(24)])
    pm25 = np.array([r.pm25 for r in rows])
    np.testing.assert_allclose(pm25, truth, rtol=0.02)  # an exact cycle is forecast to within 2 %
    assert all(r.pm25_low <= r.pm25 <= r.pm25_high for r in rows)
    assert not any(r.degraded for r in rows)


def test_the_forecast_aqi_is_the_nowcast_of_the_observed_and_forecast_pm(stations):
    long, _short = stations
    services.refresh_forecasts()
    rows = list(AirForecast.objects.filter(station=long))
    observed = [cycle(END - k * HOUR) for k in range(11, 0, -1)]
    pm25 = np.array([*observed, *(r.pm25 for r in rows)])
    expected = aqi.hourly_aqi(pm25=pm25, pm10=1.5 * pm25).aqi[11:]
    assert [r.aqi for r in rows] == [int(v) for v in expected]

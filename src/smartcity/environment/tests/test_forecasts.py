"""The next-24-hour air forecast end to end: issued from sensing's hourly roll-up by ``refresh_forecasts`` (and the
hourly job), stored, shown on the station page and served by the API.

The station "Trạm Cầu Giấy" reports one PM2.5 and one PM10 reading on each hour for the 20 days before NOW's hour,
a daily cycle that repeats exactly (``cycle``); "Trạm Tây Hồ" has only 10 days of the same cycle.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.conf import settings

from smartcity.environment import aqi, services, tasks
from smartcity.environment.models import AirForecast
from smartcity.jobs import schedule
from smartcity.lib.svg.base import text_colour
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
    np.testing.assert_allclose(pm25, truth, rtol=0.01)  # an exact cycle is forecast to within 1 % (0.4 % now)
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


def test_the_job_is_idempotent_a_second_run_leaves_the_same_rows(stations):
    long, _short = stations
    AirForecast.objects.create(station=long, issued_at=NOW - 5 * HOUR, hour_start=END - 5 * HOUR, pm25=1.0,
                               pm25_low=0.5, pm25_high=2.0, aqi=4)  # yesterday's run: replaced, not kept
    first = tasks.refresh_forecasts.apply()
    assert first.successful() and first.result == {"forecast": 1, "skipped": 1}
    fields = ("station_id", "hour_start", "pm25", "pm25_low", "pm25_high", "aqi", "degraded")
    before = list(AirForecast.objects.values_list(*fields))
    second = tasks.refresh_forecasts.apply()
    assert second.result == {"forecast": 1, "skipped": 1}
    assert list(AirForecast.objects.values_list(*fields)) == before
    assert len(before) == 24 and before[0][1] == END


def test_the_job_is_in_the_schedule_hourly_a_few_minutes_past():
    periodic = schedule.by_name("environment.forecast")
    assert periodic.task == "smartcity.environment.tasks.refresh_forecasts"
    assert periodic.cron == "12 * * * *"


def test_a_forecast_whose_hours_are_past_is_not_shown(stations):
    long, _short = stations
    services.refresh_forecasts()
    later = services.station_forecast(long, now=NOW + 25 * HOUR)
    assert later.hours == [] and later.reason == "Dự báo gần nhất (phát hành lúc 12:30 02/03/2026) đã hết hạn."
    assert len(services.station_forecast(long, now=NOW + 3 * HOUR).hours) == 21  # from 15:00 on


def test_the_station_page_shows_the_forecast_chart_table_issue_time_and_caveat(client, stations):
    long, _short = stations
    services.refresh_forecasts()
    first = AirForecast.objects.filter(station=long).first()
    html = client.get(f"/moi-truong/tram/{long.code}/").content.decode()
    section = html[html.index('<h2 id="forecast">'):html.index('aria-labelledby="last-24h"')]
    assert "Dự báo 24 giờ tới" in section and "Phát hành lúc 12:30 02/03/2026" in section
    assert section.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 1
    assert "VN_AQI dự báo — 24 giờ tới" in section
    band = aqi.band(first.aqi)
    pm25 = f"{first.pm25:.1f}".replace(".", ",")
    interval = f"{first.pm25_low:.1f}–{first.pm25_high:.1f}".replace(".", ",")
    assert (f'<tr><th scope="row">12:00 02/03</th><td>{first.aqi}</td><td><span class="badge" '
            f'style="background:{band.hex};color:{text_colour(band.hex)}">{band.name}</span></td><td>{pm25}</td><td>{interval}</td></tr>') in section
    assert section.count('<tr><th scope="row">') == 24
    assert f'fill="{band.hex}"' in section  # the bar in its band's colour
    assert "O3, NO2, SO2 và CO không được dự báo" in section


def test_a_station_with_too_little_data_says_why(client, stations):
    _long, short = stations
    services.refresh_forecasts()
    html = client.get(f"/moi-truong/tram/{short.code}/").content.decode()
    assert ('<p id="forecast-reason">Chưa có dự báo: cần ít nhất 14 ngày số liệu PM2.5 theo giờ.</p>') in html
    assert 'id="forecast-table"' not in html


def test_the_forecast_speaks_english_in_english_mode(client, stations):
    long, short = stations
    services.refresh_forecasts()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/moi-truong/tram/{long.code}/").content.decode()
    assert "Next 24 hours forecast" in html and "Issued at 12:30 02/03/2026" in html
    assert "O3, NO2, SO2 and CO are not forecast" in html
    html = client.get(f"/moi-truong/tram/{short.code}/").content.decode()
    assert "No forecast yet: it needs at least 14 days of hourly PM2.5 data." in html


def test_other_kinds_of_station_have_no_forecast_section(client, river):
    station, _stream = river
    html = client.get(f"/moi-truong/tram/{station.code}/").content.decode()
    assert 'id="forecast"' not in html


def test_the_api_serves_the_forecast(client, stations):
    long, short = stations
    services.refresh_forecasts()
    body = client.get(f"/api/v1/environment/stations/{long.code}/forecast").json()
    first = AirForecast.objects.filter(station=long).first()
    assert body["station"] == long.code and body["reason"] == "" and body["interval"] == 0.8
    assert body["issued_at"] == "2026-03-02T05:30:00Z" and body["degraded"] is False
    assert len(body["hours"]) == 24
    assert body["hours"][0] == {"time": "2026-03-02T05:00:00Z", "aqi": first.aqi,
                                "level_label": aqi.band(first.aqi).name, "colour": aqi.band(first.aqi).hex,
                                "pm25": round(first.pm25, 1), "pm25_low": round(first.pm25_low, 1),
                                "pm25_high": round(first.pm25_high, 1)}
    assert "O3, NO2, SO2 và CO" in body["caveat"]
    none = client.get(f"/api/v1/environment/stations/{short.code}/forecast")
    assert none.status_code == 200
    assert none.json()["hours"] == [] and none.json()["issued_at"] is None
    assert none.json()["reason"] == "Chưa có dự báo: cần ít nhất 14 ngày số liệu PM2.5 theo giờ."


def test_the_api_answers_404_for_an_unknown_station(client, db):
    response = client.get("/api/v1/environment/stations/khong-co/forecast")
    assert response.status_code == 404

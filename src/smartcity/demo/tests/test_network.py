"""The demo's monitoring network: what the simulated Things say of themselves reaches the public stations."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import time_machine
from django.core.cache import cache

from smartcity.demo import network
from smartcity.environment import noise, noise_limits
from smartcity.environment import simulation as simulate
from smartcity.environment.models import Station

pytestmark = pytest.mark.django_db


def test_the_demo_stations_carry_their_address_and_their_own_flood_levels(db):
    """What the simulated Things say of themselves reaches the public stations: the Red River gauge alarms at the
    levels of Decision 05/2020/QĐ-TTg, the Tô Lịch gauges at the demo's own (lower) levels, every station has its
    street address."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 5, 30, tzinfo=dt.UTC), tick=False):
        network.load_network(lambda line: None, days=3)
    gauges = {s.thing.properties["stationCode"]: s for s in Station.objects.filter(kind="water_level")}
    levels = {code: (s.flood_level_i, s.flood_level_ii, s.flood_level_iii) for code, s in gauges.items()}
    assert levels["HN-WL-RED"] == (9.5, 10.5, 11.5)
    assert levels["HN-WL-TL-CG"] == levels["HN-WL-TL-TLD"] == simulate.TO_LICH_LEVELS
    assert Station.objects.get(thing__properties__stationCode="HN-NS-BM").address == \
        "78 Giải Phóng (khu vực đặc biệt), Đống Đa"
    assert not Station.objects.filter(address="").exists()


def test_the_demo_noise_monitors_are_noise_stations_showing_their_hourly_laeq_against_the_limits(client, db):
    """The simulated network's two sound level meters (a busy junction, a hospital) become noise stations — the
    hospital's held to the special area's limits — and the noise tab and station pages show their hourly LAeq: the
    energy mean of the simulator's own 5-minute values over the last complete hour."""
    now = dt.datetime(2026, 3, 2, 5, 30, tzinfo=dt.UTC)  # 12:30 in Hà Nội: the day limits apply
    cache.clear()
    with time_machine.travel(now, tick=False):
        network.load_network(lambda line: None, days=3)
        stations = {s.thing.properties["stationCode"]: s for s in Station.objects.filter(kind="noise")}
        assert sorted(stations) == ["HN-NS-BM", "HN-NS-NTS"]
        assert stations["HN-NS-BM"].noise_zone == "special" and stations["HN-NS-NTS"].noise_zone == "normal"

        hour = np.arange((now - dt.timedelta(minutes=90)).timestamp(), (now - dt.timedelta(minutes=30)).timestamp(),
                         300.0)  # 11:00–12:00 in Hà Nội
        weather = simulate.Weather(2026, simulate.default_storm(now.replace(minute=0)).timestamp())
        sites = {s.code: s for s in simulate.SITES}
        expected = {code: round(float(noise.laeq(np.round(simulate.series(sites[code], "noise", hour, weather), 1))),
                                1) for code in stations}
        # The hospital's level is over the special area's 55 dBA, though it would be within an ordinary area's 70.
        assert expected["HN-NS-BM"] == 59.6

        page = client.get("/moi-truong/?loai=noise").content.decode()
        assert 'aria-current="page">Tiếng ồn (2)</a>' in page
        for code, station in stations.items():
            limits = noise_limits.zone_limits(station.noise_zone)  # the regulation in force now (the table's)
            verdict = "Vượt" if expected[code] > limits.day_dba else "Trong"
            assert f'href="/moi-truong/tram/{station.code}/"' in page
            assert f"{station.name} ({station.unit.name}): LAeq giờ {expected[code]:.0f} dBA — {verdict} giới hạn" \
                in page

            detail = client.get(f"/moi-truong/tram/{station.code}/").content.decode()
            assert f'<span class="headline">{expected[code]:.2f}</span> dBA'.replace(".", ",") in detail
            assert f"{verdict} giới hạn tiếng ồn" in detail
            assert "LAeq (dBA) — 24 giờ qua" in detail and "Giới hạn ban ngày" in detail
            assert f"Giới hạn theo QCVN 26:2010/BTNMT: {limits.zone_name}" in detail
            assert "QCVN 26:2025/BNNMT thay thế QCVN 26:2010/BTNMT từ ngày 14/11/2025" in detail  # said, not hidden
    cache.clear()


def test_the_demo_network_has_the_history_the_air_quality_forecast_needs(db):
    """15 days of readings by default: every air station gets its next-24-hour forecast when the demo loads."""
    from smartcity.environment.models import AirForecast

    assert network.DAYS >= 14
    with time_machine.travel(dt.datetime(2026, 3, 2, 5, 30, tzinfo=dt.UTC), tick=False):
        network.load_network(lambda line: None)
    air = Station.objects.filter(kind="air")
    assert air.exists()
    assert set(AirForecast.objects.values_list("station_id", flat=True)) == set(air.values_list("pk", flat=True))
    assert AirForecast.objects.filter(station=air.first()).count() == 24

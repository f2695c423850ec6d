"""Simulated Hà Nội sensors: the network made once, readings with the city's rhythm and a flood, delivered in-process,
over HTTP and over MQTT (through sensing's generic simulator)."""

from __future__ import annotations

import datetime as dt
import io
import os
import threading
import time
import uuid

import numpy as np
import pytest
from django.core.management import call_command

from smartcity.environment import simulation as simulate
from smartcity.sensing import mqtt
from smartcity.sensing import services as sensing
from smartcity.sensing.models import Datastream, DeadLetter, Location, Observation, ObservedProperty, Thing
from smartcity.sensing.simulate import Network, send
from smartcity.sensing.tests.conftest import utc

BROKER = os.environ.get("SMARTCITY_TEST_MQTT_URL") or os.environ.get("MQTT_URL") or ""
SITES = {s.code: s for s in simulate.SITES}
STORM = utc(2026, 3, 10, 7)  # 14:00 in Hà Nội


@pytest.fixture(autouse=True)
def _frozen_clock_and_clean_cache():
    """The real clock here, not the environment tests' frozen one: the readings of March 2026 must not be refused
    as coming from the future."""
    yield


def series(code: str, quantity: str, start: dt.datetime, end: dt.datetime, storm: dt.datetime | None = None):
    step = simulate.QUANTITIES[quantity].interval
    t = np.arange(start.timestamp(), end.timestamp(), step, dtype=float)
    weather = simulate.Weather(2026, storm.timestamp() if storm else None)
    return t, simulate.series(SITES[code], quantity, t, weather)


def local_hour(t: np.ndarray) -> np.ndarray:
    return ((t + 7 * 3600) % 86400) // 3600


def test_a_winter_month_has_traffic_peaks_a_cleaner_afternoon_and_midday_ozone():
    t, pm25 = series("HN-AQ-NVC", "pm25", utc(2026, 1, 1), utc(2026, 2, 1))
    by_hour = [pm25[local_hour(t) == h].mean() for h in range(24)]
    assert by_hour[8] > by_hour[14] * 1.3 and by_hour[19] > by_hour[14] * 1.3
    assert 50 < pm25.mean() < 110  # Hà Nội's winter: several times the WHO guideline
    t, o3 = series("HN-AQ-NVC", "o3", utc(2026, 7, 1), utc(2026, 8, 1))
    assert max(range(24), key=lambda h: o3[local_hour(t) == h].mean()) in (12, 13, 14)
    _, summer_pm = series("HN-AQ-NVC", "pm25", utc(2026, 7, 1), utc(2026, 8, 1))
    assert summer_pm.mean() < pm25.mean() / 2


def test_noise_is_loud_by_day_and_lower_at_night_and_at_the_hospital():
    t, junction = series("HN-NS-NTS", "noise", utc(2026, 3, 2), utc(2026, 3, 9))
    _, hospital = series("HN-NS-BM", "noise", utc(2026, 3, 2), utc(2026, 3, 9))
    day, night = (local_hour(t) >= 7) & (local_hour(t) < 21), (local_hour(t) >= 1) & (local_hour(t) < 4)
    assert junction[day].mean() - junction[night].mean() > 8
    assert 68 < junction[day].mean() < 80
    assert hospital.mean() < junction.mean() - 5


def test_the_storm_floods_the_to_lich_within_hours_and_lifts_the_red_river_above_alarm_level_i():
    _, rain = series("HN-RG-LANG", "rain", STORM - dt.timedelta(hours=12), STORM + dt.timedelta(hours=12), STORM)
    assert rain.sum() > 120 and np.allclose(rain / 0.2, np.round(rain / 0.2))  # 0.2 mm tips
    t, to_lich = series("HN-WL-TL-CG", "water_level", STORM - dt.timedelta(days=1), STORM + dt.timedelta(days=1),
                        STORM)
    assert to_lich[t < STORM.timestamp() - 6 * 3600].max() < simulate.TO_LICH_ALERT
    above = t[to_lich > simulate.TO_LICH_ALERT]
    assert len(above) and STORM.timestamp() - 3 * 3600 < above[0] < STORM.timestamp() + 6 * 3600
    t, red = series("HN-WL-RED", "water_level", STORM - dt.timedelta(days=2), STORM + dt.timedelta(days=5), STORM)
    alarm = simulate.RED_RIVER_ALARMS["I"]
    assert red[t < STORM.timestamp()].max() < alarm - 5  # the dry season
    peak = t[red.argmax()]
    assert red.max() > alarm and 24 * 3600 < peak - STORM.timestamp() < 48 * 3600
    _, calm = series("HN-WL-RED", "water_level", STORM - dt.timedelta(days=2), STORM + dt.timedelta(days=5))
    assert calm.max() < alarm - 5


def test_readings_are_the_same_whatever_the_windows_they_are_made_in():
    network = Network({(s.code, q): 100 * i + j for i, s in enumerate(simulate.SITES)
                       for j, q in enumerate(s.quantities)}, simulate.SITES, simulate.QUANTITIES)
    start, end = utc(2026, 3, 9, 22, 7), utc(2026, 3, 11, 1, 0)
    small = [r for c in simulate.readings(network, start=start, end=end, storm=STORM,
                                          window=dt.timedelta(hours=1)) for r in c]
    large = [r for c in simulate.readings(network, start=start, end=end, storm=STORM,
                                          window=dt.timedelta(days=2)) for r in c]
    assert small == large
    assert small[0]["t"] == "2026-03-09T22:10:00Z" and small[-1]["t"] == "2026-03-11T00:55:00Z"
    assert [r["t"] for r in small] == sorted(r["t"] for r in small)
    per_stream = {}
    for r in small:
        per_stream[r["datastream"]] = per_stream.get(r["datastream"], 0) + 1
    pm25 = network.streams["HN-AQ-HK", "pm25"]
    rain = network.streams["HN-RG-LANG", "rain"]
    assert (per_stream[pm25], per_stream[rain]) == (107, 322)  # every 15 and every 5 minutes


@pytest.mark.django_db
def test_the_network_is_made_once_with_its_places_ranges_and_alarm_levels():
    first = simulate.ensure_network()
    again = simulate.ensure_network()
    assert first.streams == again.streams
    assert Thing.objects.count() == len(simulate.SITES) == 19
    assert Datastream.objects.count() == len(first.streams) == 9 * 6 + 4 + 4 + 2
    assert ObservedProperty.objects.count() == len(simulate.QUANTITIES)
    hang_dau = Location.objects.get(things__properties__stationCode="HN-AQ-HD")
    assert hang_dau.location == {"type": "Point", "coordinates": [105.8467, 21.0427]}
    pm25 = ObservedProperty.objects.get(name="PM2.5")
    assert (pm25.plausible_min, pm25.plausible_max) == (0, 1500)
    red = Datastream.objects.get(pk=first.streams["HN-WL-RED", "water_level"])
    assert red.thing.properties["floodLevels"] == [9.5, 10.5, 11.5]
    assert red.properties["river"] == "Sông Hồng"
    hospital = Thing.objects.get(properties__stationCode="HN-NS-BM")
    assert hospital.properties["noiseZone"] == "special"
    assert hospital.properties["address"] == "78 Giải Phóng (khu vực đặc biệt), Đống Đa"
    assert red.reporting_interval == 600 and red.unit_of_measurement["symbol"] == "m"


@pytest.mark.django_db
def test_simulated_readings_go_in_through_the_ingest_and_a_second_time_store_nothing():
    start, end = utc(2026, 3, 10, 0), utc(2026, 3, 10, 6)
    sent = simulate.simulate_network(start=start, end=end, storm=STORM)
    assert sent.rows == 54 * 24 + 4 * 72 + 4 * 36 + 2 * 72
    assert (sent.accepted, sent.duplicates, sent.rejected) == (sent.rows, 0, 0)
    assert Observation.objects.count() == sent.rows and not DeadLetter.objects.exists()
    again = simulate.simulate_network(start=start, end=end, storm=STORM)
    assert (again.accepted, again.duplicates) == (0, sent.rows)


@pytest.mark.django_db
def test_the_command_makes_the_network_and_sends_a_range():
    out = io.StringIO()
    call_command("sensors", "simulate", "--since", "2026-03-10T07:00:00+07:00", "--until", "2026-03-10T08:00:00+07:00",
                 "--storm", "none", stdout=out)
    text = out.getvalue()
    assert "19 trạm, 64 chuỗi dữ liệu" in text
    assert "312 giá trị từ 10/03/2026 07:00 đến 10/03/2026 08:00 (giờ Hà Nội)" in text  # 54×4 + 4×12 + 4×6 + 2×12
    assert "312 mới, 0 trùng, 0 bị từ chối" in text
    assert Observation.objects.count() == 312


def test_readings_posted_to_the_batch_endpoint_with_an_ingest_key_are_stored(live_server):
    _, gateway_key = sensing.issue_ingest_key(name="Gateway thử nghiệm")
    network = simulate.ensure_network()
    chunks = simulate.readings(network, start=utc(2026, 3, 10, 0), end=utc(2026, 3, 10, 3), storm=STORM)
    sent = send(chunks, via="http", url=live_server.url, key=gateway_key, batch=500)
    assert sent.rows == 54 * 12 + 4 * 36 + 4 * 18 + 2 * 36
    assert (sent.accepted, sent.rejected) == (sent.rows, 0) and sent.requests > 1
    assert Observation.objects.count() == sent.rows


@pytest.mark.skipif(not BROKER, reason="needs an MQTT broker: set SMARTCITY_TEST_MQTT_URL=mqtt://127.0.0.1:1883")
def test_readings_published_over_mqtt_are_stored_by_the_consumer(transactional_db):
    network = simulate.ensure_network()
    tag = uuid.uuid4().hex[:10]
    prefix = f"t{tag}/smartcity"
    consumer = mqtt.Consumer(url=BROKER, client_id=f"smartcity-test-{tag}", prefix=prefix, sta_root=f"t{tag}/v1.1",
                             batch=2000, flush_ms=200, session_expiry=0)
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        assert consumer.subscribed.wait(5)
        station_of = {pk: code for (code, _), pk in network.streams.items()}
        chunks = simulate.readings(network, start=utc(2026, 3, 10, 0), end=utc(2026, 3, 10, 3), storm=STORM)
        sent = send(chunks, via="mqtt", url=BROKER, prefix=prefix, station_of=station_of)
        assert sent.requests == 19  # one gateway batch per station
        for _ in range(100):  # not the table: SQLite's shared in-memory test database locks it while written
            if consumer.stats.acked == 19:
                break
            time.sleep(0.05)
    finally:
        consumer.stop()
        thread.join(10)
    assert Observation.objects.count() == sent.rows == 936
    assert consumer.stats.acked == 19 and not DeadLetter.objects.exists()

"""The generic simulator: a network made once from a scenario's description, series from a ``Shape`` that are a pure
function of (seed, site, quantity, instant), sent in-process idempotently, and the `sensors simulate` command."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pytest
from django.core.management import call_command

from smartcity.sensing import simulate
from smartcity.sensing.models import Datastream, Location, Observation, ObservedProperty, Thing
from smartcity.sensing.tests.conftest import utc

TEMPERATURE = simulate.Quantity(
    "temperature", "Nhiệt độ không khí", "urn:test:temperature", "Nhiệt độ (trung bình 10 phút)",
    ("degree Celsius", "°C", "http://qudt.org/vocab/unit/DEG_C"), (-20, 60), (0, 45), 600, "thermometer", 1,
    shape=simulate.Shape(base=24, peaks=((14.0, 6.0, 3.0),), drift=1.0, noise=0.3))
SCENARIO = simulate.Scenario(
    name="test-weather", description="Hai trạm đo nhiệt độ", quantities={"temperature": TEMPERATURE},
    sensors={"thermometer": ("Nhiệt kế điện tử", "Cảm biến nhiệt điện trở")},
    sites=(simulate.Site("T-1", "Trạm nhiệt độ 1", "weather", 21.03, 105.85, "Hoàn Kiếm", "Phố Tràng Tiền",
                         "Đơn vị thử nghiệm", ("temperature",)),
           simulate.Site("T-2", "Trạm nhiệt độ 2", "weather", 21.00, 105.80, "Thanh Xuân", "Đường Nguyễn Trãi",
                         "Đơn vị thử nghiệm", ("temperature",), station={"zone": "park"})),
    city="Hà Nội")


def test_a_shape_gives_its_base_its_daily_peak_and_seeded_noise():
    t = np.arange(utc(2026, 3, 1).timestamp(), utc(2026, 3, 8).timestamp(), 600, dtype=float)
    values = TEMPERATURE.shape.values(7, "T-1", "temperature", t)
    hours = ((t + 7 * 3600) % 86400) // 3600
    by_hour = [values[hours == h].mean() for h in range(24)]
    assert max(range(24), key=lambda h: by_hour[h]) in (13, 14, 15)  # the peak at 14:00 local time
    assert by_hour[14] - by_hour[2] > 4 and 22 < values.mean() < 28
    assert np.array_equal(values, TEMPERATURE.shape.values(7, "T-1", "temperature", t))
    assert not np.array_equal(values, TEMPERATURE.shape.values(8, "T-1", "temperature", t))
    assert not np.array_equal(values, TEMPERATURE.shape.values(7, "T-2", "temperature", t))


def test_readings_are_the_same_whatever_the_windows_they_are_made_in():
    network = simulate.Network({("T-1", "temperature"): 1, ("T-2", "temperature"): 2}, SCENARIO.sites,
                               SCENARIO.quantities)
    series, note = SCENARIO.series(2026, {}, utc(2026, 3, 2))
    start, end = utc(2026, 3, 1, 0, 5), utc(2026, 3, 2)
    small = [r for c in simulate.readings(network, series=series, start=start, end=end, window=dt.timedelta(hours=1)) for r in c]
    large = [r for c in simulate.readings(network, series=series, start=start, end=end, window=dt.timedelta(hours=48))
             for r in c]
    assert small == large and note == ""
    assert small[0]["t"] == "2026-03-01T00:10:00Z" and len(small) == 2 * 143
    assert [r["t"] for r in small] == sorted(r["t"] for r in small)


@pytest.mark.django_db
def test_the_network_is_made_once_from_the_description():
    first = SCENARIO.network()
    assert first.streams == SCENARIO.network().streams
    assert Thing.objects.count() == 2 and Datastream.objects.count() == 2 == len(first.sites())
    park = Thing.objects.get(properties__stationCode="T-2")
    assert park.properties == {"stationCode": "T-2", "kind": "weather", "district": "Thanh Xuân",
                               "operator": "Đơn vị thử nghiệm", "address": "Đường Nguyễn Trãi, Thanh Xuân",
                               "simulated": True, "zone": "park"}
    assert Location.objects.get(things=park).description == "Đường Nguyễn Trãi, Thanh Xuân, Hà Nội"
    prop = ObservedProperty.objects.get()
    assert (prop.plausible_min, prop.plausible_max) == (-20, 60)
    stream = Datastream.objects.get(pk=first.streams["T-1", "temperature"])
    assert stream.reporting_interval == 600 and stream.unit_of_measurement["symbol"] == "°C"
    assert stream.properties["expectedRange"] == [0, 45]


@pytest.mark.django_db
def test_simulated_readings_go_in_through_the_ingest_and_a_second_time_store_nothing():
    series, _ = SCENARIO.series(2026, {}, utc(2026, 3, 2))
    start, end = utc(2026, 3, 1), utc(2026, 3, 1, 6)
    sent = simulate.simulate(SCENARIO, start=start, end=end, series=series)
    assert (sent.rows, sent.accepted, sent.duplicates, sent.rejected) == (72, 72, 0, 0)
    assert Observation.objects.count() == 72
    again = simulate.simulate(SCENARIO, start=start, end=end, series=series)
    assert (again.accepted, again.duplicates) == (0, 72)


@pytest.mark.django_db
def test_the_command_runs_a_registered_scenario(monkeypatch):
    monkeypatch.setitem(simulate._SCENARIOS, SCENARIO.name, SCENARIO)
    out = io.StringIO()
    call_command("sensors", "simulate", "--scenario", "test-weather", "--since", "2026-03-10T07:00:00+07:00",
                 "--until", "2026-03-10T08:00:00+07:00", stdout=out)
    text = out.getvalue()
    assert "2 trạm, 2 chuỗi dữ liệu" in text
    assert "12 giá trị từ 10/03/2026 07:00 đến 10/03/2026 08:00" in text and "12 mới, 0 trùng" in text


def test_sending_over_http_needs_a_url_and_a_key():
    with pytest.raises(ValueError, match="ingest key"):
        simulate.send([[{"datastream": 1, "t": "2026-03-10T00:00:00Z", "v": 1}]], via="http")

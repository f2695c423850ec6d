"""Fixtures of the environment tests: sensing Things made directly through the sensing models, readings fed through
``sensing.services.ingest``, the clock frozen at NOW (12:30 in Hà Nội on 2 March 2026) and a clean cache.

Stations (each a Thing with a Location and Datastreams named as sensing devices name them):

* ``air`` — "Trạm Hoàn Kiếm" by the lake: PM2.5, PM10, O3, NO2 (µg/m³), four readings an hour for 48 hours,
  whose hourly means are ``hourly_mean(pollutant, k)`` for the k-th hour from START;
* ``river`` — "Trạm thủy văn Long Biên": a radar gauge's distance to the water (m) under a reference point at 15 m;
* ``rain`` — a rain gauge sending 5-minute totals; ``noise`` — a sound level meter sending 1-minute LAeq.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pytest
import time_machine
from django.core.cache import cache

from smartcity.environment import services
from smartcity.sensing import services as sensing
from smartcity.sensing.models import Datastream, Location, ObservationType, ObservedProperty, Sensor, Thing

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)
NOW = dt.datetime(2026, 3, 2, 5, 30, tzinfo=UTC)  # 12:30 in Hà Nội
START = dt.datetime(2026, 2, 28, 5, 0, tzinfo=UTC)  # 48 hours of readings before NOW's hour
HOURS = 48
HOAN_KIEM = (105.8522, 21.0287)
LONG_BIEN = (105.8631, 21.0430)
HA_DONG = (105.7760, 20.9714)


@pytest.fixture(autouse=True)
def _frozen_clock_and_clean_cache(request):
    """For the tests that use the database (the pure index tests beside them keep the real clock)."""
    if "db" not in request.fixturenames:
        yield
        return
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    cache.clear()


def make_thing(name: str, where: tuple[float, float], streams: dict[str, tuple[str, str]],
               properties: dict | None = None, interval: int | None = None) -> tuple[Thing, dict[str, Datastream]]:
    """A Thing at ``where`` with one Datastream per ``key: (ObservedProperty name, unit symbol)``."""
    thing = Thing.objects.create(name=name, description="Trạm tự động", properties=properties or {})
    location = Location.objects.create(name=f"Vị trí {name}", encoding_type="application/geo+json",
                                       location={"type": "Point", "coordinates": list(where)})
    thing.locations.add(location)
    made = {}
    for key, (prop, symbol) in streams.items():
        sensor = Sensor.objects.create(name=f"Cảm biến {prop}", encoding_type="application/pdf", metadata="x")
        observed = ObservedProperty.objects.create(name=prop, definition=f"https://example.vn/def/{prop}")
        made[key] = Datastream.objects.create(
            name=f"{prop} {name}", unit_of_measurement={"name": symbol, "symbol": symbol, "definition": ""},
            observation_type=ObservationType.MEASUREMENT, thing=thing, sensor=sensor, observed_property=observed,
            reporting_interval=interval)
    return thing, made


def feed(datastream: Datastream, readings: Iterable[tuple[dt.datetime, float]], now: dt.datetime = NOW) -> None:
    rows = [{"datastream": datastream.pk, "t": t.isoformat(), "v": v} for t, v in readings]
    result = sensing.ingest(rows, now=now)
    assert result.rejected == 0, result.errors


def hourly_mean(pollutant: str, k: int) -> float:
    """The hourly mean of the k-th hour after START (µg/m³)."""
    base = 20 + (k % 24) * 4  # 20 … 112
    return {"pm25": base, "pm10": base * 1.5, "o3": 60 + (k % 12) * 5, "no2": 40.0}[pollutant]


def air_readings(pollutant: str, hours: int = HOURS, mean=hourly_mean) -> list[tuple[dt.datetime, float]]:
    """Four readings an hour (at :00, :15, :30, :45) whose mean is the hour's mean; the hour of NOW up to NOW."""
    out = []
    for k in range(hours + 1):
        hour = START + k * HOUR
        for minute, delta in ((0, -3), (15, -1), (30, 1), (45, 3)):
            t = hour + dt.timedelta(minutes=minute)
            if t <= NOW:
                out.append((t, mean(pollutant, k) + delta))
    return out


def expected_means(pollutant: str, mean=hourly_mean) -> np.ndarray:
    """Hourly means on the hour axis START … NOW's hour (the last one partial: its :00 and :15… up to :30)."""
    values = [mean(pollutant, k) for k in range(HOURS)]
    partial = [mean(pollutant, HOURS) + d for d in (-3, -1, 1)]  # 05:00, 05:15, 05:30
    return np.array([*values, sum(partial) / 3])


@pytest.fixture
def air(db):
    thing, streams = make_thing("Trạm Hoàn Kiếm", HOAN_KIEM, {
        "pm25": ("PM2.5", "µg/m3"), "pm10": ("PM10", "µg/m3"), "o3": ("O3", "µg/m3"), "no2": ("NO2", "µg/m3")})
    for p, ds in streams.items():
        feed(ds, air_readings(p))
    return services.register_station(thing_id=thing.pk, kind="air")


def make_river(name: str = "Trạm thủy văn Long Biên", where=LONG_BIEN, distances=None):
    thing, streams = make_thing(name, where, {"d": ("water_level_distance", "m")},
                                properties={"referenceElevation": 15.0, "floodLevels": [9.5, 10.5, 11.5]})
    station = services.register_station(thing_id=thing.pk, kind="water_level", reference_elevation_m=15.0,
                                        flood_levels=[9.5, 10.5, 11.5])
    if distances:
        feed(streams["d"], distances)
    return station, streams["d"]


@pytest.fixture
def river(db):
    """Water level 10.2 m (distance 4.8) every 10 minutes until 04:00, then 10.8 m (distance 4.2): alarm II."""
    readings = []
    t = NOW - 6 * HOUR
    while t <= NOW:
        readings.append((t, 4.8 if t < NOW - 1.5 * HOUR else 4.2))
        t += dt.timedelta(minutes=10)
    return make_river(distances=readings)


@pytest.fixture
def rain(db):
    """5-minute totals: dry for 24 hours, then 2 mm every 5 minutes from 02:00 (24 mm/h) until NOW."""
    thing, streams = make_thing("Trạm đo mưa Hà Đông", HA_DONG, {"r": ("rainfall", "mm")}, interval=300)
    readings = []
    t = NOW - 27 * HOUR - dt.timedelta(minutes=30)
    while t < NOW:
        readings.append((t, 2.0 if t >= dt.datetime(2026, 3, 2, 2, tzinfo=UTC) else 0.0))
        t += dt.timedelta(minutes=5)
    feed(streams["r"], readings)
    return services.register_station(thing_id=thing.pk, kind="rain")


@pytest.fixture
def noisy(db):
    """1-minute LAeq alternating 60 and 70 dBA for the last 4 hours: hourly LAeq 67.4 dBA."""
    thing, streams = make_thing("Trạm tiếng ồn Tràng Tiền", HOAN_KIEM, {"n": ("LAeq", "dBA")}, interval=60)
    readings = [(NOW - 4 * HOUR + i * dt.timedelta(minutes=1), 60.0 if i % 2 else 70.0) for i in range(4 * 60)]
    feed(streams["n"], readings)
    return thing

"""Simulated sensors for the demo and for load tests: a network made from a description, readings that look real.

A ``Scenario`` describes what to simulate: the quantities measured (each an ObservedProperty with its unit,
plausible and expected ranges, reporting interval and rounding), the sensor models, the sites (each a Thing with a
Location and one Datastream per quantity) and the series of each quantity at each site. A series is a function of
(site, quantity, instants) → values; the simplest is a ``Shape`` — a base level, a daily shape, slow drift and
noise. Domain apps register richer scenarios (``register``): the environment app's Hà Nội monitoring network is
``smartcity.environment.simulation``. Sensing itself knows no pollutant, river or city.

``ensure_network`` creates what is missing of the Things, Sensors, ObservedProperties and Datastreams (idempotent:
Things are found by ``properties.stationCode``). Values are a pure function of (seed, site, quantity, instant) —
``key``, ``uniform``, ``smooth`` and ``gauss`` are deterministic noise — so any time range can be generated again,
or continued later, with the same numbers; sending them twice stores nothing new.

Where they go (``send``): in-process through ``services.ingest`` (the embedded demo, no broker), over HTTP to
``POST /sta/v1.1/ingest`` with an ingest key, or over MQTT as gateway batches
(``<prefix>/gateways/<station code>/observations``). ``smartcity sensors simulate`` runs a registered scenario.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from smartcity.sensing import services
from smartcity.sensing.isotime import parse_datetime
from smartcity.sensing.models import Datastream, ObservationType, ObservedProperty, Sensor, Thing
from smartcity.sensing.sta.entities import TYPES
from smartcity.sensing.sta.writes import Writer

UTC = dt.UTC
LOCAL_OFFSET = 7 * 3600  # Asia/Ho_Chi_Minh: UTC+7 all year
HOUR = 3600.0
DAY = 86400.0
SOURCE = "simulate"
GEOJSON = "application/geo+json"

# ------------------------------------------------------------------------------------------------ deterministic noise

_MASK = (1 << 64) - 1


def key(*parts: object) -> np.uint64:
    return np.uint64(zlib.crc32("\x1f".join(map(str, parts)).encode()) * 0x9E3779B1 & _MASK)


def uniform(key: np.uint64, n: np.ndarray) -> np.ndarray:
    """A uniform number in [0, 1) for each integer in ``n`` (splitmix64 of key ⊕ n): the same inputs, the same
    numbers, whatever range they are asked for in."""
    with np.errstate(over="ignore"):
        z = (n.astype(np.int64).view(np.uint64) * np.uint64(0xD1B54A32D192ED03)) ^ key
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def smooth(key: np.uint64, t: np.ndarray, period: float) -> np.ndarray:
    """Smooth noise in [-1, 1] varying over about ``period`` seconds."""
    x = t / period
    k = np.floor(x)
    f = x - k
    s = f * f * (3 - 2 * f)
    a = uniform(key, k) * 2 - 1
    b = uniform(key, k + 1) * 2 - 1
    return a + (b - a) * s


def gauss(key: np.uint64, t: np.ndarray) -> np.ndarray:
    """Roughly standard normal noise, one draw per instant (Irwin–Hall of three uniforms)."""
    n = np.round(t).astype(np.int64)
    total = uniform(key, n) + uniform(key, n + 7_919) + uniform(key, n + 15_485)
    return (total - 1.5) * 2.0


def bump(hours: np.ndarray, centre: float, width: float) -> np.ndarray:
    d = (hours - centre + 12) % 24 - 12  # distance on the clock
    return np.exp(-0.5 * (d / width) ** 2)


# ------------------------------------------------------------------------------------------------ the local clock


@dataclass(frozen=True)
class Calendar:
    hour: np.ndarray  # local hour of day, fractional
    day_of_year: np.ndarray  # local, 0 = 1 January
    winter: np.ndarray  # 1 in mid-January, 0 in mid-July
    summer: np.ndarray  # 1 - winter
    weekend: np.ndarray  # 1 on Saturday and Sunday (local)

    @classmethod
    def of(cls, t: np.ndarray) -> Calendar:
        local = t + LOCAL_OFFSET
        days = np.floor(local / DAY).astype("int64").astype("datetime64[D]")
        doy = (days - days.astype("datetime64[Y]").astype("datetime64[D]")).astype(np.int64)
        winter = 0.5 * (1 + np.cos(2 * np.pi * (doy - 15) / 365.25))
        weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday: Monday = 0
        return cls(hour=(local % DAY) / HOUR, day_of_year=doy, winter=winter, summer=1 - winter,
                   weekend=(weekday >= 5).astype(float))


# ------------------------------------------------------------------------------------------------ what, where


@dataclass(frozen=True)
class Shape:
    """A series described by numbers, for quantities that need no model of their own: a base level, peaks at local
    hours (``(hour, height, width in hours)``), a slow wander of ``drift`` over about a day, gaussian ``noise`` of
    that standard deviation, and a floor (``minimum``). Seeded per site and quantity."""

    base: float
    peaks: tuple[tuple[float, float, float], ...] = ()
    drift: float = 0.0
    noise: float = 0.0
    minimum: float | None = None

    def values(self, seed: int, site: str, quantity: str, t: np.ndarray) -> np.ndarray:
        hours = Calendar.of(t).hour
        value = np.full(t.shape, float(self.base))
        for centre, height, width in self.peaks:
            value = value + height * bump(hours, centre, width)
        if self.drift:
            value = value + self.drift * smooth(key(seed, site, quantity, "drift"), t, DAY)
        if self.noise:
            value = value + self.noise * gauss(key(seed, site, quantity, "noise"), t)
        return np.clip(value, self.minimum, None) if self.minimum is not None else value


@dataclass(frozen=True)
class Quantity:
    """What a datastream measures: its ObservedProperty, unit, ranges, reporting interval, sensor and rounding."""

    key: str
    name: str
    definition: str
    description: str
    unit: tuple[str, str, str]  # name, symbol, definition
    plausible: tuple[float, float]  # ObservedProperty: outside is refused
    expected: tuple[float, float]  # Datastream: outside is flagged
    interval: int  # seconds between readings
    sensor: str  # a key of the scenario's sensors
    decimals: int
    shape: Shape | None = None  # the series when the scenario gives no function of its own


@dataclass(frozen=True)
class Site:
    """A Thing at a place, measuring ``quantities``."""

    code: str
    name: str
    kind: str
    lat: float
    lon: float
    district: str
    address: str
    operator: str
    quantities: tuple[str, ...]
    properties: dict[str, Any] = field(default_factory=dict)  # extra Datastream properties
    station: dict[str, Any] = field(default_factory=dict)  # extra Thing properties


Series = Callable[[Site, str, np.ndarray], np.ndarray]  # (site, quantity key, epoch seconds) → values


def shaped(quantities: Mapping[str, Quantity], seed: int) -> Series:
    """The series of quantities described by a ``Shape``."""
    def series(site: Site, quantity: str, t: np.ndarray) -> np.ndarray:
        shape = quantities[quantity].shape
        if shape is None:
            raise ValueError(f"no simulation for {quantity}")
        return shape.values(seed, site.code, quantity, t)

    return series


@dataclass(frozen=True)
class Scenario:
    """A simulated network and how its values are made.

    ``series_for(seed, options, end)`` answers the series for a run and a note for the command's report; it gets the
    command-line options, including those ``add_arguments`` added (None: the quantities' shapes)."""

    name: str
    description: str
    quantities: Mapping[str, Quantity]
    sensors: Mapping[str, tuple[str, str]]  # key → (name, description)
    sites: tuple[Site, ...]
    city: str
    series_for: Callable[[int, Mapping[str, Any], dt.datetime], tuple[Series, str]] | None = None
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None

    def network(self, *, sites: Iterable[Site] | None = None, now: dt.datetime | None = None) -> Network:
        return ensure_network(self, sites=sites, now=now)

    def series(self, seed: int, options: Mapping[str, Any], end: dt.datetime) -> tuple[Series, str]:
        if self.series_for is None:
            return shaped(self.quantities, seed), ""
        return self.series_for(seed, options, end)


_SCENARIOS: dict[str, Scenario] = {}


def register(scenario: Scenario) -> None:
    """Make ``scenario`` available to ``smartcity sensors simulate --scenario NAME`` (from an app's ``ready``)."""
    _SCENARIOS[scenario.name] = scenario


def scenarios() -> dict[str, Scenario]:
    return dict(_SCENARIOS)


# ------------------------------------------------------------------------------------------------ the network


@dataclass
class Network:
    """The simulated datastreams: id by (site code, quantity key), with the sites and quantities behind them."""

    streams: dict[tuple[str, str], int]
    site_list: tuple[Site, ...] = ()
    quantities: Mapping[str, Quantity] = field(default_factory=dict)

    def sites(self) -> list[Site]:
        codes = {code for code, _ in self.streams}
        return [s for s in self.site_list if s.code in codes]


def ensure_network(scenario: Scenario, *, sites: Iterable[Site] | None = None,
                   now: dt.datetime | None = None) -> Network:
    """Create what is missing of the scenario's Things (with Location), Sensors, ObservedProperties and
    Datastreams; running it again changes nothing. Things are found by ``properties.stationCode``."""
    writer = Writer(now=now or timezone.now())
    streams: dict[tuple[str, str], int] = {}
    quantities = scenario.quantities
    with transaction.atomic():
        properties = {key: _observed_property(writer, q) for key, q in quantities.items()}
        sensors = {key: _sensor(writer, *scenario.sensors[key]) for key in scenario.sensors}
        for site in scenario.sites if sites is None else sites:
            thing = Thing.objects.filter(properties__stationCode=site.code).first()
            if thing is None:
                thing = writer.create(TYPES["Thing"], {
                    "name": site.name,
                    "description": f"{site.name} ({site.address}, {site.district}) — dữ liệu mô phỏng",
                    "properties": {"stationCode": site.code, "kind": site.kind, "district": site.district,
                                   "operator": site.operator, "address": f"{site.address}, {site.district}",
                                   "simulated": True, **site.station},
                    "Locations": [{"name": site.name, "description": f"{site.address}, {site.district}, {scenario.city}",
                                   "encodingType": GEOJSON,
                                   "location": {"type": "Point", "coordinates": [site.lon, site.lat]}}],
                })
            have = dict(Datastream.objects.filter(thing=thing).values_list("observed_property_id", "pk"))
            for key in site.quantities:
                q = quantities[key]
                pk = have.get(properties[key])
                if pk is None:
                    pk = writer.create(TYPES["Datastream"], {
                        "name": f"{q.name} – {site.name}",
                        "description": q.description,
                        "observationType": ObservationType.MEASUREMENT.value,
                        "unitOfMeasurement": dict(zip(("name", "symbol", "definition"), q.unit, strict=True)),
                        "properties": {"quantity": key, "reportingInterval": q.interval,
                                       "expectedRange": list(q.expected), "simulated": True, **site.properties},
                        "Thing": {"@iot.id": thing.pk},
                        "Sensor": {"@iot.id": sensors[q.sensor]},
                        "ObservedProperty": {"@iot.id": properties[key]},
                    }).pk
                streams[site.code, key] = pk
    return Network(streams, tuple(scenario.sites), quantities)


def _observed_property(writer: Writer, q: Quantity) -> int:
    found = ObservedProperty.objects.filter(definition=q.definition).values_list("pk", flat=True).first()
    if found is not None:
        return found
    return writer.create(TYPES["ObservedProperty"], {
        "name": q.name, "definition": q.definition, "description": q.description,
        "properties": {"quantity": q.key, "plausibleRange": list(q.plausible)}}).pk


def _sensor(writer: Writer, name: str, description: str) -> int:
    found = Sensor.objects.filter(name=name).values_list("pk", flat=True).first()
    if found is not None:
        return found
    return writer.create(TYPES["Sensor"], {"name": name, "description": description,
                                           "encodingType": "text/html", "metadata": "dữ liệu mô phỏng"}).pk


# ------------------------------------------------------------------------------------------------ readings


def readings(network: Network, *, series: Series, start: dt.datetime, end: dt.datetime,
             window: dt.timedelta = dt.timedelta(hours=6)) -> Iterator[list[dict]]:
    """Compact rows ``{"datastream", "t", "v"}`` for every datastream of ``network``, start <= t < end, yielded one
    time window at a time in time order (readings fall on whole multiples of each datastream's interval)."""
    sites = {s.code: s for s in network.site_list}
    lo, hi = start.timestamp(), end.timestamp()
    step = window.total_seconds()
    cursor = lo
    while cursor < hi:
        stop = min(hi, cursor + step)
        rows: list[tuple[float, dict]] = []
        for (code, key), datastream in network.streams.items():
            q = network.quantities[key]
            t = np.arange(math.ceil(cursor / q.interval) * q.interval, stop, q.interval, dtype=float)
            if not len(t):
                continue
            values = np.round(series(sites[code], key, t), q.decimals)
            for moment, value in zip(t.tolist(), values.tolist(), strict=True):
                rows.append((moment, {"datastream": datastream, "t": _iso(moment),
                                      "v": int(value) if q.decimals == 0 else value}))
        rows.sort(key=lambda r: r[0])
        if rows:
            yield [row for _, row in rows]
        cursor = stop


def _iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------------------------------------ sending


@dataclass
class Sent:
    rows: int = 0
    accepted: int = 0  # unknown (0) over MQTT: the consumer stores them
    duplicates: int = 0
    rejected: int = 0
    requests: int = 0  # ingest calls, HTTP requests or MQTT messages


def send(chunks: Iterable[list[dict]], *, via: str = "inprocess", url: str = "", key: str = "",
         batch: int = 5000, prefix: str | None = None, station_of: dict[int, str] | None = None) -> Sent:
    """Deliver rows: ``inprocess`` (services.ingest), ``http`` (POST ``url``/sta/v1.1/ingest with the ingest key
    ``key``) or ``mqtt`` (gateway batches to the broker at ``url``, one topic per station: ``station_of`` maps
    datastream ids to station codes)."""
    sent = Sent()
    publisher: _MqttSender | None = None
    if via == "inprocess":
        def deliver(rows: list[dict]) -> None:
            _count(sent, services.ingest(rows, source=SOURCE).as_dict())
    elif via == "http":
        deliver = _http_sender(sent, url, key)
    elif via == "mqtt":
        publisher = _MqttSender(url, prefix or getattr(settings, "MQTT_TOPIC_PREFIX", "smartcity"), station_of or {})
        deliver = publisher.send
    else:
        raise ValueError(f"unknown way to send: {via} (inprocess, http or mqtt)")
    try:
        for chunk in chunks:
            for lo in range(0, len(chunk), batch):
                part = chunk[lo:lo + batch]
                deliver(part)
                sent.rows += len(part)
                sent.requests += 1
    finally:
        if publisher is not None:
            sent.requests = publisher.close()  # MQTT messages (one per station per batch), not batches
    return sent


def _count(sent: Sent, answer: dict[str, Any]) -> None:
    sent.accepted += answer["accepted"]
    sent.duplicates += answer["duplicates"]
    sent.rejected += answer["rejected"]


def _http_sender(sent: Sent, url: str, key: str) -> Callable[[list[dict]], None]:
    import requests

    if not url or not key:
        raise ValueError("sending over HTTP needs the server's URL and an ingest key (smartcity sensors issue-key)")
    endpoint = url.rstrip("/") if url.rstrip("/").endswith("/ingest") else f"{url.rstrip('/')}/sta/v1.1/ingest"
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {key}", "Content-Type": "application/json"})

    def deliver(rows: list[dict]) -> None:
        response = session.post(endpoint, data=json.dumps(rows), timeout=120)
        if response.status_code != 200:
            raise RuntimeError(f"POST {endpoint}: HTTP {response.status_code} {response.text[:500]}")
        _count(sent, response.json())

    return deliver


class _MqttSender:
    """Publishes each station's rows as one gateway batch (QoS 1) and waits for the broker's PUBACKs."""

    def __init__(self, url: str, prefix: str, station_of: dict[int, str]) -> None:
        import paho.mqtt.client as paho

        from smartcity.sensing.mqtt import parse_url

        endpoint = parse_url(url or getattr(settings, "MQTT_URL", "") or "mqtt://127.0.0.1:1883")
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
        if endpoint.username is not None:
            self.client.username_pw_set(endpoint.username, endpoint.password)
        if endpoint.tls:
            self.client.tls_set()
        self.client.connect(endpoint.host, endpoint.port)
        self.client.loop_start()
        self.prefix, self.station_of = prefix, station_of
        self.pending: list[Any] = []
        self.messages = 0

    def send(self, rows: list[dict]) -> None:
        by_station: dict[str, list[dict]] = {}
        for row in rows:
            by_station.setdefault(self.station_of.get(row["datastream"], "simulator"), []).append(row)
        for station, part in by_station.items():
            topic = f"{self.prefix}/gateways/{station.lower()}/observations"
            self.pending.append(self.client.publish(topic, json.dumps(part), qos=1))
            self.messages += 1
        if len(self.pending) > 1000:
            self._wait()

    def _wait(self) -> None:
        for info in self.pending:
            info.wait_for_publish(60)
        self.pending = []

    def close(self) -> int:
        try:
            self._wait()
        finally:
            self.client.disconnect()
            self.client.loop_stop()
        return self.messages


# ------------------------------------------------------------------------------------------------ one call


def simulate(scenario: Scenario, *, start: dt.datetime, end: dt.datetime, series: Series, via: str = "inprocess",
             url: str = "", key: str = "", batch: int = 5000, prefix: str = "") -> Sent:
    """Make sure the scenario's network exists, then generate its readings for [start, end) and send them."""
    network = scenario.network()
    station_of = {pk: code for (code, _), pk in network.streams.items()}
    chunks = readings(network, series=series, start=start, end=end)
    return send(chunks, via=via, url=url, key=key, batch=batch, prefix=prefix or None, station_of=station_of)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command-line options of `smartcity sensors simulate`, with those of the registered scenarios."""
    names = sorted(_SCENARIOS)
    parser.add_argument("--scenario", choices=names or None, default=names[0] if len(names) == 1 else None,
                        help="kịch bản mô phỏng" + (f" (mặc định {names[0]})" if len(names) == 1 else ""))
    parser.add_argument("--days", type=float, default=3, help="số ngày gần nhất khi không có --since (mặc định 3)")
    parser.add_argument("--since", help="từ thời điểm (ISO 8601 có múi giờ)")
    parser.add_argument("--until", help="đến thời điểm (mặc định: bây giờ)")
    parser.add_argument("--via", choices=("inprocess", "http", "mqtt"), default="inprocess",
                        help="gửi thẳng vào cơ sở dữ liệu (mặc định), qua HTTP hay qua MQTT")
    parser.add_argument("--url", default="", help="http://máy-chủ:8000 (với --via http) hoặc mqtt://broker:1883")
    parser.add_argument("--key", default="", help="khóa gửi dữ liệu sk_… (với --via http)")
    parser.add_argument("--prefix", default="", help="tiền tố chủ đề MQTT của gateway (mặc định MQTT_TOPIC_PREFIX "
                        "hoặc smartcity)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--setup-only", action="store_true", help="chỉ tạo trạm và chuỗi dữ liệu")
    for scenario in _SCENARIOS.values():
        if scenario.add_arguments is not None:
            scenario.add_arguments(parser)


def run_from_options(options: dict[str, Any], write: Callable[[str], Any]) -> Sent | None:
    """What the command does with the options of ``add_arguments``; ``ValueError`` for a bad option."""
    name = options.get("scenario")
    if name not in _SCENARIOS:
        raise ValueError(f"choose a scenario with --scenario ({', '.join(sorted(_SCENARIOS)) or 'none registered'})")
    scenario = _SCENARIOS[name]
    network = scenario.network()
    write(f"Mạng cảm biến mô phỏng: {len(network.sites())} trạm, {len(network.streams)} chuỗi dữ liệu")
    if options.get("setup_only"):
        return None
    end = parse_datetime(options["until"]) if options.get("until") else timezone.now()
    start = parse_datetime(options["since"]) if options.get("since") else end - dt.timedelta(
        days=float(options.get("days") or 3))
    if start >= end:
        raise ValueError("--since must be before --until")
    series, note = scenario.series(int(options.get("seed") or 2026), options, end)
    sent = simulate(scenario, start=start, end=end, series=series, via=options.get("via") or "inprocess",
                    url=options.get("url") or "", key=options.get("key") or "", prefix=options.get("prefix") or "")
    local = dt.timezone(dt.timedelta(seconds=LOCAL_OFFSET))
    write(f"{sent.rows} giá trị từ {start.astimezone(local):%d/%m/%Y %H:%M} đến {end.astimezone(local):%d/%m/%Y %H:%M}"
          f" (giờ Hà Nội), {sent.requests} lần gửi"
          + (f": {sent.accepted} mới, {sent.duplicates} trùng, {sent.rejected} bị từ chối"
             if options.get("via") != "mqtt" else "")
          + note)
    return sent

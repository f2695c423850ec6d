"""Benchmark: one million observations into PostgreSQL over HTTP and over MQTT, against a raw COPY of the same rows.

ours (HTTP): ``POST /sta/v1.1/ingest`` with an ingest key, each request one gateway's batch of compact rows
          (``{"datastream", "t", "v"}``), from client threads to a gunicorn server: authentication, JSON parsing,
          ``services.ingest`` (validation, plausible range, quality flags, staging COPY, ``INSERT … ON CONFLICT DO
          NOTHING``, latest values, time envelopes, observed areas) in one transaction per request.
ours (MQTT): publisher threads send the same batches at QoS 1 to ``<prefix>/gateways/<gateway>/observations`` on
          the broker; `smartcity ingest` (a separate process) buffers them, writes batches through the same
          ``services.ingest`` and acknowledges each message once its batch is committed. Timed from the first
          publish until the last reading is committed.
baseline: the same rows, pre-rendered as COPY text (not timed), loaded with one raw ``COPY sensing_observation FROM
          STDIN`` in one transaction: what PostgreSQL needs to store them, with no checks and no side tables.
Each phase starts from an empty observation table; afterwards every datastream must hold exactly its readings
(count, distinct times, sum of values) with no dead letters — checked before any figure is printed.

The database (``BENCH_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/smartcity_bench_sensing``) is
dropped and made again at every start and dropped at the end unless ``--keep``; its name must contain "bench". The
broker is ``--mqtt-url`` (default ``MQTT_URL`` or ``mqtt://127.0.0.1:1883``); topics carry a prefix of this run.

    .venv/bin/python bench/sensing_ingest.py [--datastreams 1000] [--readings 1000] [--batch 5000]
        [--http-clients 3] [--workers 3] [--publishers 2] [--consumers 2] [--consumer-batch 5000] [--keep]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import paho.mqtt.client as paho
import requests
from _common import ROOT, checkpoint, setup_django
from dossier_submission import SERVER_ENV, cpu_times, free_port, reset_database, stop_server

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/smartcity_bench_sensing"
INGEST_PATH = "/sta/v1.1/ingest"
HEALTH_PATH = "/api/v1/health"  # answers 200 without touching the database once a worker is up
PER_THING = 10  # datastreams per gateway (Thing)


@dataclass
class Phase:
    label: str
    wall: float = 0.0
    rows: int = 0
    cpu_self: float = 0.0
    cpu_by_role: collections.Counter = field(default_factory=collections.Counter)
    notes: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.rows / self.wall


# ------------------------------------------------------------------------------------------------ data


@dataclass
class Dataset:
    datastreams: list[int]  # ids, PER_THING consecutive ones per gateway
    features: dict[int, int]  # datastream id -> FeatureOfInterest id (made by the warm-up)
    start: dt.datetime
    readings: int

    def time(self, i: int) -> dt.datetime:
        return self.start + dt.timedelta(minutes=i)

    @staticmethod
    def value(d: int, i: int) -> float:
        return round(20 + ((d * 7919 + i * 104_729) % 4000) / 10, 1)  # 20.0 … 419.9 µg/m³

    def batches(self, size: int) -> list[tuple[str, bytes]]:
        """(gateway, JSON body) per batch: one gateway's datastreams over consecutive minutes, in time order."""
        out = []
        span = max(1, size // PER_THING)
        for g in range(0, len(self.datastreams), PER_THING):
            streams = self.datastreams[g:g + PER_THING]
            for lo in range(0, self.readings, span):
                rows = [{"datastream": d, "t": f"{self.time(i):%Y-%m-%dT%H:%M:%SZ}", "v": self.value(d, i)}
                        for i in range(lo, min(self.readings, lo + span)) for d in streams]
                out.append((f"gw-{g // PER_THING:04d}", json.dumps(rows).encode()))
        return out

    def warm_up_body(self) -> bytes:
        """A reading per datastream a day before the data set (removed before the timed run)."""
        return json.dumps([{"datastream": d, "t": f"{self.start - dt.timedelta(days=1):%Y-%m-%dT%H:%M:%SZ}", "v": 1}
                           for d in self.datastreams]).encode()

    def copy_text(self) -> str:
        lines = []
        for d in self.datastreams:
            foi = self.features[d]
            for i in range(self.readings):
                lines.append(f"{d}\t{self.time(i).isoformat()}\t{self.value(d, i)!r}\t{foi}\t0\n")
        return "".join(lines)

    @property
    def total(self) -> int:
        return len(self.datastreams) * self.readings

    def expected_sum(self) -> float:
        return sum(self.value(d, i) for d in self.datastreams for i in range(self.readings))


def make_network(n: int, readings: int) -> Dataset:
    """``n`` PM2.5 datastreams on n/10 stations at Hà Nội coordinates, with the quality-control settings of a
    real network (plausible range, expected range, reporting interval); a warm-up reading each makes their
    FeaturesOfInterest (then removed), so every phase does the same work."""
    from django.db import connection, transaction

    from smartcity.sensing import services
    from smartcity.sensing.models import Datastream, Location, Observation, ObservedProperty, Sensor, Thing

    with transaction.atomic():
        prop = ObservedProperty.objects.create(
            name="PM2.5", definition="http://dd.eionet.europa.eu/vocabulary/aq/pollutant/6001",
            properties={"plausibleRange": [0, 1500]}, plausible_min=0, plausible_max=1500)
        sensor = Sensor.objects.create(name="Máy đo bụi (bench)", encoding_type="text/html", metadata="bench")
        things = Thing.objects.bulk_create([Thing(name=f"Trạm bench {k:04d}") for k in range(n // PER_THING)])
        locations = Location.objects.bulk_create([
            Location(name=f"Vị trí {k:04d}", encoding_type="application/geo+json",
                     location={"type": "Point", "coordinates": [105.75 + (k % 40) * 0.004, 20.98 + (k // 40) * 0.004]},
                     min_x=105.75 + (k % 40) * 0.004, max_x=105.75 + (k % 40) * 0.004,
                     min_y=20.98 + (k // 40) * 0.004, max_y=20.98 + (k // 40) * 0.004)
            for k in range(len(things))])
        Thing.locations.through.objects.bulk_create([
            Thing.locations.through(thing_id=t.pk, location_id=loc.pk) for t, loc in zip(things, locations, strict=True)])
        streams = Datastream.objects.bulk_create([
            Datastream(name=f"PM2.5 {k:05d}", unit_of_measurement={"name": "microgram per cubic metre",
                                                                  "symbol": "µg/m³", "definition": ""},
                       observation_type="http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
                       thing=things[k // PER_THING], sensor=sensor, observed_property=prop,
                       properties={"expectedRange": [0, 500], "reportingInterval": 60},
                       expected_min=0, expected_max=500, reporting_interval=60)
            for k in range(n)])
    ids = [s.pk for s in streams]
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    start = now - dt.timedelta(minutes=readings + 60)
    services.ensure_partitions()
    warm = [{"datastream": d, "t": f"{start - dt.timedelta(days=1):%Y-%m-%dT%H:%M:%SZ}", "v": 1} for d in ids]
    result = services.ingest(warm, source="bench")
    assert result.accepted == n, result.as_dict()
    features = dict(Observation.objects.values_list("datastream_id", "feature_of_interest_id"))
    empty_tables()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Dataset(ids, features, start, readings)


def empty_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE sensing_observation, sensing_latestobservation, sensing_deadletter")
        cursor.execute("UPDATE sensing_datastream SET phenomenon_time_start = NULL, phenomenon_time_end = NULL, "
                       "result_time_start = NULL, result_time_end = NULL")


def check(data: Dataset, label: str) -> list[str]:
    """Every datastream holds exactly its readings: nothing lost, nothing twice, the right values."""
    from django.db import connection

    problems = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT (datastream_id, phenomenon_time)), sum(result), "
                       "min(phenomenon_time), max(phenomenon_time) FROM sensing_observation")
        count, distinct, total, first, last = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM (SELECT datastream_id FROM sensing_observation GROUP BY datastream_id "
                       "HAVING count(*) <> %s) AS wrong", [data.readings])
        wrong_streams = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM sensing_deadletter")
        dead = cursor.fetchone()[0]
    if count != data.total:
        problems.append(f"{label}: {count:,} rows stored for {data.total:,} sent ({data.total - count:,} lost)")
    if distinct != count:
        problems.append(f"{label}: {count - distinct:,} duplicated rows")
    if wrong_streams:
        problems.append(f"{label}: {wrong_streams} datastreams without exactly {data.readings} readings")
    if total is None or abs(total - data.expected_sum()) > 1e-6 * data.total:
        problems.append(f"{label}: the values differ (sum {total} for {data.expected_sum()})")
    if (first, last) != (data.time(0), data.time(data.readings - 1)):
        problems.append(f"{label}: times {first} … {last}, expected {data.time(0)} … {data.time(data.readings - 1)}")
    if dead:
        problems.append(f"{label}: {dead} dead letters")
    return problems


def cpu_by_role(groups: dict[int, str]) -> dict[tuple[str, int], float]:
    """CPU seconds so far per process: our process groups by name, PostgreSQL, Mosquitto, the rest."""
    out = {}
    for (role, pid), seconds in cpu_times(-1).items():
        try:
            group = os.getpgid(pid)
            name = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if group in groups:
            role = groups[group]
        elif name.startswith("mosquitto"):
            role = "mosquitto"
        out[role, pid] = seconds
    return out



def measure(label: str, groups: dict[int, str], work) -> Phase:
    """Run ``work()`` (which answers the rows it stored and the seconds that took) from an empty, checkpointed
    table, and note how every process spent the CPU meanwhile."""
    empty_tables()
    checkpoint()
    phase = Phase(label)
    before, cpu = cpu_by_role(groups), time.process_time()
    phase.rows, phase.wall = work(phase)
    phase.cpu_self = time.process_time() - cpu
    for (role, pid), seconds in cpu_by_role(groups).items():
        phase.cpu_by_role[role] += seconds - before.get((role, pid), 0.0)
    return phase


# ------------------------------------------------------------------------------------------------ baseline


def copy_phase(data: Dataset, groups: dict[int, str]) -> Phase:
    from django.db import connection, transaction

    text = data.copy_text()  # rendered before the clock starts: the baseline is PostgreSQL alone

    def work(phase: Phase) -> tuple[int, float]:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            with cursor.cursor.copy("COPY sensing_observation (datastream_id, phenomenon_time, result, "
                                    "feature_of_interest_id, quality_flags) FROM STDIN") as copy:
                for lo in range(0, len(text), 8 << 20):
                    copy.write(text[lo:lo + (8 << 20)])
        return data.total, time.perf_counter() - started

    return measure("baseline (raw COPY of the same rows into sensing_observation, one transaction)", groups, work)


# ------------------------------------------------------------------------------------------------ HTTP


def start_server(*, port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    """gunicorn on ``smartcity.wsgi`` as dossier_submission.py starts it, ready once the health check answers."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [str(Path(sys.executable).parent / "gunicorn"), "smartcity.wsgi:application",
               "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--worker-class", "gthread" if threads > 1 else "sync", "--threads", str(threads),
               "--logger-class", "smartcity.ops.gunicorn.RedactingLogger",  # no tokens or ID numbers in its logs
               "--log-level", "warning", "--timeout", "300"]
    with open(log, "wb") as out:
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            if requests.get(f"http://127.0.0.1:{port}{HEALTH_PATH}", timeout=10).status_code == 200:
                return server
        except requests.RequestException:  # not listening yet
            pass
        time.sleep(0.2)
    stop_server(server)
    sys.exit(f"gunicorn did not answer within 90 s:\n{log.read_text(errors='replace')[-4000:]}")


def http_phase(data: Dataset, batches: list[tuple[str, bytes]], key: str, args: argparse.Namespace,
               log: Path) -> Phase:
    from django.db import connections

    connections.close_all()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port=port, workers=args.workers, threads=args.threads, log=log)
    groups = {server.pid: "server"}
    warm = data.warm_up_body()
    for _ in range(3 * args.workers):  # every worker has connected and imported what the ingest needs
        response = requests.post(f"{base}{INGEST_PATH}", data=warm, timeout=120,
                                 headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
        if response.status_code != 200:
            stop_server(server)
            sys.exit(f"warm-up request: HTTP {response.status_code} {response.text[:500]}")
    failures: list[str] = []
    answered = collections.Counter()

    def work(phase: Phase) -> tuple[int, float]:
        lock = threading.Lock()
        queue = list(reversed(batches))
        ready = threading.Barrier(args.http_clients + 1)

        def client() -> None:
            http = requests.Session()
            http.headers.update({"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
            ready.wait()
            while True:
                with lock:
                    if not queue:
                        return
                    _, body = queue.pop()
                try:
                    response = http.post(f"{base}{INGEST_PATH}", data=body, timeout=300)
                except requests.RequestException as exc:
                    with lock:
                        failures.append(repr(exc))
                    continue
                with lock:
                    if response.status_code != 200:
                        failures.append(f"HTTP {response.status_code}: {response.text[:300]}")
                    else:
                        answered.update(response.json())

        threads = [threading.Thread(target=client, daemon=True) for _ in range(args.http_clients)]
        for t in threads:
            t.start()
        ready.wait()
        started = time.perf_counter()
        for t in threads:
            t.join()
        return int(answered["accepted"]), time.perf_counter() - started

    try:
        kind = f"gthread × {args.threads} threads" if args.threads > 1 else "sync"
        phase = measure(f"ours, HTTP (POST {INGEST_PATH}, {args.batch:,} rows a request, {args.http_clients} "
                        f"client threads, gunicorn {args.workers} workers {kind})", groups, work)
    finally:
        stop_server(server)
    if failures:
        phase.notes.append(f"{len(failures)} failed requests, first: {failures[0]}")
    if answered["duplicates"] or answered["rejected"]:
        phase.notes.append(f"answers counted {answered['duplicates']} duplicates, {answered['rejected']} rejected")
    return phase


# ------------------------------------------------------------------------------------------------ MQTT


def start_consumers(args: argparse.Namespace, tag: str, log_dir: Path) -> list[tuple[subprocess.Popen, Path]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "LOG_LEVEL": "INFO"}
    command = [str(Path(sys.executable).parent / "smartcity"), "ingest", "--url", args.mqtt_url,
               "--prefix", f"bench-{tag}", "--sta-root", f"bench-{tag}/v1.1", "--batch", str(args.consumer_batch),
               "--flush-ms", str(args.flush_ms)]
    if args.consumers > 1:
        command += ["--share", f"bench-{tag}"]
    consumers = []
    for k in range(args.consumers):
        log = log_dir / f"consumer-{tag}-{k}.log"
        with open(log, "wb") as out:
            consumers.append((subprocess.Popen(command + ["--client-id", f"bench-{tag}-{k}"], env=env, cwd=ROOT,
                                               stdout=out, stderr=subprocess.STDOUT, start_new_session=True), log))
    deadline = time.monotonic() + 90
    for process, log in consumers:
        while "subscribed:" not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                stop_consumers(consumers)
                sys.exit(f"the consumer did not subscribe:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.1)
    return consumers


def stop_consumers(consumers: list[tuple[subprocess.Popen, Path]]) -> list[str]:
    for process, _ in consumers:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # graceful: flush, acknowledge, disconnect
    summaries = []
    for process, log in consumers:
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        lines = log.read_text(errors="replace").splitlines()
        summaries += [line for line in lines if line.startswith("Đã dừng")]
        if any("Traceback" in line or " ERROR " in line for line in lines):
            summaries.append("ERRORS in " + str(log))
    return summaries


def warm_up_consumers(data: Dataset, tag: str, endpoint, consumers: int) -> None:
    """A message to each consumer (shared subscriptions take turns), stored before the timed run, so that the
    consumers have connected to the database and imported what the ingest needs."""
    from django.db import connection

    client = paho.Client(paho.CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
    client.connect(endpoint.host, endpoint.port)
    client.loop_start()
    body = data.warm_up_body()
    for _ in range(2 * consumers):
        client.publish(f"bench-{tag}/gateways/warm-up/observations", body, qos=1).wait_for_publish(60)
    client.disconnect()
    client.loop_stop()
    deadline = time.monotonic() + 60
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM sensing_latestobservation")
            if cursor.fetchone()[0] == len(data.datastreams):
                time.sleep(1)  # the other consumers' turn: duplicates, nothing to wait for in the table
                return
            time.sleep(0.1)
    sys.exit("the consumers did not store the warm-up message within 60 s")


def mqtt_phase(data: Dataset, batches: list[tuple[str, bytes]], args: argparse.Namespace,
               log_dir: Path) -> tuple[Phase, list[str]]:
    from django.db import connection

    from smartcity.sensing.mqtt import parse_url

    tag = uuid.uuid4().hex[:8]
    endpoint = parse_url(args.mqtt_url)
    consumers = start_consumers(args, tag, log_dir)
    groups = {process.pid: "consumer" for process, _ in consumers}
    warm_up_consumers(data, tag, endpoint, args.consumers)
    last = data.time(data.readings - 1)
    failures: list[str] = []

    def publisher(mine: list[tuple[str, bytes]], ready: threading.Barrier) -> None:
        client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"bench-{tag}-pub-{uuid.uuid4().hex[:6]}",
                             protocol=paho.MQTTv5)
        client.max_inflight_messages_set(100)
        client.connect(endpoint.host, endpoint.port)
        client.loop_start()
        ready.wait()
        infos = [client.publish(f"bench-{tag}/gateways/{gateway}/observations", body, qos=1)
                 for gateway, body in mine]
        for info in infos:
            info.wait_for_publish(300)
            if not info.is_published():
                failures.append(f"message {info.mid} not acknowledged by the broker")
        client.disconnect()
        client.loop_stop()

    def work(phase: Phase) -> tuple[int, float]:
        # A gateway's batches all go through one publisher, in time order: the broker and a single consumer keep
        # that order, so the datastream's last reading is committed last.
        shares: list[list[tuple[str, bytes]]] = [[] for _ in range(args.publishers)]
        for gateway, body in batches:
            shares[int(gateway.removeprefix("gw-")) % args.publishers].append((gateway, body))
        ready = threading.Barrier(args.publishers + 1)
        threads = [threading.Thread(target=publisher, args=(share, ready), daemon=True) for share in shares]
        for t in threads:
            t.start()
        ready.wait()
        started = time.perf_counter()
        with connection.cursor() as cursor:
            done, progress, stalled_since = 0, -1, time.monotonic()
            while True:
                cursor.execute("SELECT count(*) FROM sensing_latestobservation WHERE phenomenon_time = %s", [last])
                done = cursor.fetchone()[0]
                if done == len(data.datastreams):
                    if args.consumers == 1:
                        break
                    cursor.execute("SELECT count(*) FROM sensing_observation")  # several consumers: no order
                    if cursor.fetchone()[0] == data.total:
                        break
                if done != progress:
                    progress, stalled_since = done, time.monotonic()
                elif time.monotonic() - stalled_since > 120:
                    failures.append(f"no progress for 120 s ({done} datastreams complete)")
                    break
                time.sleep(0.05)
        wall = time.perf_counter() - started
        for t in threads:
            t.join()
        return data.total, wall

    label = (f"ours, MQTT ({args.publishers} publisher threads → Mosquitto → {args.consumers} `smartcity ingest` "
             f"process{'es' if args.consumers > 1 else ''}, {args.batch:,} rows a message at QoS 1, written in "
             f"batches of {args.consumer_batch:,} rows, acknowledged after commit)")
    try:
        phase = measure(label, groups, work)
    finally:
        summaries = stop_consumers(consumers)
    phase.notes += failures
    return phase, summaries


# ------------------------------------------------------------------------------------------------ main


def describe(phase: Phase, baseline: Phase | None = None) -> str:
    text = f"{phase.label}: {phase.rows:,} in {phase.wall:.1f} s: {phase.rate:,.0f} rows/s"
    return text + (f"  ratio {phase.rate / baseline.rate:.2f}" if baseline else "")


def cpu_line(phase: Phase, what: str) -> str:
    roles = phase.cpu_by_role
    parts = [f"{role} {roles[role]:.1f}" for role in ("server", "consumer", "mosquitto", "postgres") if roles[role]]
    return (f"CPU seconds during {what} ({phase.wall:.1f} s × {os.cpu_count()} cores): " + ", ".join(parts)
            + f", load generator {phase.cpu_self:.1f}, other processes {roles['others']:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datastreams", type=int, default=1000)
    parser.add_argument("--readings", type=int, default=1000, help="per datastream, one a minute")
    parser.add_argument("--batch", type=int, default=5000, help="rows per HTTP request and per MQTT message")
    parser.add_argument("--http-clients", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (1: sync workers)")
    parser.add_argument("--publishers", type=int, default=2, help="MQTT publisher threads")
    parser.add_argument("--consumers", type=int, default=2, help="`smartcity ingest` processes (>1: a shared "
                        "subscription, as production scales out)")
    parser.add_argument("--consumer-batch", type=int, default=5000, help="rows per consumer transaction")
    parser.add_argument("--flush-ms", type=int, default=200)
    parser.add_argument("--mqtt-url", default=os.environ.get("MQTT_URL") or "mqtt://127.0.0.1:1883")
    parser.add_argument("--phases", default="http,mqtt,copy", help="which to run (the baseline always runs)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if args.datastreams % PER_THING:
        sys.exit(f"--datastreams must be a multiple of {PER_THING}")

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    reset_database(url)
    os.environ.update(SERVER_ENV, DATABASE_URL=url)
    setup_django()
    from django.db import connection, connections

    from smartcity.sensing import services

    log_dir = ROOT / "bench" / "out"
    log_dir.mkdir(exist_ok=True)
    data = make_network(args.datastreams, args.readings)
    _, key = services.issue_ingest_key(name="bench gateways")
    batches = data.batches(args.batch)
    pg = connection.pg_version // 10000
    print(f"prepared {data.total:,} rows in {len(batches):,} batches", file=sys.stderr)

    problems: list[str] = []
    phases = args.phases.split(",")
    http = mqtt = None
    summaries: list[str] = []
    if "http" in phases:
        http = http_phase(data, batches, key, args, log_dir / "sensing-gunicorn.log")
        problems += http.notes + check(data, "HTTP")
    if "mqtt" in phases:
        mqtt, summaries = mqtt_phase(data, batches, args, log_dir)
        problems += mqtt.notes + check(data, "MQTT")
        problems += [s for s in summaries if s.startswith("ERRORS")]
    baseline = copy_phase(data, {})
    problems += check(data, "COPY")
    connections.close_all()
    if not args.keep:
        reset_database(url)
    if problems:
        for problem in problems:
            print(f"FAILED check: {problem}", file=sys.stderr)
        sys.exit(1)

    print(f"sensing ingest: {data.total:,} observations = {len(data.datastreams):,} datastreams × {data.readings:,} "
          f"readings ({len(data.datastreams) // PER_THING} gateways of {PER_THING}), PostgreSQL {pg}, "
          f"broker {args.mqtt_url}; load generator, server, consumer, broker and database share this machine's "
          f"{os.cpu_count()} cores")
    print(describe(baseline))
    for phase in (http, mqtt):
        if phase is not None:
            print(describe(phase, baseline))
    print(cpu_line(baseline, "the COPY"))
    for phase, what in ((http, "HTTP"), (mqtt, "MQTT")):
        if phase is not None:
            print(cpu_line(phase, what))
    print(f"checked after each phase: {data.total:,} rows, {data.readings:,} per datastream, no duplicates, the "
          f"same sum of values, no dead letters" + ("; consumer: " + " | ".join(summaries) if summaries else ""))


if __name__ == "__main__":
    main()

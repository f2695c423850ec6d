"""Benchmark: the two reads dashboards make, from a 100-million-row observation table (PostgreSQL).

1. latest values of 10,000 datastreams
   ours:     ``sensing.services.latest_values`` — the small table kept current by every ingest batch
   baseline: the same values from the observations themselves, one index probe per datastream
             (``LATERAL … ORDER BY phenomenon_time DESC LIMIT 1``), the best plan without that table
2. one month of one datastream
   ours:     ``sensing.services.observations`` — partition pruning + the (datastream, time) index
   baseline: the same query with index scans turned off (partition pruning only): what the index buys
Both answers are compared before any time is printed. p50/p99 over repeated calls with random datastreams.

The table is filled once (10,000 datastreams × 10,000 hourly readings, INSERT … SELECT from generate_series into the
monthly partitions, indexes in place) and kept, so later runs measure at once:

    .venv/bin/python bench/sensing_queries.py [--datastreams 10000] [--hours 10000] [--repeat 50]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics as stats_lib
import sys
import time

from _common import setup_django

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/smartcity_bench_sensing"
START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def fill(n_streams: int, hours: int) -> None:
    from django.db import connection, transaction

    from smartcity.sensing import storage
    from smartcity.sensing.models import Datastream, FeatureOfInterest, ObservedProperty, Sensor, Thing

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE sensing_observation, sensing_latestobservation, sensing_datastream, "
                       "sensing_featureofinterest, sensing_thing, sensing_sensor, sensing_observedproperty CASCADE")
    with transaction.atomic():
        sensor = Sensor.objects.create(name="bench", encoding_type="application/pdf", metadata="")
        prop = ObservedProperty.objects.create(name="PM2.5", definition="https://example.org/pm25")
        things = Thing.objects.bulk_create([Thing(name=f"station {i}") for i in range(n_streams // 10 or 1)])
        streams = Datastream.objects.bulk_create([
            Datastream(name=f"ds {i}", thing=things[i % len(things)], sensor=sensor, observed_property=prop,
                       observation_type="http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
                       unit_of_measurement={"symbol": "µg/m³"}) for i in range(n_streams)])
        foi = FeatureOfInterest.objects.create(name="bench", encoding_type="application/geo+json",
                                               feature={"type": "Point", "coordinates": [105.85, 21.03]})
    months = (hours // 24) // 28 + 2
    storage.ensure_partitions(START, months)
    first, last = streams[0].pk, streams[-1].pk
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # generated rows reference rows made just above: skip the per-row foreign-key triggers while filling
        cursor.execute("SET session_replication_role = replica")
        for lo in range(first, last + 1, 500):
            hi = min(lo + 499, last)
            cursor.execute(
                "INSERT INTO sensing_observation (datastream_id, phenomenon_time, result, feature_of_interest_id, "
                "quality_flags) SELECT d, %s + h * interval '1 hour', round((20 + 60 * random())::numeric, 1), %s, 0 "
                "FROM generate_series(%s, %s) d CROSS JOIN generate_series(0, %s) h",
                [START, foi.pk, lo, hi, hours - 1])
            print(f"  {hi - first + 1:,} / {n_streams:,} datastreams", file=sys.stderr)
        cursor.execute(
            "INSERT INTO sensing_latestobservation (datastream_id, observation_id, phenomenon_time, result, "
            "quality_flags) SELECT DISTINCT ON (datastream_id) datastream_id, id, phenomenon_time, result, 0 "
            "FROM sensing_observation ORDER BY datastream_id, phenomenon_time DESC")
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE sensing_observation")
        cursor.execute("ANALYZE sensing_latestobservation")
    print(f"filled {n_streams * hours:,} observations in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return stats_lib.median(ordered), ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def timed(fn, repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datastreams", type=int, default=10_000)
    parser.add_argument("--hours", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DATABASE_URL)
    setup_django()
    from django.db import connection, transaction

    from smartcity.sensing import services
    from smartcity.sensing.models import Datastream, Observation

    expected = args.datastreams * args.hours
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'sensing_observation_p202501'")
        row = cursor.fetchone()
    if Datastream.objects.count() != args.datastreams or row is None or row[0] <= 0:
        fill(args.datastreams, args.hours)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(reltuples)::bigint FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid "
                       "WHERE i.inhparent = 'sensing_observation'::regclass")
        (rows,) = cursor.fetchone()
    ids = list(Datastream.objects.order_by("pk").values_list("pk", flat=True))
    rng = random.Random(args.seed)

    def ours_latest():
        rows = services.latest_values(datastream_ids=ids).values_list("datastream_id", "phenomenon_time", "result")
        return {pk: (t, r) for pk, t, r in rows}

    def baseline_latest():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT d.id, o.phenomenon_time, o.result FROM sensing_datastream d CROSS JOIN LATERAL ("
                "SELECT phenomenon_time, result FROM sensing_observation WHERE datastream_id = d.id "
                "ORDER BY phenomenon_time DESC LIMIT 1) o WHERE d.id = ANY(%s)", [ids])
            return {pk: (t, r) for pk, t, r in cursor.fetchall()}

    months = [START + dt.timedelta(days=30 * m) for m in range(args.hours // 24 // 30)]

    def pick():
        return rng.choice(ids), rng.choice(months)

    def ours_month(ds, first):
        return list(services.observations(datastream_id=ds, start=first, end=first + dt.timedelta(days=30))
                    .values_list("phenomenon_time", "result"))

    def baseline_month(ds, first):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SET LOCAL enable_indexonlyscan = off")
            return list(Observation.objects.filter(datastream_id=ds, phenomenon_time__gte=first,
                                                   phenomenon_time__lt=first + dt.timedelta(days=30))
                        .order_by("phenomenon_time").values_list("phenomenon_time", "result"))

    # the same answers first
    assert ours_latest() == baseline_latest(), "latest values differ"
    ds, first = pick()
    assert ours_month(ds, first) == baseline_month(ds, first) and len(ours_month(ds, first)) == 720
    print(f"observations: {rows:,} rows (expected {expected:,}) in monthly partitions; {len(ids):,} datastreams; "
          f"PostgreSQL, 2 cores shared with the benchmark process")

    ours_t, _ = timed(ours_latest, args.repeat)
    base_t, _ = timed(baseline_latest, max(5, args.repeat // 5))
    (o50, o99), (b50, b99) = percentiles(ours_t), percentiles(base_t)
    print(f"latest values of {len(ids):,} datastreams — ours (latest table): p50 {o50:.1f} ms  p99 {o99:.1f} ms | "
          f"baseline (one index probe per datastream): p50 {b50:.1f} ms  p99 {b99:.1f} ms | ratio p50 {b50 / o50:.1f}×")

    picks = [pick() for _ in range(args.repeat)]
    ours_m = [timed(lambda p=p: ours_month(*p), 1)[0][0] for p in picks]
    base_m = [timed(lambda p=p: baseline_month(*p), 1)[0][0] for p in picks[: max(5, args.repeat // 10)]]
    (o50, o99), (b50, b99) = percentiles(ours_m), percentiles(base_m)
    print(f"one month (720 readings) of one datastream — ours (partition + index): p50 {o50:.1f} ms  p99 {o99:.1f} ms"
          f" | baseline (partition pruning, no index): p50 {b50:.1f} ms  p99 {b99:.1f} ms | ratio p50 {b50 / o50:.0f}×")


if __name__ == "__main__":
    main()

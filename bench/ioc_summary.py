"""Benchmark: the operations centre's summary (every tile) over millions of dossiers and the sensing tables.

Data (PostgreSQL, a scratch database of its own, ``smartcity_bench_ioc``): N dossiers received over the last two
years up to now, made with one set-based ``INSERT … SELECT … FROM generate_series`` (finished ones, running ones,
overdue ones, in every agency); Hà Nội's simulated monitoring network (``demo.network``: stations, observations,
hourly roll-ups, warnings) over ``--network-days`` days; a few maintenance alerts.

ours (read):     ``ioc.services.current_summary()`` as the screen and the API call it: the newest row the
                 ``ioc.summary`` job wrote (the pre-aggregation) — one indexed row.
ours (compute):  ``ioc.services.compute_tiles(now)`` — what the job runs every minute — with the centre's indexes
                 (``ioc.indexes``: a partial index of the running dossiers by appointment, a covering index of
                 finished dossiers), environment's status cache emptied before each run.
baseline:        the same ``compute_tiles(now)`` without those indexes (dropped for the run, then recreated) and
                 without the summary row: what every screen load would cost without our choices.
The figures of ours and the baseline are compared before any time is printed. Reports: the feedback tables are not
on this branch; their tiles read "no data" and are added at merge (docs/ioc.md).

    .venv/bin/python bench/ioc_summary.py [--n 5000000] [--repeat 20] [--network-days 2]
"""

from __future__ import annotations

import argparse
import os
import statistics as stats_lib
import sys
import time

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smartcity_bench_ioc")

from _common import setup_django  # noqa: E402


def generate(n: int) -> None:
    """``n`` dossiers over the two years before now, in one statement; the table emptied first."""
    from django.db import connection

    from smartcity.agencies.models import Agency
    from smartcity.population.models import Citizen
    from smartcity.procedures.models import ProcedureVersion
    from smartcity.procedures.services import load_catalogue

    load_catalogue()
    agencies = list(Agency.objects.filter(is_active=True, level__in=["commune", "province"])
                    .values_list("id", "unit_id"))
    versions = list(ProcedureVersion.objects.values_list("procedure_id", "id"))
    citizens = list(Citizen.objects.values_list("id", flat=True)[:10_000])
    if not citizens:
        from django.core.management import call_command

        call_command("population", "synth", "--n", "2000", "--seed", "2026")
        citizens = list(Citizen.objects.values_list("id", flat=True)[:10_000])

    def array(values) -> str:
        return "ARRAY[" + ",".join(str(v) for v in values) + "]"

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE dossiers_event, dossiers_dossierfile, dossiers_dossier CASCADE")
        cursor.execute(f"""
            INSERT INTO dossiers_dossier (code, tracking_secret, procedure_id, version_id, applicant_id, acting_for,
                represented_name, represented_id_number, agency_id, receiving_agency_id, unit_id, channel, status,
                data, step, submitted_at, received_at, processing_start, appointment_at, paused_hours,
                supplement_count, extended, finished_at, fee_due, paid_online, result, result_signed,
                result_stored, reused_documents)
            SELECT 'IOCB-' || lpad(i::text, 8, '0'), 'BENCHXYZ', p[1 + v], pv[1 + v], c[1 + (i % {len(citizens)})],
                'self', '', '', ag[1 + a], ag[1 + a], un[1 + a], 1 + (i % 3),
                CASE WHEN fin < now() THEN 10 WHEN i % 2 = 0 THEN 4 ELSE 2 END,
                '{{}}', 0, rec, rec, rec, rec + (1 + i % 14) * interval '1 day', 0, (i % 10 = 0)::int,
                i % 33 = 0, CASE WHEN fin < now() THEN fin END, 0, false, '', false, false, 0
            FROM (SELECT i, now() - interval '730 days' * (1 - i::float / {n}) AS rec,
                         floor(random() * {len(versions)})::int AS v, floor(random() * {len(agencies)})::int AS a,
                         random() AS r
                  FROM generate_series(1, {n}) AS i) AS g,
                 LATERAL (SELECT g.rec + interval '1 day' * (0.5 + g.r * g.r * 20) AS fin) AS f,
                 (SELECT {array(v for v, _ in versions)} AS p, {array(v for _, v in versions)} AS pv,
                         {array(citizens)} AS c, {array(a for a, _ in agencies)} AS ag,
                         {array(u for _, u in agencies)} AS un) AS k""")
        # as autovacuum leaves a live table: statistics, and the visibility map an index-only scan needs
        cursor.execute("VACUUM ANALYZE dossiers_dossier")
    print(f"generated {n:,} dossiers in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def network(days: int) -> None:
    from smartcity.demo import network as demo_network
    from smartcity.sensing.models import Thing

    if not Thing.objects.exists():
        started = time.perf_counter()
        demo_network.load_network(lambda text: print(text, file=sys.stderr), days=days)
        print(f"monitoring network in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    from smartcity.sensing import services as sensing

    sensing.check_stale()


def timed(fn, repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return times, result


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--network-days", type=int, default=2)
    parser.add_argument("--regenerate", action="store_true", help="make the dossiers again even if present")
    args = parser.parse_args()
    setup_django()
    from django.core.cache import cache
    from django.db import connection
    from django.utils import timezone

    from smartcity.dossiers.models import Dossier
    from smartcity.ioc import indexes, services

    if args.regenerate or Dossier.objects.filter(code__startswith="IOCB-").count() != args.n:
        generate(args.n)
    network(args.network_days)
    now = timezone.now()

    def compute() -> list:
        cache.clear()  # environment's status cache: every run computes the stations' values afresh
        return services.compute_tiles(now)

    from smartcity.ioc import sources

    def by_source() -> dict[str, float]:
        """The median time of each provider's tiles (where the compute time goes)."""
        out = {}
        for provider in sources.providers():
            if hasattr(provider, "tiles"):
                out[provider.key] = stats_lib.median(
                    timed(lambda p=provider: (cache.clear(), p.tiles(now)), args.repeat)[0])
        return out

    indexes.create(connection)
    compute()  # warm the buffers the same way for both
    ours_t, ours = timed(compute, args.repeat)
    ours_split = by_source()
    services.refresh_summary(now=now)
    read_t, _summary = timed(lambda: services.tiles_for_display(services.current_summary(now=now)), args.repeat)
    indexes.drop(connection)
    try:
        compute()
        base_t, base = timed(compute, args.repeat)
        base_split = by_source()
    finally:
        indexes.create(connection)
    assert ours == base, "different figures with and without the indexes"

    figures = {t["key"]: t.get("value") for t in ours}
    running = Dossier.objects.filter(status__in=[2, 4]).count()
    print(f"dossiers: {Dossier.objects.count():,} ({running:,} running); tiles: "
          + ", ".join(f"{k}={v}" for k, v in figures.items()))
    print(f"PostgreSQL; p95 of {args.repeat} runs each (median in brackets)")
    med = stats_lib.median
    print(f"ours (read: the pre-computed summary row): p95 {p95(read_t) * 1000:.1f} ms ({med(read_t) * 1000:.1f})")
    print(f"ours (compute every tile, with the centre's indexes): p95 {p95(ours_t) * 1000:.0f} ms "
          f"({med(ours_t) * 1000:.0f})")
    print(f"baseline (compute every tile, no indexes, no summary row): p95 {p95(base_t) * 1000:.0f} ms "
          f"({med(base_t) * 1000:.0f})")
    print("median per source, ours / baseline: " + ", ".join(
        f"{k} {ours_split[k] * 1000:.0f} / {base_split[k] * 1000:.0f} ms" for k in ours_split))
    print(f"ratio (baseline / ours compute): {p95(base_t) / p95(ours_t):.1f}×   "
          f"(baseline / ours read): {p95(base_t) / p95(read_t):.0f}×")


if __name__ == "__main__":
    main()

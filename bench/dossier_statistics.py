"""Benchmark: one month's on-time statistics over 5 million dossiers (two years, all of Hà Nội's agencies).

ours:     ``smartcity.dossiers.statistics.compute`` — two grouped SQL queries (the dossiers that overlap the month,
          found through the span index; their ratings) — for all agencies, and for the city.
baseline: the same figures computed in Python from the month's rows loaded from the database (what a report
          written as "fetch the rows, loop and count" does), in the same run, on the same data.
The figures of both are compared before any time is printed, so the benchmark cannot measure a wrong answer fast.

    .venv/bin/python bench/dossier_statistics.py [--n 5000000] [--month 2026-03] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics as stats_lib
import sys
import time

from _common import checkpoint, setup_django


def generate(n: int, seed: int) -> None:
    """COPY ``n`` dossiers received uniformly over 2025-01-01 … 2026-12-31 into an emptied dossier table."""
    import numpy as np
    from django.db import connection

    from smartcity.agencies.models import Agency
    from smartcity.population.models import Citizen
    from smartcity.procedures.models import ProcedureVersion
    from smartcity.procedures.services import load_catalogue

    load_catalogue()
    rng = np.random.default_rng(seed)
    agencies = np.array(list(Agency.objects.filter(is_active=True, level__in=["commune", "province"])
                             .values_list("id", "unit_id")))
    versions = np.array(list(ProcedureVersion.objects.values_list("procedure_id", "id")))
    citizens = np.array(list(Citizen.objects.values_list("id", flat=True)[:200_000]))
    if len(citizens) == 0:
        sys.exit("no citizens: run bench/population_import.py first (or `smartcity population synth --n 100000`)")
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC).timestamp()
    span = 2 * 365 * 86400
    # in time order, as a live system writes them: ids, and so the table's pages, follow the reception time
    received = np.sort(start + rng.random(n) * span)
    appointment = received + rng.integers(1, 15, n) * 86400.0
    took = rng.gamma(2.0, 2.5, n) * 86400.0
    finished = received + took
    now = dt.datetime(2026, 12, 31, tzinfo=dt.UTC).timestamp()
    done = finished < now
    status = np.where(done, 10, 4)
    channel = rng.choice([1, 2, 3], n, p=[0.55, 0.4, 0.05])
    a = agencies[rng.integers(0, len(agencies), n)]
    v = versions[rng.integers(0, len(versions), n)]
    who = citizens[rng.integers(0, len(citizens), n)]
    extended = rng.random(n) < 0.03
    supplements = rng.choice([0, 1, 2], n, p=[0.85, 0.12, 0.03])
    fee = np.where(rng.random(n) < 0.3, rng.choice([8000, 20000, 50000, 200000], n), 0)
    paid_online = (fee > 0) & (rng.random(n) < 0.6)
    signed = done & (rng.random(n) < 0.5)
    stored = signed & (channel == 1)

    def iso(ts: float) -> str:
        return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat()

    columns = ("code", "procedure_id", "version_id", "applicant_id", "agency_id", "receiving_agency_id", "unit_id",
               "channel", "status", "data", "step", "submitted_at", "received_at", "processing_start",
               "appointment_at", "paused_hours", "supplement_count", "extended", "finished_at", "fee_due",
               "paid_online", "result", "result_signed", "result_stored", "reused_documents")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE dossiers_event, dossiers_dossierfile, dossiers_dossier CASCADE")
        started = time.perf_counter()
        with cursor.connection.cursor().copy(
            f"COPY dossiers_dossier ({', '.join(columns)}) FROM STDIN"
        ) as copy:
            for lo in range(0, n, 200_000):
                buffer = io.StringIO()
                for i in range(lo, min(n, lo + 200_000)):
                    r = iso(received[i])
                    buffer.write("\t".join((
                        f"BENCH-{i:08d}", str(v[i][0]), str(v[i][1]), str(who[i]), str(a[i][0]), str(a[i][0]),
                        str(a[i][1]), str(channel[i]), str(status[i]), "{}", "0", r, r, r, iso(appointment[i]),
                        "0", str(supplements[i]), "t" if extended[i] else "f",
                        iso(finished[i]) if done[i] else "\\N", str(fee[i]), "t" if paid_online[i] else "f", "",
                        "t" if signed[i] else "f", "t" if stored[i] else "f", "0")) + "\n")
                copy.write(buffer.getvalue())
        # a tenth of the finished dossiers rated by their applicant (the statistics join the ratings)
        cursor.execute("TRUNCATE dossiers_evaluation")
        cursor.execute("INSERT INTO dossiers_evaluation (dossier_id, dossier_finished_at, at, points, total, "
                       "satisfaction, comment) "
                       "SELECT id, finished_at, finished_at, '[]', floor(random() * 19)::int, "
                       "1 + floor(random() * 3)::int, '' "
                       "FROM dossiers_dossier WHERE finished_at IS NOT NULL AND random() < 0.1")
        cursor.execute("ANALYZE dossiers_dossier")
        cursor.execute("ANALYZE dossiers_evaluation")
    print(f"generated {n:,} dossiers in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def in_python(start: dt.datetime, end: dt.datetime) -> dict[str, dict[str, int]]:
    """The baseline: load the rows the month touches and count in Python."""
    from django.db.models import Q
    from django.utils.timezone import localtime

    from smartcity.dossiers.models import Dossier
    from smartcity.dossiers.statistics import RUNNING

    rows = Dossier.objects.filter(
        Q(received_at__lt=end) & (Q(finished_at__isnull=True) | Q(finished_at__gte=start))
        | Q(received_at__gte=start, received_at__lt=end)
    ).values_list("agency__code", "received_at", "finished_at", "appointment_at", "channel", "status", "extended",
                  "supplement_count")
    out: dict[str, dict[str, int]] = {}
    for code, received, finished, appointment, channel, status, extended, supplements in rows.iterator(10_000):
        row = out.setdefault(code, {"received": 0, "received_online": 0, "carried_over": 0, "processed": 0,
                                    "processed_early": 0, "processed_on_time": 0, "in_progress_late": 0})
        if start <= received < end:
            row["received"] += 1
            row["received_online"] += channel == 1
        if received < start:
            row["carried_over"] += 1
        if finished is not None and start <= finished < end:
            row["processed"] += 1
            if finished <= appointment and not extended and supplements <= 1:
                early = localtime(finished).date() < localtime(appointment).date()
                row["processed_early" if early else "processed_on_time"] += 1
        if received < end and (status in RUNNING or (finished is not None and finished >= end)) and appointment < end:
            row["in_progress_late"] += 1
    return out


def timed(fn, repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5_000_000)
    parser.add_argument("--month", default="2026-03")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--regenerate", action="store_true", help="make the dossiers again even if present")
    args = parser.parse_args()
    setup_django()
    from django.utils import timezone

    from smartcity.dossiers import statistics
    from smartcity.dossiers.models import Dossier

    if args.regenerate or Dossier.objects.filter(code__startswith="BENCH-").count() != args.n:
        generate(args.n, args.seed)
    checkpoint()
    tz = timezone.get_current_timezone()
    first = dt.date.fromisoformat(f"{args.month}-01")
    start = dt.datetime.combine(first, dt.time(), tz)
    end = dt.datetime.combine((first + dt.timedelta(days=32)).replace(day=1), dt.time(), tz)

    agencies_t, rows = timed(lambda: statistics.compute(start=start, end=end), args.repeat)
    city_t, city = timed(lambda: statistics.compute(start=start, end=end, group="city"), args.repeat)
    python_t, baseline = timed(lambda: in_python(start, end), max(1, args.repeat // 2))

    ours = {r["key"]: r for r in rows}
    assert set(ours) == set(baseline), "different agencies"
    for code, expected in baseline.items():
        for field, value in expected.items():
            assert ours[code][field] == value, (code, field, ours[code][field], value)
    assert city[0]["received"] == sum(r["received"] for r in rows)

    med = stats_lib.median
    print(f"dossiers: {Dossier.objects.count():,} over 2025–2026, {len(rows)} agencies; month {args.month}; "
          f"PostgreSQL; median of {args.repeat} runs")
    print(f"ours (two grouped queries: dossiers, ratings), all agencies: {med(agencies_t) * 1000:.0f} ms   whole city: "
          f"{med(city_t) * 1000:.0f} ms")
    print(f"baseline (rows loaded into Python, counted in a loop): {med(python_t) * 1000:.0f} ms")
    print(f"ratio (baseline / ours, all agencies): {med(python_t) / med(agencies_t):.1f}×")


if __name__ == "__main__":
    main()

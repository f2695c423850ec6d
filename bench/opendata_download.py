"""Streaming a big open-data table as CSV through the download endpoint vs PostgreSQL's own COPY of the same query.

* **ours**: GET /du-lieu-mo/tai-nguyen/<id>/tai-ve.csv through Django (middleware, the quota check, the view,
  StreamingHttpResponse), every chunk read and counted.
* **python path** (for information): the same download written by Python's csv module over a server-side cursor
  (what runs on SQLite), ``downloads.csv_chunks(use_copy=False)``.
* **baseline**: ``COPY (SELECT data->>… FROM opendata_row WHERE resource_id = … ORDER BY n) TO STDOUT`` — the same
  query — read through psycopg in the same run.

Memory: the process's peak RSS growth during each run (flat: it does not grow with the rows).

    .venv/bin/python bench/opendata_download.py [--rows 10000000]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smartcity_bench_opendata")

from _common import setup_django  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--skip-python", action="store_true", help="leave out the pure-Python csv path (slow)")
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.test import Client

    from smartcity.opendata import downloads, services
    from smartcity.opendata.models import Dataset, Resource, Row

    org = services.save_organization(name="bench", title="Bench")
    ds = services.save_dataset(name="bench-download", title="Bench download", organization=org)
    fields = [{"id": "i", "type": "int"}, {"id": "station", "type": "text"}, {"id": "time", "type": "timestamp"},
              {"id": "value", "type": "numeric"}]
    res, _ = Resource.objects.get_or_create(dataset=ds, name="big", defaults=dict(kind="file", format="CSV",
                                                                                   fields=fields))
    if res.row_count != args.rows:
        print(f"filling {args.rows:,} rows…", file=sys.stderr)
        Row.objects.filter(resource=res).delete()
        with connection.cursor() as cursor:
            step = 1_000_000
            for lo in range(1, args.rows + 1, step):
                hi = min(args.rows, lo + step - 1)
                cursor.execute(
                    "INSERT INTO opendata_row (resource_id, n, data, search) SELECT %s, g, jsonb_build_object("
                    "'i', g, 'station', 'hn-' || (g %% 300), 'time', to_char(timestamptz '2025-01-01' + g * interval "
                    "'1 minute', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'value', round((random() * 300)::numeric, 1)), '' "
                    "FROM generate_series(%s, %s) g", [res.pk, lo, hi])
            cursor.execute("ANALYZE opendata_row")
        Resource.objects.filter(pk=res.pk).update(row_count=args.rows)
        res.refresh_from_db()
    Dataset.objects.filter(pk=ds.pk).update(private=False)
    key = services.issue_api_key(name="bench", daily_quota=10**9)[1]

    def ours() -> int:
        client = Client()
        response = client.get(f"/du-lieu-mo/tai-nguyen/{res.uuid}/tai-ve.csv", HTTP_X_API_KEY=key, secure=True)
        assert response.status_code == 200, response.status_code
        return sum(len(chunk) for chunk in response.streaming_content)

    def python_path() -> int:
        return sum(len(chunk) for chunk in downloads.csv_chunks(res, use_copy=False))

    def baseline() -> int:
        columns = [f["id"] for f in fields]
        total = 0
        connection.ensure_connection()
        with connection.connection.cursor() as cursor, cursor.copy(downloads.copy_sql(columns),
                                                                   [*columns, res.pk]) as copy:
            for block in copy:
                total += len(block)
        return total

    # Warm up: the first request imports every app's URLs and views (tens of MB that are not the download's).
    assert Client().get("/api/3/action/status_show", secure=True).status_code == 200
    results = {}
    runs = [("baseline COPY TO STDOUT", baseline), ("ours: download endpoint", ours)]
    if not args.skip_python:
        runs.append(("python csv path", python_path))
    for name, run in runs:
        before = peak_mb()
        t0 = time.perf_counter()
        size = run()
        seconds = time.perf_counter() - t0
        results[name] = (size, seconds, peak_mb() - before)
    print(f"rows: {args.rows:,}  (PostgreSQL {connection.pg_version})")
    for name, (size, seconds, grown) in results.items():
        print(f"{name:26s} {size / 1e6:9.1f} MB in {seconds:7.2f} s = {size / 1e6 / seconds:7.1f} MB/s; "
              f"peak RSS grew {grown:6.1f} MB")
    base = results["baseline COPY TO STDOUT"]
    for name in [n for n, _ in runs[1:]]:
        size, seconds, _ = results[name]
        print(f"ratio {name} / baseline (MB/s): {(size / seconds) / (base[0] / base[1]):.2f}  (goal >= 0.5)")


if __name__ == "__main__":
    main()

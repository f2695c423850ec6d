"""Bulk import of citizens vs a raw COPY of the same rows (PostgreSQL).

Ours: ``smartcity.population.importing.import_citizens`` on a CSV of N synthetic citizens (default one million)
into an empty registry — reading, validating every row with the registry's rules, the whole-file checks, the
households, chunked transactions, the audit entry.
Baseline: the rows that import stored (citizens and households, read back beforehand and not timed) loaded with
one raw ``COPY`` each into empty copies of the two tables (``LIKE … INCLUDING ALL`` plus the same foreign keys),
i.e. what PostgreSQL needs to store the same data with the same indexes and constraints, with no checks at all.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartcity_bench .venv/bin/python bench/population_import.py --n 1000000

The registry of the benchmark database is emptied first (``TRUNCATE … CASCADE``): use a scratch database.
"""

from __future__ import annotations

import argparse
import io
import sys
import time

from _common import checkpoint, setup_django, synthesize

CITIZEN_COLUMNS = ("id", "id_number", "full_name", "date_of_birth", "sex", "ethnicity", "nationality",
                   "permanent_unit_id", "permanent_address", "temporary_unit_id", "temporary_address", "phone",
                   "email", "household_id", "relation_to_head", "id_warnings", "created_at", "updated_at")
HOUSEHOLD_COLUMNS = ("id", "code", "unit_id", "address", "head_id")


class _Phases:
    """Records when each phase of the import starts, to print where the time goes."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []

    def phase(self, name: str, total: int) -> None:
        self.marks.append((name, time.perf_counter()))

    def advance(self, rows: int) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000, help="synthetic citizens (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    setup_django()

    from django.db import connection

    from smartcity.population.importing import import_citizens

    path = synthesize(args.n, args.seed)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE population_citizen, population_household CASCADE")
    checkpoint()

    phases = _Phases()
    started = time.perf_counter()
    result = import_citizens(path=path, progress=phases)
    ours = time.perf_counter() - started
    breakdown = _breakdown(phases.marks, started, started + ours)
    if result.inserted != args.n:
        sys.exit(f"expected {args.n} new citizens, the import reports {result.counts()}")

    # The same rows, as PostgreSQL's COPY text, read back from the tables the import filled (not timed).
    citizens, households = io.BytesIO(), io.BytesIO()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for table, columns, buffer in (("population_citizen", CITIZEN_COLUMNS, citizens),
                                       ("population_household", HOUSEHOLD_COLUMNS, households)):
            with raw.copy(f"COPY {table} ({', '.join(columns)}) TO STDOUT") as copy:
                for block in copy:
                    buffer.write(block)
        cursor.execute("DROP TABLE IF EXISTS bench_citizen, bench_household")
        cursor.execute("CREATE TABLE bench_household (LIKE population_household INCLUDING ALL)")
        cursor.execute("CREATE TABLE bench_citizen (LIKE population_citizen INCLUDING ALL)")
        cursor.execute(
            "ALTER TABLE bench_citizen "
            "ADD FOREIGN KEY (permanent_unit_id) REFERENCES places_unit (id) DEFERRABLE INITIALLY DEFERRED, "
            "ADD FOREIGN KEY (temporary_unit_id) REFERENCES places_unit (id) DEFERRABLE INITIALLY DEFERRED, "
            "ADD FOREIGN KEY (household_id) REFERENCES bench_household (id) DEFERRABLE INITIALLY DEFERRED")
        cursor.execute(
            "ALTER TABLE bench_household "
            "ADD FOREIGN KEY (unit_id) REFERENCES places_unit (id) DEFERRABLE INITIALLY DEFERRED, "
            "ADD FOREIGN KEY (head_id) REFERENCES bench_citizen (id) DEFERRABLE INITIALLY DEFERRED")
    checkpoint()

    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with connection.connection.transaction():
            for table, columns, buffer in (("bench_household", HOUSEHOLD_COLUMNS, households),
                                           ("bench_citizen", CITIZEN_COLUMNS, citizens)):
                with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    copy.write(buffer.getbuffer())
    baseline = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_citizen, bench_household")

    ours_rate, base_rate = args.n / ours, args.n / baseline
    print(f"citizens: {args.n:,} in {result.households:,} households (synthetic, seed {args.seed}); "
          f"PostgreSQL {connection.pg_version // 10000}")
    print(f"ours (import_citizens: read, validate, stage, check, write): {ours:.1f} s  ({breakdown})")
    print(f"baseline (raw COPY of the same rows into empty tables with the same indexes and constraints): "
          f"{baseline:.1f} s")
    print(f"ours: {ours_rate:,.0f} rows/s  baseline (COPY): {base_rate:,.0f} rows/s  "
          f"ratio: {ours_rate / base_rate:.2f}")


def _breakdown(marks: list[tuple[str, float]], started: float, ended: float) -> str:
    """Seconds per phase: the file check, then each phase the import reported, until it returned."""
    labels = {"kiểm tra": "read+validate+stage+check", "ghi": "write"}
    bounds = [("file check", started)] + marks + [("", ended)]
    return ", ".join(f"{labels.get(name, name)} {end - begin:.1f} s"
                     for (name, begin), (_, end) in zip(bounds, bounds[1:], strict=False))


if __name__ == "__main__":
    main()

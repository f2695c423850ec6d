"""Look-up of a citizen by ID number through the HTTP API vs the bare SQL query (PostgreSQL).

Ours: ``POST /api/v1/population/citizens/lookup`` (ID number and purpose in the JSON body) as a city administrator (a ``city_admin`` of
agency 000.00.00.H26, whose scope is all of Hà Nội), through Django's test client — the whole request: session
and authentication, the scope check, the query, the audit entry, the JSON answer.
Baseline: ``SELECT … FROM population_citizen WHERE id_number = %s`` on the same connection, same numbers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartcity_bench .venv/bin/python bench/population_lookup.py

The registry is filled with synthetic citizens first if it holds fewer than ``--citizens`` (default one million).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

from _common import setup_django, synthesize

PURPOSE = "Kiểm tra hồ sơ đăng ký thường trú"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--citizens", type=int, default=1_000_000, help="at least this many in the registry")
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    setup_django()

    from django.db import connection
    from django.test import Client

    from smartcity.agencies.models import Agency
    from smartcity.agencies.services import add_membership
    from smartcity.identity.models import User
    from smartcity.population.importing import import_citizens
    from smartcity.population.models import Citizen

    have = Citizen.objects.count()
    if have < args.citizens:
        path = synthesize(args.citizens, args.seed)
        result = import_citizens(path=path)
        print(f"imported {result.inserted:,} synthetic citizens ({result.unchanged:,} already there)", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE population_citizen")
        cursor.execute("SELECT id_number FROM population_citizen")
        numbers = [row[0] for row in cursor.fetchall()]
    total = len(numbers)
    sample = random.Random(args.seed).sample(numbers, args.lookups)
    del numbers

    user, _ = User.objects.get_or_create(username="bench.city-admin", defaults={
        "kind": User.Kind.STAFF, "is_staff": True, "first_name": "Quản trị", "last_name": "Thành phố"})
    add_membership(user=user, agency=Agency.objects.get(code="000.00.00.H26"), role="city_admin")
    client = Client()
    client.force_login(user)

    def ours(number: str) -> None:
        response = client.post("/api/v1/population/citizens/lookup", {"id_number": number, "purpose": PURPOSE},
                               content_type="application/json", secure=True)
        if response.status_code != 200:
            sys.exit(f"GET {number}: {response.status_code} {response.content[:300]!r}")

    columns = ("id", "id_number", "full_name", "date_of_birth", "sex", "ethnicity", "nationality",
               "permanent_unit_id", "permanent_address", "temporary_unit_id", "temporary_address", "phone", "email",
               "household_id", "relation_to_head", "id_warnings")
    sql = f"SELECT {', '.join(columns)} FROM population_citizen WHERE id_number = %s"
    cursor = connection.cursor()

    def baseline(number: str) -> None:
        cursor.execute(sql, [number])
        if cursor.fetchone() is None:
            sys.exit(f"{number} not found")

    def timed(call: object, numbers: list[str]) -> list[float]:
        times = []
        for number in numbers:
            started = time.perf_counter()
            call(number)  # type: ignore[operator]
            times.append((time.perf_counter() - started) * 1000)
        return times

    warm = sample[:50]
    timed(ours, warm)
    timed(baseline, warm)
    ours_ms = timed(ours, sample)
    base_ms = timed(baseline, sample)

    o50, o99 = percentile(ours_ms, 50), percentile(ours_ms, 99)
    b50, b99 = percentile(base_ms, 50), percentile(base_ms, 99)
    print(f"citizens in the registry: {total:,}; look-ups: {len(sample):,} random ID numbers, "
          f"PostgreSQL {connection.pg_version // 10000}")
    print("ours (POST /api/v1/population/citizens/lookup as city administrator, audited): "
          f"p50 {o50:.2f} ms  p99 {o99:.2f} ms  mean {statistics.fmean(ours_ms):.2f} ms")
    print(f"baseline (SELECT … WHERE id_number = %s): p50 {b50:.3f} ms  p99 {b99:.3f} ms  "
          f"mean {statistics.fmean(base_ms):.3f} ms")
    print(f"ratio (ours/baseline): p50 {o50 / b50:.1f}  p99 {o99 / b99:.1f}")


if __name__ == "__main__":
    main()

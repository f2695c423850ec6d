"""What the population benchmarks share: a scratch PostgreSQL database made ready, and enough citizens in it.

The benchmarks run with production-like settings (``DEBUG`` off, persistent database connections) on their own
database, ``smartcity_bench`` by default, which they create, migrate and fill as needed. They never assert on
time: they print our figure, the baseline measured in the same run, and the ratio.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"  # generated CSV files (git-ignored)
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/smartcity_bench"


def setup_django() -> None:
    """Production-like settings on the benchmark database; create and migrate it if needed; load Hà Nội."""
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DEBUG", "false")  # DEBUG keeps every SQL statement in memory and slows each request
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    # Production settings require an audit chain key (docs/audit.md); a fixed one for the scratch database.
    os.environ.setdefault("SMARTCITY_AUDIT_KEYS", "bench:YmVuY2gtb25seS1hdWRpdC1jaGFpbi1rZXktMDEyMzQ1Njc4OQ")
    os.environ.setdefault("DB_CONN_MAX_AGE", "600")  # as a production server runs: no reconnect per request
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
    sys.path.insert(0, str(ROOT / "src"))
    _create_database(os.environ["DATABASE_URL"])

    import django
    from django.core.management import call_command

    django.setup()
    from smartcity.agencies.models import Agency
    from smartcity.agencies.services import seed_hanoi
    from smartcity.places.models import Level, Structure, Unit
    from smartcity.places.services import load_units

    call_command("migrate", verbosity=0, interactive=False)
    if not Unit.objects.filter(structure=Structure.Y2025, level=Level.COMMUNE, province_code="01").exists():
        load_units(province_codes=["01"])
    if not Agency.objects.filter(code="000.00.00.H26").exists():
        seed_hanoi()


def _create_database(url: str) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        sys.exit(f"The population benchmarks need PostgreSQL; DATABASE_URL is {url}")
    params = {"host": config["HOST"] or None, "port": config["PORT"] or None, "user": config["USER"] or None,
              "password": config["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')
            print(f"created database {config['NAME']}", file=sys.stderr)


def checkpoint() -> None:
    """Flush dirty pages before a timed run so that one run does not pay for the previous one's writes."""
    from django.db import DatabaseError, connection

    with connection.cursor() as cursor:
        try:
            cursor.execute("CHECKPOINT")
        except DatabaseError:  # needs superuser or the pg_checkpoint role; the figures are only noisier without
            print("CHECKPOINT not allowed for this user: figures may be noisier", file=sys.stderr)


def synthesize(n: int, seed: int) -> Path:
    """A CSV of ``n`` synthetic citizens (kept in bench/out/ and reused by later runs with the same n and seed)."""
    from smartcity.population import synth

    OUT_DIR.mkdir(exist_ok=True)
    path = OUT_DIR / f"citizens-{n}-seed{seed}.csv"
    if not path.exists():
        started = time.perf_counter()
        partial = path.with_suffix(".partial")
        made = synth.write_csv(partial, n=n, seed=seed)
        partial.rename(path)
        print(f"generated {made.rows:,} synthetic citizens in {made.households:,} households "
              f"in {time.perf_counter() - started:.1f} s -> {path.relative_to(ROOT)}", file=sys.stderr)
    return path

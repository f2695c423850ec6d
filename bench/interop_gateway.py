"""Benchmark: a data-sharing gateway call vs a bare authenticated endpoint, req/s and latency, 16 clients.

ours:     ``POST /api/v1/interop/residence-verification`` — bearer token check, registration and purpose check,
          consent check, the population read, the call log row and its audit-chain entry (the chain append is
          serialised by a PostgreSQL advisory lock), each request with a fresh ``X-Request-ID``.
baseline: ``GET /api/v1/interop/services`` with the same tokens — the bearer token check and one small read, no
          consent, no log: the bare authenticated endpoint.

Each client is its own registered system with its own token (client credentials, fetched once at the start, as
a real client would for the token's 5 minutes); subjects cycle over ``--citizens`` residents who all consented.
After the run it checks that every answered call left exactly one log row and one audit entry.

The database (``BENCH_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/smartcity_bench_interop``) is
dropped and made again at the start and dropped at the end.

    .venv/bin/python bench/interop_gateway.py [--clients 16] [--requests 4000] [--baseline-requests 4000]
                                               [--citizens 500] [--workers 4] [--threads 4]
"""

from __future__ import annotations

import argparse
import base64
import itertools
import os
import sys
import tempfile
import uuid
from pathlib import Path

import requests
from _common import checkpoint, setup_django
from dossier_submission import (
    SERVER_ENV,
    Client,
    describe,
    free_port,
    quantile,
    reset_database,
    run,
    start_server,
    stop_server,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/smartcity_bench_interop"
OURS_PATH = "/api/v1/interop/residence-verification"
BASELINE_PATH = "/api/v1/interop/services"


def prepare(n_clients: int, n_citizens: int) -> tuple[list[tuple[str, str]], list[str]]:
    """Registered clients (id, secret) and consenting citizens' ID numbers."""
    import datetime as dt

    from django.utils import timezone

    from smartcity.interop import services
    from smartcity.interop.models import Consent, DataService
    from smartcity.places.models import Level, Structure, Unit
    from smartcity.population.models import Citizen

    services.ensure_services()
    units = list(Unit.objects.filter(structure=Structure.Y2025, level=Level.COMMUNE, province_code="01")[:20])
    numbers = [f"0010900{i:05d}" for i in range(n_citizens)]
    Citizen.objects.bulk_create([
        Citizen(id_number=number, full_name=f"Công dân {i}", date_of_birth=dt.date(1990, 1, 1), sex="M",
                permanent_unit=units[i % len(units)]) for i, number in enumerate(numbers)], ignore_conflicts=True)
    service = DataService.objects.get(code=services.RESIDENCE)
    now = timezone.now()
    Consent.objects.bulk_create([Consent(citizen=c, service=service, given_at=now)
                                 for c in Citizen.objects.filter(id_number__in=numbers)])
    clients = []
    for i in range(n_clients):
        client, secret = services.register_client(
            client_id=f"bench-{i:02d}", name=f"Hệ thống thử {i}", agency_name=f"Cơ quan thử {i}",
            grants={services.RESIDENCE: ["residence-check"]})
        clients.append((client.client_id, secret))
    return clients, numbers


def token(base: str, client_id: str, secret: str) -> str:
    auth = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    r = requests.post(f"{base}/interop/oauth/token", data={"grant_type": "client_credentials"},
                      headers={"Authorization": f"Basic {auth}"}, timeout=60)
    r.raise_for_status()
    return r.json()["access_token"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--baseline-requests", type=int, default=4000)
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per client before each phase")
    parser.add_argument("--citizens", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    reset_database(url)
    scratch = Path(tempfile.mkdtemp(prefix="smartcity-bench-interop-"))
    os.environ.update(SERVER_ENV, DATABASE_URL=url, MEDIA_ROOT=str(scratch / "media"),
                      SMARTCITY_VAR_DIR=str(scratch / "var"))
    setup_django()
    from django.db import connection, connections

    registered, numbers = prepare(args.clients, args.citizens)
    pg = connection.pg_version // 10000
    checkpoint()
    connections.close_all()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = scratch / "gunicorn.log"
    server = start_server(port=port, workers=args.workers, threads=args.threads, log=log)
    subjects = itertools.cycle(numbers)
    clients = []
    try:
        for client_id, secret in registered:
            c = Client(label=client_id, ward="", session_key="", csrf_token="", body=b"", content_type="")
            c.http.headers["Authorization"] = f"Bearer {token(base, client_id, secret)}"
            clients.append(c)

        def call(c: Client) -> requests.Response:
            return c.http.post(f"{base}{OURS_PATH}", json={"id_number": next(subjects), "purpose": "residence-check"},
                               headers={"X-Request-ID": uuid.uuid4().hex}, timeout=120)

        def bare(c: Client) -> requests.Response:
            return c.http.get(f"{base}{BASELINE_PATH}", timeout=120)

        warm = args.warmup * len(clients)
        warmups = [run("warm-up", clients, warm, bare, 200, server.pid)]
        baseline = run(f"baseline (GET {BASELINE_PATH}: token check + one read)", clients, args.baseline_requests,
                       bare, 200, server.pid)
        warmups.append(run("warm-up", clients, warm, call, 200, server.pid))
        ours = run(f"ours (POST {OURS_PATH}: token, grant, purpose, consent, read, log + audit)", clients,
                   args.requests, call, 200, server.pid)
    finally:
        stop_server(server)

    kind = f"gthread × {args.threads} threads" if args.threads > 1 else "sync"
    print(f"interop gateway: {len(clients)} concurrent clients (threads, keep-alive, each its own registered system "
          f"and token), {args.citizens} consenting subjects, gunicorn {args.workers} workers ({kind}), DEBUG off, "
          f"PostgreSQL {pg}; load generator, server and database share this machine's {os.cpu_count()} cores")
    print(describe(baseline))
    print(describe(ours))
    if baseline.latencies and ours.latencies:
        print(f"ratio (ours/baseline): req/s {ours.ok / ours.wall / (baseline.ok / baseline.wall):.3f}  "
              f"p50 {quantile(ours, 50) / quantile(baseline, 50):.2f}×  "
              f"p95 {quantile(ours, 95) / quantile(baseline, 95):.2f}×")

    from smartcity.audit.models import Entry
    from smartcity.interop.models import CallLog

    answered = ours.ok + warmups[1].ok
    logged = CallLog.objects.filter(outcome="answered").count()
    audited = Entry.objects.filter(subject_type="interop.residence-verification").count()
    print(f"stored: {logged:,} call-log rows and {audited:,} audit entries for {answered:,} answered calls")
    problems = [f"{p.label}: {dict(p.statuses)}; {p.failures[:3]}" for p in (*warmups, baseline, ours) if p.failed]
    if not (logged == audited == answered):
        problems.append(f"log rows {logged}, audit entries {audited}, answered {answered}")
    connections.close_all()
    reset_database(url)
    if problems:
        for problem in problems:
            print(f"FAILED {problem}", file=sys.stderr)
        sys.exit(f"the server's log is kept in {log}")


if __name__ == "__main__":
    main()

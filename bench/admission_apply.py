"""Benchmark: admission applications through the API at 16 concurrent clients, against a cheap authenticated
endpoint of the same server, in the same run.

ours:     ``POST /api/v1/education/applications`` — a parent (signed-in citizen, session cookie and CSRF token as a
          browser sends them) applies for their child with 3 ranked choices, then changes them on every later
          request (the window is open): the household check in the population registry, the round's rules, the
          row lock, the choices replaced, the audit entry, in one transaction, and the answer read back.
baseline: ``GET /api/v1/population/me`` by the same clients over the same sessions: the parent's own record, one
          authenticated query behind the same middleware.
One gunicorn server (WSGI, PostgreSQL) started here; clients are threads of this process. The server, database and
helpers are those of ``dossier_submission.py``. Afterwards each client's child must have exactly one application.

    .venv/bin/python bench/admission_apply.py [--clients 16] [--applications 2000] [--baseline-requests 4000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from _common import checkpoint, setup_django
from dossier_submission import (
    DEFAULT_DATABASE_URL,
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

APPLY_PATH = "/api/v1/education/applications"
ME_PATH = "/api/v1/population/me"
SCHOOLS = 20


def prepare(n: int) -> tuple[list[Client], int]:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import login
    from django.http import HttpRequest
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from smartcity.education.models import Quota, Round, School
    from smartcity.identity import services as identity
    from smartcity.places.models import Level, Structure, Unit
    from smartcity.population.models import Citizen, Household

    units = list(Unit.objects.filter(structure=Structure.Y2025, level=Level.COMMUNE, province_code="01")[:SCHOOLS])
    now = timezone.now()
    rnd = Round.objects.create(school_year=f"{now.year}-{now.year + 1}", grade=10, kind=Round.Kind.EXAM,
                               name="Bench", opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=1),
                               subjects=[{"code": "toan", "name": "Toán", "coefficient": 1}])
    schools = [School.objects.create(code=f"B{i:03d}", name=f"THPT {i}", unit=units[i % len(units)])
               for i in range(SCHOOLS)]
    Quota.objects.bulk_create([Quota(round=rnd, school=s, seats=500) for s in schools])
    store = import_module(settings.SESSION_ENGINE).SessionStore
    clients = []
    for i in range(n):
        unit = units[i % len(units)]
        parent = Citizen.objects.create(id_number=f"0010800{i:05d}", full_name=f"Nguyễn Văn Bố {i}",
                                        date_of_birth=dt.date(1980, 1, 1), sex="M", permanent_unit=unit)
        household = Household.objects.create(code=f"BENCH-{i:05d}", unit=unit, head=parent)
        parent.household, parent.relation_to_head = household, "Chủ hộ"
        parent.save()
        child = Citizen.objects.create(id_number=f"0012{(now.year - 15) % 100:02d}00{i:04d}"[:12].ljust(12, "0"),
                                       full_name=f"Nguyễn Văn Con {i}", date_of_birth=dt.date(now.year - 15, 6, 1),
                                       sex="M", permanent_unit=unit, household=household, relation_to_head="Con")
        user = identity.sign_in_citizen(issuer=settings.OIDC_ISSUER,
                                        claims={"sub": f"bench-adm-{i:03d}", "id_number": parent.id_number})
        request = HttpRequest()
        request.session = store()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session.save()
        clients.append(Client(label=child.id_number, ward=unit.name, session_key=request.session.session_key,
                              csrf_token=get_random_string(32), body=b"", content_type="application/json"))
    return clients, rnd.pk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--applications", type=int, default=2000)
    parser.add_argument("--baseline-requests", type=int, default=4000)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL.replace("_submit", "_admission"))
    reset_database(url)
    media = Path(tempfile.mkdtemp(prefix="smartcity-bench-media-"))
    os.environ.update(SERVER_ENV, DATABASE_URL=url, MEDIA_ROOT=str(media))
    setup_django()
    from django.conf import settings
    from django.db import connection, connections

    clients, round_id = prepare(args.clients)
    pg = connection.pg_version // 10000
    checkpoint()
    connections.close_all()
    rotation = itertools.cycle([[f"B{a:03d}", f"B{b:03d}", f"B{c:03d}"]
                                for a, b, c in itertools.permutations(range(6), 3)])

    def apply(client: Client, base: str):  # noqa: ANN202
        body = json.dumps({"round": round_id, "child_id_number": client.label, "choices": next(rotation)})
        return client.http.post(f"{base}{APPLY_PATH}", data=body, timeout=120,
                                headers={"Content-Type": "application/json", "X-CSRFToken": client.csrf_token})

    def me(client: Client, base: str):  # noqa: ANN202
        return client.http.get(f"{base}{ME_PATH}", timeout=120)

    log = media.parent / f"{media.name}-gunicorn.log"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    for client in clients:
        client.http.cookies.set(settings.SESSION_COOKIE_NAME, client.session_key)
        client.http.cookies.set(settings.CSRF_COOKIE_NAME, client.csrf_token)
    server = start_server(port=port, workers=args.workers, threads=args.threads, log=log)
    try:
        warm = args.warmup * len(clients)
        run("warm-up", clients, warm, lambda c: me(c, base), 200, server.pid)
        baseline = run(f"baseline (GET {ME_PATH}, same sessions)", clients, args.baseline_requests,
                       lambda c: me(c, base), 200, server.pid)
        run("warm-up", clients, warm, lambda c: apply(c, base), 201, server.pid)
        ours = run(f"ours (POST {APPLY_PATH}, 3 choices)", clients, args.applications,
                   lambda c: apply(c, base), 201, server.pid)
    finally:
        stop_server(server)
    print(f"admission applications: {len(clients)} concurrent clients, gunicorn {args.workers} workers × "
          f"{args.threads} threads, DEBUG off, PostgreSQL {pg}; everything on this machine's {os.cpu_count()} cores")
    print(describe(baseline))
    print(describe(ours))
    if baseline.latencies and ours.latencies:
        print(f"ratio (ours/baseline): req/s {ours.ok / ours.wall / (baseline.ok / baseline.wall):.3f}  "
              f"p95 {quantile(ours, 95) / quantile(baseline, 95):.1f}×")
    from smartcity.education.models import Application

    count = Application.objects.filter(round_id=round_id).count()
    print(f"checked: {count} applications for {len(clients)} children (each edit replaced the choices)")
    connections.close_all()
    reset_database(url)
    shutil.rmtree(media, ignore_errors=True)
    if ours.failed or baseline.failed or count != len(clients):
        for line in ours.failures[:5] + baseline.failures[:5]:
            print(f"  {line}", file=sys.stderr)
        sys.exit(f"failures; server log in {log}")


if __name__ == "__main__":
    main()

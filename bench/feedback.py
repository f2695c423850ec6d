"""Citizen reports: Open311 ``GET requests`` over many reports, and report submission with a 2 MB photo.

1. **Open311 GET requests** with filters (``service_code``, ``status=open``, a 30-day window), through the whole
   Django view (parsing, bounds, JSON rendering of up to 1,000 requests) — against the bare SQL query that returns the
   same rows (same columns, joins, filter, order and limit) through a raw cursor. p50/p95 of each, and the ratio.
2. **Submission** of a report with one 2 MB phone photo by N concurrent clients (threads, in-process WSGI client,
   the rate limit off) — against the same submission without a photo, so the ratio is the price of checking,
   decoding, resizing and re-encoding the photo. Requests/s and p95 of each.

Runs on ``DATABASE_URL`` (default: a scratch SQLite file in bench/out/, created and migrated here). Never asserts on
time: it prints ours, the baseline measured in the same run, and the ratio.

    .venv/bin/python bench/feedback.py [--reports 1000000] [--queries 200] [--clients 16] [--submissions 160]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
OUT = BENCH_DIR / "out"


def setup(reports: int) -> None:
    OUT.mkdir(exist_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{OUT / 'feedback.sqlite3'}")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    os.environ.setdefault("SMARTCITY_AUDIT_KEYS", "bench:YmVuY2gtb25seS1hdWRpdC1jaGFpbi1rZXktMDEyMzQ1Njc4OQ")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ["RATE_LIMIT_FEEDBACK_SUBMIT"] = ""
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")  # the in-process client speaks plain HTTP
    os.environ.setdefault("MEDIA_ROOT", str(OUT / "feedback-media"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
    sys.path.insert(0, str(BENCH_DIR.parent / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    from smartcity.agencies.models import Agency
    from smartcity.agencies.services import seed_hanoi
    from smartcity.feedback.catalogue import seed_categories
    from smartcity.places.models import Level, Structure, Unit
    from smartcity.places.services import load_units

    call_command("migrate", verbosity=0, interactive=False)
    if not Unit.objects.filter(structure=Structure.Y2025, level=Level.COMMUNE, province_code="01").exists():
        load_units(province_codes=["01"])
    if not Agency.objects.filter(code="000.00.00.H26").exists():
        seed_hanoi()
    seed_categories()
    fill(reports)


def fill(n: int) -> None:
    """``n`` synthetic reports over the last year (bulk insert; skipped when they are there already)."""
    from django.db import transaction
    from django.utils import timezone

    from smartcity.agencies.services import commune_committee
    from smartcity.feedback import services
    from smartcity.feedback.models import Report, Status

    have = Report.objects.count()
    if have >= n:
        return
    rng = random.Random(2026)
    categories = list(services.categories())
    units = list(services._city_units())
    agencies = {u.pk: commune_committee(u) for u in units}
    statuses = [Status.RECEIVED, Status.IN_PROGRESS, Status.ANSWERED, Status.CLOSED, Status.CLOSED]
    now = timezone.now()
    print(f"inserting {n - have} reports…", file=sys.stderr)
    batch = []
    for i in range(have, n):
        unit = units[i % len(units)]
        received = now - dt.timedelta(seconds=rng.randint(0, 365 * 86400))
        batch.append(Report(category=categories[i % len(categories)], description=f"Phản ánh số {i}",
                            latitude=unit.latitude + rng.uniform(-.005, .005),
                            longitude=unit.longitude + rng.uniform(-.005, .005), unit=unit,
                            agency=agencies[unit.pk], status=statuses[i % len(statuses)], token=f"t{i}",
                            received_at=received, due_on=(received + dt.timedelta(days=7)).date(),
                            contact_phone="0912000000"))
        if len(batch) == 20_000:
            with transaction.atomic():
                Report.objects.bulk_create(batch)
            batch = []
    if batch:
        Report.objects.bulk_create(batch)


def quantile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


BARE_SQL = """
SELECT r.id, r.status, r.description, r.received_at, r.updated_at, r.due_on, r.address, r.latitude, r.longitude,
       c.code, c.name, a.name, r.answer
FROM feedback_report r JOIN feedback_category c ON c.id = r.category_id LEFT JOIN agencies_agency a ON a.id = r.agency_id
WHERE r.hidden = %s AND c.code = %s AND r.status IN (%s, %s, %s, %s) AND r.received_at >= %s AND r.received_at <= %s
ORDER BY r.received_at DESC, r.id DESC LIMIT 1000
"""


def bench_queries(n: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from smartcity.feedback import services
    from smartcity.feedback.models import OPEN

    client = Client()
    codes = [c.code for c in services.categories()]
    rng = random.Random(7)
    plans = []
    for _ in range(n):
        end = timezone.now() - dt.timedelta(days=rng.randint(0, 300))
        plans.append((rng.choice(codes), end - dt.timedelta(days=30), end))
    ours, bare, rows = [], [], []
    for code, start, end in plans:  # interleaved, so both see the same cache state
        t = time.perf_counter()
        response = client.get("/open311/v2/requests.json", {
            "service_code": code, "status": "open", "start_date": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end_date": end.strftime("%Y-%m-%dT%H:%M:%SZ")})
        ours.append(time.perf_counter() - t)
        assert response.status_code == 200, (response.status_code, response.headers, response.content[:300])
        rows.append(len(response.json()))
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(BARE_SQL, [False, code, *OPEN, start.replace(microsecond=0), end.replace(microsecond=0)])
            cursor.fetchall()
        bare.append(time.perf_counter() - t)
    p95o, p95b = quantile(ours, .95), quantile(bare, .95)
    print(f"Open311 GET requests ({n} queries, {statistics.mean(rows):.0f} rows each on average):")
    print(f"  ours   p50 {1000 * quantile(ours, .5):7.1f} ms  p95 {1000 * p95o:7.1f} ms")
    print(f"  bare SQL p50 {1000 * quantile(bare, .5):5.1f} ms  p95 {1000 * p95b:7.1f} ms")
    print(f"  ratio (p95 ours ÷ bare SQL) {p95o / p95b:.1f}×")


def photo_2mb() -> bytes:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(1)
    noise = rng.integers(0, 255, size=(1800, 2400, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(noise).save(out, "JPEG", quality=58)
    return out.getvalue()


def bench_submissions(clients: int, total: int, data: bytes | None) -> tuple[float, float, int]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from smartcity.conftest import commune

    ward = commune("Phường Ba Đình")
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    per_client = total // clients

    def work() -> None:
        client = Client()
        for _ in range(per_client):
            form = {"category": "den-duong", "description": "Đèn hỏng", "lat": ward.latitude, "lon": ward.longitude,
                    "contact_phone": "0912000111"}
            if data is not None:
                form["photos"] = SimpleUploadedFile("IMG.jpg", data, content_type="image/jpeg")
            t = time.perf_counter()
            response = client.post("/phan-anh/gui/", form)
            elapsed = time.perf_counter() - t
            with lock:
                latencies.append(elapsed)
                if response.status_code != 302:
                    failures[0] += 1

    threads = [threading.Thread(target=work) for _ in range(clients)]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - t0
    return len(latencies) / wall, quantile(latencies, .95), failures[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--submissions", type=int, default=160)
    args = parser.parse_args()
    setup(args.reports)
    from django.db import connection

    from smartcity.feedback.models import Report

    print(f"{Report.objects.count()} reports, {connection.vendor}, DEBUG off")
    bench_queries(args.queries)
    data = photo_2mb()
    rate, p95, failed = bench_submissions(args.clients, args.submissions, data)
    base_rate, base_p95, base_failed = bench_submissions(args.clients, args.submissions, None)
    print(f"Submission at {args.clients} clients, {args.submissions} reports each way "
          f"(photo {len(data) / 1e6:.1f} MB; in-process WSGI client threads):")
    print(f"  ours (with photo)   {rate:6.1f} req/s  p95 {1000 * p95:7.0f} ms  failed {failed}")
    print(f"  baseline (no photo) {base_rate:6.1f} req/s  p95 {1000 * base_p95:7.0f} ms  failed {base_failed}")
    print(f"  ratio (req/s baseline ÷ ours) {base_rate / rate:.1f}×")


if __name__ == "__main__":
    main()

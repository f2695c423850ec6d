"""Benchmark: audit appends with the keyed chain vs the old unkeyed SHA-256 chain, and the cost of one checkpoint.

ours:     ``smartcity.audit.services.record`` — the append lock, the last entry read, the entry's chain value as an
          HMAC-SHA256 under the chain key, the insert — each append its own transaction, as a request makes it.
baseline: the append as it was before the chain was keyed, inline below: the same lock, read and insert, the value a
          plain SHA-256 of the previous value and the same canonical content. Its entries are deleted after each
          chunk, so the chain stays valid.
The two run in alternating chunks, so a busy machine slows both alike. The chain value alone (no database) is
timed too, keyed and unkeyed, and then: one checkpoint (``services.write_checkpoint``) with the HMAC only and with
the city's seal and an RFC 3161 timestamp from the demo TSA, and ``verify`` over the whole log.

    .venv/bin/python bench/audit_append.py [--n 5000] [--checkpoints 20]

PostgreSQL, ``DATABASE_URL`` (the scratch ``smartcity_bench`` by default, created and migrated if needed), ``DEBUG``
off; the demo CA's keys in bench/out/signing-keys/, the checkpoints in a fresh directory under bench/out/ removed at
the end.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import time

from _common import OUT_DIR, setup_django

CHUNK = 100


def old_record(*, subject_id: int):
    """The append before the chain was keyed (services.record of 2026-12-06), with the same fields as ``ours``."""
    from django.db import connection, transaction
    from django.utils import timezone

    from smartcity.audit import chain, services
    from smartcity.audit.models import GENESIS, Entry

    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [services._LOCK_KEY])
        last = Entry.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
        entry = Entry(seq=seq, at=timezone.now(), actor=None, actor_label="Hệ thống (bench)", action="read",
                      subject_type="population.citizen", subject_id=str(subject_id), person_id=subject_id,
                      purpose="tra cứu theo yêu cầu", detail={}, ip=None, prev_hash=prev_hash)
        entry.hash = hashlib.sha256(prev_hash.encode() + chain.canonical(chain.payload(entry))).hexdigest()
        entry.save(force_insert=True)
    return entry


def new_record(*, subject_id: int):
    from smartcity.audit import services

    return services.record(actor=services.Actor(user=None, label="Hệ thống (bench)"), action="read",
                           subject_type="population.citizen", subject_id=subject_id, person_id=subject_id,
                           purpose="tra cứu theo yêu cầu")


def appends(n: int) -> tuple[float, float]:
    """Seconds for ``n`` appends of ours and of the baseline, in alternating chunks."""
    from smartcity.audit.models import Entry

    ours = baseline = 0.0
    done = 0
    while done < n:
        size = min(CHUNK, n - done)
        started = time.perf_counter()
        for i in range(size):
            new_record(subject_id=done + i)
        ours += time.perf_counter() - started
        mark = Entry.objects.order_by("-seq").values_list("seq", flat=True).first()
        started = time.perf_counter()
        for i in range(size):
            old_record(subject_id=done + i)
        baseline += time.perf_counter() - started
        Entry.objects.filter(seq__gt=mark).delete()
        done += size
    return ours, baseline


def values(n: int) -> tuple[float, float]:
    """Seconds for ``n`` chain values alone (no database), keyed and unkeyed, over the same content."""
    from django.utils import timezone

    from smartcity.audit import chain
    from smartcity.audit.models import Entry

    ring = chain.keys()
    entry = Entry(seq=1, at=timezone.now(), actor_label="Hệ thống (bench)", action="read", key_id=ring.current,
                  subject_type="population.citizen", subject_id="1", person_id=1, purpose="tra cứu", detail={})
    secret, prev = ring.secrets[ring.current], chain.GENESIS
    started = time.perf_counter()
    for _ in range(n):
        prev = chain.keyed_value(secret, prev, chain.payload(entry))
    keyed = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(n):
        prev = chain.legacy_value(prev, chain.payload(entry))
    return keyed, time.perf_counter() - started


def checkpoint_ms(k: int, *, signer: str) -> tuple[float, bool]:
    from django.conf import settings

    from smartcity.audit import services

    settings.AUDIT_CHECKPOINT_SIGNER = signer
    times, signed = [], True
    for _ in range(k):
        started = time.perf_counter()
        written = services.write_checkpoint()
        times.append((time.perf_counter() - started) * 1000)
        signed = signed and written.signed
        new_record(subject_id=0)  # the next checkpoint sees a new head
    return statistics.median(times), signed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=5000, help="appends of each kind")
    parser.add_argument("--checkpoints", type=int, default=20, help="checkpoints of each kind")
    args = parser.parse_args()
    OUT_DIR.mkdir(exist_ok=True)
    directory = OUT_DIR / f"audit-checkpoints-{os.getpid()}"
    os.environ["SMARTCITY_AUDIT_CHECKPOINT_DIR"] = str(directory)
    os.environ["SMARTCITY_SIGNING_DEMO_CA"] = "true"
    os.environ.setdefault("SMARTCITY_SIGNING_DIR", str(OUT_DIR / "signing-keys"))
    os.environ["SMARTCITY_TSA_URL"] = "demo"
    setup_django()
    try:
        run(args, directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def run(args: argparse.Namespace, directory) -> None:
    from django.db import connection

    from smartcity.audit import services
    from smartcity.audit.models import Entry
    from smartcity.signing.services import ensure_demo_pki

    ensure_demo_pki()
    new_record(subject_id=0)
    old_record(subject_id=0)  # warm both paths up (and drop the baseline's entry again)
    Entry.objects.filter(seq=Entry.objects.order_by("-seq").values_list("seq", flat=True).first()).delete()
    ours, baseline = appends(args.n)
    keyed, unkeyed = values(100_000)
    plain_ms, _ = checkpoint_ms(args.checkpoints, signer="")
    sealed_ms, signed = checkpoint_ms(args.checkpoints, signer="smartcity.signing.checkpoints.SealSigner")
    if not signed:
        sys.exit("the sealed checkpoints were not signed: is the demo CA there?")
    started = time.perf_counter()
    result = services.verify_all()
    verify_s = time.perf_counter() - started
    if not result.intact:
        sys.exit(f"the log does not verify: {[p.reason for p in result.problems[:5]]}")
    pg = connection.cursor().connection.info.server_version // 10000
    print(f"audit appends: {args.n:,} of each, alternating chunks of {CHUNK}, one transaction each; PostgreSQL {pg}")
    print(f"ours (keyed chain, HMAC-SHA256): {args.n / ours:,.0f} appends/s  ({ours / args.n * 1000:.3f} ms each)")
    print(f"baseline (old unkeyed chain, SHA-256): {args.n / baseline:,.0f} appends/s  "
          f"({baseline / args.n * 1000:.3f} ms each)")
    print(f"ratio (ours/baseline appends/s): {baseline / ours:.2f}")
    print(f"chain value alone, 100,000: keyed {keyed / 100_000 * 1e6:.2f} µs  unkeyed {unkeyed / 100_000 * 1e6:.2f} µs"
          f"  ratio {unkeyed / keyed:.2f}")
    print(f"one checkpoint (median of {args.checkpoints}): HMAC only {plain_ms:.2f} ms  sealed + RFC 3161 timestamp "
          f"(demo CA, in-process TSA) {sealed_ms:.1f} ms")
    print(f"verify: {result.entries:,} entries and {result.checkpoints} checkpoints in {verify_s:.2f} s "
          f"({result.entries / verify_s:,.0f} entries/s)")


if __name__ == "__main__":
    main()

"""Benchmark: rate limiting's overhead on the cheapest limited endpoint, req/s with the limit counting and without.

ours:     ``GET /api/v1/track/{code}`` for an unknown code (a 404 after one query) with the ``tracking`` limit
          counting every request in the cache (``RATE_LIMIT_TRACKING=1000000/m``: counted, never refused), the
          cache on Redis as in production.
baseline: the same requests to the same server code with the limit switched off (``RATE_LIMIT_TRACKING=``).
Optionally (on by default) the same counting with the demo's file cache (no ``REDIS_URL``) against the same baseline.

Each configuration is its own gunicorn server (the limits are read from the environment at start), started one after
the other with the same settings otherwise; ``--rounds`` repeats the set in alternating order and pools the figures,
so a slow spell of a shared machine does not fall on one configuration only. The clients are threads of this process,
anonymous (no cookie), all from 127.0.0.1, so every counted request increments one counter. A 429, or any answer but
404, ends the run with an error after the figures; the counters left in the cache must add up to the requests sent.

The database (``BENCH_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/smartcity_bench_ratelimit``) is
dropped and made again at every start and dropped at the end; the Redis database (``BENCH_REDIS_URL``, default
``redis://127.0.0.1:6379/13``) is flushed before each server starts and at the end.

    .venv/bin/python bench/ratelimit.py [--clients 8] [--requests 5000] [--warmup 50] [--rounds 2]
                                        [--workers 4] [--threads 4] [--no-file-cache]
"""

from __future__ import annotations

import argparse
import collections
import os
import pickle
import shutil
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import redis
from _common import setup_django
from dossier_submission import (
    SERVER_ENV,
    Client,
    Phase,
    free_port,
    quantile,
    reset_database,
    run,
    start_server,
    stop_server,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/smartcity_bench_ratelimit"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
TRACK_PATH = "/api/v1/track/000.00.00.H26-261207-9999"  # no such dossier: 404 after one query
COUNTING = "1000000/m"  # counts every request, never refuses one at these rates


@dataclass
class Config:
    key: str
    label: str
    env: dict[str, str]  # set for the server; an empty REDIS_URL means the demo's file cache
    counting: bool


def flush(url: str) -> None:
    redis.Redis.from_url(url).flushdb()


def redis_counted(url: str) -> int:
    """The sum of django-ratelimit's counters (keys ``…rl:…``) in the benchmark's Redis database."""
    r = redis.Redis.from_url(url)
    return sum(int(r.get(key) or 0) for key in r.scan_iter(match="*rl:*"))


def file_counted(location: Path) -> int:
    """The sum of the integer values in a Django file cache directory: only the rate counters are integers there."""
    total = 0
    for path in location.glob("*.djcache"):
        with open(path, "rb") as f:
            pickle.load(f)  # the expiry time
            value = pickle.loads(zlib.decompress(f.read()))
        if type(value) is int:
            total += value
    return total


def merge(label: str, phases: list[Phase]) -> Phase:
    merged = Phase(label)
    for p in phases:
        merged.latencies += p.latencies
        merged.statuses.update(p.statuses)
        merged.failures += p.failures
        merged.wall += p.wall
        merged.cpu += p.cpu
        merged.cpu_by_role.update(p.cpu_by_role)
    return merged


def describe(phase: Phase) -> str:
    if not phase.latencies:
        return f"{phase.label}: no 404 answer"
    p50, p95, p99 = (quantile(phase, p) * 1000 for p in (50, 95, 99))
    return (f"{phase.label}: {phase.ok:,} in {phase.wall:.1f} s: {phase.ok / phase.wall:,.1f} req/s  "
            f"p50 {p50:.2f} ms  p95 {p95:.2f} ms  p99 {p99:.2f} ms  (429: {phase.statuses[429]}, "
            f"other answers or errors: {phase.failed - phase.statuses[429]})")


def compare(ours: Phase, base: Phase) -> str:
    return (f"ratio ({ours.label.split(' (')[0]} / off): req/s {ours.ok / ours.wall / (base.ok / base.wall):.3f}  "
            f"p50 {quantile(ours, 50) / quantile(base, 50):.3f}×  p95 {quantile(ours, 95) / quantile(base, 95):.3f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=5000, help="timed requests per configuration and round")
    parser.add_argument("--warmup", type=int, default=50, help="untimed requests per client before each phase")
    parser.add_argument("--rounds", type=int, default=2, help="the configurations in turn, order reversed each round")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (1: sync workers)")
    parser.add_argument("--no-file-cache", action="store_true", help="skip the demo's file cache configuration")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    flush(redis_url)
    reset_database(url)
    scratch = Path(tempfile.mkdtemp(prefix="smartcity-bench-ratelimit-"))
    # SMARTCITY_VAR_DIR: the file cache (and anything else the server keeps under var/) in a scratch directory.
    os.environ.update(SERVER_ENV, DATABASE_URL=url, MEDIA_ROOT=str(scratch / "media"),
                      SMARTCITY_VAR_DIR=str(scratch / "var"))
    setup_django()
    from django.db import connection, connections

    pg = connection.pg_version // 10000
    connections.close_all()

    configs = [
        Config("off", "off (RATE_LIMIT_TRACKING=, Redis cache)",
               {"REDIS_URL": redis_url, "RATE_LIMIT_TRACKING": ""}, counting=False),
        Config("redis", f"Redis (RATE_LIMIT_TRACKING={COUNTING}, Redis cache)",
               {"REDIS_URL": redis_url, "RATE_LIMIT_TRACKING": COUNTING}, counting=True),
    ]
    if not args.no_file_cache:
        configs.append(Config("file", f"file cache (RATE_LIMIT_TRACKING={COUNTING}, demo's file cache)",
                              {"REDIS_URL": "", "RATE_LIMIT_TRACKING": COUNTING}, counting=True))
    clients = [Client(label=f"client-{i}", ward="", session_key="", csrf_token="", body=b"", content_type="")
               for i in range(args.clients)]

    phases: dict[str, list[Phase]] = collections.defaultdict(list)
    warmups: list[Phase] = []
    sent: collections.Counter = collections.Counter()  # tracking requests sent to each configuration's server
    counted: collections.Counter = collections.Counter()  # what the cache's counters say afterwards
    log = scratch / "gunicorn.log"
    try:
        for round_ in range(args.rounds):
            for config in configs if round_ % 2 == 0 else configs[::-1]:
                flush(redis_url)
                shutil.rmtree(scratch / "var" / "cache", ignore_errors=True)
                os.environ.update(config.env)
                port = free_port()
                base = f"http://127.0.0.1:{port}"
                server = start_server(port=port, workers=args.workers, threads=args.threads, log=log)
                try:
                    warm = run("warm-up", clients, args.warmup * len(clients),
                               lambda c, base=base: c.http.get(f"{base}{TRACK_PATH}", timeout=60), 404, server.pid)
                    timed = run(config.label, clients, args.requests,
                                lambda c, base=base: c.http.get(f"{base}{TRACK_PATH}", timeout=60), 404, server.pid)
                finally:
                    stop_server(server)
                warmups.append(warm)
                phases[config.key].append(timed)
                sent[config.key] += sum(warm.statuses.values()) + sum(timed.statuses.values())
                counted[config.key] += (redis_counted(redis_url) if config.env["REDIS_URL"]
                                        else file_counted(scratch / "var" / "cache"))
    finally:
        flush(redis_url)

    results = {c.key: merge(c.label, phases[c.key]) for c in configs}
    kind = f"gthread × {args.threads} threads" if args.threads > 1 else "sync"
    print(f"rate limiting on GET /api/v1/track/{{unknown code}} (404 after one query): {len(clients)} concurrent "
          f"anonymous clients (threads, keep-alive, all from 127.0.0.1), gunicorn {args.workers} workers ({kind}), "
          f"DEBUG off, PostgreSQL {pg}, Redis {redis.Redis.from_url(redis_url).info()['redis_version']}; "
          f"{args.rounds} round(s) of {args.requests:,} requests per configuration, order alternating; load "
          f"generator, server, database and Redis share this machine's {os.cpu_count()} cores, "
          f"which is shared with other work")
    for phase in results.values():
        print(describe(phase))
    off = results["off"]
    for key in ("redis", "file"):
        if key in results and results[key].latencies and off.latencies:
            print(compare(results[key], off))
    for key, phase in results.items():
        roles = phase.cpu_by_role
        print(f"CPU seconds, {key} ({phase.wall:.1f} s × {os.cpu_count()} cores): server {roles['server']:.1f} "
              f"({roles['server'] / max(1, phase.ok) * 1000:.2f} ms a request), "
              f"PostgreSQL {roles['postgres']:.1f}, load generator {phase.cpu:.1f}, other processes (Redis among "
              f"them) {roles['others']:.1f}")
    print("counted in the cache: " + ", ".join(f"{key} {counted[key]:,} of {sent[key]:,} requests" for key in sent))

    problems = [f"{p.label}: {dict(p.statuses)}; {p.failures[:3]}"
                for p in (*warmups, *results.values()) if p.failed]
    # Redis counts every request (INCR is atomic); the file cache's get-then-set loses some under concurrency, which
    # is reported above, not an error; with the limit off nothing may be counted.
    problems += [f"{c.key}: the counters hold {counted[c.key]:,} for {sent[c.key]:,} requests" for c in configs
                 if (c.key == "redis" and counted[c.key] != sent[c.key]) or (not c.counting and counted[c.key])]
    connections.close_all()
    reset_database(url)
    if problems:
        for problem in problems:
            print(f"FAILED {problem}", file=sys.stderr)
        sys.exit(f"the server's log is kept in {log}")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Benchmark: dossier submission through the API at 16 concurrent clients, against a cheap endpoint of the same server.

ours:     ``POST /api/v1/dossiers`` — the multipart form of a birth registration (procedure 1.001193) with a scanned
          PDF, by a signed-in citizen, with the session cookie and CSRF token a browser sends: form validation, the
          file check and storage, the locked daily code counter, the history row, the audit entry (the hash chain
          takes a global lock) and the applicant's notice, in one transaction.
baseline: ``GET /api/v1/health`` by the same clients over the same sessions: a trivial JSON endpoint of the same
          server, behind the same middleware, that touches neither the database nor the session.
Both are served by one gunicorn server (WSGI, PostgreSQL) started here; the clients are threads of this process,
each with its own citizen, session and keep-alive connection. Client and server share this machine's cores.

Afterwards the database must hold exactly one dossier (with its file, history row, audit entry and stored file) per
successful submission, with unique codes and gap-free daily counters, and the audit chain must verify; any failed
request or any mismatch ends the run with an error after the figures.

The database (``BENCH_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/smartcity_bench_submit``) is
dropped and made again at every start, so runs are repeatable, and dropped at the end unless ``--keep``.

    .venv/bin/python bench/dossier_submission.py [--clients 16] [--submissions 2000] [--baseline-requests 4000]
                                                 [--workers 4] [--threads 4] [--file-kb 200] [--warmup 10]
                                                 [--ward 2025:commune:00004] [--keep]
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests
from _common import ROOT, checkpoint, setup_django
from urllib3 import encode_multipart_formdata

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/smartcity_bench_submit"
PROCEDURE = "1.001193"  # Đăng ký khai sinh: a commune-level procedure, fully online
SUBMIT_PATH = "/api/v1/dossiers"
BASELINE_PATH = "/api/v1/health"
# What the server runs with besides _common's production-like settings: plain HTTP on 127.0.0.1 (in production a
# TLS proxy sits in front), and quiet logs, so neither redirects nor log lines are measured.
SERVER_ENV = {
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0",
    "LOG_LEVEL": "WARNING",
    # A benchmark server, not production: the demo defaults it keeps (smartcity.checks) allowed by name.
    "SMARTCITY_ALLOW_DERIVED_FIELD_KEYS": "true",
    "SMARTCITY_ALLOW_DEMO_PAYMENTS": "true",
    "SMARTCITY_ALLOW_DEMO_IDP": "true",
    "SMARTCITY_ALLOW_DEMO_OIDC_SECRET": "true",
    "SMARTCITY_ALLOW_DEMO_CA": "true",
    "SMARTCITY_ALLOW_DEMO_ACCOUNTS": "true",
    "SMARTCITY_ALLOW_FOLDER_BROKER": "true",
    "SMARTCITY_ALLOW_NO_AUDIT_CHECKPOINTS": "true",
}


@dataclass
class Client:
    """One simulated citizen: their session, CSRF token and pre-encoded submission (the same form every time)."""

    label: str
    ward: str
    session_key: str
    csrf_token: str
    body: bytes
    content_type: str
    http: requests.Session = field(default_factory=requests.Session)


@dataclass
class Phase:
    label: str
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    statuses: collections.Counter = field(default_factory=collections.Counter)
    failures: list[str] = field(default_factory=list)  # first few bodies or errors
    codes: list[str] = field(default_factory=list)  # dossier codes from the 201 answers
    wall: float = 0.0
    cpu: float = 0.0  # CPU seconds of this process (the load generator) during the phase
    cpu_by_role: collections.Counter = field(default_factory=collections.Counter)  # see ``cpu_times``

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def failed(self) -> int:
        return sum(self.statuses.values()) - self.ok


# ------------------------------------------------------------------------------------------------ database


def reset_database(url: str) -> None:
    """Drop the scratch database (it is made again, migrated and loaded by ``setup_django``)."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = config["NAME"]
    if "bench" not in name:  # this function drops a database: never one that is not obviously a scratch one
        sys.exit(f"refusing to drop {name!r}: the benchmark database's name must contain 'bench'")
    params = {"host": config["HOST"] or None, "port": config["PORT"] or None, "user": config["USER"] or None,
              "password": config["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def scan_pdf(kib: int, seed: int) -> bytes:
    """A PDF of about ``kib`` KiB with incompressible content, like a scanned certificate."""
    payload = random.Random(seed).randbytes(max(1, kib * 1024 - 80))
    return (b"%PDF-1.7\n1 0 obj<</Length " + str(len(payload)).encode() + b">>stream\n" + payload
            + b"\nendstream endobj\n%%EOF\n")


def prepare_clients(n: int, *, file_kb: int, seed: int, ward: str = "") -> list[Client]:
    """``n`` synthetic citizens of Hà Nội in the registry, each signed in with a session of their own, who submit
    at their own ward, or all at ``ward`` (a 2025 commune key)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import login
    from django.http import HttpRequest
    from django.utils.crypto import get_random_string

    from smartcity.identity import services as identity
    from smartcity.places.models import Structure
    from smartcity.population import synth
    from smartcity.population.importing import import_citizens
    from smartcity.population.models import Citizen
    from smartcity.procedures.services import load_catalogue

    load_catalogue()
    with tempfile.TemporaryDirectory(prefix="smartcity-bench-") as tmp:
        path = Path(tmp) / "citizens.csv"
        synth.write_csv(path, n=n, province="01", seed=seed)
        imported = import_citizens(path=path)
    if imported.inserted != n:
        sys.exit(f"expected {n} synthetic citizens, imported {imported.inserted}")
    store = import_module(settings.SESSION_ENGINE).SessionStore
    pdf = scan_pdf(file_kb, seed)
    clients = []
    for i, citizen in enumerate(Citizen.objects.select_related("permanent_unit").order_by("pk")[:n]):
        # What the OpenID Connect callback does once the ID token is verified: the account for the identity …
        user = identity.sign_in_citizen(issuer=settings.OIDC_ISSUER,
                                        claims={"sub": f"bench-{i:03d}", "id_number": citizen.id_number})
        # … and Django's login into a new session, whose cookie the client then carries.
        request = HttpRequest()
        request.session = store()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session.save()
        unit = citizen.permanent_unit
        assert unit.structure == Structure.Y2025, unit  # synthetic people live in the 2025 communes
        where = ward or f"{unit.structure}:{unit.level}:{unit.code}"
        fields = [
            ("procedure", PROCEDURE), ("unit", where),
            ("child_full_name", f"{citizen.full_name.split()[0]} Minh Khôi"),
            ("child_date_of_birth", "2026-11-20"), ("child_sex", "Nam"),
            ("child_place_of_birth", "Bệnh viện Phụ sản Hà Nội, phường Giảng Võ, Hà Nội"),
            ("child_ethnicity", "Kinh"), ("applicant_full_name", citizen.full_name),
            ("applicant_id_number", citizen.id_number), ("relationship", "Cha" if citizen.sex == "M" else "Mẹ"),
            ("birth_certificate_file", ("giay-chung-sinh.pdf", pdf, "application/pdf")),
        ]
        body, content_type = encode_multipart_formdata(fields)
        # A browser's CSRF cookie holds a 32-character secret; the portal's script echoes it in X-CSRFToken.
        clients.append(Client(label=user.username, ward=where, session_key=request.session.session_key,
                              csrf_token=get_random_string(32), body=body, content_type=content_type))
    return clients


# ------------------------------------------------------------------------------------------------ server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(*, port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [str(Path(sys.executable).parent / "gunicorn"), "smartcity.wsgi:application",
               "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--worker-class", "gthread" if threads > 1 else "sync", "--threads", str(threads),
               "--logger-class", "smartcity.ops.gunicorn.RedactingLogger",  # no tokens or ID numbers in its logs
               "--log-level", "warning", "--timeout", "120"]
    with open(log, "wb") as out:
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        wait_until_ready(server, f"http://127.0.0.1:{port}{BASELINE_PATH}", log)
    except BaseException:  # never leave a server behind, whatever stopped us
        stop_server(server)
        raise
    return server


def wait_until_ready(server: subprocess.Popen, url: str, log: Path, seconds: float = 90) -> None:
    """Until the server answers the health endpoint (200); its workers import the whole project first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            if requests.get(url, timeout=10).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or no worker ready to answer
            pass
        time.sleep(0.2)
    sys.exit(f"gunicorn did not answer within {seconds:.0f} s:\n{log.read_text(errors='replace')[-4000:]}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # gunicorn's graceful stop: its workers finish and exit
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# ------------------------------------------------------------------------------------------------ load


def submit(client: Client, base: str) -> requests.Response:
    return client.http.post(f"{base}{SUBMIT_PATH}", data=client.body, timeout=120, allow_redirects=False,
                            headers={"Content-Type": client.content_type, "X-CSRFToken": client.csrf_token})


def read_me(client: Client, base: str) -> requests.Response:
    return client.http.get(f"{base}{BASELINE_PATH}", timeout=120, allow_redirects=False)


def run(label: str, clients: list[Client], total: int, send: Callable[[Client], requests.Response],
        expect: int, server: int) -> Phase:
    """``total`` requests shared by the clients, each sending its next one as soon as the previous answered."""
    phase = Phase(label)
    lock = threading.Lock()
    issued = 0
    start = threading.Barrier(len(clients) + 1)

    def work(client: Client) -> None:
        nonlocal issued
        latencies, codes, statuses, failures = [], [], collections.Counter(), []
        start.wait()
        while True:
            with lock:
                if issued >= total:
                    break
                issued += 1
            began = time.perf_counter()
            try:
                response = send(client)
            except requests.RequestException as exc:
                statuses["error"] += 1
                failures.append(f"{client.label}: {exc!r}")
                continue
            elapsed = time.perf_counter() - began
            statuses[response.status_code] += 1
            if response.status_code == expect:
                latencies.append(elapsed)
                if expect == 201:
                    codes.append(response.json()["code"])
            else:
                failures.append(f"{client.label}: HTTP {response.status_code} {response.text[:300]}")
        with lock:
            phase.latencies += latencies
            phase.codes += codes
            phase.statuses.update(statuses)
            phase.failures += failures[:5]

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in clients]
    for t in threads:
        t.start()
    before = cpu_times(server)
    cpu = time.process_time()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    phase.wall = time.perf_counter() - began
    phase.cpu = time.process_time() - cpu
    for (role, pid), seconds in cpu_times(server).items():  # processes that ended meanwhile are not counted
        phase.cpu_by_role[role] += seconds - before.get((role, pid), 0.0)
    return phase


def cpu_times(server: int) -> dict[tuple[str, int], float]:
    """CPU seconds so far of every process, by (role, pid); role is "server" (the gunicorn process group),
    "postgres" (every PostgreSQL process: other users' queries too) or "others" (the rest of the machine, but not
    this process group: the load generator is measured on its own)."""
    tick = os.sysconf("SC_CLK_TCK")
    mine = os.getpgid(0)
    seconds = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        name, fields = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        group = int(fields[2])
        if group == mine:
            continue
        role = "server" if group == server else "postgres" if name.startswith("postgres") else "others"
        seconds[role, int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    return seconds


def describe(phase: Phase) -> str:
    if not phase.latencies:
        return f"{phase.label}: no successful request"
    p50, p95, p99 = (quantile(phase, p) * 1000 for p in (50, 95, 99))
    return (f"{phase.label}: {phase.ok:,} in {phase.wall:.1f} s: {phase.ok / phase.wall:,.1f} req/s  "
            f"p50 {p50:.1f} ms  p95 {p95:.1f} ms  p99 {p99:.1f} ms  "
            f"(non-2xx or errors: {phase.failed})")


def quantile(phase: Phase, percent: int) -> float:
    return statistics.quantiles(phase.latencies, n=100, method="inclusive")[percent - 1]


# ------------------------------------------------------------------------------------------------ checks


def check_database(codes: list[str], media: Path) -> list[str]:
    """What must hold after the run: one dossier, file, history row, audit entry and stored file per 201 answer."""
    from smartcity.audit import services as audit
    from smartcity.audit.models import Action, Entry
    from smartcity.dossiers.models import DailyCounter, Dossier, DossierFile, Event

    problems = []
    n = len(codes)
    if len(set(codes)) != n:
        dupes = [c for c, k in collections.Counter(codes).items() if k > 1]
        problems.append(f"{n - len(set(codes))} duplicate codes in the answers, e.g. {dupes[:3]}")
    stored = list(Dossier.objects.values_list("code", flat=True))
    if len(stored) != n or set(stored) != set(codes):
        problems.append(f"{len(stored):,} dossiers in the database for {n:,} successful submissions "
                        f"({len(set(stored) - set(codes))} not answered, {len(set(codes) - set(stored))} missing)")
    counts = {
        "dossier files": DossierFile.objects.count(),
        "submit events": Event.objects.filter(operation="submit").count(),
        "audit entries": Entry.objects.filter(action=Action.CREATE, subject_type="dossiers.dossier").count(),
        "files on disk": sum(1 for p in media.rglob("*") if p.is_file()),
    }
    problems += [f"{count:,} {what} for {n:,} dossiers" for what, count in counts.items() if count != n]
    numbers: dict[str, list[int]] = collections.defaultdict(list)
    for code in stored:
        prefix, _, number = code.rpartition("-")
        numbers[prefix].append(int(number))
    for prefix, seen in numbers.items():
        if sorted(seen) != list(range(1, len(seen) + 1)):
            problems.append(f"{prefix}: numbers are not 1…{len(seen)} without gaps")
    if sum(DailyCounter.objects.values_list("last", flat=True)) != n:
        problems.append("the daily counters do not add up to the number of dossiers")
    chain = list(audit.verify())
    if chain:
        problems.append(f"audit chain: {len(chain)} problems, first {chain[0]}")
    return problems


# ------------------------------------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--baseline-requests", type=int, default=4000)
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per client before each phase")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (1: sync workers)")
    parser.add_argument("--file-kb", type=int, default=200, help="size of the attached PDF")
    parser.add_argument("--ward", default="", help="a commune key (e.g. 2025:commune:00004) where every client "
                        "submits, so that all wait on one daily counter; by default each at their own ward")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the database and the stored files afterwards")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    reset_database(url)
    media = Path(tempfile.mkdtemp(prefix="smartcity-bench-media-"))
    os.environ.update(SERVER_ENV, DATABASE_URL=url, MEDIA_ROOT=str(media))
    setup_django()
    from django.conf import settings
    from django.db import connection, connections

    clients = prepare_clients(args.clients, file_kb=args.file_kb, seed=args.seed, ward=args.ward)
    pg = connection.pg_version // 10000
    checkpoint()
    connections.close_all()

    log = media.parent / f"{media.name}-gunicorn.log"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    for client in clients:
        client.http.cookies.set(settings.SESSION_COOKIE_NAME, client.session_key)
        client.http.cookies.set(settings.CSRF_COOKIE_NAME, client.csrf_token)
    server = start_server(port=port, workers=args.workers, threads=args.threads, log=log)
    try:
        # The endpoint refuses a form without the CSRF token, so the clients must send it like the portal does.
        bare = requests.post(f"{base}{SUBMIT_PATH}", cookies={settings.SESSION_COOKIE_NAME: clients[0].session_key},
                             data=clients[0].body, headers={"Content-Type": clients[0].content_type}, timeout=60)
        unprotected = [bare.json()["code"]] if bare.status_code == 201 else []
        warm = args.warmup * len(clients)
        warm_me = run("warm-up", clients, warm, lambda c: read_me(c, base), 200, server.pid)
        baseline = run(f"baseline (GET {BASELINE_PATH}, same sessions)", clients, args.baseline_requests,
                       lambda c: read_me(c, base), 200, server.pid)
        warm_submit = run("warm-up", clients, warm, lambda c: submit(c, base), 201, server.pid)
        ours = run(f"ours (POST {SUBMIT_PATH}, multipart with a {args.file_kb} KB PDF)", clients,
                   args.submissions, lambda c: submit(c, base), 201, server.pid)
    finally:
        stop_server(server)

    kind = f"gthread × {args.threads} threads" if args.threads > 1 else "sync"
    wards = len({c.ward for c in clients})
    print(f"dossier submission: {len(clients)} concurrent clients (threads, keep-alive) submitting at {wards} "
          f"ward{'s' if wards > 1 else ''}, gunicorn {args.workers} workers ({kind}), DEBUG off, PostgreSQL {pg}; "
          f"load generator, server and database share this machine's {os.cpu_count()} cores")
    print(describe(baseline))
    print(describe(ours))
    if baseline.latencies and ours.latencies:
        print(f"ratio (ours/baseline): req/s {ours.ok / ours.wall / (baseline.ok / baseline.wall):.3f}  "
              f"p50 {quantile(ours, 50) / quantile(baseline, 50):.1f}×  "
              f"p95 {quantile(ours, 95) / quantile(baseline, 95):.1f}×")
    for phase, what in ((baseline, "baseline"), (ours, "submissions")):
        roles = phase.cpu_by_role
        print(f"CPU seconds during the {what} ({phase.wall:.1f} s × {os.cpu_count()} cores): server "
              f"{roles['server']:.1f}, PostgreSQL {roles['postgres']:.1f}, load generator {phase.cpu:.1f}, "
              f"other processes {roles['others']:.1f}")

    failed = [p for p in (warm_me, baseline, warm_submit, ours) if p.failed]
    codes = unprotected + warm_submit.codes + ours.codes
    problems = check_database(codes, media)
    if bare.status_code != 403:
        problems.append(f"a submission without the CSRF token got HTTP {bare.status_code}, not 403")
    if not problems:
        print(f"checked: {len(codes):,} dossiers in the database = {len(codes):,} successful submissions "
              f"({len(warm_submit.codes)} in the warm-up), unique codes without gaps, one file, history row and "
              f"audit entry each, audit chain intact; a form without the CSRF token is refused (403)")
    server_errors = [line for line in log.read_text(errors="replace").splitlines()
                     if "Traceback" in line or " ERROR " in line]
    connections.close_all()
    if not args.keep:
        reset_database(url)
        shutil.rmtree(media, ignore_errors=True)
    if failed or problems or server_errors:
        for phase in failed:
            print(f"FAILED {phase.label}: {dict(phase.statuses)}", file=sys.stderr)
            for line in phase.failures[:10]:
                print(f"  {line}", file=sys.stderr)
        for problem in problems:
            print(f"FAILED check: {problem}", file=sys.stderr)
        if server_errors:
            print(f"server log:\n{log.read_text(errors='replace')[-6000:]}", file=sys.stderr)
        sys.exit(f"the server's log is kept in {log}")
    log.unlink(missing_ok=True)


if __name__ == "__main__":
    main()

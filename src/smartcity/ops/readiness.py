"""Is this instance ready for traffic? Each dependency checked and named: the database, the cache, the job broker and
the job workers. ``/api/v1/health`` stays the cheap liveness check (the process answers); this one costs a query, a
cache round trip and a broker connection, so a load balancer should ask it every few seconds, not per request."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

#: A worker runs ``notifications.deliver`` every minute: no job finished for this long means none is working.
WORKER_SILENCE = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _cache() -> str:
    key, value = f"ready:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, 10)
    try:
        if cache.get(key) != value:
            raise RuntimeError("the value written was not read back")
    finally:
        cache.delete(key)
    return cache.__class__.__name__


def _broker() -> str:
    from smartcity.jobs.engine import app

    options = app.conf.broker_transport_options
    if "data_folder_in" in options:  # the demo's folder broker: ready when its folders are writable
        for folder in ("data_folder_in", "data_folder_out"):
            probe = Path(options[folder]) / f".ready-{uuid.uuid4().hex}"
            probe.touch()
            probe.unlink()
        return "filesystem"
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)
        return conn.transport.driver_type


def _workers() -> str:
    from django_celery_results.models import TaskResult

    last = TaskResult.objects.order_by("-date_done").values_list("date_done", flat=True).first()
    if last is None:
        return "no job has finished yet (a worker that just started runs its first within a minute)"
    silent = timezone.now() - last
    if silent > WORKER_SILENCE:
        raise RuntimeError(f"no job has finished for {int(silent.total_seconds() // 60)} minutes")
    return f"last job finished {int(silent.total_seconds())} s ago"


CHECKS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("database", _database), ("cache", _cache), ("broker", _broker), ("workers", _workers))


def readiness() -> list[Check]:
    """Every check, each caught on its own: one failing dependency does not hide the state of the others."""
    results = []
    for name, check in CHECKS:
        try:
            results.append(Check(name, True, check()))
        except Exception as exc:  # noqa: BLE001 - any failure of a dependency is the answer, named
            results.append(Check(name, False, f"{exc.__class__.__name__}: {exc}"[:300]))
    return results

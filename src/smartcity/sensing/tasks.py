"""Background jobs of sensing (scheduled in ``smartcity.jobs.schedule``). Each is a sweep of a state, safe to run
again: alerts are one open row per datastream, roll-ups are upserts, partitions are created if missing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from smartcity.jobs.engine import job
from smartcity.sensing import services

ROLLUP_DAYS = 2


@job()
def check_stale() -> dict[str, int]:
    """Open a maintenance alert for each datastream silent for too long; close those that report again."""
    result = services.check_stale()
    return {"opened": len(result.opened), "closed": len(result.closed)}


@job()
def rollup_recent() -> dict[str, int]:
    """Recompute the hourly and daily roll-ups of the last two days."""
    until = timezone.now()
    result = services.rollup(until - dt.timedelta(days=ROLLUP_DAYS), until)
    return {"hourly": result.hourly, "daily": result.daily}


@job()
def ensure_partitions() -> list[str]:
    """PostgreSQL: create the monthly observation partitions ahead (nothing on SQLite)."""
    return services.ensure_partitions()


@job()
def apply_retention() -> dict[str, int]:
    """Delete raw observations and dead letters older than their retention."""
    result = services.apply_retention()
    return {"dropped_partitions": len(result.dropped_partitions), "deleted_observations": result.deleted_observations,
            "deleted_dead_letters": result.deleted_dead_letters}

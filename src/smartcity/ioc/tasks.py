"""Background work of the operations centre (periodic, in ``jobs/schedule.py``)."""

from __future__ import annotations

from smartcity.ioc import services
from smartcity.jobs.engine import job


@job()
def refresh_summary() -> dict[str, int]:
    summary = services.refresh_summary()
    return {"summary": summary.pk, "elapsed_ms": summary.elapsed_ms}


@job()
def collect_events() -> dict[str, int]:
    result = services.collect_events()
    return {"appended": result.appended, "incidents": len(result.incidents)}

"""Background jobs of environmental monitoring (scheduled in ``smartcity.jobs.schedule``)."""

from __future__ import annotations

from smartcity.environment import services
from smartcity.jobs.engine import job


@job()
def check_warnings() -> dict[str, int]:
    """Compute every station's current values, open and close warnings, queue the subscribers' notices. A warning
    open on a rule and station is one row, so a repeated run only extends it."""
    result = services.evaluate_warnings()
    return {"opened": len(result.opened), "updated": len(result.updated), "closed": len(result.closed),
            "notified": result.notified}


@job()
def refresh_forecasts() -> dict[str, int]:
    """Forecast the next 24 hours at every air station and replace the stored forecasts. A repeated run in the same
    hour reads the same data and leaves the same rows (each run replaces a station's rows in one transaction)."""
    run = services.refresh_forecasts()
    return {"forecast": len(run.forecast), "skipped": len(run.skipped)}

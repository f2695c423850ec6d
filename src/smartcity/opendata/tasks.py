"""Background work: the live tables' snapshots refreshed (schedule ``opendata.refresh``)."""

from __future__ import annotations

from smartcity.jobs.engine import job
from smartcity.opendata import services


@job()
def refresh_live_tables() -> dict[str, int]:
    return services.refresh_live_tables()

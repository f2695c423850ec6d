"""Background jobs of citizen reports (scheduled in ``smartcity.jobs.schedule``)."""

from __future__ import annotations

from smartcity.feedback import services
from smartcity.jobs.engine import job


@job()
def close_settled() -> dict[str, int]:
    """Close the reports answered more than 7 days ago that nobody reopened (the reporter's window has passed). A
    repeated run finds nothing more to close."""
    return {"closed": services.close_settled()}

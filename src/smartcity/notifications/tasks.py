"""Background jobs of the outbox (scheduled in ``smartcity.jobs.schedule``)."""

from __future__ import annotations

from dataclasses import asdict

from smartcity.jobs.engine import job
from smartcity.notifications import services


@job()
def deliver_notifications() -> dict[str, int]:
    """Send what is due. Each message is claimed under a row lock and its state kept with it, so two runs at once, or
    a run repeated after a worker died, never send a message that was already sent."""
    return asdict(services.deliver_due())

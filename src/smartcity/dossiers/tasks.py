"""Background jobs of the one-stop shop (scheduled in ``smartcity.jobs.schedule``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from smartcity.dossiers import scorecard
from smartcity.dossiers import statistics as stats
from smartcity.jobs.engine import job


@job()
def refresh_statistics() -> dict[str, int]:
    """Compute this month's public statistics (each grouping) and scorecards (city, agencies) and put them in the
    cache the pages read, so that no visitor waits for a query over millions of dossiers. It helps only where the
    cache is shared by the web servers and the workers (Redis, or the demo's files under var/)."""
    first = timezone.localdate().replace(day=1)
    period = stats.local_range(first, (first + dt.timedelta(days=32)).replace(day=1))
    rows = sum(len(stats.published(*period, group=group, fresh=True)) for group in stats.GROUPS)
    cards = sum(len(scorecard.published(*period, group=group, fresh=True)) for group in ("city", "agency"))
    return {"rows": rows, "cards": cards}

"""Background jobs of payments (scheduled in ``smartcity.jobs.schedule``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from smartcity.jobs.engine import job
from smartcity.payments import services


class AnnouncementsFailed(RuntimeError):
    """Some receivers did not take the news of a confirmed payment: the job is retried with back-off."""


@job()
def announce_payments() -> dict[str, int]:
    """Tell the dossiers of confirmed payments they have not heard of yet. A payment is marked announced only once
    every receiver took the news, so running this again only repeats what is still missing."""
    announced = services.announce_pending()
    if announced.failed or announced.given_up:
        raise AnnouncementsFailed(f"{announced.failed} khoản thanh toán chưa báo được cho hồ sơ; "
                                  f"{announced.given_up} đã thôi báo sau {services.MAX_ANNOUNCE_ATTEMPTS} lần, cần xử lý tay")
    return {"sent": announced.sent, "failed": announced.failed}


@job()
def reconcile_payments(day: str | None = None) -> dict[str, int]:
    """Compare a day's payments (default: yesterday, Hà Nội time) with the gateway's report and keep the result."""
    when = dt.date.fromisoformat(day) if day else timezone.localdate() - dt.timedelta(days=1)
    result = services.reconcile(day=when)
    return {"matched": result.matched, "mismatches": len(result.mismatches)}

"""Statistics of citizen reports per body and category — received, handled on time, late, satisfaction, reopened —
and the facts the Decision 766 scorecard's feedback indicators (5.2 on time, 5.3 satisfied) are computed from.

"On time" is answered on or before ``due_on`` and never late before; "late" is answered after it (a reopened
report once answered late stays late), or still open past it at the period's end. A report counts in the period it was received in. All in grouped SQL, one query per call.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate

from smartcity.feedback.models import OPEN, Report, Status

_DONE = (Status.ANSWERED, Status.CLOSED)


def compute(start: dt.datetime, end: dt.datetime, *, by: tuple[str, ...] = ("agency__code", "agency__name"),
            on: dt.date | None = None) -> list[dict[str, Any]]:
    """One row per group (default: per body) of reports received in [start, end)."""
    on = on or (end - dt.timedelta(seconds=1)).date()
    answered_date = TruncDate("answered_at", tzinfo=dt.timezone(dt.timedelta(hours=7)))
    rows = (
        Report.objects.filter(received_at__gte=start, received_at__lt=end).exclude(status=Status.MERGED)
        .annotate(answered_on=answered_date)
        .values(*by).order_by(*by)
        .annotate(
            received=Count("id"),
            on_time=Count("id", filter=Q(status__in=_DONE, was_late=False, answered_on__lte=F("due_on"))),
            late=Count("id", filter=Q(status__in=_DONE) & (Q(was_late=True) | Q(answered_on__gt=F("due_on")))
                       | Q(status__in=OPEN, due_on__lt=on)),
            open=Count("id", filter=Q(status__in=OPEN)),
            rated=Count("rating"),
            satisfied=Count("rating", filter=Q(rating__score__gte=3)),
            dissatisfied=Count("rating", filter=Q(rating__score__lt=3)),
            reopened=Count("id", filter=Q(reopen_count__gt=0)),
        )
    )
    out = []
    for row in rows:
        row["satisfaction"] = round(row["satisfied"] / row["rated"], 4) if row["rated"] else None
        out.append(row)
    return out


def scorecard_facts(start: dt.datetime, end: dt.datetime, group: str) -> dict[str, dict[str, int]]:
    """{key: {"feedback_received", "feedback_on_time", "feedback_bad"}} for the scorecard, keyed as its rows are
    (an agency code, or the province code for the city): 5.2 = on time ÷ received; 5.3 = (received − late −
    dissatisfied) ÷ received."""
    field = "agency__code" if group == "agency" else "unit__province_code"
    facts = {}
    for row in compute(start, end, by=(field,)):
        facts[row[field]] = {"feedback_received": row["received"], "feedback_on_time": row["on_time"],
                             "feedback_bad": min(row["late"] + row["dissatisfied"], row["received"])}
    return facts

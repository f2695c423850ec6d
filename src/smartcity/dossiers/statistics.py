"""On-time statistics per agency or procedure over a period, computed by the database in two grouped queries.

The figures follow the national reporting of dossier handling (Circular 01/2018/TT-VPCP, the portal's statistics):
received in the period by channel, carried over from before, processed early / on time / late, still in progress
on time / late at the period's end, average processing time, online share. "On time" is the national rule
(``services.is_on_time``): finished by the appointment (supplement pauses already added to it), not extended, at
most one supplement request. The three processed figures are disjoint: early (on time and finished before the
appointment's calendar day), on time (the rest of on time), late. Online payment share: of the dossiers received
with a fee, those paid through the gateway; digitised share: of those finished, those with a signed electronic
result. Satisfaction: of the dossiers finished in the
period, how many the applicant rated, their average points (of 18, the nine national indicators) and the share
rated "very satisfied" or "satisfied".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    Q,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from smartcity.dossiers.models import Channel, Dossier, Evaluation, Satisfaction, Status

RUNNING = [Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.AWAITING_PAYMENT]
GROUPS = {"agency": ("agency__code", "agency__name"), "procedure": ("procedure__code", "procedure__name"),
          "city": ("unit__province_code", "unit__province_code")}
COLUMNS = ["key", "name", "received", "received_online", "received_desk", "received_post", "carried_over",
           "processed", "processed_early", "processed_on_time", "processed_late", "in_progress_on_time",
           "in_progress_late", "average_hours", "online_share", "online_payment_share", "digitised_share",
           "evaluated", "satisfied", "satisfaction_points", "satisfied_share"]


def local_range(first: dt.date, following: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local (Hà Nội) midnight of two dates: the half-open period every report uses."""
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(first, dt.time(), tz), dt.datetime.combine(following, dt.time(), tz)


class _Range(Func):
    """``tstzrange(lower, upper, bounds)`` (PostgreSQL)."""

    def __init__(self, lower, upper, *, bounds: str):
        super().__init__(lower, upper, template=f"tstzrange(%(expressions)s, '{bounds}')")


class _Overlaps(Func):
    template = "(%(expressions)s)"
    arg_joiner = " && "
    output_field = BooleanField()


def active_in(start: dt.datetime, end: dt.datetime) -> Q | _Overlaps:
    """The dossiers a period's figures touch: received before its end and not finished before its start.

    On PostgreSQL this is written as the overlap of the dossier's span [received, finished] (open while running)
    with [start, end), the expression of the GiST index of migration 0009, so the database reads only those
    dossiers; as two B-tree conditions it reads every dossier received before the end (millions, for a recent
    month). A finish recorded before the receipt counts as the receipt instant, as the index has it."""
    if connection.vendor != "postgresql":
        return (Q(received_at__lt=end) & (Q(finished_at__isnull=True) | Q(finished_at__gte=start))
                | Q(received_at__gte=start, received_at__lt=end))
    finish = Case(When(finished_at__lt=F("received_at"), then=F("received_at")), default=F("finished_at"))
    return _Overlaps(_Range(F("received_at"), finish, bounds="[]"),
                     _Range(Value(start), Value(end), bounds="[)"))


def compute(start: dt.datetime, end: dt.datetime, *, group: str = "agency", dossiers=None) -> list[dict[str, Any]]:
    """One row per agency (procedure; or one for the whole city) with activity in [start, end). ``dossiers``
    narrows the set (scope)."""
    if group not in GROUPS:
        raise ValueError(group)
    if end <= start:
        raise ValueError(f"an empty or reversed period: {start} … {end}")
    key, name = GROUPS[group]
    base = (dossiers if dossiers is not None else Dossier.objects.all()).filter(
        active_in(start, end), received_at__isnull=False)
    received = Q(received_at__gte=start, received_at__lt=end)
    finished = Q(finished_at__gte=start, finished_at__lt=end)
    on_time = Q(finished_at__lte=F("appointment_at"), extended=False, supplement_count__lte=1)
    open_at_end = Q(received_at__lt=end, status__in=RUNNING) | Q(received_at__lt=end, finished_at__gte=end)
    judged = min(end, timezone.now())  # a period not over yet: late means past its appointment by now
    rows = (
        base.annotate(finished_day=TruncDate("finished_at"), appointment_day=TruncDate("appointment_at"))
        .values(*dict.fromkeys((key, name)))
        .annotate(
            received=Count("id", filter=received),
            received_online=Count("id", filter=received & Q(channel=Channel.ONLINE)),
            received_desk=Count("id", filter=received & Q(channel=Channel.DESK)),
            received_post=Count("id", filter=received & Q(channel=Channel.POST)),
            carried_over=Count("id", filter=Q(received_at__lt=start)),
            processed=Count("id", filter=finished),
            processed_early=Count("id", filter=finished & on_time & Q(finished_day__lt=F("appointment_day"))),
            processed_on_time=Count("id", filter=finished & on_time & Q(finished_day__gte=F("appointment_day"))),
            in_progress_on_time=Count("id", filter=open_at_end & Q(appointment_at__gte=judged)),
            in_progress_late=Count("id", filter=open_at_end & Q(appointment_at__lt=judged)),
            average=Avg(ExpressionWrapper(F("finished_at") - F("received_at"), output_field=DurationField()),
                        filter=finished),
            with_fees=Count("id", filter=received & Q(fee_due__gt=0)),
            paid_online=Count("id", filter=received & Q(fee_due__gt=0, paid_online=True)),
            signed_results=Count("id", filter=finished & Q(result_signed=True)),
        )
        .order_by(key)
    )
    # The ratings in a second grouped query that starts from the period's (few) ratings — found by the finish time
    # copied onto each — rather than joining every dossier finished in the period to them.
    ratings = {
        r.pop(f"dossier__{key}"): r
        for r in Evaluation.objects.filter(dossier_finished_at__gte=start, dossier_finished_at__lt=end,
                                           **({"dossier__in": dossiers} if dossiers is not None else {}))
        .values(f"dossier__{key}")
        .annotate(evaluated=Count("id"), points=Avg("total"),
                  satisfied=Count("id", filter=Q(satisfaction__lte=Satisfaction.SATISFIED)))
    }
    out = []
    for row in rows:
        row.update(ratings.get(row[key], {"evaluated": 0, "points": None, "satisfied": 0}))
        average = row.pop("average")
        row["key"] = row.pop(key)
        row["name"] = f"Toàn thành phố ({row['key']})" if group == "city" else row.pop(name)
        row["processed_late"] = row["processed"] - row["processed_early"] - row["processed_on_time"]
        row["average_hours"] = round(average.total_seconds() / 3600, 1) if average is not None else None
        row["online_share"] = round(row["received_online"] / row["received"], 4) if row["received"] else None
        with_fees, paid_online, signed = row.pop("with_fees"), row.pop("paid_online"), row.pop("signed_results")
        row["online_payment_share"] = round(paid_online / with_fees, 4) if with_fees else None
        row["digitised_share"] = round(signed / row["processed"], 4) if row["processed"] else None
        points = row.pop("points")
        row["satisfaction_points"] = round(points, 2) if points is not None else None
        row["satisfied_share"] = round(row["satisfied"] / row["evaluated"], 4) if row["evaluated"] else None
        out.append({column: row[column] for column in COLUMNS})
    return out


def published(start: dt.datetime, end: dt.datetime, *, group: str = "agency", fresh: bool = False
              ) -> list[dict[str, Any]]:
    """``compute`` for the public pages and API (the whole city's dossiers, no scope), computed at most once every
    ``STATISTICS_CACHE_SECONDS`` per period and group (``fresh``: now, whatever the cache holds)."""
    return cached("statistics", start, end, group, lambda: compute(start, end, group=group), fresh=fresh)


def cached(what: str, start: dt.datetime, end: dt.datetime, group: str, make, *, fresh: bool = False) -> Any:
    """``make()``, kept ``STATISTICS_CACHE_SECONDS`` under a key of what, the period and the group; ``fresh``
    makes it again and replaces what the cache holds (the refresh job, so that no visitor waits for it)."""
    if settings.STATISTICS_CACHE_SECONDS <= 0:
        return make()
    key = f"dossiers:{what}:{group}:{start.isoformat()}:{end.isoformat()}"
    if fresh:
        value = make()
        cache.set(key, value, settings.STATISTICS_CACHE_SECONDS)
        return value
    return cache.get_or_set(key, make, settings.STATISTICS_CACHE_SECONDS)

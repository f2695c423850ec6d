"""The one-stop shop's figures for the centre: dossiers received today, the month's on-time rate, overdue dossiers by
agency, and the dossiers that fell overdue as feed events. Read through the dossiers app's querysets
(``Dossier.objects.queue``) with the on-time rule of its statistics (``dossiers.statistics``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcity.dossiers.models import Dossier
from smartcity.ioc.sources import EventIn, Row, TileValue
from smartcity.lib import formats

# The national on-time rule as ``dossiers.statistics`` counts it: finished by the appointment (supplement pauses
# already added to it), not extended, at most one supplement request.
ON_TIME = Q(finished_at__lte=F("appointment_at"), extended=False, supplement_count__lte=1)
# Counted over columns the centre's indexes hold (``ioc.indexes``), not the id, so PostgreSQL answers from the index
# alone (an index-only scan) instead of visiting each row.
FINISHED = Count("finished_at")
ON_TIME_COUNT = Count("finished_at", filter=ON_TIME)
OVERDUE = Count("appointment_at")
# Past this many newly overdue dossiers in one collection the feed gets one line with their number.
EVENT_BURST = 20


def _today_start(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _month_start(now: dt.datetime) -> dt.datetime:
    return _today_start(now).replace(day=1)


def overdue(now: dt.datetime):
    return Dossier.objects.queue("overdue", now=now, soon=now)


class DossierProvider:
    key = "dossiers"
    tile_keys = ("dossiers_received_today", "dossiers_on_time_month", "dossiers_overdue")

    def tiles(self, now: dt.datetime) -> list[TileValue]:
        received = Dossier.objects.filter(received_at__gte=_today_start(now), received_at__lt=now).count()
        month = Dossier.objects.filter(finished_at__gte=_month_start(now), finished_at__lt=now).aggregate(
            processed=FINISHED, on_time=ON_TIME_COUNT)
        rate = month["on_time"] / month["processed"] if month["processed"] else None
        by_agency = list(overdue(now).values("agency__name").annotate(n=OVERDUE).order_by("-n", "agency__name"))
        total = sum(r["n"] for r in by_agency)
        return [
            TileValue("dossiers_received_today", received),
            TileValue("dossiers_on_time_month", rate, unit="%",
                      note=_("%(n)s hồ sơ đã xử lý") % {"n": formats.number(month["processed"])},
                      tone="" if rate is None else ("ok" if rate >= 0.9 else "warn" if rate >= 0.7 else "late")),
            TileValue("dossiers_overdue", total,
                      note=_("%(n)s cơ quan") % {"n": formats.number(len(by_agency))},
                      breakdown=[(r["agency__name"], r["n"]) for r in by_agency[:5]]),
        ]

    def rows(self, tile_key: str, now: dt.datetime, limit: int) -> list[Row]:
        if tile_key == "dossiers_received_today":
            found = (Dossier.objects.filter(received_at__gte=_today_start(now), received_at__lt=now)
                     .values("agency__name").annotate(n=Count("id")).order_by("-n", "agency__name")[:limit])
            return [Row([r["agency__name"], formats.number(r["n"])]) for r in found]
        if tile_key == "dossiers_on_time_month":
            found = (Dossier.objects.filter(finished_at__gte=_month_start(now), finished_at__lt=now)
                     .values("agency__name").annotate(n=FINISHED, on_time=ON_TIME_COUNT)
                     .order_by("-n", "agency__name")[:limit])
            return [Row([r["agency__name"], formats.number(r["n"]), formats.number(r["on_time"]),
                         formats.percent(r["on_time"] / r["n"] if r["n"] else None, 1)]) for r in found]
        if tile_key == "dossiers_overdue":
            found = (overdue(now).values("agency__name").annotate(n=OVERDUE)
                     .order_by("-n", "agency__name")[:limit])
            return [Row([r["agency__name"], formats.number(r["n"])]) for r in found]
        return []

    def events(self, since: dt.datetime, now: dt.datetime) -> list[EventIn]:
        """Dossiers whose appointment passed in [since, now) while still running: one event each, or one line for
        the lot when more than ``EVENT_BURST`` fell overdue at once."""
        fell = overdue(now).filter(appointment_at__gte=since).order_by("appointment_at", "id")
        found = list(fell.values("code", "appointment_at", "agency__name")[:EVENT_BURST + 1])
        if len(found) > EVENT_BURST:
            n = fell.count()
            return [EventIn(f"dossiers:overdue:{since.isoformat()}", "dossier_overdue",
                            _("%(n)s hồ sơ vừa quá hạn") % {"n": formats.number(n)}, now, severity="warn",
                            link=reverse("ioc:drill", args=["dossiers_overdue"]))]
        return [EventIn(f"dossier:{d['code']}:overdue", "dossier_overdue",
                        _("Hồ sơ %(code)s của %(agency)s đã quá hạn") % {"code": d["code"],
                                                                         "agency": d["agency__name"]},
                        d["appointment_at"], severity="warn", link=reverse("ioc:drill", args=["dossiers_overdue"]))
                for d in found]


def received_by_day(now: dt.datetime, days: int) -> list[tuple[dt.date, int]]:
    """Dossiers received each of the last ``days`` days (Hà Nội days, today included), zeros kept."""
    from django.db.models.functions import TruncDate

    first = _today_start(now) - dt.timedelta(days=days - 1)
    counts = dict(Dossier.objects.filter(received_at__gte=first, received_at__lt=now)
                  .annotate(day=TruncDate("received_at", tzinfo=timezone.get_current_timezone()))
                  .values("day").annotate(n=Count("id")).values_list("day", "n"))
    return [(d, counts.get(d, 0)) for d in ((first + dt.timedelta(days=i)).date() for i in range(days))]


def overdue_by_unit(now: dt.datetime, limit: int) -> list[tuple[str, int]]:
    """Overdue dossiers by the ward or commune they concern, most first."""
    rows = overdue(now).values("unit__name").annotate(n=Count("id")).order_by("-n", "unit__name")[:limit]
    return [(r["unit__name"], r["n"]) for r in rows]

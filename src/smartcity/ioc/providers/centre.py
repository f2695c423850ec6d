"""The centre's own tile: incidents still open, and how many of their procedure steps are past due."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from smartcity.ioc.models import Incident, IncidentStep
from smartcity.ioc.sources import Row, TileValue
from smartcity.lib import formats


class CentreProvider:
    key = "centre"
    tile_keys = ("incidents_open",)

    def tiles(self, now: dt.datetime) -> list[TileValue]:
        n = Incident.objects.filter(state=Incident.State.OPEN).count()
        late = IncidentStep.objects.filter(incident__state=Incident.State.OPEN, done_at__isnull=True,
                                           due_at__lt=now).count()
        return [TileValue("incidents_open", n, note=_("%(n)s bước quá hạn") % {"n": formats.number(late)},
                          tone="late" if late else "")]

    def rows(self, tile_key: str, now: dt.datetime, limit: int) -> list[Row]:
        found = Incident.objects.filter(state=Incident.State.OPEN).select_related("incident_type")[:limit]
        return [Row([i.title, i.incident_type.name, formats.moment(i.opened_at)],
                    reverse("ioc:incident", args=[i.pk])) for i in found]

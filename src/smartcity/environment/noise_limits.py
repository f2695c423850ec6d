"""Which noise regulation judges a reading: a look-up in the ``NoiseLimit`` table, cached per process.

The table is small (a few lines per regulation) and read whole into a ``LimitTable``; the copy is kept until the
table's version (line count, largest id, latest edit) changes, so an edit in the back office is seen by every
process on its next look-up, at the cost of one aggregate query per look-up batch.

On a local date, the regulations in force are those with ``valid_from ≤ date ≤ valid_to``; the one in force from
the latest date wins (QCVN 26:2025/BNNMT over QCVN 26:2010/BTNMT once both are entered, even while existing
facilities may still use the old limits).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Max
from django.utils import timezone

from smartcity.environment.models import NoiseLimit, NoiseZone
from smartcity.environment.noise import Band, ZoneLimits


@dataclass(frozen=True)
class _Line:
    zone: str
    zone_name: str
    legal_source: str
    valid_from: dt.date
    valid_to: dt.date | None
    note: str
    band: Band


@dataclass
class LimitTable:
    """A snapshot of the ``NoiseLimit`` table with the look-ups the pages and the readings need."""

    lines: list[_Line]
    _by_day: dict[tuple[str, dt.date], ZoneLimits | None] = field(default_factory=dict)

    def zone_limits(self, zone: str, day: dt.date) -> ZoneLimits | None:
        """The limits judging ``zone`` on local date ``day``; None when no regulation in force covers it."""
        key = (zone, day)
        if key not in self._by_day:
            self._by_day[key] = self._find(zone, day)
        return self._by_day[key]

    def _find(self, zone: str, day: dt.date) -> ZoneLimits | None:
        in_force = [ln for ln in self.lines
                    if ln.zone == zone and ln.valid_from <= day and (ln.valid_to is None or day <= ln.valid_to)]
        if not in_force:
            return None
        newest = max(in_force, key=lambda ln: (ln.valid_from, ln.legal_source))
        mine = [ln for ln in in_force if (ln.legal_source, ln.valid_from) == (newest.legal_source, newest.valid_from)]
        return ZoneLimits(legal_source=newest.legal_source, zone=zone, zone_name=newest.zone_name,
                          bands=tuple(ln.band for ln in mine), note=newest.note)

    def hourly(self, zone: str, times: Sequence[dt.datetime]) -> np.ndarray:
        """The limit (dBA) of each hour starting at ``times``, by the regulation in force on its local date and
        the band of its local hour; NaN where none is."""
        tz = timezone.get_current_timezone()
        local = [t.astimezone(tz) for t in times]
        hours = np.array([t.hour for t in local])
        days = np.array([t.date() for t in local], dtype=object)
        out = np.full(len(local), np.nan)
        for day in dict.fromkeys(days):
            limits = self.zone_limits(zone, day)
            if limits is not None:
                mask = days == day
                out[mask] = limits.limit_dba(hours[mask])
        return out

    def zones(self) -> list[tuple[str, str]]:
        """(code, name) of every zone the table knows, the seeded two first."""
        names = {z.value: z.label for z in NoiseZone}
        for ln in sorted(self.lines, key=lambda ln: ln.valid_from):
            names[ln.zone] = ln.zone_name
        return list(names.items())


_cached: tuple[tuple[object, ...], LimitTable] | None = None


def _version() -> tuple[object, ...]:
    seen = NoiseLimit.objects.aggregate(count=Count("id"), last=Max("id"), edited=Max("updated_at"))
    return seen["count"], seen["last"], seen["edited"]


def limit_table() -> LimitTable:
    """The table as it is now (from this process's copy when unchanged)."""
    global _cached
    version = _version()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    lines = [_Line(zone=r.zone, zone_name=r.zone_name, legal_source=r.legal_source, valid_from=r.valid_from,
                   valid_to=r.valid_to, note=r.note, band=Band(r.start_hour, r.end_hour, r.limit_dba))
             for r in NoiseLimit.objects.all()]
    table = LimitTable(lines)
    _cached = (version, table)
    return table


def zone_limits(zone: str, moment: dt.datetime | dt.date | None = None) -> ZoneLimits | None:
    """The limits judging ``zone`` at ``moment`` (a datetime, read in local time, or a local date; default: now)."""
    if moment is None:
        day = timezone.localdate()
    elif isinstance(moment, dt.datetime):
        day = timezone.localtime(moment).date()
    else:
        day = moment
    return limit_table().zone_limits(zone, day)


def zones() -> list[tuple[str, str]]:
    return limit_table().zones()

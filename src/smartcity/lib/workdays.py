"""Vietnamese working time for legal deadlines: working days, working hours, the cut-off hour, paused time.

Working days are Monday–Friday minus public holidays and plus Saturdays worked in exchange (both from the
``holidays`` package, Vietnam: Labour Code 2019 Art. 112 and the yearly swap decisions), with an override table the
city maintains for decisions the package does not know yet. A working day has ``OfficeHours`` (8 hours by default).

All deadline arithmetic is done in working hours, so days, hours and pauses compose: "3 working days" from Monday
10:00 is Thursday 10:00; a dossier received after the cut-off hour starts at the next working day's opening.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class OfficeHours:
    """The periods of a working day, local time. Default: 08:00–12:00 and 13:00–17:00 (8 hours)."""

    periods: tuple[tuple[dt.time, dt.time], ...] = (
        (dt.time(8, 0), dt.time(12, 0)),
        (dt.time(13, 0), dt.time(17, 0)),
    )

    @cached_property
    def hours_per_day(self) -> float:
        return sum(_seconds(end) - _seconds(start) for start, end in self.periods) / 3600

    @property
    def opening(self) -> dt.time:
        return self.periods[0][0]


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


@dataclass
class WorkCalendar:
    """Which days are worked, and working-time arithmetic over them. ``overrides`` maps a date to True (worked) or
    False (not worked) and wins over the package's calendar."""

    overrides: Mapping[dt.date, bool] = field(default_factory=dict)
    office: OfficeHours = field(default_factory=OfficeHours)

    def __post_init__(self) -> None:
        self._holidays = holidays.country_holidays("VN")

    # --- days ---------------------------------------------------------------------------------------------
    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return bool(self.overrides[day])
        return bool(self._holidays.is_working_day(day))

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        day += dt.timedelta(days=1)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after ``day`` (n ≥ 0; n = 0 gives ``day`` itself)."""
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in the half-open range (start, end]."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count

    # --- hours --------------------------------------------------------------------------------------------
    def _local(self, moment: dt.datetime) -> dt.datetime:
        if moment.tzinfo is None:
            raise ValueError("working-time arithmetic needs an aware datetime")
        return moment.astimezone(VN_TZ)

    def _periods_of(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        if not self.is_working_day(day):
            return []
        return [
            (dt.datetime.combine(day, start, VN_TZ), dt.datetime.combine(day, end, VN_TZ))
            for start, end in self.office.periods
        ]

    def clamp_forward(self, moment: dt.datetime) -> dt.datetime:
        """The same moment if it falls in working time, else the next opening of an office period."""
        local = self._local(moment)
        day = local.date()
        while True:
            for start, end in self._periods_of(day):
                if local < end:
                    return max(local, start)
            day += dt.timedelta(days=1)
            local = dt.datetime.combine(day, dt.time(0, 0), VN_TZ)

    def add_working_hours(self, moment: dt.datetime, hours: float) -> dt.datetime:
        """``moment`` plus ``hours`` of working time (nights, breaks and non-working days skipped)."""
        remaining = dt.timedelta(hours=hours)
        current = self.clamp_forward(moment)
        while True:
            for start, end in self._periods_of(current.date()):
                if current >= end:
                    continue
                current = max(current, start)
                available = end - current
                if remaining <= available:
                    return current + remaining
                remaining -= available
                current = end
            current = dt.datetime.combine(current.date() + dt.timedelta(days=1), dt.time(0, 0), VN_TZ)
            current = self.clamp_forward(current)

    def working_hours_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working time between two moments, in hours (0 when ``end`` is not after ``start``)."""
        start, end = self._local(start), self._local(end)
        if end <= start:
            return 0.0
        total = dt.timedelta()
        day = start.date()
        while day <= end.date():
            for p_start, p_end in self._periods_of(day):
                lo, hi = max(p_start, start), min(p_end, end)
                if hi > lo:
                    total += hi - lo
            day += dt.timedelta(days=1)
        return total.total_seconds() / 3600

    # --- legal processing time ------------------------------------------------------------------------------
    def processing_start(self, received_at: dt.datetime, cut_off: dt.time | None = None) -> dt.datetime:
        """When the clock starts: at reception, or at the next working day's opening when the dossier arrives on a
        non-working day, after office hours, or after the procedure's same-day cut-off hour."""
        local = self._local(received_at)
        if cut_off is not None and local.time() >= cut_off and self.is_working_day(local.date()):
            return dt.datetime.combine(self.next_working_day(local.date()), self.office.opening, VN_TZ)
        return self.clamp_forward(local)

    def end_of_working_day(self, moment: dt.datetime) -> dt.datetime:
        """The close of office on the working day ``moment`` falls in (the next working day's when ``moment`` is
        outside working time after closing, or on a non-working day)."""
        local = self.clamp_forward(moment)
        return self._periods_of(local.date())[-1][1]

    def due(self, start: dt.datetime, amount: float, unit: str) -> dt.datetime:
        """The deadline ``amount`` units after ``start``: ``working_days``, ``working_hours`` or ``calendar_days``
        (a calendar deadline that falls on a non-working day moves to the next working day's same time), or
        ``same_day`` ("giải quyết ngay trong ngày": the close of the working day the clock starts on; ``amount``
        is not used). With the procedure's cut-off hour in ``processing_start``, a same-day dossier received before
        the cut-off is due that evening, one received after it the next working day's evening."""
        if unit == "same_day":
            return self.end_of_working_day(start)
        if unit == "working_days":
            return self.add_working_hours(start, amount * self.office.hours_per_day)
        if unit == "working_hours":
            return self.add_working_hours(start, amount)
        if unit == "calendar_days":
            local = self._local(start) + dt.timedelta(days=amount)
            while not self.is_working_day(local.date()):
                local += dt.timedelta(days=1)
            return local
        raise ValueError(f"unknown unit of processing time: {unit!r}")

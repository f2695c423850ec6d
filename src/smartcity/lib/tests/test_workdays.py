from __future__ import annotations

import datetime as dt

import pytest

from smartcity.lib.workdays import VN_TZ, WorkCalendar

CAL = WorkCalendar()


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def test_weekends_and_tet_are_not_worked_but_a_swapped_saturday_is():
    assert not CAL.is_working_day(dt.date(2026, 11, 28))  # Saturday
    assert not CAL.is_working_day(dt.date(2026, 2, 17))  # Tết, first day of the lunar year
    assert CAL.is_working_day(dt.date(2025, 4, 26))  # Saturday worked in exchange for Friday 2 May 2025
    assert not CAL.is_working_day(dt.date(2025, 5, 2))


def test_the_override_table_wins():
    cal = WorkCalendar(overrides={dt.date(2026, 12, 5): True, dt.date(2026, 12, 7): False})
    assert cal.is_working_day(dt.date(2026, 12, 5)) and not cal.is_working_day(dt.date(2026, 12, 7))


def test_working_days_skip_the_tet_week():
    assert CAL.add_working_days(dt.date(2026, 2, 13), 1) == dt.date(2026, 2, 23)  # Fri before Tết → Mon after
    assert CAL.working_days_between(dt.date(2026, 2, 13), dt.date(2026, 2, 23)) == 1


def test_three_working_days_from_monday_morning_is_thursday_same_time():
    assert CAL.due(at("2026-11-30T10:00"), 3, "working_days") == at("2026-12-03T10:00")


def test_a_friday_afternoon_dossier_of_one_day_is_due_monday():
    assert CAL.due(at("2026-12-04T16:00"), 1, "working_days") == at("2026-12-07T16:00")


def test_working_hours_skip_lunch_and_night():
    assert CAL.add_working_hours(at("2026-12-01T11:00"), 2) == at("2026-12-01T14:00")
    assert CAL.add_working_hours(at("2026-12-01T16:00"), 2) == at("2026-12-02T09:00")
    assert CAL.working_hours_between(at("2026-12-01T11:00"), at("2026-12-02T09:00")) == 6


def test_after_the_cut_off_hour_the_clock_starts_next_working_day():
    assert CAL.processing_start(at("2026-12-04T15:30"), dt.time(15, 0)) == at("2026-12-07T08:00")
    assert CAL.processing_start(at("2026-12-04T14:59"), dt.time(15, 0)) == at("2026-12-04T14:59")


def test_outside_office_hours_and_on_holidays_the_clock_starts_at_the_next_opening():
    assert CAL.processing_start(at("2026-12-05T09:00")) == at("2026-12-07T08:00")  # Saturday
    assert CAL.processing_start(at("2026-12-01T19:00")) == at("2026-12-02T08:00")
    assert CAL.processing_start(at("2026-12-01T12:30")) == at("2026-12-01T13:00")


def test_a_calendar_deadline_on_a_sunday_moves_to_monday():
    assert CAL.due(at("2026-12-01T10:00"), 5, "calendar_days") == at("2026-12-07T10:00")


def test_unknown_units_and_naive_times_are_refused():
    with pytest.raises(ValueError):
        CAL.due(at("2026-12-01T10:00"), 1, "fortnights")
    with pytest.raises(ValueError):
        CAL.add_working_hours(dt.datetime(2026, 12, 1, 10), 1)


def test_a_same_day_procedure_received_before_the_cut_off_is_due_that_evening():
    start = CAL.processing_start(at("2026-12-04T14:30"), dt.time(15, 0))  # Friday
    assert CAL.due(start, 0, "same_day") == at("2026-12-04T17:00")


def test_a_same_day_procedure_received_after_the_cut_off_or_on_a_holiday_is_due_the_next_working_evening():
    assert CAL.due(CAL.processing_start(at("2026-12-04T15:30"), dt.time(15, 0)), 0, "same_day") == at("2026-12-07T17:00")
    assert CAL.due(CAL.processing_start(at("2026-12-05T09:00"), dt.time(15, 0)), 0, "same_day") == at("2026-12-07T17:00")
    assert CAL.due(CAL.processing_start(at("2026-12-01T19:00")), 0, "same_day") == at("2026-12-02T17:00")

"""The city's working calendar: the national holidays plus the days the city swaps or adds, entered in the back
office and counted at once."""

from __future__ import annotations

import datetime as dt

import pytest

from smartcity.agencies.models import WorkingDayOverride
from smartcity.agencies.services import working_calendar
from smartcity.identity import services as identity

pytestmark = pytest.mark.django_db


def test_the_calendar_follows_the_national_holidays_without_overrides():
    cal = working_calendar()
    assert not cal.is_working_day(dt.date(2026, 2, 17))  # Tết
    assert cal.is_working_day(dt.date(2026, 11, 26))  # a Thursday


def test_an_override_counts_from_the_next_call_without_a_cache_to_clear():
    before = working_calendar()
    WorkingDayOverride.objects.create(day=dt.date(2026, 11, 26), is_working_day=False, reason="Nghỉ bù")
    WorkingDayOverride.objects.create(day=dt.date(2026, 11, 28), is_working_day=True, reason="Làm bù thứ Bảy")
    after = working_calendar()
    assert before.is_working_day(dt.date(2026, 11, 26)) and not after.is_working_day(dt.date(2026, 11, 26))
    assert not before.is_working_day(dt.date(2026, 11, 28)) and after.is_working_day(dt.date(2026, 11, 28))
    assert after.add_working_days(dt.date(2026, 11, 25), 1) == dt.date(2026, 11, 27)


def test_the_back_office_lists_the_overrides_with_their_weekday_in_vietnamese(client, city_admin):
    WorkingDayOverride.objects.create(day=dt.date(2026, 11, 28), is_working_day=True, reason="Làm bù thứ Bảy")
    city_admin.is_superuser = True
    city_admin.save()
    client.force_login(city_admin)
    session = client.session
    session[identity.SECOND_FACTOR_SESSION_KEY] = True
    session.save()
    html = client.get("/admin/agencies/workingdayoverride/").content.decode()
    assert "ngày làm việc điều chỉnh" in html.lower() and "Thứ Bảy" in html and "Làm bù thứ Bảy" in html
    form = client.get("/admin/agencies/workingdayoverride/add/").content.decode()
    assert "ngày làm bù" in form and "Văn bản quyết định" in form
    response = client.post("/admin/agencies/workingdayoverride/add/",
                           {"day": "2027-01-02", "reason": "Nghỉ bù Tết Dương lịch"})
    assert response.status_code == 302, response.content.decode()[:2000]
    added = WorkingDayOverride.objects.get(reason="Nghỉ bù Tết Dương lịch")
    assert (added.day, added.is_working_day) == (dt.date(2027, 1, 2), False)

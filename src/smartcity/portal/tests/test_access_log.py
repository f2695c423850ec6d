""""Ai đã xem dữ liệu của tôi": one line per agency, purpose and Hà Nội day with its count, newest day first, paged,
on the page and in the API; only the citizen's own."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from smartcity.agencies.services import actor_for
from smartcity.audit import services as audit
from smartcity.audit.models import Action

pytestmark = pytest.mark.django_db
HANOI = dt.timezone(dt.timedelta(hours=7))


def read(officer, person_id: int, when: dt.datetime, purpose: str = "Xác minh nơi cư trú") -> None:
    with time_machine.travel(when, tick=False):
        audit.record(actor=actor_for(officer), action=Action.READ, subject_type="population.citizen",
                     subject_id=person_id, person_id=person_id, purpose=purpose)


@pytest.fixture
def reads(an, officer_ba_dinh, officer_hoan_kiem):
    person = an.person_id
    for hour in (8, 9, 10):  # three looks on 5 December (Hà Nội)
        read(officer_ba_dinh, person, dt.datetime(2026, 12, 5, hour, tzinfo=HANOI))
    # 06:30 on 6 December in Hà Nội is still 5 December in UTC: it counts on the 6th
    read(officer_ba_dinh, person, dt.datetime(2026, 12, 5, 23, 30, tzinfo=dt.UTC))
    read(officer_ba_dinh, person, dt.datetime(2026, 12, 5, 11, tzinfo=HANOI), purpose="Xử lý hồ sơ X")
    read(officer_hoan_kiem, person, dt.datetime(2026, 12, 4, 15, tzinfo=HANOI))
    return person


def rows(html: str) -> list[str]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [" · ".join(re.sub(r"<[^>]+>", "", td).strip() for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S))
            for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_reads_are_grouped_by_agency_purpose_and_hanoi_day_newest_first(client, an, reads):
    client.force_login(an)
    html = client.get(reverse("portal:access_log")).content.decode()
    assert rows(html) == [
        "Ủy ban nhân dân Phường Ba Đình · Xác minh nơi cư trú · 06/12/2026 · 1 lần",
        "Ủy ban nhân dân Phường Ba Đình · Xử lý hồ sơ X · 05/12/2026 · 1 lần",
        "Ủy ban nhân dân Phường Ba Đình · Xác minh nơi cư trú · 05/12/2026 · 3 lần",
        "Ủy ban nhân dân Phường Hoàn Kiếm · Xác minh nơi cư trú · 04/12/2026 · 1 lần",
    ]


def test_the_groups_are_paged(an, reads):
    first, more = audit.grouped_reads_of_person(reads, page=1, per_page=3)
    second, last = audit.grouped_reads_of_person(reads, page=2, per_page=3)
    assert (len(first), more, len(second), last) == (3, True, 1, False)
    assert second[0].agency == "Ủy ban nhân dân Phường Hoàn Kiếm" and second[0].day == dt.date(2026, 12, 4)


def test_the_api_answers_the_same_groups(client, an, reads):
    client.force_login(an)
    body = client.get("/api/v1/audit/my-data-accesses/by-day").json()
    assert (body["page"], body["has_next"]) == (1, False)
    assert [(i["agency"], i["purpose"], i["day"], i["count"]) for i in body["items"]][2] == \
        ("Ủy ban nhân dân Phường Ba Đình", "Xác minh nơi cư trú", "2026-12-05", 3)
    assert client.get("/api/v1/audit/my-data-accesses/by-day", {"page": 0}).status_code == 400


def test_another_citizen_sees_only_their_own(client, binh, reads):
    client.force_login(binh)
    assert client.get("/api/v1/audit/my-data-accesses/by-day").json()["items"] == []


def test_an_officer_has_no_log_of_their_own_and_an_anonymous_caller_must_sign_in(client, officer_ba_dinh, outsider,
                                                                                  reads):
    for staff in (officer_ba_dinh, outsider):
        client.force_login(staff)
        assert client.get("/api/v1/audit/my-data-accesses/by-day").status_code == 403
        assert client.get(reverse("portal:access_log")).status_code == 403
    client.logout()
    assert client.get("/api/v1/audit/my-data-accesses/by-day").status_code == 401


def test_the_profile_page_is_named_apart_from_the_dossiers(client, an):
    client.force_login(an)
    html = client.get(reverse("portal:profile")).content.decode()
    assert "<title>Thông tin cá nhân</title>" in html and "<h1>Thông tin cá nhân</h1>" in html
    assert "<dd>Việt Nam</dd>" in html and "<dd>17/05/1990</dd>" in html
    assert "<title>Hồ sơ đã nộp</title>" in client.get(reverse("dossiers:mine")).content.decode()

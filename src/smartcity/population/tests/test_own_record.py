"""A citizen sees and exports their own record; the export is audited; nobody else's record is reachable."""

from __future__ import annotations

import json

import pytest

from smartcity.audit.models import Entry

pytestmark = pytest.mark.django_db


def test_a_citizen_reads_their_own_record(client, an, binh):
    client.force_login(an)
    body = client.get("/api/v1/population/me").json()
    assert (body["id_number"], body["full_name"], body["sex"]) == ("001090012345", "Nguyễn Văn An", "M")
    assert body["email"] == "an@example.vn"


def test_the_export_holds_the_whole_record_and_is_audited_as_an_export(client, an):
    client.force_login(an)
    response = client.get("/ho-so-cua-toi/tai-ve/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="du-lieu-cua-toi.json"'
    data = json.loads(response.content)
    assert data["full_name"] == "Nguyễn Văn An"
    assert data["permanent_residence"]["unit"] == "2025:commune:00004"
    entry = Entry.objects.get(action="export")
    assert entry.person_id == an.person_id and entry.actor_person_id == an.person_id
    # the citizen's own export is not listed as somebody else looking at their data
    assert client.get("/api/v1/audit/my-data-accesses").json() == []


def test_the_profile_page_shows_the_record_with_diacritics(client, an):
    client.force_login(an)
    html = client.get("/ho-so-cua-toi/").content.decode()
    assert "Nguyễn Văn An" in html and "17/05/1990" in html and "Phường Ba Đình, Thành phố Hà Nội" in html


def test_staff_have_no_own_record(client, officer_ba_dinh):
    client.force_login(officer_ba_dinh)
    response = client.get("/api/v1/population/me")
    assert response.status_code == 403


def test_pages_of_my_data_ask_anonymous_visitors_to_sign_in(client):
    response = client.get("/ho-so-cua-toi/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")

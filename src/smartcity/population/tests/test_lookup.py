"""Staff look-up by ID number through the API: scoped to the agency's jurisdiction, audited, purpose required."""

from __future__ import annotations

import datetime as dt

import pytest

from smartcity.audit.models import Entry
from smartcity.conftest import commune, make_citizen

pytestmark = pytest.mark.django_db

URL = "/api/v1/population/citizens/lookup"


def lookup(client, user, number, purpose="Giải quyết hồ sơ khai sinh"):
    client.force_login(user)
    return client.post(URL, {"id_number": number, "purpose": purpose}, content_type="application/json")


def test_an_officer_of_the_residence_ward_reads_the_record_and_the_read_is_audited(client, an, officer_ba_dinh):
    response = lookup(client, officer_ba_dinh, "001090012345")
    assert response.status_code == 200
    body = response.json()
    assert body["full_name"] == "Nguyễn Văn An"
    assert body["date_of_birth"] == "1990-05-17"
    assert body["permanent_residence"]["unit_name"] == "Phường Ba Đình, Thành phố Hà Nội"
    assert body["permanent_residence"]["address"] == "12 Phan Đình Phùng"
    entry = Entry.objects.get(action="read", person_id=an.person_id)
    assert entry.actor == officer_ba_dinh
    assert entry.actor_agency == "Ủy ban nhân dân Phường Ba Đình"
    assert entry.actor_role == "Cán bộ tiếp nhận (bộ phận một cửa)"
    assert entry.purpose == "Giải quyết hồ sơ khai sinh"
    assert entry.ip == "127.0.0.1"
    assert "001090012345" not in str(entry.payload())


def test_an_officer_of_another_ward_gets_the_same_answer_as_for_an_unknown_number(client, an, officer_hoan_kiem):
    response = lookup(client, officer_hoan_kiem, "001090012345")
    unknown = lookup(client, officer_hoan_kiem, "001099999999")
    assert response.status_code == unknown.status_code == 404
    assert response.json() == unknown.json()
    # Both attempts are audited alike, naming no one: the log shows the probing, not who exists.
    attempts = Entry.objects.filter(action="read")
    assert [(e.person_id, e.subject_id, e.detail) for e in attempts] == [
        (None, "", {"outcome": "not_found_in_jurisdiction"})] * 2


def test_a_department_specialist_serves_the_whole_city(client, an, specialist_justice):
    assert lookup(client, specialist_justice, "001090012345").status_code == 200


def test_a_person_registered_in_a_pre_2025_ward_is_served_by_the_successor_ward(client, officer_ba_dinh):
    from smartcity.places.models import Unit

    commune_legacy = Unit.objects.get(structure="legacy", level="commune", name="Phường Trúc Bạch")
    assert commune_legacy.successors.filter(new__name="Phường Ba Đình").exists()
    make_citizen(commune_legacy, id_number="001070000111", full_name="Lý Thị Cúc", dob=dt.date(1970, 1, 1), sex="F")
    response = lookup(client, officer_ba_dinh, "001070000111")
    assert response.status_code == 200
    assert response.json()["permanent_residence"]["unit"] == commune_legacy.key


@pytest.mark.parametrize("persona", ["outsider", "binh"])
def test_someone_without_a_staff_role_is_refused(client, an, persona, request):
    user = request.getfixturevalue(persona)
    response = lookup(client, user, "001090012345")
    assert response.status_code == 403
    assert not Entry.objects.filter(action="read").exists()


def test_an_anonymous_caller_must_sign_in(client, an):
    response = client.post(URL, {"id_number": "001090012345", "purpose": "xem thử thôi"},
                           content_type="application/json")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "unauthenticated"


@pytest.mark.parametrize("number", ["00109001234", "0010900123456", "00109001234A", "abc"])
def test_a_malformed_id_number_is_refused_naming_the_field(client, officer_ba_dinh, number):
    response = lookup(client, officer_ba_dinh, number)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "id_number"


def test_a_look_up_without_a_purpose_is_refused(client, an, officer_ba_dinh):
    response = lookup(client, officer_ba_dinh, "001090012345", purpose="")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "purpose"
    assert not Entry.objects.filter(action="read").exists()


def test_an_unknown_number_is_not_found(client, officer_ba_dinh):
    response = lookup(client, officer_ba_dinh, "001099999999")
    assert response.status_code == 404


def test_the_citizen_sees_the_officers_read_in_their_access_log(client, an, officer_ba_dinh):
    lookup(client, officer_ba_dinh, "001090012345")
    client.force_login(an)
    body = client.get("/api/v1/audit/my-data-accesses").json()
    assert [(e["agency"], e["role"], e["action"], e["purpose"]) for e in body] == [
        ("Ủy ban nhân dân Phường Ba Đình", "Cán bộ tiếp nhận (bộ phận một cửa)", "read", "Giải quyết hồ sơ khai sinh")
    ]
    page = client.get("/ai-da-xem-du-lieu-cua-toi/")
    assert page.status_code == 200
    assert "Ủy ban nhân dân Phường Ba Đình" in page.content.decode()
    assert "Giải quyết hồ sơ khai sinh" in page.content.decode()


def test_staff_have_no_access_log_of_their_own(client, officer_ba_dinh):
    client.force_login(officer_ba_dinh)
    assert client.get("/api/v1/audit/my-data-accesses").status_code == 403


def test_commune_helper_finds_units():
    assert commune("Phường Ba Đình").code == "00004"


@pytest.mark.parametrize(("number", "purpose", "field"), [
    ("0" * 5000, "Giải quyết hồ sơ khai sinh", "id_number"),
    ("001090012345", "Giải quyết " * 100, "purpose"),
    ("001090012345", "Giải quyết hồ sơ \u202ekhai sinh", "purpose"),
])
def test_an_overlong_or_disguised_look_up_is_a_400_naming_the_field(client, an, officer_ba_dinh, number, purpose,
                                                                    field):
    response = lookup(client, officer_ba_dinh, number, purpose)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field

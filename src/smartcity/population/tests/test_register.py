"""POST /api/v1/population/citizens: administrators register residents of their jurisdiction; bad input is refused
naming the field, and nothing is written."""

from __future__ import annotations

import pytest

from smartcity.agencies.services import add_membership, commune_committee
from smartcity.audit.models import Entry
from smartcity.conftest import make_staff
from smartcity.population.models import Citizen

pytestmark = pytest.mark.django_db

URL = "/api/v1/population/citizens"


@pytest.fixture
def ward_admin(ba_dinh):
    return make_staff("admin.badinh", "Trịnh Văn Quản", commune_committee(ba_dinh), "agency_admin")


def payload(**changes):
    body = {
        "id_number": "001300001234", "full_name": "Đinh Thị Mai", "date_of_birth": "2000-03-08", "sex": "F",
        "ethnicity": "Tày", "permanent_unit": "2025:commune:00004", "permanent_address": "3 Đội Cấn",
        "phone": "0901234567", "email": "mai@example.vn",
    }
    body.update(changes)
    return body


def post(client, user, body):
    client.force_login(user)
    return client.post(URL, body, content_type="application/json")


def test_a_ward_administrator_registers_a_resident(client, ward_admin):
    response = post(client, ward_admin, payload())
    assert response.status_code == 201
    citizen = Citizen.objects.get(id_number="001300001234")
    assert (citizen.full_name, citizen.ethnicity, citizen.permanent_unit.name) == ("Đinh Thị Mai", "Tày", "Phường Ba Đình")
    assert citizen.id_warnings == [] and response.json()["id_warnings"] == []
    assert Entry.objects.filter(action="create", person_id=citizen.pk, actor=ward_admin).exists()


def test_a_decomposed_name_is_stored_composed(client, ward_admin):
    response = post(client, ward_admin, payload(full_name="\u0110inh Thi\u0323 Mai"))
    assert response.status_code == 201
    assert Citizen.objects.get(id_number="001300001234").full_name == "Đinh Thị Mai"


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"id_number": "12345"}, 400, "id_number"),
        ({"date_of_birth": "2999-01-01"}, 400, "date_of_birth"),
        ({"date_of_birth": "31/02/2000"}, 400, "date_of_birth"),
        ({"sex": "X"}, 400, "sex"),
        ({"ethnicity": "Klingon"}, 400, "ethnicity"),
        ({"nationality": "vn"}, 400, "nationality"),
        ({"permanent_unit": "2025:commune:99999"}, 400, "permanent_unit"),
        ({"permanent_unit": "2025:province:01"}, 400, "permanent_unit"),
        ({"temporary_unit": "nowhere"}, 400, "temporary_unit"),
        ({"full_name": "   "}, 400, "full_name"),
        ({"email": "not-an-email"}, 400, "email"),
        ({"phone": "12ab"}, 400, "phone"),
        ({"id_number": "001099001234"}, 400, "id_number"),  # a man born in 1999
        ({"id_number": "001200001234"}, 400, "id_number"),  # a man born in 2000
        ({"id_number": "001301001234"}, 400, "id_number"),  # born in 2001
        ({"id_number": "100300001234"}, 400, "id_number"),  # no province 100
        ({"full_name": "Đinh Thị\u200b Mai"}, 400, "full_name"),
        ({"full_name": "Đinh Thị \u202eiaM"}, 400, "full_name"),
        ({"full_name": "\ufeffĐinh Thị Mai"}, 400, "full_name"),
        ({"permanent_address": "12 Phan \u2066Đình Phùng"}, 400, "permanent_address"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(client, ward_admin, changes, status, field):
    response = post(client, ward_admin, payload(**changes))
    assert response.status_code == status, response.content
    assert response.json()["errors"][0]["field"] == field
    assert not Citizen.objects.filter(full_name="Đinh Thị Mai").exists()
    assert not Entry.objects.filter(action="create").exists()


def test_a_duplicate_id_number_is_a_conflict(client, ward_admin, an):
    response = post(client, ward_admin, payload(id_number="001090012345", sex="M", date_of_birth="1990-05-17"))
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "id_number"
    assert Citizen.objects.get(id_number="001090012345").full_name == "Nguyễn Văn An"


def test_an_administrator_cannot_register_a_resident_of_another_ward(client, ward_admin):
    response = post(client, ward_admin, payload(permanent_unit="2025:commune:00070"))
    assert response.status_code == 403
    assert not Citizen.objects.filter(id_number="001300001234").exists()


def test_a_reception_officer_cannot_register_residents(client, officer_ba_dinh):
    assert post(client, officer_ba_dinh, payload()).status_code == 403


def test_a_membership_is_needed_for_the_role_to_count(ba_dinh, outsider):
    add_membership(user=outsider, agency=commune_committee(ba_dinh), role="agency_admin")
    from smartcity.agencies.services import scope_of

    assert scope_of(outsider, roles=["agency_admin"]).covers(ba_dinh.id)

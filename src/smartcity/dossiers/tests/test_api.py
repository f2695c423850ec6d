"""The one-stop shop through its HTTP API: multipart submission, scoped reads, operations, public tracking."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smartcity.dossiers.models import Dossier
from smartcity.dossiers.tests.test_lifecycle import birth_files, fill

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    from smartcity.procedures.services import load_catalogue

    settings.MEDIA_ROOT = tmp_path
    load_catalogue()


def submit(client, user, **changes):
    client.force_login(user)
    body = {"procedure": "1.001193", "unit": "2025:commune:00004", **fill(), **birth_files(), **changes}
    return client.post("/api/v1/dossiers", body)


def test_a_citizen_submits_and_reads_their_dossier(client, an):
    response = submit(client, an)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == 1 and body["status_label"] == "Mới đăng ký" and body["channel"] == 1
    assert body["applicant"] == "Nguyễn Văn An" and body["allowed_operations"] == ["withdraw"]
    assert body["events"][0]["operation"] == "submit"
    mine = client.get("/api/v1/dossiers").json()
    assert [d["code"] for d in mine["items"]] == [body["code"]]
    assert client.get(f"/api/v1/dossiers/{body['code']}").json()["code"] == body["code"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"procedure": ""}, "procedure"),
        ({"procedure": "9.999999"}, "procedure"),
        ({"unit": "nowhere"}, "unit"),
    ],
)
def test_bad_submissions_are_400_naming_the_field(client, an, changes, field):
    response = submit(client, an, **changes)
    assert response.status_code in (400, 404)
    assert response.json()["errors"][0]["field"] == field
    assert not Dossier.objects.exists()


def test_a_wrong_file_type_is_refused(client, an):
    name = next(iter(birth_files()))
    response = submit(client, an, **{name: SimpleUploadedFile("x.exe", b"MZ\x90")})
    assert response.status_code == 400
    assert response.json()["errors"][0] == {"code": "invalid", "field": name,
                                            "message": "Chỉ nhận tệp PDF, JPG hoặc PNG"}
    assert not Dossier.objects.exists()


def test_another_citizen_cannot_read_it(client, an, binh):
    code = submit(client, an).json()["code"]
    client.force_login(binh)
    assert client.get(f"/api/v1/dossiers/{code}").status_code == 404
    assert client.get("/api/v1/dossiers").json()["items"] == []


def test_staff_work_their_queue_and_out_of_order_operations_are_409(client, an, officer_ba_dinh, officer_hoan_kiem):
    code = submit(client, an).json()["code"]
    client.force_login(officer_hoan_kiem)
    assert client.get("/api/v1/dossiers", {"queue": "to_receive"}).json()["items"] == []
    assert client.post(f"/api/v1/dossiers/{code}/operations/receive", {}, content_type="application/json"
                       ).status_code == 404
    client.force_login(officer_ba_dinh)
    queue = client.get("/api/v1/dossiers", {"queue": "to_receive"}).json()["items"]
    assert [d["code"] for d in queue] == [code]
    received = client.post(f"/api/v1/dossiers/{code}/operations/receive", {}, content_type="application/json")
    assert received.status_code == 200 and received.json()["status"] == 2
    assert received.json()["appointment_at"] is not None
    again = client.post(f"/api/v1/dossiers/{code}/operations/receive", {}, content_type="application/json")
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "operation"
    unknown = client.post(f"/api/v1/dossiers/{code}/operations/teleport", {}, content_type="application/json")
    assert unknown.status_code == 400
    assert client.get("/api/v1/dossiers", {"queue": "sideways"}).status_code == 400


def test_tracking_is_public_with_the_receipts_secret_and_shows_no_personal_data(client, an):
    code = submit(client, an).json()["code"]
    assert client.get(f"/api/v1/track/{code}").status_code == 200  # the applicant needs no secret
    client.logout()
    secret = Dossier.objects.get(code=code).tracking_secret
    response = client.get(f"/api/v1/track/{code}", {"secret": secret.lower()})
    assert response.status_code == 200
    text = response.content.decode()
    assert response.json()["procedure"] == "Đăng ký khai sinh"
    assert response.json()["status_label"] == "Mới đăng ký"
    assert "001090012345" not in text and "Nguy" not in text
    assert client.get("/api/v1/track/khong-co").status_code == 404
    # Without the secret, or with a wrong one, the dossier answers exactly as an unknown code does.
    unknown = client.get("/api/v1/track/khong-co", {"secret": secret})
    for answer in (client.get(f"/api/v1/track/{code}"), client.get(f"/api/v1/track/{code}", {"secret": "SAI23456"})):
        assert (answer.status_code, answer.json()) == (404, unknown.json())


def test_anonymous_callers_cannot_list_or_submit(client):
    assert client.get("/api/v1/dossiers").status_code == 401
    assert client.post("/api/v1/dossiers", {}).status_code == 401



def desk(client, user, **changes):
    client.force_login(user)
    body = {"procedure": "1.001193", "id_number": "001185004321", "full_name": "Trần Thị Bình",
            "date_of_birth": "02/11/1985", "channel": "2", **fill(), **birth_files(), **changes}
    return client.post("/api/v1/dossiers/desk", body)


def test_a_desk_officer_receives_a_dossier_from_someone_living_elsewhere(client, binh, officer_ba_dinh):
    from smartcity.audit.models import Entry

    response = desk(client, officer_ba_dinh)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["channel"], body["applicant"]) == (2, 2, "Trần Thị Bình")
    assert body["appointment_at"] is not None
    assert [e["operation"] for e in body["events"]] == ["submit", "receive"]
    dossier = Dossier.objects.get()
    assert dossier.receiving_agency.name == "Ủy ban nhân dân Phường Ba Đình"
    assert dossier.code.startswith(dossier.receiving_agency.code + "-")
    read = Entry.objects.get(action="read", person_id=binh.person_id)
    assert read.purpose == "Tiếp nhận hồ sơ tại bộ phận một cửa"


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [({"id_number": "123"}, 400, "id_number"), ({"id_number": "001099999999"}, 404, "id_number"),
     ({"channel": "1"}, 400, "channel"), ({"channel": "x"}, 400, "channel"),
     ({"full_name": " "}, 400, "full_name"), ({"date_of_birth": ""}, 400, "date_of_birth"),
     ({"date_of_birth": "11/31/1985"}, 400, "date_of_birth")],
)
def test_desk_intake_refuses_bad_input(client, officer_ba_dinh, binh, changes, status, field):
    response = desk(client, officer_ba_dinh, **changes)
    assert response.status_code == status
    assert response.json()["errors"][0]["field"] == field
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("persona", ["an", "specialist_justice", "outsider"])
def test_only_desk_officers_receive_at_the_desk(client, binh, persona, request):
    response = desk(client, request.getfixturevalue(persona))
    assert response.status_code == 403
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    "url",
    ["/api/v1/statistics?start=0001-01-01&end=0001-12-31", "/api/v1/procedures/%C2%B2", "/api/v1/procedures?field=%C2%B2",
     "/api/v1/procedures?field=99999999999999999999", "/api/v1/places/units?offset=99999999999999999999"],
)
def test_odd_parameters_never_cause_a_500(client, url):
    assert client.get(url).status_code in (200, 400, 404)


def test_odd_month_parameters_fall_back_to_this_month(client, officer_ba_dinh):
    assert client.get("/thong-ke/", {"month": "9999-12"}).status_code == 200
    client.force_login(officer_ba_dinh)
    assert client.get("/mot-cua/so-theo-doi.pdf", {"month": "9999-12"}).status_code == 200


def test_an_extension_time_without_offset_is_hanoi_time(client, an, officer_ba_dinh, leader_ba_dinh):
    code = submit(client, an).json()["code"]
    client.force_login(officer_ba_dinh)
    client.post(f"/api/v1/dossiers/{code}/operations/receive", {}, content_type="application/json")
    client.post(f"/api/v1/dossiers/{code}/operations/assign", {}, content_type="application/json")
    client.force_login(leader_ba_dinh)
    response = client.post(f"/api/v1/dossiers/{code}/operations/extend",
                           {"note": "Cần xác minh thêm", "new_appointment": "2099-01-01T08:00:00"},
                           content_type="application/json")
    assert response.status_code == 200
    import datetime as dt

    moment = dt.datetime.fromisoformat(response.json()["appointment_at"].replace("Z", "+00:00"))
    assert moment == dt.datetime(2099, 1, 1, 1, 0, tzinfo=dt.UTC)  # 08:00 in Hà Nội


def test_attachments_are_served_with_the_type_of_their_checked_extension(client, an):
    from smartcity.dossiers.models import DossierFile

    name = next(iter(birth_files()))
    submit(client, an, **{name: SimpleUploadedFile("a.pdf", b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n", "text/html")})
    assert set(DossierFile.objects.values_list("content_type", flat=True)) == {"application/pdf"}


def test_staff_receive_several_dossiers_at_once_and_each_fails_on_its_own(client, an, binh, officer_ba_dinh):
    first, second = submit(client, an).json()["code"], submit(client, an).json()["code"]
    elsewhere = submit(client, binh, unit="2025:commune:00070").json()["code"]  # another ward's dossier
    client.force_login(officer_ba_dinh)
    client.post(f"/api/v1/dossiers/{second}/operations/receive", {}, content_type="application/json")
    response = client.post("/api/v1/dossiers/operations/receive",
                           {"codes": [first, second, elsewhere, first]}, content_type="application/json")
    assert response.status_code == 200
    results = {r["code"]: r for r in response.json()["results"]}
    assert list(results) == [first, second, elsewhere]  # a repeated code is applied once
    assert results[first]["ok"] and results[first]["status"] == 2
    assert results[second]["error"]["code"] == "conflict"
    assert results[elsewhere]["error"]["code"] == "not_found"
    assert Dossier.objects.get(code=first).status == 2 and Dossier.objects.get(code=elsewhere).status == 1


@pytest.mark.parametrize(
    ("operation", "codes", "field"),
    [("refuse", ["X"], "operation"), ("receive", [], "codes"), ("receive", [f"X{i}" for i in range(101)], "codes")],
)
def test_bulk_operations_refuse_bad_requests(client, officer_ba_dinh, operation, codes, field):
    client.force_login(officer_ba_dinh)
    response = client.post(f"/api/v1/dossiers/operations/{operation}", {"codes": codes},
                           content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == field


def test_a_signed_in_post_without_the_csrf_token_is_refused(an):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(an)
    body = {"procedure": "1.001193", "unit": "2025:commune:00004", **fill(), **birth_files()}
    assert browser.post("/api/v1/dossiers", body).status_code == 403
    assert not Dossier.objects.exists()


def test_the_health_endpoint_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/api/v1/health").json() == {"status": "ok"}


@pytest.mark.parametrize("changes", [
    {"id_number": "001099999999"},  # no such number
    {"full_name": "Trần Thị Bích"},  # Bình's number, another name
    {"date_of_birth": "03/11/1985"},  # Bình's number, another birthday
])
def test_the_desk_answers_the_same_for_an_unknown_number_and_wrong_details_and_audits_each(
        client, officer_ba_dinh, binh, an, changes):
    """The desk is no oracle of which ID numbers exist: without the name and birthday on the card, a real number
    and a made-up one get the same 404, and each attempt leaves an audit entry naming no one."""
    from smartcity.audit.models import Entry

    response = desk(client, officer_ba_dinh, **changes)
    assert response.status_code == 404
    assert response.json()["errors"] == [{
        "code": "not_found", "field": "id_number",
        "message": "Số định danh, họ tên và ngày sinh không khớp với cơ sở dữ liệu dân cư: kiểm tra lại theo "
                   "giấy tờ của người nộp"}]
    [attempt] = Entry.objects.filter(purpose="Tiếp nhận hồ sơ tại bộ phận một cửa")
    assert (attempt.action, attempt.person_id, attempt.subject_id, attempt.detail) == (
        "read", None, "", {"outcome": "no_match"})
    assert attempt.actor_id == officer_ba_dinh.pk
    assert not Dossier.objects.exists()


def test_the_desk_matches_the_name_without_minding_case_or_diacritics(client, officer_ba_dinh, binh):
    response = desk(client, officer_ba_dinh, full_name="TRAN THI BINH", date_of_birth="1985-11-02")
    assert response.status_code == 201, response.content


def test_a_citizen_cannot_submit_in_another_persons_name(client, an, binh):
    """The fields that say who the applicant is come from the verified identity: naming Bình as the applicant
    while signed in as An is refused, and nothing is written."""
    for field, value in [("applicant_full_name", "Trần Thị Bình"), ("applicant_id_number", "001185004321")]:
        response = submit(client, an, **{field: value})
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == field
    assert not Dossier.objects.exists()


def test_the_applicant_fields_are_filled_from_the_verified_identity(client, an):
    response = submit(client, an, applicant_full_name="NGUYEN VAN AN")  # the same person, typed differently
    assert response.status_code == 201, response.content
    dossier = Dossier.objects.get()
    assert dossier.data["applicant_full_name"] == "Nguyễn Văn An"
    assert dossier.data["applicant_id_number"] == "001090012345"
    assert response.json()["acting_for"] == "self"


def test_declaring_for_someone_else_is_a_relationship_the_officer_sees(client, an, officer_ba_dinh):
    response = submit(client, an, acting_for="authorized", acting_for_name="Nguyễn Thị Hoa",
                      acting_for_id_number="001175000222")
    assert response.status_code == 201, response.content
    code = response.json()["code"]
    client.force_login(officer_ba_dinh)
    seen = client.get(f"/api/v1/dossiers/{code}").json()
    assert (seen["applicant"], seen["acting_for"], seen["represented_name"], seen["represented_id_number"]) == (
        "Nguyễn Văn An", "authorized", "Nguyễn Thị Hoa", "001175000222")
    page = client.get(f"/ho-so/{code}/").content.decode()
    assert "Người ủy quyền (có văn bản ủy quyền): Nguyễn Thị Hoa (001175000222)" in page


@pytest.mark.parametrize(("changes", "field"), [
    ({"acting_for": "neighbour"}, "acting_for"),
    ({"acting_for": "child"}, "acting_for_name"),
    ({"acting_for": "authorized", "acting_for_name": "Nguyễn Thị Hoa"}, "acting_for_id_number"),
    ({"acting_for": "ward", "acting_for_name": "Nguyễn Thị Hoa", "acting_for_id_number": "12"},
     "acting_for_id_number"),
])
def test_a_representation_without_its_person_is_refused(client, an, changes, field):
    response = submit(client, an, **changes)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert not Dossier.objects.exists()


def test_the_desk_records_whom_the_applicant_submits_for(client, officer_ba_dinh, binh):
    response = desk(client, officer_ba_dinh, acting_for="child", acting_for_name="Lê Minh Khang")
    assert response.status_code == 201, response.content
    assert (response.json()["acting_for"], response.json()["represented_name"]) == ("child", "Lê Minh Khang")

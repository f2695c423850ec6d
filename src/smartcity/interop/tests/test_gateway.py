"""Another agency's system calls the gateway: registered, for an allowed purpose, with the citizen's consent, once
per request id; every call is logged and the answered ones show on the citizen's "who accessed my data"."""

from __future__ import annotations

import pytest

from smartcity.audit.models import Entry
from smartcity.audit.services import grouped_reads_of_person
from smartcity.interop import services
from smartcity.interop.models import CallLog, Outcome
from smartcity.interop.tests.conftest import token_for

pytestmark = pytest.mark.django_db
AN = "001090012345"


def call(client, token, path, body, request_id="req-00000001"):
    return client.post(f"/api/v1/interop/{path}", body, content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_REQUEST_ID=request_id)


def test_residence_verification_answers_with_consent_and_is_logged_for_the_citizen(client, an, insurance):
    services.give_consent(user=an, service_code=services.RESIDENCE)
    token = token_for(client, insurance)
    r = call(client, token, "residence-verification", {"id_number": AN, "purpose": "residence-check",
                                                       "unit_code": an.person.permanent_unit.code})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["id_number"] == AN
    assert body["permanent_unit"]["name"] == "Phường Ba Đình"
    assert body["resides_in_unit"] is True
    log = CallLog.objects.get()
    assert (log.client.client_id, log.service.code, log.person_id, log.purpose, log.request_id, log.outcome) == (
        "bhxh-hanoi", services.RESIDENCE, an.person_id, "residence-check", "req-00000001", Outcome.ANSWERED)
    entry = Entry.objects.get(subject_type="interop.residence-verification")
    assert (entry.actor_agency, entry.purpose, entry.person_id) == (
        "Bảo hiểm xã hội thành phố Hà Nội", "Xác minh nơi cư trú", an.person_id)
    assert entry.detail["request_id"] == "req-00000001"
    groups, _ = grouped_reads_of_person(an.person_id)
    assert [(g.agency, g.purpose, g.count) for g in groups] == [
        ("Bảo hiểm xã hội thành phố Hà Nội", "Xác minh nơi cư trú", 1)]


def test_the_citizen_sees_the_agency_on_the_who_accessed_my_data_page(client, an, insurance):
    services.give_consent(user=an, service_code=services.RESIDENCE)
    token = token_for(client, insurance)
    call(client, token, "residence-verification", {"id_number": AN, "purpose": "residence-check"})
    client.force_login(an)
    page = client.get("/ai-da-xem-du-lieu-cua-toi/").content.decode()
    assert "Bảo hiểm xã hội thành phố Hà Nội" in page and "Xác minh nơi cư trú" in page


def test_without_consent_the_call_is_refused_and_logged_as_such(client, an, insurance):
    token = token_for(client, insurance)
    r = call(client, token, "residence-verification", {"id_number": AN, "purpose": "residence-check"})
    assert r.status_code == 403
    assert r.json()["errors"][0]["code"] == "no_consent"
    assert list(CallLog.objects.values_list("outcome", flat=True)) == [Outcome.NO_CONSENT]
    assert not Entry.objects.filter(subject_type__startswith="interop.residence").exists()


def test_a_withdrawn_consent_refuses_the_very_next_call(client, an, insurance):
    services.give_consent(user=an, service_code=services.RESIDENCE)
    token = token_for(client, insurance)
    body = {"id_number": AN, "purpose": "residence-check"}
    assert call(client, token, "residence-verification", body, "req-00000001").status_code == 200
    assert services.withdraw_consent(user=an, service_code=services.RESIDENCE) == 1
    r = call(client, token, "residence-verification", body, "req-00000002")
    assert (r.status_code, r.json()["errors"][0]["code"]) == (403, "no_consent")


def test_a_client_not_registered_for_the_service_is_refused(client, an, school):
    services.give_consent(user=an, service_code=services.RESIDENCE)
    token = token_for(client, school)
    r = call(client, token, "residence-verification", {"id_number": AN, "purpose": "residence-check"})
    assert (r.status_code, r.json()["errors"][0]["code"]) == (403, "not_registered")
    assert CallLog.objects.get().outcome == Outcome.NOT_REGISTERED


def test_a_purpose_the_client_is_not_registered_for_is_refused(client, an, insurance):
    services.give_consent(user=an, service_code=services.RESIDENCE)
    token = token_for(client, insurance)
    r = call(client, token, "residence-verification", {"id_number": AN, "purpose": "school-enrolment"})
    assert (r.status_code, r.json()["errors"][0]["code"]) == (403, "purpose_not_allowed")
    assert r.json()["errors"][0]["field"] == "purpose"


def test_a_replayed_request_id_is_refused_and_answered_once(client, an, insurance):
    services.give_consent(user=an, service_code=services.RESIDENCE)
    token = token_for(client, insurance)
    body = {"id_number": AN, "purpose": "residence-check"}
    assert call(client, token, "residence-verification", body, "req-00000009").status_code == 200
    r = call(client, token, "residence-verification", body, "req-00000009")
    assert (r.status_code, r.json()["errors"][0]["code"]) == (409, "replayed")
    assert CallLog.objects.count() == 1
    assert Entry.objects.filter(subject_type="interop.residence-verification").count() == 1


def test_a_call_without_request_id_is_a_400(client, an, insurance):
    token = token_for(client, insurance)
    r = client.post("/api/v1/interop/residence-verification", {"id_number": AN, "purpose": "residence-check"},
                    content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 400


def test_an_unknown_citizen_is_a_404_logged_without_a_person(client, insurance):
    token = token_for(client, insurance)
    r = call(client, token, "residence-verification", {"id_number": "001099999999", "purpose": "residence-check"})
    assert r.status_code == 404
    assert CallLog.objects.get().outcome == Outcome.NOT_FOUND


def test_dossier_status_needs_no_consent_and_gives_the_national_code(client, an, insurance, dossier_of_an):
    token = token_for(client, insurance)
    r = call(client, token, "dossier-status", {"id_number": AN, "code": dossier_of_an.code,
                                               "purpose": "dossier-processing"})
    assert r.status_code == 200, r.content
    assert (r.json()["code"], r.json()["status"], r.json()["national_status"]) == (dossier_of_an.code, 1, "1")


def test_dossier_of_someone_else_is_the_same_404_as_an_unknown_code(client, an, binh, insurance, dossier_of_an):
    token = token_for(client, insurance)
    r1 = call(client, token, "dossier-status", {"id_number": "001185004321", "code": dossier_of_an.code,
                                                "purpose": "dossier-processing"}, "req-00000001")
    r2 = call(client, token, "dossier-status", {"id_number": "001185004321", "code": "XX-000000-0000",
                                                "purpose": "dossier-processing"}, "req-00000002")
    assert r1.status_code == r2.status_code == 404
    assert r1.json() == r2.json()


def test_dossier_result_needs_consent(client, an, insurance, dossier_of_an):
    token = token_for(client, insurance)
    body = {"id_number": AN, "code": dossier_of_an.code, "purpose": "dossier-processing"}
    assert call(client, token, "dossier-result", body, "req-00000001").status_code == 403
    services.give_consent(user=an, service_code=services.DOSSIER_RESULT)
    r = call(client, token, "dossier-result", body, "req-00000002")
    assert r.status_code == 200
    assert (r.json()["result_available"], r.json()["result_url"]) == (False, None)


def test_the_client_lists_the_services_with_its_registered_purposes(client, insurance):
    token = token_for(client, insurance)
    r = client.get("/api/v1/interop/services", HTTP_AUTHORIZATION=f"Bearer {token}")
    listed = {s["code"]: s["registered_purposes"] for s in r.json()}
    assert listed == {"dossier-result": ["dossier-processing"], "dossier-status": ["dossier-processing"],
                      "residence-verification": ["residence-check"]}

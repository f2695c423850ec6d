"""Signing a result asks the leader for a fresh TOTP code: approving from a page, the API or the queue needs a code
given within STAFF_REAUTH_MINUTES (at sign-in or at /account/xac-thuc-lai/); without it nothing is signed."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
import time_machine

from smartcity.audit.models import Action, Entry
from smartcity.dossiers.models import Dossier, Status
from smartcity.dossiers.tests.test_result import processing
from smartcity.identity import services as identity

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPLEADERAAAAAAAAAA"
START = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    from smartcity.procedures.services import load_catalogue

    settings.MEDIA_ROOT = tmp_path
    settings.STAFF_REAUTH_MINUTES = 5
    load_catalogue()


@pytest.fixture
def leader(leader_ba_dinh):
    return identity.set_staff_totp(leader_ba_dinh, SECRET)


def _status(code: str) -> int:
    return Dossier.objects.get(code=code).status


def test_approving_from_the_page_asks_for_a_fresh_code_first(client, an, officer_ba_dinh, leader):
    code = processing(an, officer_ba_dinh)
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(leader)
        asked = client.post(f"/ho-so/{code}/thao-tac/approve/")
        assert (asked.status_code, asked["Location"]) == (
            302, f"/account/xac-thuc-lai/?next=%2Fho-so%2F{code}%2Fphe-duyet%2F")  # back to the approval screen
        assert _status(code) == Status.PROCESSING and not Dossier.objects.get(code=code).result_signed

        page = client.get(asked["Location"])
        assert page.status_code == 200 and "Xác thực lại trước khi ký số" in page.content.decode()
        wrong = client.post("/account/xac-thuc-lai/", {"code": "000000" if pyotp.TOTP(SECRET).now() != "000000"
                                                        else "111111", "next": f"/ho-so/{code}/"})
        assert wrong.status_code == 400 and _status(code) == Status.PROCESSING

        done = client.post("/account/xac-thuc-lai/", {"code": pyotp.TOTP(SECRET).now(), "next": f"/ho-so/{code}/"})
        assert (done.status_code, done["Location"]) == (302, f"/ho-so/{code}/")
        approved = client.post(f"/ho-so/{code}/thao-tac/approve/")
        assert approved["Location"] == f"/ho-so/{code}/"
        dossier = Dossier.objects.get(code=code)
        assert dossier.status == Status.PROCESSED and dossier.result_signed

        # Five minutes later the code no longer counts.
        second = processing(an, officer_ba_dinh)
        clock.shift(dt.timedelta(minutes=6))
        assert client.post(f"/ho-so/{second}/thao-tac/approve/")["Location"].startswith("/account/xac-thuc-lai/")
        assert _status(second) == Status.PROCESSING
    entry = Entry.objects.filter(action=Action.SIGN_IN, subject_id=str(leader.pk)).get()
    assert entry.detail == {"method": "totp", "reauthentication": True}


def test_approving_through_the_api_without_a_fresh_code_is_403(client, an, officer_ba_dinh, leader):
    code = processing(an, officer_ba_dinh)
    client.force_login(leader)
    refused = client.post(f"/api/v1/dossiers/{code}/operations/approve", {}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["code"] == "reauthentication_required"
    bulk = client.post("/api/v1/dossiers/operations/approve", {"codes": [code]}, content_type="application/json")
    assert bulk.status_code == 403 and bulk.json()["errors"][0]["code"] == "reauthentication_required"
    assert _status(code) == Status.PROCESSING

    assert client.post("/account/xac-thuc-lai/", {"code": pyotp.TOTP(SECRET).now()}).status_code == 302
    approved = client.post(f"/api/v1/dossiers/{code}/operations/approve", {}, content_type="application/json")
    assert approved.status_code == 200 and _status(code) == Status.PROCESSED


def test_approving_several_from_the_queue_asks_for_a_fresh_code_first(client, an, officer_ba_dinh, leader):
    codes = [processing(an, officer_ba_dinh), processing(an, officer_ba_dinh)]
    client.force_login(leader)
    asked = client.post("/mot-cua/thao-tac/", {"operation": "approve", "codes": codes, "queue": "to_approve"})
    assert asked["Location"].startswith("/account/xac-thuc-lai/?next=")
    assert [_status(code) for code in codes] == [Status.PROCESSING] * 2
    client.post("/account/xac-thuc-lai/", {"code": pyotp.TOTP(SECRET).now()})
    client.post("/mot-cua/thao-tac/", {"operation": "approve", "codes": codes, "queue": "to_approve"})
    assert [_status(code) for code in codes] == [Status.PROCESSED] * 2


def test_operations_that_sign_nothing_need_no_fresh_code(client, an, officer_ba_dinh):
    code = processing(an, officer_ba_dinh)
    client.force_login(officer_ba_dinh)
    response = client.post(f"/api/v1/dossiers/{code}/operations/forward", {}, content_type="application/json")
    assert response.status_code == 200


def test_the_reauthentication_page_is_for_signed_in_staff_only(client, an):
    client.force_login(an)
    response = client.post("/account/xac-thuc-lai/", {"code": "123456"})
    assert (response.status_code, response["Location"]) == (302, "/account/login/?next=/account/xac-thuc-lai/")
    assert identity.REAUTHENTICATED_AT_SESSION_KEY not in client.session

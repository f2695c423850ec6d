"""/tuyen-sinh/ pages and /api/v1/education: who sees what, and the form's round trip."""

from __future__ import annotations

import pytest
import time_machine

from smartcity.conftest import PASSWORD
from smartcity.education import services
from smartcity.education.models import Application
from smartcity.education.tests.conftest import NOW


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_family_page_offers_the_child_from_the_registry_and_submits_choices(client, an, minh, grade10, at_now):
    login(client, an)
    page = client.get("/tuyen-sinh/").content.decode()
    assert "Nguyễn Văn Minh" in page and "Nguyện vọng 3" in page
    response = client.post("/tuyen-sinh/nop/", {"round": grade10.pk, "child": minh.id_number,
                                                 "choice1": "THPT-VD", "choice2": "THPT-PDP", "choice3": ""})
    assert response.status_code == 302
    app = Application.objects.get()
    assert list(app.choices.values_list("school__code", flat=True)) == ["THPT-VD", "THPT-PDP"]
    assert "Đã nộp, chờ kết quả" in client.get("/tuyen-sinh/").content.decode()


def test_the_api_applies_and_refuses_a_duplicate_school_with_the_field_named(client, an, minh, grade10, at_now):
    login(client, an)
    body = {"round": grade10.pk, "child_id_number": minh.id_number, "choices": ["THPT-VD", "THPT-VD"]}
    bad = client.post("/api/v1/education/applications", body, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "choices"
    body["choices"] = ["THPT-VD"]
    ok = client.post("/api/v1/education/applications", body, content_type="application/json")
    assert ok.status_code == 201
    assert ok.json()["choices"] == ["THPT-VD"] and ok.json()["status"] == "submitted"


@pytest.mark.parametrize("who,status", [("an", 200), ("binh", 404), ("outsider", 404), (None, 401)])
def test_an_application_is_readable_by_its_family_only(client, request, an, minh, grade10, who, status):
    app = services.submit_application(user=an, round_id=grade10.pk, child_id_number=minh.id_number,
                                      choices=["THPT-VD"], now=NOW)
    if who:
        login(client, request.getfixturevalue(who))
    assert client.get(f"/api/v1/education/applications/{app.code}").status_code == status


@pytest.mark.parametrize("who,status", [("department_specialist", 409), ("an", 403), ("officer_ba_dinh", 403),
                                        (None, 401)])
def test_only_the_department_may_allocate(client, request, grade10, who, status, at_now):
    if who:
        login(client, request.getfixturevalue(who))
    response = client.post(f"/api/v1/education/rounds/{grade10.pk}/allocation")
    assert response.status_code == status


@pytest.mark.parametrize("who,status", [("department_specialist", 200), ("school_staff", 404), ("an", 404)])
def test_the_department_export_is_for_the_department_only(client, request, grade10, who, status):
    login(client, request.getfixturevalue(who))
    response = client.get(f"/tuyen-sinh/dot/{grade10.pk}/xuat.csv")
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content).decode().startswith("Mã hồ sơ,Học sinh")


@pytest.mark.parametrize("who,status", [("school_staff", 200), ("department_specialist", 200), ("an", 404),
                                        ("outsider", 404)])
def test_a_schools_admitted_list_is_for_its_staff_and_the_department(client, request, grade10, who, status):
    login(client, request.getfixturevalue(who))
    assert client.get(f"/tuyen-sinh/dot/{grade10.pk}/truong/THPT-PDP/").status_code == status


def test_the_round_page_shows_each_schools_quota_to_the_department(client, department_specialist, grade10):
    login(client, department_specialist)
    page = client.get(f"/tuyen-sinh/dot/{grade10.pk}/").content.decode()
    assert "THPT Việt Đức" in page and "Chạy xét tuyển" in page


def test_the_public_page_invites_families_to_sign_in(client, grade10, at_now):
    page = client.get("/tuyen-sinh/").content.decode()
    assert "Đăng nhập" in page and "Tuyển sinh lớp 10 năm học 2026–2027" in page


def test_the_open_rounds_are_public(client, grade10, at_now):
    assert [r["name"] for r in client.get("/api/v1/education/rounds").json()] == [
        "Tuyển sinh lớp 10 năm học 2026–2027"]

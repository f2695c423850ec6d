from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_openapi_document_describes_every_router(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "Smart City Platform API"
    paths = set(spec["paths"])
    for expected in ["/api/v1/places/units", "/api/v1/agencies", "/api/v1/population/citizens/lookup",
                     "/api/v1/audit/my-data-accesses"]:
        assert expected in paths


def test_api_docs_has_a_short_address(client):
    response = client.get("/api/docs")
    assert response.status_code == 302 and response["Location"] == "/api/v1/docs"


def test_pages_are_vietnamese_whatever_the_browser_asks_until_english_is_chosen(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert ">Tra cứu hồ sơ</a>" in html and ">Tìm thủ tục hành chính</label>" in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert ">Track a dossier</a>" in html and ">Find an administrative procedure</label>" in html


def test_staff_get_a_clear_page_instead_of_a_citizen_record(client, officer_ba_dinh):
    client.force_login(officer_ba_dinh)
    for url in ["/ho-so-cua-toi/", "/ho-so-cua-toi/tai-ve/", "/ai-da-xem-du-lieu-cua-toi/"]:
        response = client.get(url)
        assert response.status_code == 403
        assert "Tài khoản không gắn với hồ sơ công dân" in response.content.decode()

"""The catalogue search is bounded: a query longer than 200 characters is a 400 on the API and a form error on the
page, never minutes of folding and LIKE scans."""

from __future__ import annotations

import pytest

from smartcity.procedures.services import load_catalogue

pytestmark = pytest.mark.django_db
LONG = "khai sinh " * 500


@pytest.fixture(autouse=True)
def catalogue():
    load_catalogue()


def test_the_api_refuses_an_overlong_search_naming_q(client):
    response = client.get("/api/v1/procedures", {"q": LONG})
    assert response.status_code == 400
    assert response.json()["errors"][0] == {"code": "invalid", "field": "q",
                                            "message": "Chuỗi tìm kiếm dài quá 200 ký tự"}


def test_the_page_shows_the_error_and_the_whole_catalogue(client):
    response = client.get("/thu-tuc/", {"q": LONG})
    assert "Chuỗi tìm kiếm dài quá 200 ký tự" in response.content.decode()


def test_a_search_of_ordinary_length_still_finds(client):
    assert client.get("/api/v1/procedures", {"q": "khai sinh"}).json()["items"]

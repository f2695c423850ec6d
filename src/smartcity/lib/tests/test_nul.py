"""A NUL character anywhere in a request is a 400 naming where it was, in the endpoint's own error shape — never
a 500 (PostgreSQL refuses U+0000) and never stored."""

from __future__ import annotations

import json

import pytest

from smartcity.lib.nul import contains_nul, json_text_has_nul

pytestmark = pytest.mark.django_db


def test_it_finds_nul_in_nested_json_values_and_keys():
    assert contains_nul({"a": [1, {"b": "x\x00"}]})
    assert contains_nul({"k\x00": 1})
    assert not contains_nul({"a": [1, {"b": "x"}]})


def test_json_text_has_nul_tells_the_escape_from_an_escaped_backslash():
    assert json_text_has_nul(b'{"a": "x\\u0000"}')
    assert json_text_has_nul(b'{"a": "x\\\\\\u0000"}')  # an escaped backslash, then a real NUL
    assert not json_text_has_nul(b'{"a": "x\\\\u0000"}')  # the six characters \u0000, no NUL


def test_a_nul_in_a_query_string_of_a_page_is_a_400(client):
    response = client.get("/thu-tuc/", {"q": "khai\x00sinh"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_in_an_api_query_value_is_a_400_naming_the_query(client):
    response = client.get("/api/v1/procedures", {"q": "khai\x00sinh"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "query"


def test_a_nul_in_an_api_path_segment_is_a_400(client):
    response = client.get("/api/v1/procedures/abc%00def")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "path"


def test_a_nul_in_a_json_body_is_a_400_naming_the_body(client):
    response = client.post("/api/v1/places/parse-address", json.dumps({"address": "Ba\u0000 Đình"}),
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0] == {"code": "invalid", "field": "body",
                                            "message": response.json()["errors"][0]["message"]}


def test_a_nul_in_a_form_field_is_a_400_naming_the_field(client):
    response = client.post("/account/login/", {"username": "an\x00", "password": "x"})
    assert response.status_code == 400
    assert "username" in response.content.decode()


def test_a_nul_in_a_cookie_is_a_400(client):
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    response = client.get("/")
    assert response.status_code == 400


def test_a_nul_on_sensorthings_answers_in_the_sensorthings_error_shape(client):
    response = client.get("/sta/v1.1/Things", {"$filter": "name eq 'a\x00'"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 400 and body["type"] == "error" and body["errors"][0]["field"] == "query"


def test_a_nul_on_ngsi_ld_answers_with_problem_details(client):
    response = client.get("/ngsi-ld/v1/entities", {"q": "name==\"a\x00\""})
    assert response.status_code == 400
    assert response.json()["title"] == "BadRequestData"


def test_an_ordinary_request_passes(client):
    assert client.get("/thu-tuc/", {"q": "khai sinh"}).status_code == 200


def test_a_nul_in_a_json_body_sent_as_plain_text_is_a_400(client):
    response = client.post("/api/v1/places/parse-address", data='{"address": "a\\u0000b"}', content_type="text/plain")
    assert response.status_code == 400

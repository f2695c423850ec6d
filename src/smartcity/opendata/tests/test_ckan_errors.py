"""CKAN's raw error envelopes and status codes, for what ckanapi never sends."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_unknown_action_is_a_400_bad_request(client):
    response = client.get("/api/3/action/package_delete_all")
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False
    assert body["error"] == {"__type": "Bad Request",
                             "message": "Bad request - Action name not known: package_delete_all"}
    assert body["help"].endswith("/api/3/action/help_show?name=package_delete_all")


@pytest.mark.django_db
def test_a_body_that_is_not_a_json_object_is_a_400(client):
    response = client.post("/api/3/action/package_search", data="[1,2]", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["__type"] == "Bad Request"
    response = client.post("/api/3/action/package_search", data="{oops", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.django_db
def test_missing_id_is_a_409_validation_error(client):
    response = client.get("/api/3/action/package_show")
    assert response.status_code == 409
    assert response.json()["error"] == {"__type": "Validation Error", "id": ["Missing value"]}


@pytest.mark.django_db
def test_a_too_long_fq_is_refused_before_parsing(client):
    response = client.get("/api/3/action/package_search", {"fq": "tags:a " * 300})
    assert response.status_code == 409
    assert response.json()["error"] == {"__type": "Validation Error", "fq": ["Dài quá 1000 ký tự"]}


@pytest.mark.django_db
def test_api_root_answers_version_3(client):
    assert client.get("/api/3").json() == {"version": 3}

"""Reads are public; writes need an ingest key or a staff session with a write role (and its CSRF token)."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client
from django.utils.crypto import get_random_string

from smartcity.audit.models import Entry
from smartcity.lib.errors import Forbidden
from smartcity.sensing import services
from smartcity.sensing.models import IngestKey, Thing
from smartcity.sensing.tests.conftest import ROOT, Api, station_body

pytestmark = pytest.mark.django_db
THING = {"name": "Trạm thử", "description": "kiểm tra quyền"}


def test_reads_need_no_credentials(anonymous, station):
    assert anonymous.get("/Things").status_code == 200
    assert anonymous.get(f"/Things({station.thing})/Datastreams").status_code == 200


def test_writes_without_credentials_are_401(anonymous):
    response = anonymous.post("/Things", THING)
    assert response.status_code == 401
    assert "Basic" in response["WWW-Authenticate"]
    assert anonymous.post("/ingest", []).status_code == 401
    assert anonymous.post("/CreateObservations", []).status_code == 401
    assert Thing.objects.count() == 0


def test_a_wrong_or_revoked_key_is_401(client, admin_key):
    assert Api(client, "sk_nothing_here").post("/Things", THING).status_code == 401
    assert Api(client, admin_key + "x").post("/Things", THING).status_code == 401
    services.revoke_ingest_key(prefix=admin_key)
    response = Api(client, admin_key).post("/Things", THING)
    assert response.status_code == 401 and "revoked" in response.json()["message"]


def test_only_the_hash_of_a_key_is_stored(admin_key):
    key = IngestKey.objects.get()
    assert admin_key.split("_")[2] not in (key.secret_hash, key.prefix)
    assert len(key.secret_hash) == 64 and admin_key.startswith(f"sk_{key.prefix}_")


def test_the_key_may_come_as_bearer_x_api_key_or_basic_password(client, admin_key):
    basic = base64.b64encode(f"gateway:{admin_key}".encode()).decode()
    for headers in ({"Authorization": f"Bearer {admin_key}"}, {"X-Api-Key": admin_key},
                    {"Authorization": f"Basic {basic}"}):
        response = client.post(ROOT + "/Things", json.dumps(THING), content_type="application/json",
                               headers=headers)
        assert response.status_code == 201, headers
    assert Thing.objects.count() == 3


def test_an_observations_key_sends_readings_but_cannot_change_metadata(client, station, gateway_key):
    gateway = Api(client, gateway_key)
    assert gateway.post("/Things", THING).status_code == 403
    assert gateway.patch(f"/Things({station.thing})", {"name": "x"}).status_code == 403
    assert gateway.delete(f"/Things({station.thing})").status_code == 403
    response = gateway.post(f"/Datastreams({station.pm25})/Observations",
                            {"phenomenonTime": "2026-01-01T00:00:00Z", "result": 1})
    assert response.status_code == 201
    assert gateway.post("/ingest", [{"datastream": station.pm25, "t": "2026-01-01T00:01:00Z", "v": 2}]).json()[
        "accepted"] == 1


def test_a_city_administrator_writes_with_a_session_and_its_csrf_token(city_admin):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(city_admin)
    response = browser.post(ROOT + "/Things", json.dumps(THING), content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["message"]
    token = get_random_string(32)  # what a page would have set as the CSRF cookie
    browser.cookies["csrftoken"] = token
    response = browser.post(ROOT + "/Things", json.dumps(station_body()), content_type="application/json",
                            headers={"X-CSRFToken": token})
    assert response.status_code == 201
    entry = Entry.objects.get(subject_type="sensing.thing", action="create")
    assert entry.actor == city_admin


@pytest.mark.parametrize("persona", ["officer_ba_dinh", "outsider", "an"])
def test_staff_without_a_write_role_and_citizens_cannot_write(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(ROOT + "/Things", json.dumps(THING), content_type="application/json")
    assert response.status_code == 403
    assert Thing.objects.count() == 0


def test_keys_are_issued_by_administrators_only(officer_ba_dinh, city_admin):
    with pytest.raises(Forbidden):
        services.issue_ingest_key(name="x", actor=officer_ba_dinh)
    key, secret = services.issue_ingest_key(name="Gateway Tây Hồ", scope="all", actor=city_admin)
    assert key.created_by == city_admin and services.authenticate_key(secret) == key

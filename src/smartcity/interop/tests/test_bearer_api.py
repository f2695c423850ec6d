"""The city's own integrations call the e-government API with a client-credentials token instead of a browser
session: no cookie, no CSRF token, the service account's own permissions, and only within the token's scopes."""

from __future__ import annotations

import pytest

from smartcity.dossiers.models import Dossier, Status
from smartcity.interop import services
from smartcity.interop.tests.conftest import token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_robot(published, officer_ba_dinh):
    """The Ba Đình one-stop desk's kiosk integration, acting as the ward's officer."""
    client, secret = services.register_client(client_id="kiosk-ba-dinh", name="Kiosk một cửa Ba Đình",
                                              agency_name="UBND phường Ba Đình", grants={},
                                              api_scopes=["api.read", "api.write"], service_user=officer_ba_dinh)
    client.secret = secret
    return client


def test_a_read_with_a_bearer_token_acts_as_the_service_account(client, desk_robot, officer_ba_dinh):
    token = token_for(client, desk_robot, "api.read")
    r = client.get("/api/v1/identity/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200, r.content
    assert r.json()["username"] == officer_ba_dinh.username


def test_a_write_needs_no_csrf_token_with_the_write_scope(client, desk_robot, dossier_of_an):
    token = token_for(client, desk_robot, "api.write")
    r = client.post(f"/api/v1/dossiers/{dossier_of_an.code}/operations/receive", {"note": ""},
                    content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200, r.content
    assert Dossier.objects.get(pk=dossier_of_an.pk).status == Status.RECEIVED


def test_a_read_only_token_cannot_write(client, desk_robot, dossier_of_an):
    token = token_for(client, desk_robot, "api.read")
    r = client.post(f"/api/v1/dossiers/{dossier_of_an.code}/operations/receive", {"note": ""},
                    content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert (r.status_code, r.json()["errors"][0]["code"]) == (403, "forbidden")
    assert Dossier.objects.get(pk=dossier_of_an.pk).status == Status.NEW


def test_a_gateway_only_token_or_a_client_without_service_account_gets_no_e_government_api(client, insurance):
    token = token_for(client, insurance)
    assert client.get("/api/v1/identity/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 403


def test_a_bad_bearer_token_is_401_not_a_fallback_to_the_session(client, an):
    client.force_login(an)
    r = client.get("/api/v1/identity/me", HTTP_AUTHORIZATION="Bearer forged")
    assert r.status_code == 401
    assert r["WWW-Authenticate"].startswith("Bearer")

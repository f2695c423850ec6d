"""The development provider offers only what the portal uses, guards its own sign-in form, and stays off unless on.

Only the authorization code grant with PKCE: the password grant once confirmed any account's password (staff
included) past the staff lockout, second factor and audit. The provider's form holds an identity back from one client
address after ``IDP_LOCKOUT_THRESHOLD`` failures from there, and a client address after
``IDP_ADDRESS_LOCKOUT_THRESHOLD``, both for up to ``IDP_LOCKOUT_MINUTES`` (429), never the identity from elsewhere;
every attempt is audited, a refusal once per window.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.cache import cache
from oauth2_provider.models import get_application_model

import smartcity
from smartcity.audit.models import Action, Entry
from smartcity.conftest import PASSWORD
from smartcity.identity import services
from smartcity.identity.tests.helpers import IDP_PASSWORD

Application = get_application_model()
WRONG = "sai-mat-khau-123"
AN = "001090012345"


@pytest.fixture(autouse=True)
def _fresh_address_counters():
    cache.clear()
    yield
    cache.clear()


def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


@pytest.fixture
def password_client() -> object:
    """A client an administrator registered for the password grant (in the admin, say)."""
    return Application.objects.create(
        name="Ứng dụng mật khẩu", client_id="mat-khau", client_secret="bi-mat-ung-dung-0123456789",
        client_type=Application.CLIENT_CONFIDENTIAL, authorization_grant_type=Application.GRANT_PASSWORD,
        redirect_uris="", algorithm=Application.RS256_ALGORITHM)


@pytest.mark.parametrize("grant", [
    {"grant_type": "password", "username": "can.bo", "password": PASSWORD},
    {"grant_type": "client_credentials"},
    {"grant_type": "refresh_token", "refresh_token": "bat-ky"},
    {"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": "bat-ky"},
])
def test_every_grant_but_the_authorization_code_is_unsupported(client, password_client, officer_ba_dinh, grant):
    officer_ba_dinh.set_password(PASSWORD)
    officer_ba_dinh.username = "can.bo"
    officer_ba_dinh.save()
    wrong = client.post("/idp/token/", grant | ({"password": WRONG} if "password" in grant else {}),
                        HTTP_AUTHORIZATION=_basic("mat-khau", "bi-mat-ung-dung-0123456789"))
    right = client.post("/idp/token/", grant, HTTP_AUTHORIZATION=_basic("mat-khau", "bi-mat-ung-dung-0123456789"))
    # The same answer whether the staff password is right or wrong: nothing is learnt, no token is issued.
    assert (wrong.status_code, wrong.json()) == (right.status_code, right.json()) == (
        400, {"error": "unsupported_grant_type"})


def test_the_portals_own_client_cannot_use_the_password_grant_either(client, officer_ba_dinh, settings):
    services.ensure_demo_client("http://testserver")
    response = client.post("/idp/token/", {"grant_type": "password", "username": officer_ba_dinh.username,
                                           "password": PASSWORD},
                           HTTP_AUTHORIZATION=_basic(settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET))
    assert (response.status_code, response.json()) == (400, {"error": "unsupported_grant_type"})


@pytest.mark.parametrize("response_type", ["token", "id_token", "id_token token", "code id_token", "code token"])
def test_implicit_and_hybrid_authorization_requests_are_refused(client, an, response_type):
    services.ensure_demo_client("http://testserver")
    services.set_idp_password(an.person, IDP_PASSWORD)
    client.post("/idp/login/", {"id_number": AN, "password": IDP_PASSWORD})
    response = client.get("/idp/authorize/", {
        "response_type": response_type, "client_id": "smartcity-portal", "scope": "openid",
        "redirect_uri": "http://testserver/account/oidc/callback/", "state": "s1", "nonce": "n1",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256",
    })
    location = response["Location"] if response.status_code == 302 else ""
    query = parse_qs(urlsplit(location).query) | parse_qs(urlsplit(location).fragment)
    assert response.status_code in (302, 400)
    assert "access_token" not in query and "id_token" not in query and "code" not in query
    if response.status_code == 302:  # oauthlib names "code …" combinations an unauthorized client's
        assert query["error"][0] in {"unsupported_response_type", "unauthorized_client"}


def test_the_discovery_document_offers_the_code_flow_only(client):
    doc = client.get("/idp/.well-known/openid-configuration").json()
    assert doc["response_types_supported"] == ["code"]


def test_the_provider_locks_an_identity_for_a_while_after_repeated_failures(client, an, settings):
    settings.IDP_LOCKOUT_THRESHOLD, settings.IDP_LOCKOUT_MINUTES = 3, 15
    account = services.set_idp_password(an.person, IDP_PASSWORD)
    start = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        for _attempt in range(2):
            assert client.post("/idp/login/", {"id_number": AN, "password": WRONG}).status_code == 400
        locked = client.post("/idp/login/", {"id_number": AN, "password": WRONG})
        assert locked.status_code == 429 and "tạm khóa" in locked.content.decode()
        assert 0 < int(locked["Retry-After"]) <= 15 * 60
        # Held back from this address: even the right password is refused, and nobody is signed in at the provider.
        refused = client.post("/idp/login/", {"id_number": AN, "password": IDP_PASSWORD})
        assert refused.status_code == 429 and services.IDP_SESSION_KEY not in client.session
        refused_again = client.post("/idp/login/", {"id_number": AN, "password": IDP_PASSWORD})
        assert refused_again.status_code == 429  # refused again, but audited once per window

        clock.shift(dt.timedelta(minutes=16))  # the lock runs out on its own
        assert client.post("/idp/login/", {"id_number": AN, "password": IDP_PASSWORD}).status_code == 200
        assert client.session[services.IDP_SESSION_KEY] == account.pk

    entries = Entry.objects.filter(subject_type=services.IDP_SUBJECT).order_by("seq")
    assert [(e.action, e.detail.get("reason")) for e in entries] == [
        (Action.SIGN_IN_FAILED, "password"), (Action.SIGN_IN_FAILED, "password"),
        (Action.SIGN_IN_FAILED, "password"), (Action.LOCKED, None),
        (Action.SIGN_IN_FAILED, "locked"), (Action.SIGN_IN, None)]
    assert {e.subject_id for e in entries} == {str(account.principal_id)}
    assert all(AN not in str(e.detail) and IDP_PASSWORD not in str(e.detail) for e in entries)


def test_the_provider_refuses_an_address_that_guesses_across_many_identities(client, an, binh, settings):
    settings.IDP_ADDRESS_LOCKOUT_THRESHOLD = 4
    services.set_idp_password(an.person, IDP_PASSWORD)
    services.set_idp_password(binh.person, IDP_PASSWORD)
    for number in ["001090000001", "001090000002", "001185004321", "001090000003"]:
        assert client.post("/idp/login/", {"id_number": number, "password": WRONG}).status_code == 400
    refused = client.post("/idp/login/", {"id_number": AN, "password": IDP_PASSWORD})
    assert refused.status_code == 429 and services.IDP_SESSION_KEY not in client.session
    assert client.post("/idp/login/", {"id_number": AN, "password": IDP_PASSWORD}).status_code == 429
    assert Entry.objects.filter(subject_type=services.IDP_SUBJECT, detail__reason="address_locked").count() == 1
    # Another address is not held back by this one's guesses.
    other = client.post("/idp/login/", {"id_number": AN, "password": IDP_PASSWORD}, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200


def test_guesses_from_one_address_do_not_lock_the_citizen_out_from_another(client, an, settings):
    settings.IDP_LOCKOUT_THRESHOLD = 3
    account = services.set_idp_password(an.person, IDP_PASSWORD)
    with time_machine.travel(dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC), tick=False):
        for _attempt in range(10):
            client.post("/idp/login/", {"id_number": AN, "password": WRONG}, REMOTE_ADDR="203.0.113.9")
        assert client.post("/idp/login/", {"id_number": AN, "password": IDP_PASSWORD},
                           REMOTE_ADDR="203.0.113.9").status_code == 429
        assert client.post("/idp/login/", {"id_number": AN, "password": IDP_PASSWORD},
                           REMOTE_ADDR="198.51.100.7").status_code == 200
        assert client.session[services.IDP_SESSION_KEY] == account.pk


def test_a_successful_sign_in_at_the_provider_is_audited_and_clears_the_count(client, an, settings):
    settings.IDP_LOCKOUT_THRESHOLD = 3
    account = services.set_idp_password(an.person, IDP_PASSWORD)
    for _attempt in range(2):
        client.post("/idp/login/", {"id_number": AN, "password": WRONG})
    assert client.post("/idp/login/", {"id_number": AN, "password": IDP_PASSWORD}).status_code == 200
    assert client.post("/idp/login/", {"id_number": AN, "password": WRONG}).status_code == 400  # not locked
    signed_in = Entry.objects.get(subject_type=services.IDP_SUBJECT, action=Action.SIGN_IN)
    assert (signed_in.subject_id, signed_in.detail) == (str(account.principal_id), {"method": "idp_password"})


@pytest.mark.parametrize("path", ["/idp/login/", "/idp/authorize/", "/idp/token/", "/idp/userinfo/",
                                  "/idp/.well-known/openid-configuration", "/idp/.well-known/jwks.json"])
def test_the_provider_is_not_there_when_it_is_disabled(client, settings, path):
    settings.DEV_IDP_ENABLED = False
    assert client.get(path).status_code == 404
    assert client.post(path, {"id_number": AN, "password": IDP_PASSWORD}).status_code == 404


def test_the_provider_is_off_in_production_unless_switched_on(tmp_path):
    """With DEBUG off and no DEV_IDP_ENABLED, /idp/ is not even mounted (a fresh process: the URLs are built once)."""
    script = ("import django; django.setup()\n"
              "from django.conf import settings; from django.urls import Resolver404, resolve\n"
              "try:\n    resolve('/idp/login/'); mounted = True\n"
              "except Resolver404:\n    mounted = False\n"
              "print(settings.DEV_IDP_ENABLED, mounted)")
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(Path(smartcity.__file__).parents[1]),
           "DJANGO_SETTINGS_MODULE": "smartcity.settings", "SMARTCITY_VAR_DIR": str(tmp_path), "DEBUG": "false",
           "SECRET_KEY": "a-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"}
    production = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert production.stdout.split() == ["False", "False"], production.stderr
    switched_on = subprocess.run([sys.executable, "-c", script], env=env | {"DEV_IDP_ENABLED": "true"},
                                 capture_output=True, text=True, timeout=120)
    assert switched_on.stdout.split() == ["True", "True"], switched_on.stderr

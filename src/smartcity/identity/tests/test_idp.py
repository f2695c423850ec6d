"""The development identity provider at /idp/ is a real OpenID Connect provider a standard client uses unchanged."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from django.contrib.auth.hashers import check_password
from joserfc import jwt
from joserfc.jwk import KeySet
from oauth2_provider.models import get_application_model

from smartcity.identity import services
from smartcity.identity.models import IdpAccount, User
from smartcity.identity.tests.helpers import IDP_PASSWORD, form_inputs, sign_in_at_idp

Application = get_application_model()
THIRD_PARTY_REDIRECT = "https://dichvu.example.vn/oidc/callback"
THIRD_PARTY_SECRET = "bi-mat-cua-ben-thu-ba-0123456789"


@pytest.fixture
def third_party() -> object:
    """A client registered the ordinary way: confidential, RS256, asks the citizen's consent."""
    return Application.objects.create(
        name="Dịch vụ của bên thứ ba", client_id="ben-thu-ba", client_secret=THIRD_PARTY_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL, authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=THIRD_PARTY_REDIRECT, algorithm=Application.RS256_ALGORITHM,
    )


def _authorize_as(browser: requests.Session, url: str, id_number: str) -> str:
    """Log in at the provider's form, consent, and return the redirect the provider sends back to the client."""
    login_page = browser.get(url, timeout=10)
    consent = sign_in_at_idp(browser, login_page, id_number=id_number)
    assert consent.status_code == 200 and "Dịch vụ của bên thứ ba" in consent.text
    answer = browser.post(consent.url, data=form_inputs(consent.text) | {"allow": "on"}, allow_redirects=False,
                          timeout=10)
    assert answer.status_code == 302
    return answer.headers["Location"]


def test_a_standard_client_completes_the_authorization_code_flow_with_pkce(idp, third_party, an, browser):
    account = services.set_idp_password(an.person, IDP_PASSWORD)
    discovery = idp.discovery()
    client = OAuth2Session(client_id="ben-thu-ba", client_secret=THIRD_PARTY_SECRET,
                           scope="openid profile id_number", redirect_uri=THIRD_PARTY_REDIRECT,
                           code_challenge_method="S256")
    verifier, nonce = generate_token(48), generate_token(20)
    url, state = client.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier,
                                                 nonce=nonce)

    redirect = _authorize_as(browser, url, "001090012345")
    assert redirect.startswith(THIRD_PARTY_REDIRECT + "?")
    assert parse_qs(urlsplit(redirect).query)["state"] == [state]

    token = client.fetch_token(discovery["token_endpoint"], authorization_response=redirect, code_verifier=verifier)
    assert token["token_type"] == "Bearer"
    keys = KeySet.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())
    decoded = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    claims = CodeIDToken(decoded.claims, decoded.header,
                         options={"iss": {"essential": True, "value": idp.issuer},
                                  "aud": {"essential": True, "value": "ben-thu-ba"}},
                         params={"nonce": nonce, "client_id": "ben-thu-ba", "access_token": token["access_token"]})
    claims.validate()
    assert decoded.header["alg"] == "RS256"
    assert {k: claims[k] for k in ("iss", "aud", "sub", "nonce", "name", "birthdate", "gender", "id_number")} == {
        "iss": idp.issuer, "aud": "ben-thu-ba", "sub": account.subject, "nonce": nonce, "name": "Nguyễn Văn An",
        "birthdate": "1990-05-17", "gender": "male", "id_number": "001090012345",
    }

    userinfo = client.get(discovery["userinfo_endpoint"], timeout=10).json()
    assert userinfo == {"sub": account.subject, "name": "Nguyễn Văn An", "birthdate": "1990-05-17",
                        "gender": "male", "id_number": "001090012345"}


def test_the_id_number_is_released_only_under_its_own_scope(idp, third_party, binh, browser):
    services.set_idp_password(binh.person, IDP_PASSWORD)
    discovery = idp.discovery()
    client = OAuth2Session(client_id="ben-thu-ba", client_secret=THIRD_PARTY_SECRET, scope="openid profile",
                           redirect_uri=THIRD_PARTY_REDIRECT, code_challenge_method="S256")
    verifier = generate_token(48)
    url, _state = client.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier,
                                                  nonce=generate_token(20))
    token = client.fetch_token(discovery["token_endpoint"], authorization_response=_authorize_as(
        browser, url, "001185004321"), code_verifier=verifier)

    claims = jwt.decode(token["id_token"], KeySet.import_key_set(
        requests.get(discovery["jwks_uri"], timeout=10).json())).claims
    assert "id_number" not in claims and claims["name"] == "Trần Thị Bình" and claims["gender"] == "female"
    assert "id_number" not in client.get(discovery["userinfo_endpoint"], timeout=10).json()


def test_the_discovery_document_names_the_endpoints_claims_and_scopes(client):
    doc = client.get("/idp/.well-known/openid-configuration").json()
    assert doc["issuer"] == "http://testserver/idp"
    assert (doc["authorization_endpoint"], doc["token_endpoint"], doc["userinfo_endpoint"], doc["jwks_uri"]) == (
        "http://testserver/idp/authorize/", "http://testserver/idp/token/", "http://testserver/idp/userinfo/",
        "http://testserver/idp/.well-known/jwks.json")
    assert set(doc["claims_supported"]) == {"sub", "name", "birthdate", "gender", "id_number"}
    assert set(doc["scopes_supported"]) == {"openid", "profile", "id_number"}
    assert "S256" in doc["code_challenge_methods_supported"]
    assert "RS256" in doc["id_token_signing_alg_values_supported"]
    jwks = client.get("/idp/.well-known/jwks.json").json()
    assert [(k["kty"], k["alg"], k["use"]) for k in jwks["keys"]] == [("RSA", "RS256", "sig")]
    assert "d" not in jwks["keys"][0]  # the public half only


def test_an_authorization_request_without_pkce_is_refused(client, an):
    services.ensure_demo_client("http://testserver")
    services.set_idp_password(an.person, IDP_PASSWORD)
    client.post("/idp/login/", {"id_number": "001090012345", "password": IDP_PASSWORD})
    response = client.get("/idp/authorize/", {
        "response_type": "code", "client_id": "smartcity-portal", "scope": "openid",
        "redirect_uri": "http://testserver/account/oidc/callback/", "state": "s1", "nonce": "n1",
    })
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["error"] == ["invalid_request"] and query["state"] == ["s1"]
    assert "code" not in query


def test_the_provider_asks_for_the_id_number_and_password_and_refuses_a_wrong_password(client, an):
    services.set_idp_password(an.person, IDP_PASSWORD)
    page = client.get("/idp/login/?next=/idp/authorize/")
    assert page.status_code == 200
    assert "Số định danh cá nhân" in page.content.decode() and "Mật khẩu" in page.content.decode()

    response = client.post("/idp/login/", {"id_number": "001090012345", "password": "sai-mat-khau-123"})
    assert response.status_code == 400
    assert "Số định danh cá nhân hoặc mật khẩu không đúng." in response.content.decode()
    assert services.IDP_SESSION_KEY not in client.session

    response = client.post("/idp/login/", {"id_number": "0010900", "password": IDP_PASSWORD})
    assert response.status_code == 400
    assert "Số định danh cá nhân gồm đúng 12 chữ số." in response.content.decode()


def test_signing_in_at_the_provider_does_not_sign_in_to_the_portal(client, an):
    account = services.set_idp_password(an.person, IDP_PASSWORD)
    response = client.post("/idp/login/", {"id_number": "001090012345", "password": IDP_PASSWORD})
    assert response.status_code == 200
    assert client.session[services.IDP_SESSION_KEY] == account.pk
    assert "_auth_user_id" not in client.session
    assert client.get("/api/v1/identity/me").status_code == 401


def test_an_identity_at_the_provider_has_a_stable_opaque_subject_and_its_own_principal(an):
    first = services.set_idp_password(an.person, IDP_PASSWORD)
    again = services.set_idp_password(an.person, "mat-khau-moi-2026")

    assert again.pk == first.pk and again.subject == first.subject
    assert "001090012345" not in again.subject and len(again.subject) == 36
    assert check_password("mat-khau-moi-2026", again.password)
    principal = User.objects.get(pk=again.principal_id)
    assert (principal.kind, principal.person_id, principal.is_staff, principal.has_usable_password()) == (
        User.Kind.IDP, None, False, False)
    assert IdpAccount.objects.filter(citizen=an.person).count() == 1


def test_a_too_short_provider_password_is_refused(an):
    from smartcity.lib.errors import Invalid

    with pytest.raises(Invalid) as err:
        services.set_idp_password(an.person, "ngan")
    assert err.value.field == "password"
    assert not IdpAccount.objects.filter(citizen=an.person).exists()


def test_the_portal_is_registered_once_as_a_confidential_rs256_client(settings):
    first = services.ensure_demo_client("http://127.0.0.1:8000/")
    again = services.ensure_demo_client("http://127.0.0.1:8000")

    assert again.pk == first.pk and Application.objects.filter(client_id=settings.OIDC_CLIENT_ID).count() == 1
    assert (again.client_type, again.authorization_grant_type, again.algorithm, again.skip_authorization) == (
        "confidential", "authorization-code", "RS256", True)
    assert again.redirect_uris.split() == ["http://127.0.0.1:8000/account/oidc/callback/",
                                           "http://localhost:8000/account/oidc/callback/"]
    assert check_password(settings.OIDC_CLIENT_SECRET, again.client_secret)
    assert again.client_secret == first.client_secret  # not hashed again when unchanged


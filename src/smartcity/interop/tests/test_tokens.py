"""The authorization server: client credentials with a secret (Basic or in the body) or a signed assertion
(private_key_jwt); short-lived tokens; replayed assertions, expired and revoked tokens refused; RFC 8414 metadata."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from urllib.parse import urlencode

import pytest
import time_machine
from jwcrypto import jwk, jwt

from smartcity.interop import oauth, services
from smartcity.interop.models import AccessToken
from smartcity.interop.tests.conftest import FORM, basic, token_for

pytestmark = pytest.mark.django_db


def post_token(client, data, **headers):
    return client.post("/interop/oauth/token", urlencode(data), content_type=FORM, **headers)


def test_metadata_lists_the_token_endpoint_and_private_key_jwt(client, settings):
    settings.INTEROP_ISSUER = "https://egov.hanoi.gov.vn"
    body = client.get("/.well-known/oauth-authorization-server").json()
    assert body["issuer"] == "https://egov.hanoi.gov.vn"
    assert body["token_endpoint"] == "https://egov.hanoi.gov.vn/interop/oauth/token"
    assert body["grant_types_supported"] == ["client_credentials"]
    assert body["token_endpoint_auth_methods_supported"] == [
        "client_secret_basic", "client_secret_post", "private_key_jwt"]


def test_a_token_is_short_lived_and_stored_only_as_its_digest(client, insurance):
    r = post_token(client, {"grant_type": "client_credentials"},
                   HTTP_AUTHORIZATION=basic("bhxh-hanoi", insurance.secret))
    body = r.json()
    assert (r.status_code, body["token_type"], body["expires_in"], body["scope"]) == (200, "Bearer", 300, "interop")
    assert r["Cache-Control"] == "no-store"
    stored = AccessToken.objects.get()
    assert stored.token_hash == oauth.digest(body["access_token"]) != body["access_token"]
    assert stored.expires_at - stored.issued_at == dt.timedelta(seconds=300)


def test_client_secret_post_only_for_a_client_registered_for_it(client, published):
    c, secret = services.register_client(client_id="post-client", name="X", agency_name="Y", grants={},
                                         auth_method="client_secret_post")
    ok = post_token(client, {"grant_type": "client_credentials", "client_id": "post-client", "client_secret": secret})
    assert ok.status_code == 200
    basic_refused = post_token(client, {"grant_type": "client_credentials"},
                               HTTP_AUTHORIZATION=basic("post-client", secret))
    assert (basic_refused.status_code, basic_refused.json()["error"]) == (401, "invalid_client")


def test_a_wrong_secret_is_invalid_client(client, insurance):
    r = post_token(client, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic("bhxh-hanoi", "nope"))
    assert (r.status_code, r.json()["error"]) == (401, "invalid_client")
    assert r["WWW-Authenticate"].startswith("Basic")
    assert not AccessToken.objects.exists()


def test_other_grant_types_and_scopes_not_granted_are_refused(client, insurance):
    auth = {"HTTP_AUTHORIZATION": basic("bhxh-hanoi", insurance.secret)}
    assert post_token(client, {"grant_type": "password"}, **auth).json()["error"] == "unsupported_grant_type"
    r = post_token(client, {"grant_type": "client_credentials", "scope": "interop api.write"}, **auth)
    assert (r.status_code, r.json()["error"]) == (400, "invalid_scope")


def test_a_json_body_is_an_invalid_request(client, insurance):
    r = client.post("/interop/oauth/token", json.dumps({"grant_type": "client_credentials"}),
                    content_type="application/json", HTTP_AUTHORIZATION=basic("bhxh-hanoi", insurance.secret))
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")


def test_an_expired_token_is_refused(client, an, insurance):
    token = token_for(client, insurance)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=301)
    with time_machine.travel(later):
        r = client.get("/api/v1/interop/services", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 401
    assert "hết hạn" in r.json()["errors"][0]["message"]


def test_a_revoked_token_is_refused_at_once(client, insurance):
    token = token_for(client, insurance)
    r = client.post("/interop/oauth/revoke", urlencode({"token": token}), content_type=FORM,
                    HTTP_AUTHORIZATION=basic("bhxh-hanoi", insurance.secret))
    assert r.status_code == 200
    r = client.get("/api/v1/interop/services", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 401
    assert "thu hồi" in r.json()["errors"][0]["message"]


def test_an_unknown_token_and_no_token_are_401(client, published):
    assert client.get("/api/v1/interop/services", HTTP_AUTHORIZATION="Bearer made-up").status_code == 401
    assert client.get("/api/v1/interop/services").status_code == 401


def test_a_token_of_a_disabled_client_stops_working(client, insurance):
    token = token_for(client, insurance)
    insurance.is_active = False
    insurance.save()
    assert client.get("/api/v1/interop/services", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


# ---------------------------------------------------------------------------------------------- private_key_jwt


@pytest.fixture
def keyed(published):
    key = jwk.JWK.generate(kty="RSA", size=2048, kid="k1")
    public = json.loads(key.export_public())
    client, _ = services.register_client(client_id="tinh-lien-thong", name="Hệ thống liên thông",
                                         agency_name="Sở Tư pháp", grants={}, auth_method="private_key_jwt",
                                         jwks={"keys": [public]})
    return client, key


def assertion(key, *, aud: str, jti: str | None = None, exp_in: int = 60, iss: str = "tinh-lien-thong") -> str:
    now = int(time.time())
    token = jwt.JWT(header={"alg": "RS256", "kid": "k1"},
                    claims={"iss": iss, "sub": iss, "aud": aud, "iat": now, "exp": now + exp_in,
                            "jti": jti or str(uuid.uuid4())})
    token.make_signed_token(key)
    return token.serialize()


def jwt_form(signed: str) -> dict[str, str]:
    return {"grant_type": "client_credentials", "client_assertion_type": oauth.JWT_BEARER,
            "client_assertion": signed}


def test_private_key_jwt_gets_a_token(client, keyed):
    _, key = keyed
    r = post_token(client, jwt_form(assertion(key, aud=oauth.token_endpoint_url())))
    assert r.status_code == 200, r.content


def test_a_replayed_assertion_is_refused(client, keyed):
    _, key = keyed
    signed = assertion(key, aud=oauth.token_endpoint_url(), jti="once-only")
    assert post_token(client, jwt_form(signed)).status_code == 200
    r = post_token(client, jwt_form(signed))
    assert (r.status_code, r.json()["error"]) == (401, "invalid_client")
    assert "jti" in r.json()["error_description"]
    assert AccessToken.objects.count() == 1


def test_an_assertion_signed_with_another_key_or_for_another_audience_is_refused(client, keyed):
    other = jwk.JWK.generate(kty="RSA", size=2048, kid="k1")
    r1 = post_token(client, jwt_form(assertion(other, aud=oauth.token_endpoint_url())))
    _, key = keyed
    r2 = post_token(client, jwt_form(assertion(key, aud="https://elsewhere/token")))
    r3 = post_token(client, jwt_form(assertion(key, aud=oauth.token_endpoint_url(), exp_in=3600)))
    assert [r.status_code for r in (r1, r2, r3)] == [401, 401, 401]
    assert not AccessToken.objects.exists()


def test_a_garbled_assertion_is_invalid_client(client, keyed):
    r = post_token(client, jwt_form("not.a.jwt"))
    assert (r.status_code, r.json()["error"]) == (401, "invalid_client")


def test_the_command_registers_a_client_and_prints_its_secret_once(client, published, capsys):
    from django.core.management import call_command

    call_command("interop", "client", "so-tu-phap", "--name", "Hệ thống hộ tịch", "--agency-name", "Sở Tư pháp",
                 "--grant", "residence-verification:residence-check,dossier-processing")
    out = capsys.readouterr().out
    secret = out.split("client_secret (shown once): ")[1].strip()
    r = post_token(client, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic("so-tu-phap", secret))
    assert r.status_code == 200
    from smartcity.interop.models import Grant

    assert Grant.objects.get(client__client_id="so-tu-phap").purposes == ["residence-check", "dossier-processing"]

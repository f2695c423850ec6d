"""Citizens sign in to the portal through OpenID Connect (code + PKCE), the way VNeID is used.

End-to-end tests run the portal and the development provider on a live server and drive them with a plain HTTP
client; the refusals run the same flow in-process (``idp_in_process``) and change only the ID token the portal
receives.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from joserfc.jwk import RSAKey

from smartcity.audit.models import Action, Entry
from smartcity.conftest import make_citizen
from smartcity.identity import services
from smartcity.identity.models import User
from smartcity.identity.tests.helpers import IDP_PASSWORD, form_inputs, provider_key, sign, sign_in_at_idp

# ----------------------------------------------------------------------------------------- live end-to-end


def _sign_in_with_vneid(browser, idp, id_number):
    page = browser.get(f"{idp.url}/account/oidc/login/", timeout=10)
    return sign_in_at_idp(browser, page, id_number=id_number)


def _sign_out(browser, idp):
    home = browser.get(f"{idp.url}/", timeout=10)
    return browser.post(f"{idp.url}/account/logout/", data={"csrfmiddlewaretoken": form_inputs(home.text)[
        "csrfmiddlewaretoken"]}, timeout=10)


def test_a_citizen_without_an_account_signs_in_through_the_provider_and_gets_one(idp, browser, hoan_kiem):
    citizen = make_citizen(hoan_kiem, id_number="001200001111", full_name="Phạm Thị Lan", dob=dt.date(2000, 3, 8),
                           sex="F", email="lan@example.vn")
    account = services.set_idp_password(citizen, IDP_PASSWORD)

    landing = _sign_in_with_vneid(browser, idp, "001200001111")

    assert (landing.status_code, landing.url) == (200, f"{idp.url}/")
    assert "Xin chào Phạm Thị Lan" in landing.text
    user = User.objects.get(person=citizen)
    assert (user.kind, user.username, user.oidc_issuer, user.oidc_subject, user.first_name, user.last_name,
            user.email, user.has_usable_password()) == (
        "citizen", f"cd-{citizen.pk}", idp.issuer, account.subject, "Lan", "Phạm Thị", "lan@example.vn", False)
    assert browser.get(f"{idp.url}/api/v1/identity/me", timeout=10).json() == {
        "username": f"cd-{citizen.pk}", "kind": "citizen", "name": "Phạm Thị Lan",
        "masked_id_number": "001******111", "memberships": []}
    entry = Entry.objects.filter(action=Action.SIGN_IN, subject_type=services.USER_SUBJECT).get()
    assert (entry.actor_id, entry.subject_id, entry.detail) == (
        user.pk, str(user.pk), {"method": "oidc", "issuer": idp.issuer, "created": True, "linked": False})

    _sign_out(browser, idp)
    assert browser.get(f"{idp.url}/api/v1/identity/me", timeout=10).status_code == 401
    again = _sign_in_with_vneid(browser, idp, "001200001111")

    assert again.status_code == 200
    assert User.objects.filter(person=citizen).count() == 1
    assert browser.get(f"{idp.url}/api/v1/identity/me", timeout=10).json()["username"] == f"cd-{citizen.pk}"
    assert [e.detail["created"] for e in Entry.objects.filter(action=Action.SIGN_IN, subject_type=services.USER_SUBJECT).order_by("seq")] == [True, False]


def test_a_citizen_who_already_has_an_account_gets_it_linked_on_first_sign_in(idp, browser, an):
    account = services.set_idp_password(an.person, IDP_PASSWORD)
    users_before = User.objects.count()

    landing = _sign_in_with_vneid(browser, idp, "001090012345")

    assert (landing.status_code, landing.url) == (200, f"{idp.url}/")
    an.refresh_from_db()
    assert (an.oidc_issuer, an.oidc_subject) == (idp.issuer, account.subject)
    assert User.objects.count() == users_before
    assert browser.get(f"{idp.url}/api/v1/identity/me", timeout=10).json()["username"] == "an"
    assert Entry.objects.get(action=Action.SIGN_IN, subject_type=services.USER_SUBJECT).detail["linked"] is True


# ------------------------------------------------------------------------------------------ refusals


def _callback_url(client, id_number: str) -> str:
    """Run the flow up to the provider's redirect back to the portal; return that redirect."""
    login_page = client.get("/account/oidc/login/", follow=True)
    assert login_page.request["PATH_INFO"] == "/idp/login/"
    next_url = parse_qs(login_page.request["QUERY_STRING"])["next"][0]
    to_authorize = client.post(f"/idp/login/?{urlencode({'next': next_url})}",
                               {"id_number": id_number, "password": IDP_PASSWORD, "next": next_url})
    to_portal = client.get(to_authorize["Location"])
    assert to_portal["Location"].startswith("http://testserver/account/oidc/callback/?")
    return to_portal["Location"]


def _refusal(response) -> str:
    assert response.status_code == 400
    assert "_auth_user_id" not in response.wsgi_request.session
    return response.content.decode()


def _forged_with_another_key(claims, kid):
    return sign(claims, RSAKey.generate_key(2048))


def _forged_under_the_providers_key_id(claims, kid):
    return sign(claims, RSAKey.generate_key(2048), kid=kid)


def _expired(claims, kid):
    now = int(time.time())
    return sign({**claims, "iat": now - 7200, "exp": now - 3600}, provider_key(), kid=kid)


def _for_another_client(claims, kid):
    return sign({**claims, "aud": "ung-dung-khac"}, provider_key(), kid=kid)


def _from_another_issuer(claims, kid):
    return sign({**claims, "iss": "https://vneid.example.vn"}, provider_key(), kid=kid)


def _with_another_nonce(claims, kid):
    return sign({**claims, "nonce": "mot-nonce-khac"}, provider_key(), kid=kid)


@pytest.mark.parametrize(("tamper", "reason", "message"), [
    (_forged_with_another_key, "id_token_invalid", "Thẻ định danh (ID token) không hợp lệ"),
    (_forged_under_the_providers_key_id, "id_token_invalid", "Thẻ định danh (ID token) không hợp lệ"),
    (_expired, "id_token_expired", "Phiên xác thực đã hết hạn. Vui lòng đăng nhập lại."),
    (_for_another_client, "id_token_invalid", "Thẻ định danh (ID token) không hợp lệ"),
    (_from_another_issuer, "id_token_invalid", "Thẻ định danh (ID token) không hợp lệ"),
    (_with_another_nonce, "id_token_invalid", "Thẻ định danh (ID token) không hợp lệ"),
])
def test_an_id_token_that_does_not_verify_is_refused_and_nobody_is_signed_in(
    idp_in_process, tampered_id_token, client, an, tamper, reason, message
):
    services.set_idp_password(an.person, IDP_PASSWORD)
    tampered_id_token(tamper)

    page = _refusal(client.get(_callback_url(client, "001090012345")))

    assert message in page
    an.refresh_from_db()
    assert (an.oidc_issuer, an.oidc_subject) == ("", "")
    assert list(Entry.objects.filter(action=Action.SIGN_IN_FAILED).values_list("detail", flat=True)) == [
        {"method": "oidc", "reason": reason, "issuer": "http://testserver/idp"}]
    assert not Entry.objects.filter(action=Action.SIGN_IN, subject_type=services.USER_SUBJECT).exists()


def test_a_citizen_the_registry_does_not_know_gets_a_clear_error_and_no_account(idp_in_process, tampered_id_token,
                                                                                client, an):
    # A genuine token from the provider, for someone registered in another province (the registry is Hà Nội's).
    services.set_idp_password(an.person, IDP_PASSWORD)
    tampered_id_token(lambda claims, kid: sign(
        {**claims, "sub": "c1d2e3f4-0000-4000-8000-000000000001", "id_number": "079301009999"},
        provider_key(), kid=kid))
    users_before = User.objects.count()

    page = _refusal(client.get(_callback_url(client, "001090012345")))

    assert "chưa có trong Cơ sở dữ liệu dân cư của Thành phố" in page
    assert User.objects.count() == users_before
    assert not User.objects.filter(oidc_subject="c1d2e3f4-0000-4000-8000-000000000001").exists()
    failed = Entry.objects.get(action=Action.SIGN_IN_FAILED)
    assert failed.detail == {"method": "oidc", "reason": "not_in_registry", "issuer": "http://testserver/idp"}
    assert "079301009999" not in json.dumps(list(Entry.objects.values()), default=str)


def test_a_callback_whose_state_does_not_match_the_sign_in_started_here_is_refused(idp_in_process, client, an):
    services.set_idp_password(an.person, IDP_PASSWORD)
    callback = urlsplit(_callback_url(client, "001090012345"))
    params = parse_qs(callback.query)
    forged = f"{callback.path}?{urlencode({'code': params['code'][0], 'state': 'trang-thai-gia-mao'})}"

    page = _refusal(client.get(forged))

    assert "sai tham số state" in page
    an.refresh_from_db()
    assert an.oidc_subject == ""
    assert Entry.objects.get(action=Action.SIGN_IN_FAILED).detail["reason"] == "state_mismatch"


def test_a_callback_without_any_sign_in_started_is_refused(client, settings):
    settings.OIDC_ISSUER = "http://testserver/idp"
    page = _refusal(client.get("/account/oidc/callback/", {"code": "abc", "state": "xyz"}))
    assert "sai tham số state" in page


def test_a_citizen_who_cancels_at_the_provider_is_told_so(idp_in_process, client):
    to_provider = client.get("/account/oidc/login/")
    state = parse_qs(urlsplit(to_provider["Location"]).query)["state"][0]

    page = _refusal(client.get("/account/oidc/callback/", {"error": "access_denied", "state": state}))

    assert "Bạn đã hủy đăng nhập tại nhà cung cấp định danh." in page


def test_the_sign_in_asks_for_pkce_a_nonce_and_the_id_number_scope(idp_in_process, client):
    to_provider = client.get("/account/oidc/login/?next=/ho-so-cua-toi/")
    query = parse_qs(urlsplit(to_provider["Location"]).query)

    assert to_provider["Location"].startswith("http://testserver/idp/authorize/?")
    assert (query["response_type"], query["client_id"], query["scope"], query["code_challenge_method"],
            query["redirect_uri"]) == (["code"], ["smartcity-portal"], ["openid profile id_number"], ["S256"],
                                       ["http://testserver/account/oidc/callback/"])
    pending = client.session[services.PENDING_OIDC_SESSION_KEY][query["state"][0]]
    assert pending["nonce"] == query["nonce"][0] and pending["next"] == "/ho-so-cua-toi/"
    assert len(pending["code_verifier"]) >= 43


def test_an_unreachable_provider_gets_a_clear_error(client, settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9/idp"  # nothing listens on the discard port

    response = client.get("/account/oidc/login/")

    assert response.status_code == 502
    assert "Không kết nối được với nhà cung cấp định danh" in response.content.decode()


def test_a_person_whose_record_is_linked_to_another_identity_is_refused(idp_in_process, client, an):
    User.objects.filter(pk=an.pk).update(oidc_issuer="http://testserver/idp", oidc_subject="mot-chu-the-khac")
    services.set_idp_password(an.person, IDP_PASSWORD)

    page = _refusal(client.get(_callback_url(client, "001090012345")))

    assert "đã liên kết với một định danh điện tử khác" in page

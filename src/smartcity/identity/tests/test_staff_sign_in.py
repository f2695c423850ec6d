"""Staff sign in with a password and a TOTP code; repeated wrong passwords hold an account back from the address
that sent them (never from everywhere), repeated wrong codes lock the account; the back office needs both."""

from __future__ import annotations

import datetime as dt
import json
import re

import pyotp
import pytest
import time_machine
from django.utils import timezone

from smartcity.audit.models import Action, Entry
from smartcity.conftest import PASSWORD
from smartcity.identity import services, totp
from smartcity.identity.models import User

SECRET = "JBSWY3DPEHPK3PXPBADINHAAAAAAAAAA"


@pytest.fixture
def enrolled(officer_ba_dinh):
    return services.set_staff_totp(officer_ba_dinh, SECRET)


def _password(client, username="officer.badinh", password=PASSWORD, next_url=""):
    data = {"username": username, "password": password}
    return client.post("/account/login/" + (f"?next={next_url}" if next_url else ""), data)


def _wrong_code(secret: str) -> str:
    valid = {pyotp.TOTP(secret).at(timezone.now() + dt.timedelta(seconds=30 * k)) for k in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def _signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_a_staff_member_without_a_second_factor_enrols_with_a_qr_code_then_is_signed_in(client, officer_ba_dinh):
    to_setup = _password(client)
    assert (to_setup.status_code, to_setup["Location"]) == (302, "/account/totp/setup/")
    assert _signed_in_user_id(client) is None

    page = client.get("/account/totp/setup/")
    html = page.content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', html).group(1)
    assert page.status_code == 200 and "<svg" in html
    assert "otpauth://totp/" in html and f"secret={secret}" in html
    officer_ba_dinh.refresh_from_db()
    assert (officer_ba_dinh.totp_secret, officer_ba_dinh.totp_confirmed) == ("", False)  # not stored until confirmed
    assert client.get("/account/totp/setup/").content.decode().count(secret) >= 1  # same secret on reload

    code = pyotp.TOTP(secret).now()
    done = client.post("/account/totp/setup/", {"code": code})

    assert (done.status_code, done["Location"]) == (302, "/mot-cua/")  # staff land on their work queue
    officer_ba_dinh.refresh_from_db()
    assert (officer_ba_dinh.totp_secret, officer_ba_dinh.totp_confirmed) == (secret, True)
    assert officer_ba_dinh.totp_last_step == totp.matching_step(secret, code)
    assert _signed_in_user_id(client) == str(officer_ba_dinh.pk)
    assert client.session[services.SECOND_FACTOR_SESSION_KEY] is True
    entry = Entry.objects.get(action=Action.SIGN_IN)
    assert (entry.actor_id, entry.actor_label, entry.actor_agency, entry.detail) == (
        officer_ba_dinh.pk, "Lê Thị Hoa", "Ủy ban nhân dân Phường Ba Đình",
        {"method": "password+totp", "totp_enrolled": True})


def test_an_enrolled_staff_member_signs_in_with_password_and_code(client, enrolled):
    to_code = _password(client, next_url="/ho-so-cua-toi/")
    assert (to_code.status_code, to_code["Location"]) == (302, "/account/totp/")
    assert _signed_in_user_id(client) is None

    done = client.post("/account/totp/", {"code": pyotp.TOTP(SECRET).now()})

    assert (done.status_code, done["Location"]) == (302, "/ho-so-cua-toi/")
    assert _signed_in_user_id(client) == str(enrolled.pk)
    enrolled.refresh_from_db()
    assert (enrolled.failed_logins, enrolled.locked_until) == (0, None)
    assert Entry.objects.get(action=Action.SIGN_IN).detail == {"method": "password+totp", "totp_enrolled": False}


def test_a_wrong_code_is_refused_and_counted(client, enrolled):
    _password(client)

    response = client.post("/account/totp/", {"code": _wrong_code(SECRET)})

    assert response.status_code == 400
    assert "Mã xác thực không đúng." in response.content.decode()
    assert _signed_in_user_id(client) is None
    enrolled.refresh_from_db()
    assert enrolled.failed_logins == 1
    assert Entry.objects.get(action=Action.SIGN_IN_FAILED).detail == {
        "method": "totp", "reason": "totp", "failures": 1}


def test_a_code_is_accepted_once(client, enrolled):
    code = pyotp.TOTP(SECRET).now()
    _password(client)
    assert client.post("/account/totp/", {"code": code}).status_code == 302
    client.post("/account/logout/")
    assert _signed_in_user_id(client) is None

    _password(client)
    replay = client.post("/account/totp/", {"code": code})

    assert replay.status_code == 400
    assert "Mã xác thực này đã được dùng." in replay.content.decode()
    assert _signed_in_user_id(client) is None
    assert Entry.objects.filter(action=Action.SIGN_IN_FAILED).get().detail["reason"] == "totp_replayed"


def test_a_wrong_password_is_refused_with_the_same_message_as_an_unknown_username(client, enrolled):
    wrong = _password(client, password="khong-dung-mat-khau")
    unknown = _password(client, username="khong.ton.tai")

    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    assert services.PENDING_STAFF_SESSION_KEY not in client.session
    enrolled.refresh_from_db()
    assert enrolled.failed_logins == 0  # wrong passwords are counted per client address, not on the account
    assert [e.detail["reason"] for e in Entry.objects.filter(action=Action.SIGN_IN_FAILED).order_by("seq")] == [
        "password", "unknown_account"]


def test_a_citizen_account_cannot_use_the_staff_sign_in(client, an):
    response = _password(client, username="an")

    assert response.status_code == 400
    assert services.PENDING_STAFF_SESSION_KEY not in client.session
    assert Entry.objects.get(action=Action.SIGN_IN_FAILED).detail == {"method": "password", "reason": "not_staff"}


def test_repeated_wrong_codes_lock_the_account(client, enrolled, settings, monkeypatch):
    settings.STAFF_LOCKOUT_THRESHOLD, settings.STAFF_LOCKOUT_MINUTES = 3, 15
    frozen = timezone.now().replace(microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    for _attempt in range(2):
        _password(client)
        client.post("/account/totp/", {"code": _wrong_code(SECRET)})
    _password(client)
    locking = client.post("/account/totp/", {"code": _wrong_code(SECRET)})

    assert locking.status_code == 403
    assert "Tài khoản đang bị tạm khóa do nhập sai nhiều lần" in locking.content.decode()
    enrolled.refresh_from_db()
    assert (enrolled.failed_logins, enrolled.locked_until) == (0, frozen + dt.timedelta(minutes=15))
    locked = Entry.objects.get(action=Action.LOCKED)
    assert (locked.subject_id, locked.detail) == (str(enrolled.pk), {"failures": 3, "minutes": 15})
    assert [e.detail["reason"] for e in Entry.objects.filter(action=Action.SIGN_IN_FAILED).order_by("seq")] == [
        "totp", "totp", "totp"]


WHEN = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)
ATTACKER, OFFICE = "203.0.113.66", "198.51.100.20"


def test_repeated_wrong_passwords_hold_the_account_back_from_that_address_only(client, enrolled, settings):
    settings.STAFF_LOCKOUT_THRESHOLD, settings.STAFF_LOCKOUT_MINUTES = 3, 15
    with time_machine.travel(WHEN, tick=False):
        for attempt in range(2):
            assert client.post("/account/login/", {"username": "officer.badinh", "password": f"sai-{attempt}"},
                               REMOTE_ADDR=ATTACKER).status_code == 400
        held = client.post("/account/login/", {"username": "officer.badinh", "password": "sai-3"},
                           REMOTE_ADDR=ATTACKER)
        assert held.status_code == 429 and 0 < int(held["Retry-After"]) <= 15 * 60
        assert "tạm khóa đối với địa chỉ này" in held.content.decode()
        # Even the right password is refused from there, and that refusal is audited once, however often it comes.
        for _attempt in range(3):
            again = client.post("/account/login/", {"username": "officer.badinh", "password": PASSWORD},
                                REMOTE_ADDR=ATTACKER)
            assert again.status_code == 429 and services.PENDING_STAFF_SESSION_KEY not in client.session
    enrolled.refresh_from_db()
    assert (enrolled.failed_logins, enrolled.locked_until) == (0, None)  # the account itself is not locked
    locked = Entry.objects.get(action=Action.LOCKED)
    assert (locked.subject_id, locked.detail) == (str(enrolled.pk), {"failures": 3, "minutes": 15,
                                                                     "scope": "address"})
    assert [e.detail["reason"] for e in Entry.objects.filter(action=Action.SIGN_IN_FAILED).order_by("seq")] == [
        "password", "password", "password", "locked"]


def test_an_attacker_hammering_an_officers_username_cannot_stop_the_officer_signing_in(enrolled, settings):
    from django.test import Client

    attacker, officer = Client(REMOTE_ADDR=ATTACKER), Client(REMOTE_ADDR=OFFICE)
    with time_machine.travel(WHEN, tick=False):
        for attempt in range(100):
            attacker.post("/account/login/", {"username": "officer.badinh", "password": f"doan-{attempt}"})
        assert attacker.post("/account/login/", {"username": "officer.badinh",
                                                 "password": PASSWORD}).status_code == 429

        assert officer.post("/account/login/", {"username": "officer.badinh", "password": PASSWORD}).status_code == 302
        done = officer.post("/account/totp/", {"code": pyotp.TOTP(SECRET).now()})
        assert done.status_code == 302 and officer.session["_auth_user_id"] == str(enrolled.pk)
    # At most the address limit's worth of guesses were audited, and the refusals once.
    assert Entry.objects.filter(action=Action.SIGN_IN_FAILED).count() <= settings.STAFF_ADDRESS_LOCKOUT_THRESHOLD + 2


def test_one_address_guessing_across_usernames_is_refused_whatever_it_tries(client, enrolled, settings):
    settings.STAFF_ADDRESS_LOCKOUT_THRESHOLD = 4
    with time_machine.travel(WHEN, tick=False):
        for name in ["a.nguyen", "b.tran", "c.le", "d.pham"]:
            assert client.post("/account/login/", {"username": name, "password": "sai"},
                               REMOTE_ADDR=ATTACKER).status_code == 400
        refused = client.post("/account/login/", {"username": "officer.badinh", "password": PASSWORD},
                              REMOTE_ADDR=ATTACKER)
        assert refused.status_code == 429 and "Retry-After" in refused
        assert client.post("/account/login/", {"username": "officer.badinh", "password": PASSWORD},
                           REMOTE_ADDR=OFFICE).status_code == 302
    assert Entry.objects.filter(action=Action.SIGN_IN_FAILED, detail__reason="address_locked").count() == 1


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_one_counted(client, enrolled, settings):
    settings.STAFF_ADDRESS_LOCKOUT_THRESHOLD, settings.TRUSTED_PROXIES = 2, ["10.0.0.0/8"]
    with time_machine.travel(WHEN, tick=False):
        for name in ["a.nguyen", "b.tran"]:
            client.post("/account/login/", {"username": name, "password": "sai"}, REMOTE_ADDR="10.0.0.2",
                        HTTP_X_FORWARDED_FOR=f"1.2.3.4, {ATTACKER}")
        # The proxy's own address, and the client-written part of the header, do not decide anything.
        assert client.post("/account/login/", {"username": "c.le", "password": "sai"}, REMOTE_ADDR="10.0.0.2",
                           HTTP_X_FORWARDED_FOR=f"9.9.9.9, {ATTACKER}").status_code == 429
        assert client.post("/account/login/", {"username": "officer.badinh", "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=OFFICE).status_code == 302


def test_an_untrusted_client_cannot_choose_its_address_with_x_forwarded_for(client, enrolled, settings):
    settings.STAFF_ADDRESS_LOCKOUT_THRESHOLD = 2
    with time_machine.travel(WHEN, tick=False):
        for n, name in enumerate(["a.nguyen", "b.tran"]):
            client.post("/account/login/", {"username": name, "password": "sai"}, REMOTE_ADDR=ATTACKER,
                        HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        assert client.post("/account/login/", {"username": "c.le", "password": "sai"}, REMOTE_ADDR=ATTACKER,
                           HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


def test_a_locked_account_is_refused_even_with_the_right_password_and_code(client, enrolled):
    User.objects.filter(pk=enrolled.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=10))

    response = _password(client)

    assert response.status_code == 403
    local = timezone.localtime(User.objects.get(pk=enrolled.pk).locked_until)
    assert f"Vui lòng thử lại sau {local:%H:%M} ngày {local:%d/%m/%Y}." in response.content.decode()
    assert services.PENDING_STAFF_SESSION_KEY not in client.session
    with pytest.raises(services.AccountLocked):
        services.verify_staff_code(user=enrolled, code=pyotp.TOTP(SECRET).now())
    assert _signed_in_user_id(client) is None
    assert Entry.objects.filter(action=Action.SIGN_IN_FAILED, detail__reason="locked").count() == 2


def test_an_account_signs_in_again_once_its_lock_has_run_out(client, enrolled):
    User.objects.filter(pk=enrolled.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))

    _password(client)
    done = client.post("/account/totp/", {"code": pyotp.TOTP(SECRET).now()})

    assert done.status_code == 302 and _signed_in_user_id(client) == str(enrolled.pk)
    enrolled.refresh_from_db()
    assert enrolled.locked_until is None


def test_the_code_page_needs_the_password_first(client, enrolled):
    response = client.get("/account/totp/")
    assert (response.status_code, response["Location"]) == (302, "/account/login/")
    assert client.post("/account/totp/", {"code": pyotp.TOTP(SECRET).now()})["Location"] == "/account/login/"
    assert _signed_in_user_id(client) is None


def test_no_password_code_or_secret_reaches_the_audit_log(client, enrolled, caplog):
    code = pyotp.TOTP(SECRET).now()
    _password(client, password="mat-khau-sai-bi-mat")
    _password(client)
    client.post("/account/totp/", {"code": code})

    stored = json.dumps(list(Entry.objects.values()), default=str, ensure_ascii=False)
    for secret in ("mat-khau-sai-bi-mat", PASSWORD, code, SECRET):
        assert secret not in stored and secret not in caplog.text


def test_the_back_office_requires_the_second_factor(client, enrolled):
    client.force_login(enrolled)  # a session with the password alone, however it was obtained

    refused = client.get("/admin/")
    assert (refused.status_code, refused["Location"]) == (302, "/admin/login/?next=/admin/")
    to_login = client.get(refused["Location"])
    assert (to_login.status_code, to_login["Location"]) == (302, "/account/login/?next=/admin/")

    client.logout()
    _password(client, next_url="/admin/")
    done = client.post("/account/totp/", {"code": pyotp.TOTP(SECRET).now()})
    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_login_page_offers_vneid_to_citizens_and_the_password_form_to_staff(client):
    html = client.get("/account/login/?next=/ho-so-cua-toi/").content.decode()
    assert "Đăng nhập bằng định danh điện tử (VNeID)" in html
    assert 'href="/account/oidc/login/?next=/ho-so-cua-toi/"' in html
    assert 'name="username"' in html and 'name="password"' in html


def test_sign_out_needs_a_post(client, an):
    client.force_login(an)
    assert client.get("/account/logout/").status_code == 405
    assert client.post("/account/logout/")["Location"] == "/"
    assert _signed_in_user_id(client) is None


def test_the_demo_secret_is_set_once_and_keeps_used_codes_used(enrolled):
    User.objects.filter(pk=enrolled.pk).update(totp_last_step=123)
    again = services.set_staff_totp(User.objects.get(pk=enrolled.pk), SECRET)
    assert (again.totp_secret, again.totp_confirmed, again.totp_last_step) == (SECRET, True, 123)
    assert Entry.objects.filter(action=Action.UPDATE, detail__change="totp_set").count() == 1


def test_a_secret_that_is_not_base32_is_refused(officer_ba_dinh):
    from smartcity.lib.errors import Invalid

    with pytest.raises(Invalid) as err:
        services.set_staff_totp(officer_ba_dinh, "not-base32!")
    assert err.value.field == "secret"


def test_an_administrator_unlocks_an_account_from_the_back_office_and_it_is_audited(client, admin_user, enrolled):
    assert admin_user.kind == User.Kind.STAFF  # superusers are staff accounts, so they can use the staff sign-in
    User.objects.filter(pk=enrolled.pk).update(failed_logins=2, locked_until=timezone.now() + dt.timedelta(hours=1))
    client.force_login(admin_user)
    session = client.session
    session[services.SECOND_FACTOR_SESSION_KEY] = True
    session.save()

    response = client.post("/admin/identity/user/", {"action": "unlock", "_selected_action": [enrolled.pk]})

    assert response.status_code == 302
    enrolled.refresh_from_db()
    assert (enrolled.failed_logins, enrolled.locked_until) == (0, None)
    entry = Entry.objects.get(action=Action.UPDATE, detail__change="unlocked")
    assert (entry.actor_id, entry.subject_id) == (admin_user.pk, str(enrolled.pk))


def test_unlocking_also_lifts_the_per_address_holds(client, admin_user, enrolled, settings):
    settings.STAFF_LOCKOUT_THRESHOLD = 2
    with time_machine.travel(WHEN, tick=False):
        for _attempt in range(2):
            client.post("/account/login/", {"username": "officer.badinh", "password": "sai"}, REMOTE_ADDR=OFFICE)
        assert _password_from(client, OFFICE).status_code == 429
        services.unlock_staff(actor=admin_user, user=enrolled)
        assert _password_from(client, OFFICE).status_code == 302


def _password_from(client, address):
    return client.post("/account/login/", {"username": "officer.badinh", "password": PASSWORD}, REMOTE_ADDR=address)


def test_resetting_the_second_factor_sends_the_next_sign_in_to_enrolment(client, admin_user, enrolled):
    services.reset_staff_totp(actor=admin_user, user=enrolled)

    enrolled.refresh_from_db()
    assert (enrolled.totp_secret, enrolled.totp_confirmed, enrolled.totp_last_step) == ("", False, 0)
    assert _password(client)["Location"] == "/account/totp/setup/"


def test_the_sign_in_pages_speak_english_when_asked(client):
    client.cookies["django_language"] = "en"
    html = client.get("/account/login/").content.decode()
    assert "Sign in with electronic identity (VNeID)" in html and "Civil servants" in html

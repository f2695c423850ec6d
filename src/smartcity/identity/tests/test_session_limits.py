"""A staff session ends after STAFF_SESSION_IDLE_MINUTES without a request; a citizen's CITIZEN_SESSION_HOURS after
signing in, however busy. An ended session is signed out: pages send the person to sign in, the API answers 401."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
import time_machine

from smartcity.conftest import PASSWORD
from smartcity.identity import services

START = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _me(client) -> int:
    return client.get("/api/v1/identity/me").status_code


def test_a_staff_session_ends_after_thirty_idle_minutes(client, clock, officer_ba_dinh, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    client.force_login(officer_ba_dinh)
    assert _me(client) == 200
    clock.shift(dt.timedelta(minutes=29))
    assert _me(client) == 200  # and this request counts as activity
    clock.shift(dt.timedelta(minutes=29))
    assert _me(client) == 200
    clock.shift(dt.timedelta(minutes=31))
    assert _me(client) == 401
    assert "_auth_user_id" not in client.session


def test_a_page_after_the_idle_limit_asks_to_sign_in_again_and_says_why(client, clock, officer_ba_dinh, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    client.force_login(officer_ba_dinh)
    assert client.get("/mot-cua/").status_code == 200
    clock.shift(dt.timedelta(minutes=31))
    response = client.get("/mot-cua/", follow=True)
    assert response.redirect_chain[0][0].startswith("/account/login/?next=/mot-cua/")
    assert "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại." in response.content.decode()


def test_the_session_store_forgets_an_idle_staff_session_too(client, clock, officer_ba_dinh, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    client.force_login(officer_ba_dinh)
    assert _me(client) == 200
    assert client.session.get_expiry_age() == 30 * 60 + services.SESSION_GRACE_SECONDS
    clock.shift(dt.timedelta(minutes=41))
    assert _me(client) == 401


def test_a_citizen_session_ends_eight_hours_after_signing_in_however_busy(client, clock, an, settings):
    settings.CITIZEN_SESSION_HOURS = 8
    client.force_login(an)
    for _hour in range(7):
        assert _me(client) == 200
        clock.shift(dt.timedelta(hours=1))
    clock.shift(dt.timedelta(minutes=59))
    assert _me(client) == 200  # 7 h 59 min
    clock.shift(dt.timedelta(minutes=2))
    assert _me(client) == 401


def test_a_citizen_is_not_held_to_the_staff_idle_limit(client, clock, an, settings):
    settings.STAFF_SESSION_IDLE_MINUTES, settings.CITIZEN_SESSION_HOURS = 30, 8
    client.force_login(an)
    assert _me(client) == 200
    clock.shift(dt.timedelta(hours=2))
    assert _me(client) == 200


def test_signing_in_again_starts_the_limits_afresh(client, clock, officer_ba_dinh, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    secret = "JBSWY3DPEHPK3PXPBADINHAAAAAAAAAA"
    services.set_staff_totp(officer_ba_dinh, secret)
    client.post("/account/login/", {"username": "officer.badinh", "password": PASSWORD})
    assert client.post("/account/totp/", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    session = client.session
    assert session[services.SIGNED_IN_AT_SESSION_KEY] == session[services.REAUTHENTICATED_AT_SESSION_KEY] == \
        START.timestamp()
    clock.shift(dt.timedelta(minutes=20))
    assert _me(client) == 200

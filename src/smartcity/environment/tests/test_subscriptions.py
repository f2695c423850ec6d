"""People subscribe by area and kind: an account at once, an e-mail address or phone number after confirming."""

from __future__ import annotations

import json

from smartcity.conftest import PASSWORD
from smartcity.environment import services
from smartcity.environment.models import Subscription, WarningRule
from smartcity.notifications.models import Message

from .conftest import NOW

API = "/api/v1/environment/subscriptions"


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_an_email_subscription_is_confirmed_by_its_link_before_any_warning_is_sent(client, river):
    WarningRule.objects.create(name="Lũ vượt báo động II", parameter="flood_level", threshold=2)
    response = post(client, API, {"email": "Lan@Example.vn", "parameters": ["water_level"]})
    assert response.status_code == 201
    assert response.json()["confirmed"] is False
    sub = Subscription.objects.get()
    assert sub.email == "lan@example.vn" and sub.unit is None and sub.parameters == ["water_level"]
    confirmation = Message.objects.get()
    assert confirmation.recipient == "lan@example.vn" and f"/moi-truong/dang-ky/xac-nhan/{sub.token}/" \
        in confirmation.body

    services.evaluate_warnings(NOW)
    assert Message.objects.count() == 1  # not confirmed: nothing else goes there

    page = client.get(f"/moi-truong/dang-ky/xac-nhan/{sub.token}/")
    assert page.status_code == 200 and Subscription.objects.get().confirmed_at is None  # GET only shows a button
    assert client.post(f"/moi-truong/dang-ky/xac-nhan/{sub.token}/").status_code == 200
    assert Subscription.objects.get().is_active

    WarningRule.objects.create(name="Lũ vượt báo động I", parameter="flood_level", threshold=1)
    services.evaluate_warnings(NOW)
    warning = Message.objects.order_by("-pk").first()
    assert warning.recipient == "lan@example.vn" and "Lũ vượt báo động I" in warning.subject


def test_unsubscribing_stops_the_warnings(client, river):
    sub = services.subscribe(phone="091 234 5678")
    assert sub.phone == "0912345678"
    services.confirm_subscription(token=sub.token)
    assert client.post(f"/moi-truong/dang-ky/huy/{sub.token}/").status_code == 200
    WarningRule.objects.create(name="Lũ", parameter="flood_level", threshold=1)
    services.evaluate_warnings(NOW)
    assert Message.objects.count() == 1  # the confirmation request only
    assert client.post("/moi-truong/dang-ky/huy/khong-co/").status_code == 404


def test_a_citizen_subscribes_with_their_account_and_is_told_at_the_contacts_of_their_record(client, an, river):
    client.login(username="an", password=PASSWORD)
    response = client.post("/moi-truong/dang-ky/", {"channel": "account", "unit": "", "parameters": ["water_level"]})
    assert response.status_code == 302
    sub = Subscription.objects.get()
    assert sub.user == an and sub.is_active
    WarningRule.objects.create(name="Lũ", parameter="flood_level", threshold=1)
    services.evaluate_warnings(NOW)
    message = Message.objects.get()
    assert message.person_id == an.person_id and message.recipient == "an@example.vn"


def test_subscribing_refuses_bad_input_naming_the_field(client, db):
    cases = [
        ({"email": "khong-phai-email"}, "email"),
        ({"phone": "12345"}, "phone"),
        ({}, "email"),
        ({"email": "a@example.vn", "phone": "0912345678"}, "phone"),
        ({"email": "a@example.vn", "unit": "2025:commune:99999"}, "unit"),
        ({"email": "a@example.vn", "unit": "2025:province:79"}, "unit"),  # not this city
        ({"email": "a@example.vn", "parameters": ["pollen"]}, "parameters"),
    ]
    for body, field in cases:
        response = post(client, API, body)
        assert response.status_code in (400, 404), body
        assert response.json()["errors"][0]["field"] == field, body
    assert not Subscription.objects.exists() and not Message.objects.exists()


def test_the_account_channel_needs_a_signed_in_citizen(client, db):
    response = client.post("/moi-truong/dang-ky/", {"channel": "account"})
    assert response.status_code == 400
    assert not Subscription.objects.exists()

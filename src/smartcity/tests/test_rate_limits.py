"""Every edge an anonymous caller may repeat is limited per client address (lib.ratelimit, settings.RATE_LIMITS):
the request past the limit gets 429 with Retry-After — the API's JSON error body, a Vietnamese page elsewhere — and
another address is not held back. Limits are set low here; the clock is frozen so no window ends mid-test."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from smartcity.audit.models import Entry

ME, OTHER = "203.0.113.10", "198.51.100.10"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC), tick=False):
        yield


def _limit(settings, name: str, rate: str = "2/h") -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, name: rate}


EDGES = [  # (limit, method, path, data, status of an allowed request)
    ("tracking", "get", "/tra-cuu/", {"code": "000.00.00.H26-261123-0001"}, 404),
    ("tracking", "get", "/api/v1/track/000.00.00.H26-261123-0001", {}, 404),
    ("share_link", "get", "/kho-du-lieu/chia-se/khong-co-lien-ket-nay/", {}, 404),
    ("share_link", "get", "/api/v1/vault/shared/khong-co-lien-ket-nay", {}, 404),
    ("share_link", "get", "/api/v1/vault/shared/khong-co-lien-ket-nay/file", {}, 404),
    ("signature_verify", "post", "/chu-ky-so/xac-minh/", {}, 400),
    ("signature_verify", "post", "/api/v1/signatures/verify", {}, 400),
    ("subscription", "post", "/moi-truong/dang-ky/", {"channel": "email", "email": "khong-hop-le"}, 400),
    ("subscription", "post", "/api/v1/environment/subscriptions", {"email": "khong-hop-le"}, 400),
    ("subscription_token", "post", "/moi-truong/dang-ky/xac-nhan/khong-co/", {}, 404),
    ("subscription_token", "post", "/moi-truong/dang-ky/huy/khong-co/", {}, 404),
    ("subscription_token", "post", "/api/v1/environment/subscriptions/confirm", {"token": "khong-co"}, 404),
    ("subscription_token", "post", "/api/v1/environment/subscriptions/cancel", {"token": "khong-co"}, 404),
    ("parse_address", "post", "/api/v1/places/parse-address", {"address": "phường Ba Đình, Hà Nội"}, 200),
    ("payment_return", "get", "/thanh-toan/ket-qua/", {}, 400),
    ("payment_return", "get", "/api/v1/payments/return", {}, 400),
    ("feedback_submit", "post", "/phan-anh/gui/", {"category": "khong-co"}, 400),
]


def _send(client, method: str, path: str, data: dict, address: str):
    if method == "get":
        return client.get(path, data, REMOTE_ADDR=address)
    if path.startswith("/api/") and data:
        return client.post(path, data, content_type="application/json", REMOTE_ADDR=address)
    return client.post(path, data, REMOTE_ADDR=address)


@pytest.mark.parametrize(("name", "method", "path", "data", "allowed"), EDGES, ids=[e[2] for e in EDGES])
def test_the_request_past_the_limit_is_429_and_another_address_is_not_held_back(
        client, db, settings, name, method, path, data, allowed):
    _limit(settings, name)
    for _attempt in range(2):
        assert _send(client, method, path, data, ME).status_code == allowed
    limited = _send(client, method, path, data, ME)

    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 3600
    if path.startswith("/api/"):
        assert limited.json()["errors"][0]["code"] == "rate_limited"
        assert "quá nhiều yêu cầu" in limited.json()["errors"][0]["message"]
    else:
        assert "Quá nhiều yêu cầu" in limited.content.decode()
    assert _send(client, method, path, data, OTHER).status_code == allowed


def test_one_recipient_gets_only_so_many_subscription_messages_whatever_the_address(client, db, settings):
    _limit(settings, "subscription_contact", "2/d")
    for n in range(2):
        created = client.post("/api/v1/environment/subscriptions", {"email": "nan.nhan@example.vn"},
                              content_type="application/json", REMOTE_ADDR=f"192.0.2.{n}")
        assert created.status_code == 201
    refused = client.post("/api/v1/environment/subscriptions", {"email": "Nan.Nhan@example.vn"},
                          content_type="application/json", REMOTE_ADDR="192.0.2.99")
    assert refused.status_code == 429 and refused.json()["errors"][0]["code"] == "rate_limited"
    page = client.post("/moi-truong/dang-ky/", {"channel": "email", "email": "nan.nhan@example.vn"},
                       REMOTE_ADDR="192.0.2.98")
    assert page.status_code == 429 and "Retry-After" in page


def test_refused_citizen_sign_in_callbacks_are_audited_only_up_to_the_limit(client, db, settings):
    _limit(settings, "oidc_callback", "3/15m")
    for _attempt in range(3):
        assert client.get("/account/oidc/callback/", {"state": "gia-mao", "code": "x"}, REMOTE_ADDR=ME).status_code == 400
    for _attempt in range(5):
        assert client.get("/account/oidc/callback/", {"state": "gia-mao", "code": "x"}, REMOTE_ADDR=ME).status_code == 429
    assert Entry.objects.filter(subject_type="identity.oidc").count() == 3
    assert client.get("/account/oidc/callback/", {"state": "gia-mao"}, REMOTE_ADDR=OTHER).status_code == 400


def test_share_link_and_signature_checks_audit_at_most_the_limit_per_address(client, db, settings):
    _limit(settings, "signature_verify", "2/h")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    from django.core.files.uploadedfile import SimpleUploadedFile

    for n in range(6):
        client.post("/api/v1/signatures/verify", {"file": SimpleUploadedFile(f"{n}.pdf", pdf, "application/pdf")},
                    REMOTE_ADDR=ME)
    assert Entry.objects.filter(subject_type="signing.verification").count() <= 2


def test_an_ipv6_caller_counts_by_its_slash_64(client, db, settings):
    _limit(settings, "tracking")
    for host in ("2001:db8:1:2::1", "2001:db8:1:2::2"):
        assert client.get("/api/v1/track/khong-co", REMOTE_ADDR=host).status_code == 404
    assert client.get("/api/v1/track/khong-co", REMOTE_ADDR="2001:db8:1:2:ffff::3").status_code == 429
    assert client.get("/api/v1/track/khong-co", REMOTE_ADDR="2001:db8:1:3::1").status_code == 404

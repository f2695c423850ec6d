"""The gateway's IPN: verified (signature, terminal, order, amount) in VNPAY's order, idempotent, the only way (with
a status query) a payment becomes paid. Every refusal answers the contract's code with a clear message, leaves an
audit entry, and changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from smartcity.audit.models import Entry
from smartcity.payments import vnpay
from smartcity.payments.models import Attempt, Payment
from smartcity.payments.signals import payment_succeeded
from smartcity.payments.tests.conftest import IPN, gateway_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    """Every payment_succeeded signal, as (code, reference, stage, amount)."""
    calls = []

    def receiver(sender, payment, reference, stage, amount, **kwargs):
        calls.append((payment.code, reference, stage, amount, payment.state))

    payment_succeeded.connect(receiver)
    yield calls
    payment_succeeded.disconnect(receiver)


def snapshot(attempt):
    payment = Payment.objects.get(pk=attempt.payment_id)
    fresh = Attempt.objects.get(pk=attempt.pk)
    return (payment.state, payment.paid_at, payment.transaction_no, fresh.state, fresh.transaction_no)


def refusals(channel="ipn"):
    return list(Entry.objects.filter(subject_type=f"payments.{channel}").order_by("seq"))


def test_a_verified_ipn_marks_the_payment_paid_and_announces_it_once_after_commit(
        client, attempt, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.get(IPN, gateway_result(attempt))
        assert received == []  # not before the commit
    assert response.status_code == 200
    assert response.json() == {"RspCode": "00", "Message": "Confirm Success"}
    assert len(callbacks) == 1
    payment = Payment.objects.get(pk=attempt.payment_id)
    assert received == [(payment.code, payment.reference, "receipt", 50_000, "succeeded")]
    assert (payment.state, payment.transaction_no, payment.txn_ref, payment.bank_code) == (
        "succeeded", "14000001", attempt.txn_ref, "NCB")
    assert payment.paid_at.isoformat() == "2026-11-23T03:15:00+00:00"  # 10:15:00 GMT+7
    assert payment.receipt_no.endswith(f"{payment.pk:07d}")
    entry = Entry.objects.filter(action="state", subject_id=payment.code).order_by("seq").last()
    assert (entry.actor_label, entry.detail["from"], entry.detail["to"], entry.detail["via"]) == (
        "Cổng thanh toán", "pending", "succeeded", "ipn")
    assert entry.person_id == payment.payer_id


def test_a_replayed_ipn_answers_02_changes_nothing_and_announces_nothing(
        client, attempt, received, django_capture_on_commit_callbacks):
    params = gateway_result(attempt)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(IPN, params)
    before = snapshot(attempt)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.get(IPN, params)
    assert response.json() == {"RspCode": "02", "Message": "Order already confirmed"}
    assert callbacks == [] and len(received) == 1
    assert snapshot(attempt) == before
    [refusal] = refusals()
    assert refusal.detail["rsp_code"] == "02" and refusal.subject_id == attempt.txn_ref
    assert "đã được xác nhận" in refusal.purpose


def test_an_ipn_with_a_wrong_signature_is_refused_with_97(client, attempt):
    before = snapshot(attempt)
    response = client.get(IPN, gateway_result(attempt, secret="not-our-secret"))
    assert response.json() == {"RspCode": "97", "Message": "Invalid signature"}
    assert snapshot(attempt) == before
    [refusal] = refusals()
    assert refusal.detail["rsp_code"] == "97" and "Sai chữ ký" in refusal.purpose


def test_a_tampered_ipn_is_refused_with_97(client, attempt):
    params = gateway_result(attempt, response_code="24", status="02")
    params["vnp_ResponseCode"], params["vnp_TransactionStatus"] = "00", "00"  # flipped after signing
    before = snapshot(attempt)
    assert client.get(IPN, params).json()["RspCode"] == "97"
    unsigned = {k: v for k, v in gateway_result(attempt).items() if k != "vnp_SecureHash"}
    assert client.get(IPN, unsigned).json()["RspCode"] == "97"
    assert snapshot(attempt) == before
    assert [e.detail["rsp_code"] for e in refusals()] == ["97", "97"]


def test_an_ipn_signed_for_another_terminal_is_refused(client, attempt):
    assert client.get(IPN, gateway_result(attempt, vnp_TmnCode="OTHER001")).json()["RspCode"] == "97"
    assert snapshot(attempt)[0] == "pending"


def test_an_ipn_with_the_wrong_amount_is_refused_with_04(client, attempt):
    before = snapshot(attempt)
    response = client.get(IPN, gateway_result(attempt, amount=5_000))
    assert response.json() == {"RspCode": "04", "Message": "Invalid amount"}
    assert snapshot(attempt) == before
    [refusal] = refusals()
    assert refusal.detail["rsp_code"] == "04" and "5.000 đ khác số tiền phải nộp 50.000 đ" in refusal.purpose


def test_an_ipn_for_an_unknown_order_is_refused_with_01(client, attempt):
    params = gateway_result(attempt, vnp_TxnRef="TT000000XXXXXX01")
    response = client.get(IPN, params)
    assert response.json() == {"RspCode": "01", "Message": "Order not found"}
    assert snapshot(attempt)[0] == "pending"
    [refusal] = refusals()
    assert refusal.subject_id == "TT000000XXXXXX01"


def test_a_signed_ipn_missing_what_the_contract_requires_is_refused_with_99(client, attempt):
    params = gateway_result(attempt, vnp_Amount="năm mươi")
    assert client.get(IPN, params).json()["RspCode"] == "99"
    assert snapshot(attempt)[0] == "pending"
    assert refusals()[0].detail["rsp_code"] == "99"


def test_a_failed_payment_is_recorded_and_the_payer_may_try_again(client, an, attempt, received):
    response = client.get(IPN, gateway_result(attempt, response_code="51", status="02"))
    assert response.json()["RspCode"] == "00"
    payment = Payment.objects.get(pk=attempt.payment_id)
    assert payment.state == "failed"
    assert payment.failure_reason == "Tài khoản của khách hàng không đủ số dư để thực hiện giao dịch"
    from smartcity.payments import services

    retry = services.start_checkout(user=an, code=payment.code, ip="10.0.0.7")
    assert retry.txn_ref.endswith("02")
    assert Payment.objects.get(pk=payment.pk).state == "pending"
    assert client.get(IPN, gateway_result(retry)).json()["RspCode"] == "00"
    assert Payment.objects.get(pk=payment.pk).state == "succeeded"


def test_the_ipn_needs_no_session_nor_csrf_token_and_accepts_post(attempt):
    client = Client(enforce_csrf_checks=True)
    response = client.post(IPN, gateway_result(attempt))
    assert response.status_code == 200 and response.json()["RspCode"] == "00"


def test_a_paid_payment_that_was_cancelled_is_not_resurrected_by_a_late_ipn(client, attempt):
    from smartcity.payments import services

    attempt.expires_at = attempt.created_at
    attempt.save()
    services.cancel_payment(code=attempt.payment.code, actor=None, reason="Hồ sơ đã rút")
    assert client.get(IPN, gateway_result(attempt)).json()["RspCode"] == "02"
    assert Payment.objects.get(pk=attempt.payment_id).state == "cancelled"
    assert Attempt.objects.get(pk=attempt.pk).state == "pending"  # reconciliation will show the gateway's "00"


def test_an_unexpected_error_answers_99(client, attempt, monkeypatch):
    from smartcity.payments import services

    def boom(params):
        raise RuntimeError("database down")

    monkeypatch.setattr(services, "handle_ipn", boom)
    response = client.get(IPN, gateway_result(attempt))
    assert response.status_code == 200 and response.json() == vnpay.UNKNOWN_ERROR.as_json()


def test_badly_signed_notifications_cannot_grow_the_audit_log_nor_starve_the_gateway(client, attempt, settings):
    import datetime as dt

    import time_machine

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "payment_refusal": "3/h"}
    forged = {**gateway_result(attempt), "vnp_SecureHash": "00" * 64}
    with time_machine.travel(dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC), tick=False):
        for _attempt in range(10):
            assert client.get(IPN, forged, REMOTE_ADDR="203.0.113.5").json()["RspCode"] == "97"
        refusals = Entry.objects.filter(subject_type="payments.ipn")
        assert refusals.count() == 3 + 1  # three one by one, then one saying the rest are not audited
        assert refusals.filter(detail__rate_limited=True).count() == 1
        # The gateway's correctly signed notification from that same address still goes through.
        answer = client.get(IPN, gateway_result(attempt), REMOTE_ADDR="203.0.113.5").json()
    assert answer["RspCode"] == "00"

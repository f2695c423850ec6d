"""The browser's return from the gateway never marks a payment paid: without the IPN it shows "đang chờ xác nhận";
a tampered or unknown return is refused with a clear message and an audit entry, and changes nothing."""

from __future__ import annotations

import pytest

from smartcity.audit.models import Entry
from smartcity.payments.models import Attempt, Payment
from smartcity.payments.tests.conftest import IPN, gateway_result

pytestmark = pytest.mark.django_db

RETURN = "/thanh-toan/ket-qua/"


def state_of(attempt):
    return Payment.objects.get(pk=attempt.payment_id).state, Attempt.objects.get(pk=attempt.pk).state


def test_a_return_saying_paid_without_the_ipn_leaves_the_payment_awaiting_confirmation(client, attempt):
    response = client.get(RETURN, gateway_result(attempt))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Đang chờ xác nhận từ cổng thanh toán" in text
    assert 'http-equiv="refresh"' in text
    assert state_of(attempt) == ("pending", "pending")
    assert not Entry.objects.filter(action="state", detail__to="succeeded").exists()


def test_after_the_ipn_the_return_shows_the_payment_paid(client, attempt):
    client.get(IPN, gateway_result(attempt))
    response = client.get(RETURN, gateway_result(attempt))
    assert "Thanh toán thành công" in response.content.decode()
    assert 'http-equiv="refresh"' not in response.content.decode()


def test_a_tampered_return_is_refused_and_audited(client, attempt):
    params = gateway_result(attempt, response_code="24", status="02")
    params["vnp_ResponseCode"] = params["vnp_TransactionStatus"] = "00"
    response = client.get(RETURN, params)
    assert response.status_code == 400
    assert "không hợp lệ" in response.content.decode()
    assert state_of(attempt) == ("pending", "pending")
    entry = Entry.objects.get(subject_type="payments.return")
    assert entry.detail["rsp_code"] == "97" and entry.subject_id == attempt.txn_ref
    assert entry.actor_label.startswith("Trình duyệt")


def test_a_return_for_an_unknown_order_or_a_wrong_amount_is_refused(client, attempt):
    assert client.get(RETURN, gateway_result(attempt, vnp_TxnRef="TT000000XXXXXX01")).status_code == 400
    assert client.get(RETURN, gateway_result(attempt, amount=1)).status_code == 400
    assert state_of(attempt) == ("pending", "pending")
    assert [e.detail["rsp_code"] for e in Entry.objects.filter(subject_type="payments.return").order_by("seq")] == [
        "01", "04"]


def test_the_return_api_says_the_same_in_json(client, attempt):
    response = client.get("/api/v1/payments/return", gateway_result(attempt))
    assert response.status_code == 200
    assert response.json() == {
        "verified": True, "code": attempt.payment.code, "state": "pending", "awaiting_confirmation": True,
        "message": "Đang chờ xác nhận từ cổng thanh toán. Trang này sẽ tự cập nhật khi có xác nhận.",
    }
    bad = client.get("/api/v1/payments/return", gateway_result(attempt, secret="x"))
    assert bad.status_code == 400 and bad.json()["verified"] is False
    assert state_of(attempt) == ("pending", "pending")


def test_a_failed_return_without_ipn_shows_what_the_gateway_said_but_waits(client, attempt):
    response = client.get(RETURN, gateway_result(attempt, response_code="24", status="02"))
    text = response.content.decode()
    assert "Đang chờ xác nhận" in text and "Khách hàng hủy giao dịch" in text
    assert state_of(attempt) == ("pending", "pending")

"""Fixtures of the payments tests: a fee asked of An by ward Ba Đình, her first trip to the gateway, and a signed
gateway result as the sandbox (or VNPAY) would send it."""

from __future__ import annotations

import pytest
from django.conf import settings

from smartcity.payments import services, vnpay
from smartcity.payments.services import FeeItem

REFERENCE = "000.01.50.H26-261123-0001"
IPN = "/api/v1/payments/ipn"


@pytest.fixture
def agency(ba_dinh):
    from smartcity.agencies.services import commune_committee

    return commune_committee(ba_dinh)


@pytest.fixture
def payment(an, agency):
    return services.request_payment(reference=REFERENCE, purpose="Lệ phí đăng ký khai sinh", payer=an.person,
                                    agency=agency, stage="receipt",
                                    items=[FeeItem("Lệ phí đăng ký khai sinh", 50_000)])


@pytest.fixture
def attempt(payment, an):
    return services.start_checkout(user=an, code=payment.code, ip="10.0.0.7")


def gateway_result(attempt, *, response_code="00", status="00", amount=None, secret=None, **extra) -> dict:
    """The signed parameters of an IPN or a browser return for ``attempt``."""
    params = {
        "vnp_TmnCode": settings.PAYMENT_GATEWAY_TMN_CODE,
        "vnp_Amount": str((attempt.payment.amount if amount is None else amount) * 100),
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP14000001",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": "Thanh toan le phi",
        "vnp_PayDate": "20261123101500",
        "vnp_ResponseCode": response_code,
        "vnp_TransactionNo": "14000001",
        "vnp_TransactionStatus": status,
        "vnp_TxnRef": attempt.txn_ref,
        **extra,
    }
    params["vnp_SecureHash"] = vnpay.sign(params, secret or settings.PAYMENT_GATEWAY_HASH_SECRET)
    return params

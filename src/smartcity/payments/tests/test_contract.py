"""The adapter speaks VNPAY's v2.1.0 contract exactly: the signed text, the payment URL's parameters, the amount × 100,
times in GMT+7, and querydr's pipe-joined signature."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

import pytest

from smartcity.payments import gateways, vnpay

pytestmark = pytest.mark.django_db

# The example payment URL of VNPAY's integration guide (its hash secret is not published, so only the text it signs
# can be compared): parameters sorted by name, values form-encoded (space as "+", ":" and "/" escaped).
DOCUMENTED = (
    "vnp_Amount=1806000&vnp_Command=pay&vnp_CreateDate=20210801153333&vnp_CurrCode=VND&vnp_IpAddr=127.0.0.1"
    "&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+don+hang+%3A5&vnp_OrderType=other"
    "&vnp_ReturnUrl=https%3A%2F%2Fdomainmerchant.vn%2FReturnUrl&vnp_TmnCode=DEMOV210&vnp_TxnRef=5&vnp_Version=2.1.0"
)


def test_the_signed_text_is_the_documented_query():
    params = dict(parse_qsl(DOCUMENTED))
    assert vnpay.canonical(dict(reversed(list(params.items())))) == DOCUMENTED


def test_the_signature_is_hmac_sha512_of_that_text_and_ignores_the_hash_fields():
    import hashlib
    import hmac

    params = dict(parse_qsl(DOCUMENTED))
    expected = hmac.new(b"SECRET", DOCUMENTED.encode(), hashlib.sha512).hexdigest()
    assert vnpay.sign(params, "SECRET") == expected
    signed = {**params, "vnp_SecureHash": expected.upper(), "vnp_SecureHashType": "HmacSHA512", "other": "x"}
    assert vnpay.verify(signed, "SECRET")
    assert not vnpay.verify({**signed, "vnp_Amount": "1806100"}, "SECRET")
    assert not vnpay.verify(signed, "OTHER")
    assert not vnpay.verify(params, "SECRET")


def test_the_payment_url_carries_every_parameter_of_the_contract(settings):
    created = dt.datetime(2026, 11, 23, 3, 4, 5, tzinfo=dt.UTC)
    url = gateways.get().checkout_url(txn_ref="TT261123ABCDEF01", amount=50_000, order_info="Thanh toan le phi",
                                      ip="10.0.0.7", created_at=created,
                                      expires_at=created + dt.timedelta(minutes=15),
                                      return_url="http://127.0.0.1:8000/thanh-toan/ket-qua/")
    assert url.startswith(settings.PAYMENT_GATEWAY_URL + "?")
    params = dict(parse_qsl(urlsplit(url).query))
    assert params == {
        "vnp_Version": "2.1.0", "vnp_Command": "pay", "vnp_TmnCode": settings.PAYMENT_GATEWAY_TMN_CODE,
        "vnp_Amount": "5000000", "vnp_CurrCode": "VND", "vnp_TxnRef": "TT261123ABCDEF01",
        "vnp_OrderInfo": "Thanh toan le phi", "vnp_OrderType": "other", "vnp_Locale": "vn",
        "vnp_ReturnUrl": "http://127.0.0.1:8000/thanh-toan/ket-qua/", "vnp_IpAddr": "10.0.0.7",
        "vnp_CreateDate": "20261123100405", "vnp_ExpireDate": "20261123101905",
        "vnp_SecureHash": params["vnp_SecureHash"],
    }
    assert len(params["vnp_SecureHash"]) == 128
    assert vnpay.verify(params, settings.PAYMENT_GATEWAY_HASH_SECRET)


def test_times_are_read_and_written_in_gmt_plus_7():
    moment = vnpay.parse_time("20261123000000")
    assert moment == dt.datetime(2026, 11, 22, 17, 0, tzinfo=dt.UTC)
    assert vnpay.format_time(moment) == "20261123000000"
    for bad in ["2026112300000", "2026-11-23 00", "20261332000000"]:
        with pytest.raises(ValueError):
            vnpay.parse_time(bad)


def test_querydr_signs_its_fields_joined_by_a_bar_in_the_documented_order():
    import hashlib
    import hmac

    body = {"vnp_RequestId": "r1", "vnp_Version": "2.1.0", "vnp_Command": "querydr", "vnp_TmnCode": "T",
            "vnp_TxnRef": "X1", "vnp_TransactionDate": "20261123100000", "vnp_CreateDate": "20261123100500",
            "vnp_IpAddr": "127.0.0.1", "vnp_OrderInfo": "Q"}
    text = "r1|2.1.0|querydr|T|X1|20261123100000|20261123100500|127.0.0.1|Q"
    assert vnpay.sign_fields(body, vnpay.QUERY_REQUEST_FIELDS, "S") == hmac.new(
        b"S", text.encode(), hashlib.sha512).hexdigest()
    # The answer's two promotion fields are signed as empty strings when absent.
    answer = {"vnp_ResponseId": "a", "vnp_Command": "querydr", "vnp_ResponseCode": "00"}
    assert vnpay.sign_fields(answer, vnpay.QUERY_RESPONSE_FIELDS, "S") == hmac.new(
        b"S", ("a|querydr|00" + "|" * 12).encode(), hashlib.sha512).hexdigest()

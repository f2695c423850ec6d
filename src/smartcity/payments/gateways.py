"""Payment gateways behind one small interface, chosen by name (``settings.PAYMENT_GATEWAY``).

``vnpay`` speaks VNPAY's v2.1.0 contract (``vnpay``) to whatever gateway ``PAYMENT_GATEWAY_URL`` names: the
platform's own sandbox in the demo and the tests, the real gateway in production. Settings are read on every call, so
a deployment (or a test) switches gateway without a restart of this module.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

import requests
from django.conf import settings
from django.utils import timezone

from smartcity.payments import vnpay


class GatewayError(Exception):
    """The gateway could not be reached or answered something we cannot use."""


class BadSignature(Exception):
    """The message is not signed with our terminal's secret (or is signed for another terminal)."""


class BadMessage(Exception):
    """The message is signed but does not carry what the contract requires."""


@dataclass(frozen=True)
class Outcome:
    """The gateway's signed word on one transaction: from an IPN, a browser return or a status query."""

    txn_ref: str
    amount_x100: int  # as the gateway wrote it (VND × 100)
    response_code: str
    transaction_status: str
    transaction_no: str = ""
    bank_code: str = ""
    pay_date: dt.datetime | None = None

    @property
    def succeeded(self) -> bool:
        return self.response_code == vnpay.SUCCESS and self.transaction_status == vnpay.SUCCESS

    @property
    def unfinished(self) -> bool:
        """The payer has not finished yet (querydr's "01"): nothing to record."""
        return self.transaction_status == "01"


class Gateway:
    name = ""

    def checkout_url(self, *, txn_ref: str, amount: int, order_info: str, ip: str, created_at: dt.datetime,
                     expires_at: dt.datetime, return_url: str) -> str:
        raise NotImplementedError

    def read_notification(self, params: Mapping[str, str]) -> Outcome:
        """Verify and read an IPN or a browser return. ``BadSignature`` / ``BadMessage`` when it is not one."""
        raise NotImplementedError

    def query(self, *, txn_ref: str, created_at: dt.datetime, order_info: str) -> Outcome | None:
        """Ask the gateway what became of ``txn_ref``; None when it has no such transaction."""
        raise NotImplementedError

    def fetch_report(self, day: dt.date) -> str:
        """The gateway's report of ``day`` as CSV text (format in ``report``), its signature checked."""
        raise NotImplementedError


class VnpayGateway(Gateway):
    name = "vnpay"

    @property
    def tmn_code(self) -> str:
        return settings.PAYMENT_GATEWAY_TMN_CODE

    @property
    def secret(self) -> str:
        return settings.PAYMENT_GATEWAY_HASH_SECRET

    def checkout_url(self, *, txn_ref: str, amount: int, order_info: str, ip: str, created_at: dt.datetime,
                     expires_at: dt.datetime, return_url: str) -> str:
        params = {
            "vnp_Version": vnpay.VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(amount * 100),
            "vnp_CurrCode": vnpay.CURRENCY,
            "vnp_TxnRef": txn_ref,
            "vnp_OrderInfo": order_info,
            "vnp_OrderType": "other",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": ip,
            "vnp_CreateDate": vnpay.format_time(created_at),
            "vnp_ExpireDate": vnpay.format_time(expires_at),
        }
        return f"{settings.PAYMENT_GATEWAY_URL}?{vnpay.signed_query(params, self.secret)}"

    def read_notification(self, params: Mapping[str, str]) -> Outcome:
        if not vnpay.verify(params, self.secret):
            raise BadSignature("Sai chữ ký (vnp_SecureHash)")
        if params.get("vnp_TmnCode") != self.tmn_code:
            raise BadSignature("Mã website (vnp_TmnCode) không phải của nền tảng")
        return self._outcome(params)

    def _outcome(self, params: Mapping[str, str]) -> Outcome:
        txn_ref, amount = params.get("vnp_TxnRef") or "", params.get("vnp_Amount") or ""
        response_code, status = params.get("vnp_ResponseCode") or "", params.get("vnp_TransactionStatus") or ""
        if not txn_ref:
            raise BadMessage("Thiếu vnp_TxnRef")
        if not amount.isdigit():
            raise BadMessage("vnp_Amount không hợp lệ")
        if len(response_code) != 2 or len(status) != 2:
            raise BadMessage("Thiếu vnp_ResponseCode hoặc vnp_TransactionStatus")
        pay_date = None
        if params.get("vnp_PayDate"):
            try:
                pay_date = vnpay.parse_time(params["vnp_PayDate"])
            except ValueError:
                raise BadMessage("vnp_PayDate không hợp lệ") from None
        return Outcome(txn_ref=txn_ref, amount_x100=int(amount), response_code=response_code,
                       transaction_status=status, transaction_no=params.get("vnp_TransactionNo") or "",
                       bank_code=params.get("vnp_BankCode") or "", pay_date=pay_date)

    def query(self, *, txn_ref: str, created_at: dt.datetime, order_info: str) -> Outcome | None:
        body = {
            "vnp_RequestId": secrets.token_hex(16),
            "vnp_Version": vnpay.VERSION,
            "vnp_Command": "querydr",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": txn_ref,
            "vnp_OrderInfo": order_info,
            "vnp_TransactionDate": vnpay.format_time(created_at),
            "vnp_CreateDate": vnpay.format_time(timezone.now()),
            "vnp_IpAddr": "127.0.0.1",
        }
        body["vnp_SecureHash"] = vnpay.sign_fields(body, vnpay.QUERY_REQUEST_FIELDS, self.secret)
        try:
            response = requests.post(settings.PAYMENT_GATEWAY_API_URL, json=body, timeout=10)
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise GatewayError(f"Không truy vấn được cổng thanh toán: {exc.__class__.__name__}") from None
        if not isinstance(answer, dict):
            raise GatewayError("Cổng thanh toán trả lời không đúng định dạng")
        answer = {key: str(value) for key, value in answer.items()}
        if not vnpay.verify_fields(answer, vnpay.QUERY_RESPONSE_FIELDS, self.secret):
            raise GatewayError("Câu trả lời truy vấn sai chữ ký")
        if answer.get("vnp_ResponseCode") == vnpay.QUERY_NOT_FOUND:
            return None
        if answer.get("vnp_ResponseCode") != vnpay.QUERY_FOUND or answer.get("vnp_TxnRef") != txn_ref:
            raise GatewayError(f"Cổng thanh toán từ chối truy vấn (mã {answer.get('vnp_ResponseCode')})")
        try:
            return self._outcome({**answer, "vnp_ResponseCode": answer.get("vnp_TransactionStatus", "")})
        except BadMessage as exc:
            raise GatewayError(str(exc)) from None

    def fetch_report(self, day: dt.date) -> str:
        params = {"vnp_TmnCode": self.tmn_code, "vnp_ReportDate": day.strftime("%Y%m%d")}
        try:
            response = requests.get(f"{settings.PAYMENT_GATEWAY_REPORT_URL}?{vnpay.signed_query(params, self.secret)}",
                                    timeout=30)
        except requests.RequestException as exc:
            raise GatewayError(f"Không tải được báo cáo của cổng thanh toán: {exc.__class__.__name__}") from None
        if response.status_code != 200:
            raise GatewayError(f"Cổng thanh toán từ chối tải báo cáo: HTTP {response.status_code}")
        text = response.content.decode("utf-8")
        signature = response.headers.get("X-Vnp-SecureHash", "")
        if not signature or not secrets.compare_digest(signature.lower(), vnpay.sign_text(text, self.secret)):
            raise GatewayError("Báo cáo của cổng thanh toán sai chữ ký")
        return text


REGISTRY: dict[str, type[Gateway]] = {g.name: g for g in (VnpayGateway,)}


def get(name: str | None = None) -> Gateway:
    return REGISTRY[name or settings.PAYMENT_GATEWAY]()

"""VNPAY's payment gateway contract, version 2.1.0, spoken from both sides: the merchant adapter
(``gateways.VnpayGateway``) and the platform's sandbox gateway (``sandbox``) share these functions, so the two cannot
drift apart. Most Vietnamese gateways follow the same shape (signed redirect, signed return, signed IPN).

Source: VNPAY's published integration guide, "Cổng thanh toán VNPAY — PAY" (sandbox.vnpayment.vn/apis/docs/
thanh-toan-pay/pay.html) and "API querydr, refund" (.../truy-van-hoan-tien/querydr&refund.html):

* Payment URL, GET: ``vnp_Version=2.1.0``, ``vnp_Command=pay``, ``vnp_TmnCode`` (the merchant terminal),
  ``vnp_Amount`` (the amount in VND × 100, digits only), ``vnp_CurrCode=VND``, ``vnp_TxnRef`` (the merchant's order
  reference, unique), ``vnp_OrderInfo`` (unaccented text), ``vnp_OrderType``, ``vnp_Locale=vn``, ``vnp_ReturnUrl``,
  ``vnp_IpAddr`` (the payer's address), ``vnp_CreateDate`` and ``vnp_ExpireDate`` (``yyyyMMddHHmmss`` in GMT+7), and
  ``vnp_SecureHash``.
* ``vnp_SecureHash`` is the hex HMAC-SHA512, keyed with the terminal's hash secret, of every ``vnp_*`` parameter
  except ``vnp_SecureHash`` and ``vnp_SecureHashType``, sorted by name, each written ``name=value`` with the value
  form-encoded (space as ``+``), joined with ``&``.
* The browser return (``vnp_ReturnUrl``) and the IPN (server to server, GET to the URL registered for the terminal)
  carry the same signed parameters: ``vnp_TmnCode``, ``vnp_Amount``, ``vnp_BankCode``, ``vnp_BankTranNo``,
  ``vnp_CardType``, ``vnp_OrderInfo``, ``vnp_PayDate``, ``vnp_ResponseCode``, ``vnp_TransactionNo``,
  ``vnp_TransactionStatus``, ``vnp_TxnRef``. Paid means ``vnp_ResponseCode`` = ``vnp_TransactionStatus`` = ``00``.
* The merchant answers an IPN with JSON ``{"RspCode": ..., "Message": ...}``: ``00`` confirmed, ``01`` order not
  found, ``02`` order already confirmed, ``04`` invalid amount, ``97`` invalid signature, ``99`` other error.
* querydr: POST JSON to the gateway's API URL; its ``vnp_SecureHash`` is the HMAC-SHA512 of the fields of
  ``QUERY_REQUEST_FIELDS`` joined with ``|``, and the answer is signed the same way over ``QUERY_RESPONSE_FIELDS``
  (absent fields count as empty). Its ``vnp_ResponseCode`` is ``00`` found, ``91`` not found, ``97`` bad signature.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

VERSION = "2.1.0"
CURRENCY = "VND"
GMT7 = ZoneInfo("Asia/Ho_Chi_Minh")  # the contract's time zone (UTC+7, no daylight saving)
TIME_FORMAT = "%Y%m%d%H%M%S"
HASH_FIELDS = ("vnp_SecureHash", "vnp_SecureHashType")

SUCCESS = "00"
# vnp_ResponseCode of the payment (pay.html, "Bảng mã lỗi").
RESPONSE_CODES = {
    "00": "Giao dịch thành công",
    "07": "Trừ tiền thành công. Giao dịch bị nghi ngờ (liên quan tới lừa đảo, giao dịch bất thường)",
    "09": "Thẻ/Tài khoản của khách hàng chưa đăng ký dịch vụ InternetBanking tại ngân hàng",
    "10": "Khách hàng xác thực thông tin thẻ/tài khoản không đúng quá 3 lần",
    "11": "Đã hết hạn chờ thanh toán",
    "12": "Thẻ/Tài khoản của khách hàng bị khóa",
    "13": "Khách hàng nhập sai mật khẩu xác thực giao dịch (OTP)",
    "24": "Khách hàng hủy giao dịch",
    "51": "Tài khoản của khách hàng không đủ số dư để thực hiện giao dịch",
    "65": "Tài khoản của khách hàng đã vượt quá hạn mức giao dịch trong ngày",
    "75": "Ngân hàng thanh toán đang bảo trì",
    "79": "Khách hàng nhập sai mật khẩu thanh toán quá số lần quy định",
    "99": "Các lỗi khác",
}
# vnp_TransactionStatus.
TRANSACTION_STATUSES = {"00": "Giao dịch thành công", "01": "Giao dịch chưa hoàn tất", "02": "Giao dịch bị lỗi"}

QUERY_REQUEST_FIELDS = (
    "vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef", "vnp_TransactionDate",
    "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo",
)
QUERY_RESPONSE_FIELDS = (
    "vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode", "vnp_TxnRef", "vnp_Amount",
    "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo", "vnp_TransactionType", "vnp_TransactionStatus",
    "vnp_OrderInfo", "vnp_PromotionCode", "vnp_PromotionAmount",
)
QUERY_FOUND, QUERY_NOT_FOUND, QUERY_BAD_SIGNATURE, QUERY_OTHER = "00", "91", "97", "99"


@dataclass(frozen=True)
class IpnAnswer:
    """What the merchant answers the gateway's IPN (``RspCode``, ``Message``)."""

    code: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"RspCode": self.code, "Message": self.message}


CONFIRMED = IpnAnswer("00", "Confirm Success")
ORDER_NOT_FOUND = IpnAnswer("01", "Order not found")
ALREADY_CONFIRMED = IpnAnswer("02", "Order already confirmed")
INVALID_AMOUNT = IpnAnswer("04", "Invalid amount")
INVALID_SIGNATURE = IpnAnswer("97", "Invalid signature")
UNKNOWN_ERROR = IpnAnswer("99", "Unknown error")


def format_time(moment: dt.datetime) -> str:
    """``yyyyMMddHHmmss`` in GMT+7."""
    return moment.astimezone(GMT7).strftime(TIME_FORMAT)


def parse_time(text: str) -> dt.datetime:
    """An aware datetime from ``yyyyMMddHHmmss`` in GMT+7 (``ValueError`` when malformed)."""
    if len(text) != 14 or not text.isdigit():
        raise ValueError(text)
    return dt.datetime.strptime(text, TIME_FORMAT).replace(tzinfo=GMT7)


def canonical(params: Mapping[str, object]) -> str:
    """The signed text: the ``vnp_*`` parameters but the hash ones, sorted, ``name=value`` form-encoded, joined by &."""
    return "&".join(
        f"{quote_plus(name)}={quote_plus(str(value))}"
        for name, value in sorted(params.items())
        if name.startswith("vnp_") and name not in HASH_FIELDS
    )


def _hmac(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha512).hexdigest()


def sign(params: Mapping[str, object], secret: str) -> str:
    return _hmac(secret, canonical(params))


def signed_query(params: Mapping[str, object], secret: str) -> str:
    """The query string the contract sends: the canonical text followed by its ``vnp_SecureHash``."""
    return f"{canonical(params)}&vnp_SecureHash={sign(params, secret)}"


def verify(params: Mapping[str, object], secret: str) -> bool:
    """True when ``vnp_SecureHash`` is the HMAC of the other ``vnp_*`` parameters (compared in constant time)."""
    received = str(params.get("vnp_SecureHash") or "").lower()
    return bool(received) and hmac.compare_digest(received, sign(params, secret))


def sign_fields(params: Mapping[str, object], fields: Sequence[str], secret: str) -> str:
    """querydr's signature: the values of ``fields`` in that order (absent ones empty) joined by ``|``."""
    return _hmac(secret, "|".join(str(params.get(name, "") or "") for name in fields))


def verify_fields(params: Mapping[str, object], fields: Sequence[str], secret: str) -> bool:
    received = str(params.get("vnp_SecureHash") or "").lower()
    return bool(received) and hmac.compare_digest(received, sign_fields(params, fields, secret))


def sign_text(text: str, secret: str) -> str:
    """The signature of a whole document (the daily report)."""
    return _hmac(secret, text)


def response_message(code: str) -> str:
    return RESPONSE_CODES.get(code, RESPONSE_CODES["99"])

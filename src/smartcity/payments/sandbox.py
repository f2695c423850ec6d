"""The sandbox gateway: the platform plays the payment gateway for the demo and the tests, speaking exactly VNPAY's
v2.1.0 contract from the gateway's side (``vnpay``), so the merchant adapter cannot tell it from a real one.

* ``/thanh-toan/sandbox/paymentv2/vpcpay.html`` — the payment page: checks the merchant's signed query, then lets the
  payer choose to pay, to fail (insufficient balance, code 51) or to cancel (code 24);
* on the choice it records the transaction in its own ledger (``SandboxTransaction``), sends the signed IPN to the
  terminal's registered IPN URL (``PAYMENT_SANDBOX_IPN_URL``: in process, or over HTTP), and only then redirects the
  browser to ``vnp_ReturnUrl`` with the signed result — as a real gateway does;
* ``.../merchant_webapi/api/transaction`` — the querydr status API (POST JSON);
* ``/thanh-toan/sandbox/doi-soat.csv`` — the daily report (format in ``report``).

It serves one terminal: ``PAYMENT_GATEWAY_TMN_CODE`` with ``PAYMENT_GATEWAY_HASH_SECRET``. Served only when
``PAYMENT_SANDBOX_ENABLED``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.test import RequestFactory
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from smartcity.audit.middleware import RequestContextMiddleware
from smartcity.payments import report, vnpay
from smartcity.payments.models import SandboxTransaction

log = logging.getLogger("smartcity.payments.sandbox")

_TXN_REF = re.compile(r"^[A-Za-z0-9]{1,100}$")
# The payer's choices: (vnp_ResponseCode, vnp_TransactionStatus).
CHOICES = {"pay": ("00", "00"), "fail": ("51", "02"), "cancel": ("24", "02")}
_FIRST_TRANSACTION_NO = 14_000_000


class Refused(Exception):
    pass


def _enabled() -> None:
    if not settings.PAYMENT_SANDBOX_ENABLED:
        raise Http404("Cổng thanh toán thử nghiệm không được bật")


def _terminal() -> tuple[str, str]:
    return settings.PAYMENT_GATEWAY_TMN_CODE, settings.PAYMENT_GATEWAY_HASH_SECRET


def _check_payment_request(params: dict[str, str]) -> None:
    """What the gateway checks before showing its page (``Refused`` with the reason)."""
    tmn_code, secret = _terminal()
    if not vnpay.verify(params, secret):
        raise Refused("Sai chữ ký (vnp_SecureHash)")
    expected = {"vnp_Version": vnpay.VERSION, "vnp_Command": "pay", "vnp_CurrCode": vnpay.CURRENCY,
                "vnp_TmnCode": tmn_code}
    for name, value in expected.items():
        if params.get(name) != value:
            raise Refused(f"{name} phải là {value}")
    amount = params.get("vnp_Amount", "")
    if not amount.isdigit() or int(amount) <= 0 or int(amount) % 100 or len(amount) > 12:
        raise Refused("vnp_Amount không hợp lệ (số tiền × 100, tối đa 12 chữ số)")
    if not _TXN_REF.match(params.get("vnp_TxnRef", "")):
        raise Refused("vnp_TxnRef không hợp lệ")
    if urlsplit(params.get("vnp_ReturnUrl", "")).scheme not in ("http", "https"):
        raise Refused("vnp_ReturnUrl không hợp lệ")
    for name in ("vnp_OrderInfo", "vnp_IpAddr", "vnp_OrderType", "vnp_Locale"):
        if not params.get(name):
            raise Refused(f"Thiếu {name}")
    try:
        vnpay.parse_time(params.get("vnp_CreateDate", ""))
        expires = vnpay.parse_time(params.get("vnp_ExpireDate", ""))
    except ValueError:
        raise Refused("vnp_CreateDate / vnp_ExpireDate phải có dạng yyyyMMddHHmmss (GMT+7)") from None
    if expires <= timezone.now():
        raise Refused("Giao dịch đã quá thời gian chờ thanh toán (vnp_ExpireDate)")


@require_GET
def pay_page(request: HttpRequest) -> HttpResponse:
    """The gateway's payment page for a signed payment URL."""
    _enabled()
    params = {key: value for key, value in request.GET.items()}
    try:
        _check_payment_request(params)
        txn = _open_transaction(params)
    except Refused as exc:
        return render(request, "payments/sandbox/error.html", {"reason": str(exc)}, status=400)
    return render(request, "payments/sandbox/pay.html", {"txn": txn, "amount": txn.amount})


def _open_transaction(params: dict[str, str]) -> SandboxTransaction:
    created = vnpay.parse_time(params["vnp_CreateDate"])
    with transaction.atomic():
        txn = SandboxTransaction.objects.select_for_update().filter(
            tmn_code=params["vnp_TmnCode"], txn_ref=params["vnp_TxnRef"]).first()
        if txn is not None:
            if txn.status != "01" or txn.amount * 100 != int(params["vnp_Amount"]):
                raise Refused("Mã giao dịch (vnp_TxnRef) đã được sử dụng")
            return txn  # the payer came back to an unfinished transaction
        return SandboxTransaction.objects.create(
            tmn_code=params["vnp_TmnCode"], txn_ref=params["vnp_TxnRef"], token=secrets.token_hex(16),
            amount=int(params["vnp_Amount"]) // 100, order_info=params["vnp_OrderInfo"][:255],
            return_url=params["vnp_ReturnUrl"], ip=params["vnp_IpAddr"][:45],
            create_date=params["vnp_CreateDate"], day=created.date(),
            expires_at=vnpay.parse_time(params["vnp_ExpireDate"]),
        )


def result_params(txn: SandboxTransaction) -> dict[str, str]:
    """The parameters of the return URL and the IPN (unsigned)."""
    return {
        "vnp_TmnCode": txn.tmn_code,
        "vnp_Amount": str(txn.amount * 100),
        "vnp_BankCode": txn.bank_code,
        "vnp_BankTranNo": f"VNP{txn.transaction_no}" if txn.status == "00" else "",
        "vnp_CardType": txn.card_type,
        "vnp_OrderInfo": txn.order_info,
        "vnp_PayDate": txn.pay_date,
        "vnp_ResponseCode": txn.response_code,
        "vnp_TransactionNo": txn.transaction_no,
        "vnp_TransactionStatus": txn.status,
        "vnp_TxnRef": txn.txn_ref,
    }


def _signed_result(txn: SandboxTransaction) -> str:
    return vnpay.signed_query(result_params(txn), _terminal()[1])


@require_POST
def complete(request: HttpRequest, token: str) -> HttpResponse:
    """The payer's choice: record it, notify the merchant (IPN) and send the browser back."""
    _enabled()
    choice = request.POST.get("outcome", "")
    if choice not in CHOICES:
        return render(request, "payments/sandbox/error.html", {"reason": "Lựa chọn không hợp lệ"}, status=400)
    with transaction.atomic():
        txn = SandboxTransaction.objects.select_for_update().filter(token=token).first()
        if txn is None:
            raise Http404("Không có giao dịch")
        if txn.status != "01":
            return render(request, "payments/sandbox/error.html", {"reason": "Giao dịch đã kết thúc"}, status=409)
        response_code, status = CHOICES[choice]
        if txn.expires_at <= timezone.now():
            response_code, status = "11", "02"  # the payer took too long
        now = timezone.now()
        txn.response_code, txn.status = response_code, status
        txn.transaction_no = str(_FIRST_TRANSACTION_NO + txn.pk)
        txn.bank_code, txn.card_type = "NCB", "ATM"
        txn.pay_date = vnpay.format_time(now)
        txn.save()
    query = _signed_result(txn)
    txn.ipn_answer = deliver_ipn(query)
    txn.save(update_fields=["ipn_answer"])
    separator = "&" if "?" in txn.return_url else "?"
    return HttpResponseRedirect(f"{txn.return_url}{separator}{query}")


def deliver_ipn(query: str) -> str:
    """GET the terminal's IPN URL with the signed result; the merchant's RspCode ("" when it did not answer)."""
    url = settings.PAYMENT_SANDBOX_IPN_URL
    try:
        if settings.PAYMENT_SANDBOX_IPN_DELIVERY == "http":
            answer = requests.get(f"{url}?{query}", timeout=10).json()
        else:
            path = urlsplit(url).path
            match = resolve(path)
            ipn = RequestFactory().get(f"{path}?{query}", REMOTE_ADDR="127.0.0.1")
            view = RequestContextMiddleware(lambda req: match.func(req, *match.args, **match.kwargs))
            answer = json.loads(view(ipn).content)
    except (requests.RequestException, ValueError, Resolver404) as exc:
        log.warning("sandbox IPN to %s not delivered: %s", url, exc.__class__.__name__)
        return ""
    return str(answer.get("RspCode", ""))[:2] if isinstance(answer, dict) else ""


@csrf_exempt
@require_POST
def querydr(request: HttpRequest) -> JsonResponse:
    """The status API: POST JSON signed over ``QUERY_REQUEST_FIELDS``; the answer signed over the response fields."""
    _enabled()
    tmn_code, secret = _terminal()
    try:
        body = json.loads(request.body)
        if not isinstance(body, dict):
            raise ValueError
        body = {key: str(value) for key, value in body.items()}
    except ValueError:
        return _query_answer({"vnp_ResponseCode": "03", "vnp_Message": "Dữ liệu gửi sang không đúng định dạng"})
    if not vnpay.verify_fields(body, vnpay.QUERY_REQUEST_FIELDS, secret):
        return _query_answer({"vnp_ResponseCode": vnpay.QUERY_BAD_SIGNATURE, "vnp_Message": "Chữ ký không hợp lệ"})
    if body.get("vnp_Command") != "querydr" or body.get("vnp_TmnCode") != tmn_code:
        return _query_answer({"vnp_ResponseCode": "02", "vnp_Message": "Merchant không hợp lệ"})
    txn = SandboxTransaction.objects.filter(tmn_code=tmn_code, txn_ref=body.get("vnp_TxnRef", "")).first()
    if txn is None:
        return _query_answer({"vnp_ResponseCode": vnpay.QUERY_NOT_FOUND, "vnp_Message": "Không tìm thấy giao dịch",
                              "vnp_TmnCode": tmn_code, "vnp_TxnRef": body.get("vnp_TxnRef", "")})
    return _query_answer({
        "vnp_ResponseCode": vnpay.QUERY_FOUND, "vnp_Message": "QueryDR Success", "vnp_TmnCode": tmn_code,
        "vnp_TxnRef": txn.txn_ref, "vnp_Amount": str(txn.amount * 100), "vnp_OrderInfo": txn.order_info,
        "vnp_BankCode": txn.bank_code, "vnp_PayDate": txn.pay_date, "vnp_TransactionNo": txn.transaction_no,
        "vnp_TransactionType": "01", "vnp_TransactionStatus": txn.status,
    })


def _query_answer(fields: dict[str, str]) -> JsonResponse:
    answer = {"vnp_ResponseId": secrets.token_hex(16), "vnp_Command": "querydr", **fields}
    answer["vnp_SecureHash"] = vnpay.sign_fields(answer, vnpay.QUERY_RESPONSE_FIELDS, _terminal()[1])
    return JsonResponse(answer)


def report_of(day: dt.date, tmn_code: str | None = None) -> str:
    """The sandbox's report of ``day`` (every transaction it created that day, GMT+7)."""
    rows = SandboxTransaction.objects.filter(tmn_code=tmn_code or _terminal()[0], day=day).order_by("id")
    return report.render(report.Row(t.txn_ref, t.amount, t.status, t.transaction_no, t.pay_date) for t in rows)


@require_GET
def daily_report(request: HttpRequest) -> HttpResponse:
    """The daily report for the terminal, for a signed request; the body's signature in ``X-Vnp-SecureHash``."""
    _enabled()
    tmn_code, secret = _terminal()
    params = {key: value for key, value in request.GET.items()}
    if not vnpay.verify(params, secret) or params.get("vnp_TmnCode") != tmn_code:
        return HttpResponse("Chữ ký không hợp lệ", status=403, content_type="text/plain; charset=utf-8")
    try:
        day = dt.datetime.strptime(params.get("vnp_ReportDate", ""), "%Y%m%d").date()
    except ValueError:
        return HttpResponse("vnp_ReportDate phải có dạng yyyyMMdd", status=400,
                            content_type="text/plain; charset=utf-8")
    text = report_of(day, tmn_code)
    response = HttpResponse(text.encode(), content_type="text/csv; charset=utf-8")
    response["X-Vnp-SecureHash"] = vnpay.sign_text(text, secret)
    return response

"""Payments API: a payer starts paying and reads the status; staff of the collecting agency read, cancel, refund;
the gateway's IPN (no session, no CSRF: it is verified by its signature); the browser-return check; the payer's
receipt; reconciliation for city administrators."""

from __future__ import annotations

import datetime as dt
import logging

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from smartcity.lib import ratelimit
from smartcity.lib.contract import SIGNED_IN, ErrorsOut, errors, session_auth
from smartcity.payments import services, vnpay
from smartcity.payments.schemas import (
    CheckoutOut,
    IpnOut,
    PaymentOut,
    ReasonIn,
    ReconcileIn,
    ReconciliationOut,
    ReturnOut,
)

router = Router(auth=session_auth)
_PDF = {"responses": {200: {"description": "The receipt (PDF)",
                            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}}
log = logging.getLogger("smartcity.payments")


def _params(request: HttpRequest) -> dict[str, str]:
    source = request.POST if request.method == "POST" else request.GET
    return {key: value for key, value in source.items()}


@router.api_operation(["GET", "POST"], "/ipn", auth=None, response=IpnOut,
                      summary="Gateway IPN (VNPAY v2.1.0: signed query; answers RspCode/Message)")
def ipn(request: HttpRequest) -> dict[str, str]:
    """Server to server. Always HTTP 200 with ``{"RspCode", "Message"}``: 00 confirmed, 01 order not found, 02
    already confirmed, 04 invalid amount, 97 invalid signature, 99 other error."""
    try:
        return services.handle_ipn(_params(request), address=ratelimit.client_address(request)).as_json()
    except Exception:  # noqa: BLE001 - the gateway gets "99" and retries; the error is logged
        log.exception("IPN failed")
        return vnpay.UNKNOWN_ERROR.as_json()


@router.get("/return", auth=None, response={200: ReturnOut, 400: ReturnOut, 429: ErrorsOut, 503: ErrorsOut},
            summary="Check a browser return from the gateway")
@ratelimit.limit_operation("payment_return")
def browser_return(request: HttpRequest) -> Status:
    """What the return page shows, as JSON. Never marks a payment paid: only the IPN or a status query does."""
    result = services.read_return(_params(request), address=ratelimit.client_address(request))
    body = ReturnOut(verified=result.verified, message=result.message,
                     code=result.payment.code if result.payment else None,
                     state=result.payment.state if result.payment else None,
                     awaiting_confirmation=result.awaiting_confirmation)
    return Status(200 if result.verified else 400, body)


@router.get("", response={200: list[PaymentOut], **errors(401)},
            summary="Payments I may see (payer: mine; staff: my agency's)")
def list_payments(request: HttpRequest,
                  reference: str | None = Query(None, max_length=64)) -> list:  # noqa: B008 — ninja's style
    payments = services.visible_payments(request.user)
    if reference:
        payments = payments.filter(reference=reference)
    return list(payments[:200])


@router.get("/reconciliations", response={200: list[ReconciliationOut], **errors(400, 401, 403)},
            summary="Reconciliation runs (city administrator)")
def list_reconciliations(request: HttpRequest, date: dt.date | None = None) -> list:
    return list(services.reconciliations(user=request.user, day=date)[:100])


@router.post("/reconciliations", response={201: ReconciliationOut, **errors(400, SIGNED_IN, 502)},
             summary="Reconcile a day against the gateway's report (city administrator)")
def run_reconciliation(request: HttpRequest, payload: ReconcileIn) -> Status:
    return Status(201, services.reconcile(day=payload.date, report_csv=payload.report_csv, actor=request.user))


@router.get("/{code}", response={200: PaymentOut, **errors(401, 404)},
            summary="A payment's status (payer, or staff of the collecting agency)")
def detail(request: HttpRequest, code: str) -> object:
    return services.get_payment_for(request.user, code)


@router.post("/{code}/checkout", response={201: CheckoutOut, **errors(400, SIGNED_IN, 404, 409)},
             summary="Start paying (payer): the signed gateway URL to redirect the browser to")
def checkout(request: HttpRequest, code: str) -> Status:
    attempt = services.start_checkout(user=request.user, code=code, ip=request.META.get("REMOTE_ADDR"))
    return Status(201, attempt)


@router.post("/{code}/cancel", response={200: PaymentOut, **errors(400, SIGNED_IN, 404, 409)},
             summary="Cancel a payment request (staff of the agency)")
def cancel(request: HttpRequest, code: str, payload: ReasonIn) -> object:
    return services.cancel_payment(code=code, actor=request.user, reason=payload.reason)


@router.post("/{code}/refund", response={200: PaymentOut, **errors(400, SIGNED_IN, 404, 409)},
             summary="Record a refund (agency administrator or city administrator)")
def refund(request: HttpRequest, code: str, payload: ReasonIn) -> object:
    return services.refund_payment(code=code, actor=request.user, reason=payload.reason)


@router.get("/{code}/receipt.pdf", response=errors(401, 404), openapi_extra=_PDF,
            summary="The electronic receipt (payer only; PDF)")
def receipt(request: HttpRequest, code: str) -> HttpResponse:
    filename, pdf = services.receipt_for(user=request.user, code=code)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response

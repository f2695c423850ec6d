"""Pages of payments: my payments, one payment with its "pay" button, the gateway's return page, the receipt, and the
reconciliation runs for city administrators. Thin: every decision is in ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from smartcity.lib import ratelimit
from smartcity.lib.errors import Forbidden, NotFound, ServiceError
from smartcity.payments import services
from smartcity.payments.models import State


@login_required
def my_payments(request: HttpRequest) -> HttpResponse:
    payments = services.visible_payments(request.user)[:200]
    return render(request, "payments/list.html", {"payments": payments})


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        payment = services.get_payment_for(request.user, code)
    except NotFound:
        raise Http404 from None
    is_payer = payment.payer_id == getattr(request.user, "person_id", None)
    return render(request, "payments/detail.html", {
        "payment": payment,
        "can_pay": is_payer and payment.state in (State.CREATED, State.PENDING, State.FAILED),
        "has_receipt": is_payer and payment.state in (State.SUCCEEDED, State.REFUNDED),
    })


@login_required
@require_POST
def checkout(request: HttpRequest, code: str) -> HttpResponse:
    try:
        attempt = services.start_checkout(user=request.user, code=code, ip=request.META.get("REMOTE_ADDR"))
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("payments:detail", code=code)
    return redirect(attempt.url)


@login_required
def receipt(request: HttpRequest, code: str) -> HttpResponse:
    try:
        filename, pdf = services.receipt_for(user=request.user, code=code)
    except NotFound:
        raise Http404 from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@ratelimit.rate_limit("payment_return")
def gateway_return(request: HttpRequest) -> HttpResponse:
    """Where the gateway sends the browser back (vnp_ReturnUrl). Shows what the platform knows; the payment is
    confirmed only by the gateway's IPN (or a status query), so until then it says "awaiting confirmation"."""
    result = services.read_return({key: value for key, value in request.GET.items()},
                                  address=ratelimit.client_address(request))
    return render(request, "payments/return.html", {"result": result, "payment": result.payment},
                  status=200 if result.verified else 400)


@login_required
def reconciliations(request: HttpRequest) -> HttpResponse:
    try:
        runs = list(services.reconciliations(user=request.user)[:60])
    except Forbidden:
        raise Http404 from None
    return render(request, "payments/reconciliations.html", {"runs": runs})

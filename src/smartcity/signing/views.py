"""Pages of the signing app: the public verification page, the demo CA's CRL and root certificate, and the demo
timestamp authority. Thin: everything goes through ``services`` (and ``tsa`` for the RFC 3161 wire format)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from smartcity.lib import ratelimit
from smartcity.lib.errors import Invalid, NotFound, ServiceError
from smartcity.signing import services, tsa


@require_http_methods(["GET", "POST"])
@ratelimit.rate_limit("signature_verify", methods=("POST",))
def verify_page(request: HttpRequest) -> HttpResponse:
    report = error = None
    upload = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise Invalid(_("Hãy chọn một tệp PDF để kiểm tra."), field="file")
            services.check_size(upload.size)
            report = services.verify(upload.read(), user=request.user, filename=upload.name or "")
        except ServiceError as exc:
            error = exc
    return render(request, "signing/verify.html", {
        "report": report, "error": error, "filename": upload.name if upload else "",
        "max_mb": settings.SMARTCITY_SIGNING_MAX_UPLOAD_MB, "root": services.demo_root(),
    }, status=error.status if error else 200)


def crl(request: HttpRequest, serial: str) -> HttpResponse:
    try:
        data = services.crl_for_serial(serial)
    except NotFound:
        raise Http404 from None
    return HttpResponse(data, content_type="application/pkix-crl")


def ca_certificate(request: HttpRequest, serial: str) -> HttpResponse:
    try:
        data = services.ca_certificate_der(serial)
    except NotFound:
        raise Http404 from None
    response = HttpResponse(data, content_type="application/pkix-cert")
    response["Content-Disposition"] = f'attachment; filename="ca-{serial}.crt"'
    return response


@csrf_exempt  # RFC 3161 clients post a DER request with no cookie or token
@require_POST
def timestamp(request: HttpRequest) -> HttpResponse:
    """The demo CA's RFC 3161 timestamp authority over HTTP (RFC 3161 §3.4)."""
    if not settings.SMARTCITY_SIGNING_DEMO_CA:
        raise Http404
    if request.content_type != "application/timestamp-query":
        return HttpResponse("Content-Type must be application/timestamp-query", status=415,
                            content_type="text/plain")
    try:
        reply = tsa.respond(request.body)
    except ValueError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain")
    except tsa.NoAuthority as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain")
    return HttpResponse(reply, content_type="application/timestamp-reply")

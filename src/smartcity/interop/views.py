"""The authorization server's endpoints (token, revocation, RFC 8414 metadata) and the citizen's consent page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from smartcity.interop import oauth, services
from smartcity.lib.errors import ServiceError
from smartcity.lib.principal import is_citizen

_FORM_MAX = 16_384


def _oauth_error(exc: oauth.OAuthError) -> JsonResponse:
    response = JsonResponse({"error": exc.error, "error_description": exc.description}, status=exc.status,
                            json_dumps_params={"ensure_ascii": False})
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Basic realm="interop"'
    response["Cache-Control"] = "no-store"
    return response


def _form(request: HttpRequest) -> dict[str, str]:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = _FORM_MAX + 1
    if length > _FORM_MAX:
        raise oauth.OAuthError("invalid_request", "Yêu cầu quá lớn (request too large)")
    if request.content_type != "application/x-www-form-urlencoded":
        raise oauth.OAuthError("invalid_request", "Cần Content-Type application/x-www-form-urlencoded")
    return {k: v for k, v in request.POST.items()}


@csrf_exempt  # a machine-to-machine endpoint authenticated by the client's credentials, never by a cookie
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    try:
        issued = oauth.issue_token(_form(request), request.headers.get("Authorization", ""))
    except oauth.OAuthError as exc:
        return _oauth_error(exc)
    response = JsonResponse({"access_token": issued.access_token, "token_type": "Bearer",
                             "expires_in": issued.expires_in, "scope": " ".join(issued.scopes)})
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_POST
def revoke(request: HttpRequest) -> JsonResponse:
    try:
        oauth.revoke_token(_form(request), request.headers.get("Authorization", ""))
    except oauth.OAuthError as exc:
        return _oauth_error(exc)
    return JsonResponse({})


@require_GET
def metadata(request: HttpRequest) -> JsonResponse:
    return JsonResponse(oauth.metadata())


@never_cache
@login_required
def consents(request: HttpRequest) -> HttpResponse:
    if not is_citizen(request.user):
        return render(request, "interop/consents.html", {"rows": [], "not_citizen": True}, status=403)
    rows = services.consents_of(request.user)  # type: ignore[arg-type]
    return render(request, "interop/consents.html", {"rows": rows, "purposes": services.PURPOSES})


@login_required
@require_POST
def change_consent(request: HttpRequest, service: str) -> HttpResponse:
    give = request.POST.get("action") == "give"
    try:
        if give:
            services.give_consent(user=request.user, service_code=service)  # type: ignore[arg-type]
            messages.success(request, _("Đã đồng ý chia sẻ dữ liệu cho dịch vụ này."))
        else:
            services.withdraw_consent(user=request.user, service_code=service)  # type: ignore[arg-type]
            messages.success(request, _("Đã rút lại sự đồng ý. Các cơ quan không thể lấy dữ liệu này nữa."))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("interop:consents")

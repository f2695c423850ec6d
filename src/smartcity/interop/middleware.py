"""Bearer tokens for the e-government API (``/api/v1/…`` outside the gateway): the city's own integrations call
it without a browser session or a CSRF token.

A request to ``/api/v1/`` with ``Authorization: Bearer …`` acts as the client's ``service_user`` (a staff account:
the same permission checks as a person with that account), if the token carries ``api.read`` (GET, HEAD, OPTIONS)
or ``api.write`` (any other method). CSRF protects cookies, and a bearer token is not sent by a browser on its own,
so the CSRF check is off for such a request. A bad token is a 401, a missing scope a 403; neither falls back to a
session. Placed after AuthenticationMiddleware (it replaces ``request.user``) and before the audit context.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from smartcity.interop import oauth

_SAFE = ("GET", "HEAD", "OPTIONS")


def _error(status: int, code: str, message: str) -> JsonResponse:
    response = JsonResponse({"errors": [{"code": code, "message": message}]}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


class BearerTokenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if (header.startswith("Bearer ") and request.path.startswith("/api/v1/")
                and not request.path.startswith("/api/v1/interop/")):
            try:
                bearer = oauth.check_bearer(header)
            except oauth.TokenRefused as exc:
                return _error(401, "unauthenticated", str(exc))
            needed = oauth.API_READ if request.method in _SAFE else oauth.API_WRITE
            if needed not in bearer.scopes or bearer.client.service_user_id is None:
                return _error(403, "forbidden", f"Mã truy cập thiếu phạm vi {needed} (token lacks scope {needed})")
            request.user = bearer.client.service_user  # type: ignore[assignment]
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        return self.get_response(request)

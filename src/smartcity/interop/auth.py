"""Bearer authentication for the gateway routes (``/api/v1/interop/…``): a live token carrying the ``interop``
scope. A missing, unknown, expired or revoked token is a 401 that says which."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from smartcity.interop import oauth
from smartcity.lib.errors import ServiceError


class Unauthenticated(ServiceError):
    status = 401
    code = "unauthenticated"


class GatewayBearer(HttpBearer):
    def __call__(self, request: HttpRequest) -> oauth.Bearer | None:
        header = request.headers.get("Authorization", "")
        try:
            bearer = oauth.check_bearer(header)
        except oauth.TokenRefused as exc:
            raise Unauthenticated(str(exc)) from None
        if oauth.GATEWAY_SCOPE not in bearer.scopes:
            raise Unauthenticated("Mã truy cập không có phạm vi interop (token lacks the interop scope)")
        return bearer

    def authenticate(self, request: HttpRequest, token: str) -> oauth.Bearer | None:  # pragma: no cover — __call__
        return None


gateway_bearer = GatewayBearer()

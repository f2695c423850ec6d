from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from smartcity.audit.context import RequestContext, current


class RequestContextMiddleware:
    """Remembers the client address of the request being served so that audit entries can record it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current.set(RequestContext(ip=request.META.get("REMOTE_ADDR") or None))
        try:
            return self.get_response(request)
        finally:
            current.reset(token)

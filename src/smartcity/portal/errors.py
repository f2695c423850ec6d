"""The portal's error pages (400, 403, 404, 500), and the same pages in the demo.

Django renders ``400.html``… through the handlers below (wired in ``smartcity.urls``) when ``DEBUG`` is off. The demo
runs with ``DEBUG`` on (its defaults — the development identity provider, the payment sandbox, the demo CA — follow
it, and ``runserver`` serves the static files), and Django then shows its technical pages, with the traceback and
the settings, to anyone. ``PortalErrorPagesMiddleware`` shows the portal's pages instead while ``DEBUG`` is on,
unless a developer sets ``SMARTCITY_TECHNICAL_ERRORS=true``; the exception is still logged in full.

The 500 page needs neither the database nor the request's user: it is rendered from the settings alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.template import loader
from django.urls import Resolver404, get_resolver

from smartcity.portal.context_processors import city

log = logging.getLogger("django.request")


def _page(request: HttpRequest, status: int) -> HttpResponse:
    body = loader.render_to_string(f"{status}.html", {"portal_city": city(), "status": status}, request=request)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """No request context: no context processor runs, so no session, user or database is touched."""
    try:
        body = loader.render_to_string("500.html", {"portal_city": city(), "status": 500})
    except Exception:  # noqa: BLE001 - the error page itself must not fail
        log.exception("the 500 page could not be rendered")
        body = "<!doctype html><title>500</title><h1>Hệ thống đang gặp sự cố</h1>"
    return HttpResponse(body, status=500)


class PortalErrorPagesMiddleware:
    """With ``DEBUG`` on and ``SMARTCITY_TECHNICAL_ERRORS`` off, answer errors with the portal's pages instead of
    Django's technical ones. Does nothing with ``DEBUG`` off (Django calls the handlers itself)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @staticmethod
    def active() -> bool:
        return settings.DEBUG and not settings.SMARTCITY_TECHNICAL_ERRORS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.active():
            # A path no URL pattern matches never reaches a view: Django would answer it with its technical 404.
            try:
                get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
            except Resolver404:
                return page_not_found(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if not self.active():
            return None
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return permission_denied(request, exception)
        if isinstance(exception, (BadRequest, SuspiciousOperation)):
            return bad_request(request, exception)
        log.error("Internal Server Error: %s", request.path, exc_info=exception,
                  extra={"status_code": 500, "request": request})
        return server_error(request)

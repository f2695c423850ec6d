"""A database that is down or a disk that is full is not the caller's fault and not a bug to hide behind a 500: the
answer is 503 with ``Retry-After``, JSON on the API and a page elsewhere, and the cause goes to the log (the
exception's class and message only, never the request's data)."""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
#: Errors of the storage itself (full, read-only, failing), not of what the request asked for.
DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO}
MESSAGE = "Hệ thống tạm thời gián đoạn, vui lòng thử lại sau ít phút (temporarily unavailable, try again shortly)"


def is_unavailable(exc: BaseException) -> bool:
    """Is ``exc`` the platform's storage failing (database unreachable or down, disk full or failing)?"""
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    return isinstance(exc, OSError) and exc.errno in DISK_ERRNOS


def unavailable_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    log.error("503 for %s %s: %s: %s", request.method, request.path, exc.__class__.__name__, str(exc)[:200])
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"errors": [{"code": "unavailable", "message": MESSAGE}]}, status=503)
    else:
        response = HttpResponse(f"<!doctype html><html lang=vi><meta charset=utf-8><title>503</title>"
                                f"<h1>Tạm thời gián đoạn</h1><p>{MESSAGE}</p></html>", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class UnavailableMiddleware:
    """Turns storage failures raised by a view into a 503 (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        return unavailable_response(request, exc) if is_unavailable(exc) else None


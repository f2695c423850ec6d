"""NUL characters are refused at the door: one middleware for every request, whatever the view.

PostgreSQL cannot store U+0000 in a text column or a jsonb value (psycopg raises ``ValueError: A string literal
cannot contain NUL``, jsonb "unsupported Unicode escape sequence"), so a "\\x00" anywhere a view passes on to the
database would be a 500 on PostgreSQL and silently accepted on SQLite. No person types a NUL: it is always a probe
or a broken client, so the whole class is answered here with a 400 naming where it was — the path, the query
string, a cookie, a form field or a JSON body — in the error shape of the endpoint that was asked (our JSON API,
SensorThings, NGSI-LD, or a plain page). Uploaded files are binary and are not looked at; their names are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.html import escape

NUL = "\x00"
# A NUL in JSON text is the escape \u0000 (a raw NUL byte is not valid JSON at all: the parsers refuse it, and a
# binary body sent as JSON is the view's to refuse); an escaped backslash before it ("\\u0000") is the six
# characters, not a NUL, hence the even run of backslashes.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)
_MESSAGE = "Dữ liệu gửi lên chứa ký tự NUL (\\x00), không được chấp nhận"


def contains_nul(value: Any, *, depth: int = 0) -> bool:
    """Whether a decoded value (a string, or JSON-like lists and dicts of them) holds a NUL anywhere."""
    if isinstance(value, str):
        return NUL in value
    if depth > 100:  # deeper structures are refused by their own parsers; do not recurse without end here
        return False
    if isinstance(value, dict):
        return any(contains_nul(k, depth=depth + 1) or contains_nul(v, depth=depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(v, depth=depth + 1) for v in value)
    return False


def json_text_has_nul(body: bytes) -> bool:
    """Whether JSON text, undecoded, carries a NUL (as the escape ``\\u0000``)."""
    return bool(_JSON_NUL.search(body))


def _any_nul(values: Iterable[str]) -> bool:
    return any(NUL in v for v in values)


def where_nul(request: HttpRequest) -> str | None:
    """The part of ``request`` that holds a NUL ("path", "query", "cookie", "body" or a form field name), or None."""
    if NUL in request.path:
        return "path"
    if _any_nul(k + v for k, values in request.GET.lists() for v in values):
        return "query"
    if _any_nul(k + v for k, v in request.COOKIES.items()):
        return "cookie"
    if request.method in ("GET", "HEAD", "OPTIONS", "DELETE"):
        return None
    content_type = request.content_type or ""
    if content_type == "application/x-www-form-urlencoded" or content_type.startswith("multipart/"):
        if content_type.startswith("multipart/") and not (request.content_params or {}).get("boundary"):
            return None  # unreadable: the view answers that in its own words
        try:
            fields = request.POST.lists()
        except MultiPartParserError:
            return "body"
        for name, values in fields:
            if NUL in name or _any_nul(values):
                return name.replace(NUL, "") or "body"
        for name, uploads in request.FILES.lists():
            if NUL in name or any(NUL in (getattr(upload, "name", "") or "") for upload in uploads):
                return name.replace(NUL, "") or "body"
        return None
    # Any other body: the API and SensorThings parse JSON whatever the declared type, so look for the JSON escape in
    # every one (a raw NUL byte is no JSON text, and binary bodies — a timestamp request — carry them legitimately).
    if json_text_has_nul(request.body):
        return "body"
    return None


def nul_response(request: HttpRequest, where: str) -> HttpResponse:
    """A 400 in the shape the endpoint at ``request.path`` answers errors with."""
    path = request.path
    error = {"code": "invalid", "field": where, "message": _MESSAGE}
    if path.startswith("/sta/"):  # SensorThings (sensing.sta.views._error)
        return JsonResponse({"code": 400, "type": "error", "message": _MESSAGE, "errors": [error]}, status=400,
                            json_dumps_params={"ensure_ascii": False})
    if "/ngsi-ld/" in path:  # NGSI-LD problem details (clause 5.5.2)
        kind = "BadRequestData"
        return JsonResponse({"type": "https://uri.etsi.org/ngsi-ld/errors/" + kind, "title": kind, "status": 400,
                             "detail": f"{where}: {_MESSAGE}"}, status=400, json_dumps_params={"ensure_ascii": False})
    if path.startswith("/api/"):
        return JsonResponse({"errors": [error]}, status=400, json_dumps_params={"ensure_ascii": False})
    body = (f'<!doctype html><html lang="vi"><meta charset="utf-8"><title>Yêu cầu không hợp lệ</title>'
            f"<h1>Yêu cầu không hợp lệ</h1><p>{escape(where)}: {escape(_MESSAGE)}</p></html>")
    return HttpResponse(body, status=400, content_type="text/html; charset=utf-8")


class RejectNulMiddleware:
    """First in the chain (before sessions read the cookie and before any view reads a field)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = where_nul(request)
        if where is not None:
            return nul_response(request, where)
        return self.get_response(request)


"""What every JSON route promises in the OpenAPI document: who may call it and the shape of every error.

* ``session_auth`` — Django's session, like ninja's ``django_auth``, but nobody signed in is a 401 *before* any CSRF
  check: ninja checks the CSRF token first, so an anonymous POST answered 403 "CSRF check Failed", which tells a
  client to fix a token when it has to sign in. A signed-in POST without a valid token is still a 403.
* ``ErrorsOut`` — the one error body, ``{"errors": [{"code", "field", "message"}]}`` (``lib.errors`` makes it).
* ``errors(400, 404, …)`` — the ``response=`` entries for the error statuses a route really returns, so the
  document lists them and a contract test (schemathesis) holds every answer to it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Schema
from ninja.security import SessionAuth

#: The status every route may answer when the database is down or the disk full (ops/unavailable.py).
UNAVAILABLE = 503
#: The largest row id a database holds (a signed 64-bit integer): the bound of every id or keyset parameter, so a
#: larger number is a 400 rather than an overflow in the database driver.
MAX_ID = 2**63 - 1
#: A route behind ``session_auth``: 401 for nobody signed in; 403 for a missing CSRF token on a write.
SIGNED_IN = (401, 403)


class ErrorOut(Schema):
    code: str  # invalid, unauthenticated, forbidden, not_found, conflict, gone, unavailable, error
    field: str | None = None  # the parameter or body field at fault, when there is one
    message: str


class ErrorsOut(Schema):
    errors: list[ErrorOut]


class _SessionAuth(SessionAuth):
    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None  # 401: a CSRF token cannot help someone who is not signed in
        return super()._get_key(request)  # the CSRF check (403) on writes, then the session cookie


session_auth = _SessionAuth()


def errors(*statuses: int | tuple[int, ...]) -> dict[int, Any]:
    """``{status: ErrorsOut}`` for each status, plus 503 (any route can find the database down)."""
    flat: list[int] = []
    for status in statuses:
        flat.extend(status if isinstance(status, tuple) else (status,))
    return {status: ErrorsOut for status in sorted({*flat, UNAVAILABLE})}

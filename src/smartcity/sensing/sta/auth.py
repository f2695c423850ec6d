"""Who is calling the SensorThings API. Reads are public; writes need one of:

* an ingest key: ``Authorization: Bearer sk_…``, ``X-Api-Key: sk_…``, or HTTP Basic with the key as the password
  (any user name) — the form third-party SensorThings clients such as ``frost_sta_client`` send through their
  ``AuthHandler``;
* a signed-in staff session with a write role (``SENSING_WRITE_ROLES``). The API is CSRF-exempt for key holders,
  so a session write must still pass Django's CSRF check (``X-CSRFToken`` header), or any site could write with a
  staff member's cookie.
"""

from __future__ import annotations

import base64
import binascii

from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware

from smartcity.lib.errors import Forbidden, ServiceError
from smartcity.sensing import services
from smartcity.sensing.services import Principal


class Unauthenticated(ServiceError):
    status = 401
    code = "unauthenticated"


def _key_from_headers(request: HttpRequest) -> str | None:
    api_key = request.headers.get("X-Api-Key")
    if api_key:
        return api_key.strip()
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthenticated("The Basic credentials are not valid base64") from None
        user, _, password = decoded.partition(":")
        return password or user
    return None


def _csrf_passes(request: HttpRequest) -> bool:
    check = CsrfViewMiddleware(lambda r: None)  # type: ignore[arg-type,return-value]
    return check.process_view(request, None, (), {}) is None  # type: ignore[arg-type]


def authenticate(request: HttpRequest) -> Principal | None:
    """The caller, or None when the request carries no credentials. A key that is wrong or revoked is a 401; a
    session write without a valid CSRF token a 403."""
    raw = _key_from_headers(request)
    if raw is not None:
        key = services.authenticate_key(raw)
        if key is None:
            raise Unauthenticated("The ingest key is not valid or has been revoked")
        return services.principal_for(key=key)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        if not _csrf_passes(request):
            raise Forbidden("CSRF check failed: a write with a session needs the X-CSRFToken header "
                            "(or use an ingest key)")
        return services.principal_for(user=user)
    return None


def require(request: HttpRequest, *, scope: str) -> Principal:
    principal = authenticate(request)
    if principal is None:
        raise Unauthenticated("Writing needs authentication: an ingest key (Authorization: Bearer <key>, X-Api-Key, "
                              "or HTTP Basic with the key as password) or a staff session")
    return services.require_writer(principal, scope=scope)

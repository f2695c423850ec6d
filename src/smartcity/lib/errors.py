"""Errors that services raise and every API and page turns into a clear answer (never a 500).

A service raises ``Invalid(field, message)`` for bad input, ``Forbidden`` when the caller may not act, ``NotFound``
and ``Conflict``; ``smartcity.api`` maps them to 400/403/404/409 with a JSON body that names the field.
"""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, object]:
        error: dict[str, object] = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        return {"errors": [error]}


class Invalid(ServiceError):
    status = 400
    code = "invalid"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class Gone(ServiceError):
    """Something that existed and is no longer available (an expired or revoked link)."""

    status = 410
    code = "gone"

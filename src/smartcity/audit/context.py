"""The request an audit entry is written under (who, from where), carried in a context variable."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None


current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("audit_request", default=None)

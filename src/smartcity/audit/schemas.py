from __future__ import annotations

import datetime as dt

from ninja import Schema


class AccessOut(Schema):
    at: dt.datetime
    action: str
    agency: str
    role: str
    purpose: str

    @staticmethod
    def resolve_agency(obj: object) -> str:
        return obj.actor_agency  # type: ignore[attr-defined]

    @staticmethod
    def resolve_role(obj: object) -> str:
        return obj.actor_role  # type: ignore[attr-defined]


class AccessGroupOut(Schema):
    """An agency's reads of my data for one purpose on one day (Hà Nội), counted."""

    agency: str
    purpose: str
    day: dt.date
    count: int
    last_at: dt.datetime


class AccessGroupPage(Schema):
    items: list[AccessGroupOut]
    page: int
    has_next: bool

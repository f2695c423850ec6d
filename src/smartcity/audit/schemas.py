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

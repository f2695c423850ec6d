"""Shapes of the identity API."""

from __future__ import annotations

from ninja import Schema


class MembershipOut(Schema):
    agency_code: str
    agency: str
    role: str
    role_label: str
    title: str


class MeOut(Schema):
    username: str
    kind: str
    name: str
    masked_id_number: str | None = None
    memberships: list[MembershipOut] = []

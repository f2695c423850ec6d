"""JSON shapes of the public citizen-report API (no personal data in any of them)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class CategoryOut(Schema):
    code: str
    name: str
    group: str
    administrative: bool
    deadline_days: int
    deadline_kind: str


class EventOut(Schema):
    at: dt.datetime
    kind: str
    label: str
    agency: str
    note: str


class ReportOut(Schema):
    id: int
    category: str
    category_name: str
    status: str
    status_label: str
    description: str
    latitude: float
    longitude: float
    address: str
    ward: str
    agency: str
    emergency: bool
    received_at: dt.datetime
    due_on: dt.date | None
    answered_at: dt.datetime | None
    answer: str


class ReportDetailOut(ReportOut):
    timeline: list[EventOut]
    rating: int | None


class MapPointOut(Schema):
    id: int
    lat: float
    lon: float
    category: str
    status: str
    age: int
    emergency: bool
    overdue: bool


class CountsOut(Schema):
    open: int
    overdue: int
    by_status: dict[str, int]

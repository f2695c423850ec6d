from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class TileOut(Schema):
    key: str
    label: str
    available: bool
    value: float | None
    display: str
    unit: str
    note: str
    tone: str
    breakdown: list[tuple[str, float]]


class SummaryOut(Schema):
    computed_at: dt.datetime
    tiles: list[TileOut]


class EventOut(Schema):
    id: int
    kind: str
    severity: str
    title: str
    link: str
    occurred_at: dt.datetime


class StepOut(Schema):
    position: int
    title: str
    agency: str | None
    due_at: dt.datetime
    done_at: dt.datetime | None
    done_by: str | None
    note: str


class TimelineOut(Schema):
    at: dt.datetime
    actor: str
    text: str


class IncidentOut(Schema):
    id: int
    type: str
    type_name: str
    title: str
    description: str
    source: str
    state: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    close_note: str
    steps: list[StepOut]
    timeline: list[TimelineOut]


class IncidentBrief(Schema):
    id: int
    type: str
    title: str
    state: str
    opened_at: dt.datetime


class IncidentIn(Schema):
    type: str = Field(..., max_length=40)
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=4000)


class StepIn(Schema):
    note: str = Field("", max_length=500)


class CloseIn(Schema):
    note: str = Field(..., max_length=4000)

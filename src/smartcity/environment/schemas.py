"""Shapes of the environment API (``/api/v1/environment``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema


class UnitRef(Schema):
    key: str
    name: str


class StationOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    unit: UnitRef | None
    latitude: float | None
    longitude: float | None
    address: str
    noise_zone: str | None
    reference_elevation_m: float | None
    flood_levels_m: list[float] | None
    thing_id: int
    ngsi_ld_id: str
    url: str


class StationPage(Schema):
    items: list[StationOut]
    next: str | None


class ReadingOut(Schema):
    code: str
    label: str
    unit: str
    value: float | None
    time: dt.datetime | None
    sub_index: float | None
    highest_sub_index: bool


class CurrentOut(Schema):
    station: str
    kind: str
    time: dt.datetime | None
    headline: str
    value: float | None
    unit: str
    level: int | None
    level_label: str
    colour: str
    dominant: str | None
    advice: str
    readings: list[ReadingOut]
    extra: dict[str, float | None]


class HistoryOut(Schema):
    station: str
    resolution: str
    start: dt.datetime
    end: dt.datetime
    columns: dict[str, str]
    rows: list[dict[str, Any]]


class ForecastHourOut(Schema):
    time: dt.datetime  # start of the hour
    aqi: int | None
    level_label: str
    colour: str
    pm25: float
    pm25_low: float
    pm25_high: float


class ForecastOut(Schema):
    station: str
    issued_at: dt.datetime | None
    interval: float
    degraded: bool
    reason: str  # why there is no forecast; "" when there is one
    caveat: str
    hours: list[ForecastHourOut]


class WarningOut(Schema):
    id: int
    rule: str
    parameter: str
    threshold: float
    station: str
    station_name: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    close_reason: str
    first_value: float
    peak_value: float
    last_value: float
    message: str
    trigger: list[dict[str, Any]]


class WarningPage(Schema):
    items: list[WarningOut]
    next: str | None


class SubscriptionIn(Schema):
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=20)
    unit: str | None = Field(None, max_length=64)
    parameters: list[Annotated[str, Field(max_length=32)]] = Field([], max_length=50)


class SubscriptionOut(Schema):
    id: int
    unit: UnitRef | None
    parameters: list[str]
    confirmed: bool
    message: str


class TokenIn(Schema):
    token: str = Field(max_length=128)

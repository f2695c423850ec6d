"""Bodies of the gateway and consent API."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

_ID = Field(min_length=12, max_length=12, pattern=r"^[0-9]{12}$", description="Số định danh cá nhân (12 chữ số)")
_PURPOSE = Field(min_length=2, max_length=60, pattern=r"^[a-z0-9-]+$", description="Mã mục đích, ví dụ residence-check")


class ResidenceVerificationIn(Schema):
    id_number: str = _ID
    purpose: str = _PURPOSE
    unit_code: str = Field("", max_length=8, pattern=r"^[0-9]*$", description="Mã đơn vị hành chính cần đối chiếu")


class GatewayDossierIn(Schema):
    id_number: str = _ID
    purpose: str = _PURPOSE
    code: str = Field(min_length=3, max_length=40, description="Mã hồ sơ")


class GatewayUnitOut(Schema):
    code: str
    name: str


class ResidenceVerificationOut(Schema):
    request_id: str
    id_number: str
    permanent_unit: GatewayUnitOut
    temporary_unit: GatewayUnitOut | None
    resides_in_unit: bool | None


class DossierStatusOut(Schema):
    request_id: str
    code: str
    procedure_code: str
    procedure: str
    agency: str
    status: int
    status_label: str
    national_status: str
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    appointment_at: dt.datetime | None
    finished_at: dt.datetime | None


class DossierResultOut(Schema):
    request_id: str
    code: str
    result_available: bool
    result_signed: bool
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    result_url: str | None


class DataServiceOut(Schema):
    code: str
    name: str
    purposes: list[str]
    needs_consent: bool
    registered_purposes: list[str]


class ConsentOut(Schema):
    service: str
    name: str
    given: bool
    given_at: dt.datetime | None
    agencies: list[str]

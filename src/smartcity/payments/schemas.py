from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class FeeItemOut(Schema):
    name: str
    amount: int


class PaymentOut(Schema):
    code: str
    reference: str
    purpose: str
    stage: str
    amount: int = Field(description="VND")
    items: list[FeeItemOut]
    state: str
    state_label: str = Field(alias="get_state_display")
    failure_reason: str
    agency: str = Field(alias="agency.name")
    created_at: dt.datetime
    paid_at: dt.datetime | None
    transaction_no: str
    receipt_no: str


class CheckoutOut(Schema):
    redirect_url: str = Field(alias="url")
    txn_ref: str
    expires_at: dt.datetime


class IpnOut(Schema):
    RspCode: str  # noqa: N815 - the gateway's contract
    Message: str  # noqa: N815


class ReturnOut(Schema):
    verified: bool
    message: str
    code: str | None = None
    state: str | None = None
    awaiting_confirmation: bool = False


class ReasonIn(Schema):
    reason: str = Field(max_length=500)


class ReconcileIn(Schema):
    # a day the platform can have attempts on (year 1 or 9999 overflowed the day's GMT+7 bounds: a 500)
    date: dt.date = Field(ge=dt.date(2000, 1, 1), le=dt.date(2199, 12, 31))
    report_csv: str | None = Field(None, description="the gateway's report (CSV); downloaded from the gateway when absent")


class MismatchOut(Schema):
    kind: str
    message: str
    txn_ref: str
    payment: str
    platform_amount: int | None
    gateway_amount: int | None
    platform_status: str
    gateway_status: str
    transaction_no: str


class ReconciliationOut(Schema):
    id: int
    day: dt.date
    ran_at: dt.datetime
    source: str
    platform_count: int
    gateway_count: int
    matched: int
    platform_total: int
    gateway_total: int
    ok: bool
    mismatches: list[MismatchOut]

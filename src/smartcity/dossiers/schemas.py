from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema


class EventOut(Schema):
    at: dt.datetime
    operation: str
    from_status: int | None
    to_status: int
    step: int
    note: str
    agency: str | None

    @staticmethod
    def resolve_agency(obj: object) -> str | None:
        agency = obj.actor_agency  # type: ignore[attr-defined]
        return agency.name if agency else None


class DossierOut(Schema):
    code: str
    procedure_code: str | None
    procedure: str
    agency: str
    channel: int
    status: int
    status_label: str
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    appointment_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_procedure_code(obj: object) -> str | None:
        return obj.procedure.code  # type: ignore[attr-defined]

    @staticmethod
    def resolve_procedure(obj: object) -> str:
        return obj.procedure.name  # type: ignore[attr-defined]

    @staticmethod
    def resolve_agency(obj: object) -> str:
        return obj.agency.name  # type: ignore[attr-defined]

    @staticmethod
    def resolve_status_label(obj: object) -> str:
        return obj.get_status_display()  # type: ignore[attr-defined]


class EvaluationIn(Schema):
    # nine values 0–2, each checked by the service so a wrong one is named by its indicator
    points: list = Field(min_length=9, max_length=9)
    satisfaction: int = Field(ge=1, le=3)  # 1 very satisfied, 2 satisfied, 3 dissatisfied
    comment: str = Field("", max_length=2000)


class EvaluationOut(Schema):
    at: dt.datetime
    points: list[int]
    total: int
    satisfaction: int
    satisfaction_label: str
    comment: str

    @staticmethod
    def resolve_satisfaction_label(obj: object) -> str:
        return obj.get_satisfaction_display()  # type: ignore[attr-defined]


class DossierDetailOut(DossierOut):
    applicant: str
    acting_for: str  # self, child, ward, authorized: whom the applicant submits for
    represented_name: str
    represented_id_number: str
    data: dict[str, object]
    step: int
    supplement_count: int
    extended: bool
    paused_hours: float
    on_time: bool | None
    events: list[EventOut]
    files: list[str]
    fee_due: int
    paid_online: bool
    result_signed: bool
    result_stored: bool
    reused_documents: int
    allowed_operations: list[str]  # set on the instance by the API (it depends on who asks)
    evaluation: EvaluationOut | None

    @staticmethod
    def resolve_evaluation(obj: object) -> object | None:
        return getattr(obj, "evaluation", None)

    @staticmethod
    def resolve_applicant(obj: object) -> str:
        return obj.applicant.full_name  # type: ignore[attr-defined]

    @staticmethod
    def resolve_events(obj: object) -> list[object]:
        return list(obj.events.select_related("actor_agency"))  # type: ignore[attr-defined]

    @staticmethod
    def resolve_files(obj: object) -> list[str]:
        return [f.original_name for f in obj.files.all()]  # type: ignore[attr-defined]


class DossierPage(Schema):
    items: list[DossierOut]
    next_after: int | None


class OperationIn(Schema):
    note: str = Field("", max_length=2000)
    new_appointment: dt.datetime | None = None
    to_agency: str | None = Field(None, max_length=20)  # an agency code
    # request_payment: the sum due where the procedure's fee depends on the case (VND)
    amount: int | None = Field(None, ge=0, le=10**12)


class BulkIn(Schema):
    codes: list[Annotated[str, Field(max_length=40)]] = Field(min_length=1, max_length=100)  # services.BULK_LIMIT
    note: str = Field("", max_length=2000)


class BulkResultOut(Schema):
    code: str
    ok: bool
    status: int | None
    error: dict[str, object] | None


class BulkOut(Schema):
    results: list[BulkResultOut]


class TrackingOut(Schema):
    code: str
    procedure: str
    agency: str
    status: int
    status_label: str
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    appointment_at: dt.datetime | None
    finished_at: dt.datetime | None

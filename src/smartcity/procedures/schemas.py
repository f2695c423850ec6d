"""Shapes of a procedure version's parts (validated when a version is published) and of the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field as PydanticField
from pydantic import model_validator

FieldType = Literal["text", "number", "date", "choice", "address", "id_number", "file"]
Prefill = Literal["full_name", "id_number", "date_of_birth", "sex", "permanent_address", "phone", "email"]


class DocumentSpec(Schema):
    name: str = PydanticField(min_length=1)
    kind: Literal["original", "copy", "either"] = "original"
    count: int = PydanticField(1, ge=1)
    required: bool = True
    template: str | None = None  # file name of the blank form (tờ khai), where there is one


class FeeSpec(Schema):
    name: str = PydanticField(min_length=1)
    amount: int | None = PydanticField(None, ge=0)  # VND; None when set by the city and not yet entered
    when: Literal["on_submission", "on_result"] = "on_submission"
    note: str = ""


class FormFieldSpec(Schema):
    name: str = PydanticField(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = PydanticField(min_length=1)
    type: FieldType
    required: bool = False
    choices: list[str] | None = None
    prefill: Prefill | None = None
    help: str = ""
    # What the form shows under the field: a hint and an example ("Ví dụ: …"); empty: the defaults of
    # ``procedures.forms.guidance`` for the field's name and type.
    hint: str = ""
    example: str = ""
    # A file field: the national codes of the procedures whose result, kept in the applicant's document store,
    # stands in for the upload ("*": any document); empty: the defaults of ``procedures.forms.ACCEPTS``.
    accepts: list[str] = []

    @model_validator(mode="after")
    def _choices_only_for_choice(self) -> FormFieldSpec:
        if self.type == "choice" and not self.choices:
            raise ValueError(f"field {self.name}: a choice needs choices")
        return self


class StepSpec(Schema):
    step: str = PydanticField(min_length=1)
    role: Literal["reception", "specialist", "leader"]
    level: Literal["commune", "province"]
    share: float = PydanticField(gt=0, le=1)


class ProcessingTime(Schema):
    amount: Decimal | None = PydanticField(None, ge=0)
    unit: Literal["same_day", "working_days", "calendar_days", "working_hours"]
    note: str = ""

    @model_validator(mode="after")
    def _same_day_has_no_amount(self) -> ProcessingTime:
        """"Trong ngày" has no count of units: stored as 0 so "no fixed deadline" (None) stays distinct."""
        if self.unit == "same_day":
            if self.amount not in (None, 0):
                raise ValueError("a same-day processing time has no amount (0)")
            self.amount = Decimal(0)
        return self


class VersionSpec(Schema):
    """Everything a version holds; what `publish_version` accepts."""

    effective_from: dt.date
    legal_basis: list[str] = []
    documents: list[DocumentSpec]
    fees: list[FeeSpec] = []
    processing_time: ProcessingTime
    cut_off_hour: int | None = PydanticField(None, ge=0, le=23)
    form_fields: list[FormFieldSpec]
    workflow: list[StepSpec] = PydanticField(min_length=1)
    notes: str = ""
    sources: list[str] = []

    @model_validator(mode="after")
    def _consistent(self) -> VersionSpec:
        total = sum(step.share for step in self.workflow)
        if abs(total - 1) > 0.001:
            raise ValueError(f"workflow shares must add up to 1, not {total:.3f}")
        names = [f.name for f in self.form_fields]
        if len(names) != len(set(names)):
            raise ValueError("form field names must be unique")
        return self


# ------------------------------------------------------------------------------------------------------ API


class ProcedureOut(Schema):
    id: int
    code: str | None
    name: str
    field: str
    levels: list[str]
    agency: str
    online_level: str
    result: str

    @staticmethod
    def resolve_field(obj: object) -> str:
        return obj.field.name  # type: ignore[attr-defined]

    @staticmethod
    def resolve_agency(obj: object) -> str:
        return obj.agency_text  # type: ignore[attr-defined]


class VersionOut(Schema):
    number: int
    effective_from: dt.date
    effective_until: dt.date | None
    legal_basis: list[str]
    documents: list[DocumentSpec]
    fees: list[FeeSpec]
    processing_amount: Decimal | None
    processing_unit: str
    processing_note: str
    cut_off: dt.time | None
    form: list[FormFieldSpec]
    workflow: list[StepSpec]


class ProcedureDetailOut(ProcedureOut):
    department: str | None
    version: VersionOut | None

    @staticmethod
    def resolve_department(obj: object) -> str | None:
        department = obj.department  # type: ignore[attr-defined]
        return department.name if department else None


class ProcedurePage(Schema):
    items: list[ProcedureOut]
    next_after: int | None  # keyset pagination: pass as `after` to get the next page

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class RoundOut(Schema):
    id: int
    school_year: str
    grade: int
    kind: str
    name: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    max_choices: int
    status: str


class ApplicationIn(Schema):
    round: int = Field(ge=1, le=2**31 - 1)
    child_id_number: str = Field(min_length=1, max_length=20)
    choices: list[str] = Field(min_length=1, max_length=5)


class ApplicationOut(Schema):
    code: str
    round: int
    child: str
    status: str
    choices: list[str]
    school: str | None = None
    admitted_choice: int | None = None
    composite: int | None = None  # hundredths of a point, once published
    explanation: list[str] = []


class AllocationOut(Schema):
    applicants: int
    placed: int
    unplaced: int
    by_choice: list[int]
    seats: int
    seats_left: int
    rule: str
    differ_from_other_rule: int


class GradeIn(Schema):
    school: str = Field(min_length=1, max_length=20)
    pupil_id_number: str = Field(min_length=1, max_length=20)
    school_year: str = Field(min_length=9, max_length=9)
    term: int = Field(ge=1, le=2)
    subject: str = Field(min_length=1, max_length=60)
    score: str = Field(min_length=1, max_length=6)  # "7.75"


class GradeOut(Schema):
    pupil: str
    school: str
    school_year: str
    term: int
    subject: str
    score: int  # hundredths of a point

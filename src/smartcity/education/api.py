"""Admission API: open rounds (public); a family's applications (apply, read); the department's allocation and
publication."""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from ninja import Path, Router, Status

from smartcity.education import services
from smartcity.education.models import Application, Grade, Round
from smartcity.education.schemas import (
    AllocationOut,
    ApplicationIn,
    ApplicationOut,
    GradeIn,
    GradeOut,
    RoundOut,
)
from smartcity.lib.contract import MAX_ID, SIGNED_IN, errors, session_auth

router = Router()


def _out(app: Application) -> ApplicationOut:
    published = app.round.status == Round.Status.PUBLISHED
    return ApplicationOut(
        code=app.code, round=app.round_id, child=app.child.full_name,
        status=app.status if published else Application.Status.SUBMITTED,
        choices=[c.school.code for c in app.choices.all()],
        school=app.school.code if published and app.school else None,
        admitted_choice=app.admitted_choice if published else None,
        composite=app.composite if published else None,
        explanation=services.explanation_lines(app))


@router.get("/rounds", response={200: list[RoundOut], **errors()}, summary="Admission rounds open for applications")
def rounds(request: HttpRequest) -> object:
    return list(services.open_rounds())


@router.get("/applications", auth=session_auth, response={200: list[ApplicationOut], **errors(401)},
            summary="My children's applications (parent)")
def my_applications(request: HttpRequest) -> list[ApplicationOut]:
    return [_out(a) for a in services.applications_of(request.user)]


@router.post("/applications", auth=session_auth, response={201: ApplicationOut, **errors(400, SIGNED_IN, 404, 409)},
             summary="Apply for my child, or change the choices while the round is open (parent)")
def submit(request: HttpRequest, payload: ApplicationIn) -> Status:
    app = services.submit_application(user=request.user, round_id=payload.round,
                                      child_id_number=payload.child_id_number, choices=payload.choices)
    # The answer is built from what was just written (a second, audited read would cost a second chain entry).
    prefetch_related_objects([app], "choices__school")
    return Status(201, _out(app))


@router.get("/applications/{code}", auth=session_auth, response={200: ApplicationOut, **errors(400, 401, 404)},
            summary="One application with its result (its family or the department)")
def application(request: HttpRequest, code: str = Path(..., max_length=20)) -> ApplicationOut:
    return _out(services.get_application_for(request.user, code))


@router.post("/rounds/{round_id}/allocation", auth=session_auth,
             response={200: AllocationOut, **errors(400, SIGNED_IN, 404, 409)},
             summary="Run the allocation of a closed round (department)")
def allocate(request: HttpRequest, round_id: int = Path(..., ge=1, le=MAX_ID)) -> object:
    return services.run_allocation(actor=request.user, round_id=round_id)


@router.post("/rounds/{round_id}/publication", auth=session_auth,
             response={200: RoundOut, **errors(400, SIGNED_IN, 404, 409)},
             summary="Publish an allocated round's results and open the appeal window (department)")
def publish(request: HttpRequest, round_id: int = Path(..., ge=1, le=MAX_ID)) -> object:
    return services.publish_results(actor=request.user, round_id=round_id)


def _grade(g: Grade) -> GradeOut:
    return GradeOut(pupil=g.pupil.full_name, school=g.school.code, school_year=g.school_year, term=g.term,
                    subject=g.subject, score=g.score)


@router.post("/grades", auth=session_auth, response={201: GradeOut, **errors(400, SIGNED_IN, 404)},
             summary="Enter a mark in a pupil's gradebook (the school's staff)")
def record_grade(request: HttpRequest, payload: GradeIn) -> Status:
    grade = services.record_grade(actor=request.user, school_code=payload.school,
                                  pupil_id_number=payload.pupil_id_number, school_year=payload.school_year,
                                  term=payload.term, subject=payload.subject, score=payload.score)
    return Status(201, _grade(grade))


@router.get("/grades", auth=session_auth, response={200: list[GradeOut], **errors(401)},
            summary="My children's marks (parent: the contact book)")
def my_grades(request: HttpRequest) -> list[GradeOut]:
    out = []
    for child in services.children_of(request.user):
        _child, grades = services.grades_of(user=request.user, child_id_number=child.id_number)
        out += [_grade(g) for g in grades.select_related("pupil")]
    return out

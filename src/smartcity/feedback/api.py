"""Public read API of citizen reports: GET /api/v1/feedback/… (the same data as the public pages; Open311 is at
/open311/v2 for client apps that write)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router

from smartcity.feedback import services
from smartcity.feedback.models import OPEN, Rating, Report
from smartcity.feedback.schemas import CategoryOut, CountsOut, MapPointOut, ReportDetailOut, ReportOut
from smartcity.lib.contract import MAX_ID, errors

router = Router()


def _out(report: Report) -> dict[str, Any]:
    return {"id": report.pk, "category": report.category.code, "category_name": report.category.name,
            "status": report.status, "status_label": report.get_status_display(), "description": report.description,
            "latitude": report.latitude, "longitude": report.longitude, "address": report.address,
            "ward": report.unit.name, "agency": report.agency.name if report.agency else "",
            "emergency": report.emergency, "received_at": report.received_at, "due_on": report.due_on,
            "answered_at": report.answered_at, "answer": report.answer}


@router.get("/categories", response={200: list[CategoryOut], **errors(400)}, summary="Report categories")
def list_categories(request: HttpRequest) -> object:
    return [{"code": c.code, "name": c.name, "group": c.group_name, "administrative": c.administrative,
             "deadline_days": c.deadline_days, "deadline_kind": c.deadline_kind} for c in services.categories()]


@router.get("/reports", response={200: list[ReportOut], **errors(400)}, summary="Public reports, newest first")
def list_reports(request: HttpRequest,
                 category: str | None = Query(None, max_length=40),  # noqa: B008 — ninja's style
                 status: Literal["open", "closed"] | None = None,
                 limit: int = Query(50, ge=1, le=500),  # noqa: B008
                 offset: int = Query(0, ge=0, le=100_000)) -> object:  # noqa: B008
    qs = services.public_reports()
    if category:
        qs = qs.filter(category__code=category)
    if status == "open":
        qs = qs.filter(status__in=OPEN)
    elif status == "closed":
        qs = qs.exclude(status__in=OPEN)
    return [_out(r) for r in qs.order_by("-received_at", "-id")[offset:offset + limit]]


@router.get("/reports/{report_id}", response={200: ReportDetailOut, **errors(400, 404)},
            summary="One public report with its timeline")
def get_report(request: HttpRequest, report_id: int) -> object:
    if not 0 < report_id <= MAX_ID:
        return 404, {"errors": [{"code": "not_found", "message": "Không tìm thấy phản ánh"}]}
    report = services.get_public_report(report_id)
    rating = Rating.objects.filter(report=report).values_list("score", flat=True).first()
    return {**_out(report), "rating": rating, "timeline": [
        {"at": e.at, "kind": e.kind, "label": e.get_kind_display(), "agency": e.agency.name if e.agency else "",
         "note": e.note} for e in services.timeline(report)]}


@router.get("/map", response={200: list[MapPointOut], **errors(400)}, summary="Open reports as map points")
def map_points(request: HttpRequest, category: str | None = Query(None, max_length=40)) -> object:  # noqa: B008
    return services.open_reports_for_map(category=category)


@router.get("/counts", response={200: CountsOut, **errors(400)}, summary="Open, overdue and per-status counts")
def counts(request: HttpRequest) -> object:
    return services.report_counts()

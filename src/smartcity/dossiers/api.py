"""One-stop shop API: submit (citizen), list and read (scoped), apply operations (staff/applicant), public tracking."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.security import django_auth

from smartcity.dossiers import scorecard, services
from smartcity.dossiers import statistics as stats
from smartcity.dossiers.models import INDICATORS, QUEUES, Satisfaction
from smartcity.dossiers.schemas import (
    BulkIn,
    BulkOut,
    DossierDetailOut,
    DossierPage,
    EvaluationIn,
    EvaluationOut,
    OperationIn,
    TrackingOut,
)
from smartcity.identity import services as identity
from smartcity.lib import export, formats, ratelimit
from smartcity.lib.errors import Invalid, NotFound
from smartcity.lib.http import pdf_attachment

router = Router(auth=django_auth)

# The names a client may use, as enums in the OpenAPI schema (a wrong one is a 400 naming the parameter).
OperationName = Literal[tuple(services.OPERATIONS)]  # type: ignore[valid-type]
BulkOperation = Literal[services.BULK_OPERATIONS]  # type: ignore[valid-type]
Queue = Literal[tuple(QUEUES)]  # type: ignore[valid-type]
Group = Literal[tuple(stats.GROUPS)]  # type: ignore[valid-type]


def _detail(dossier, user):
    """The dossier with what depends on who asks (their allowed operations) and on the rules (on time)."""
    dossier.allowed_operations = services.allowed_operations(dossier, user)
    dossier.on_time = services.is_on_time(dossier)
    return dossier


@router.post("", response={201: DossierDetailOut}, summary="Submit a dossier online (multipart form; citizen)")
def submit(request: HttpRequest) -> Status:
    """Form fields ``procedure`` (code), ``unit`` (commune key or code) and the procedure's own fields; files as
    multipart parts named after the procedure's file fields."""
    data = request.POST.copy()
    procedure, unit = data.pop("procedure", [""])[0], data.pop("unit", [""])[0]
    if not procedure:
        raise Invalid("Thiếu mã thủ tục", field="procedure")
    dossier = services.submit_online(user=request.user, procedure_key=procedure, unit_key=unit, data=data,
                                     files=request.FILES)
    return Status(201, _detail(dossier, request.user))


@router.post("/desk", response={201: DossierDetailOut}, summary="Receive a dossier at the desk or by post (staff)")
def receive_at_desk(request: HttpRequest) -> Status:
    """Multipart form: ``procedure`` (code); the applicant's ``id_number``, ``full_name`` and ``date_of_birth``
    (dd/mm/yyyy or YYYY-MM-DD) as on their card — only a person matching all three is found; ``channel`` (2 desk,
    3 post) and the procedure's fields and files. The dossier is received at once (status 2) with its
    appointment."""
    data = request.POST.copy()
    procedure, id_number = data.pop("procedure", [""])[0], data.pop("id_number", [""])[0]
    full_name, born = data.pop("full_name", [""])[0], data.pop("date_of_birth", [""])[0]
    channel = data.pop("channel", ["2"])[0]
    if channel not in ("1", "2", "3"):
        raise Invalid("channel là 2 hoặc 3", field="channel")
    try:
        date_of_birth = formats.parse_date(born)
    except ValueError as exc:
        raise Invalid(str(exc), field="date_of_birth") from None
    dossier = services.receive_at_desk(user=request.user, procedure_key=procedure, id_number=id_number,
                                       full_name=full_name, date_of_birth=date_of_birth,
                                       channel=int(channel), data=data, files=request.FILES)
    return Status(201, _detail(dossier, request.user))


@router.get("", response=DossierPage, summary="My dossiers (citizen) or my agency's queue (staff)")
def list_dossiers(request: HttpRequest, queue: Queue | None = None, after: int = 0, limit: int = 50) -> dict:
    if not 1 <= limit <= 200:
        raise Invalid("limit phải từ 1 đến 200", field="limit")
    dossiers = services.work_queue(request.user, queue) if queue else services.visible_dossiers(request.user)
    page = list(dossiers.filter(pk__gt=after).order_by("pk")[: limit + 1])
    return {"items": page[:limit], "next_after": page[limit - 1].pk if len(page) > limit else None}


@router.get("/evaluation-form", auth=None, summary="The nine indicators and the satisfaction levels")
def evaluation_form(request: HttpRequest) -> dict:
    return {"indicators": [{"number": n, "name": name, "levels": {str(p): text for p, text in enumerate(levels)}}
                           for n, (name, levels) in enumerate(INDICATORS, start=1)],
            "satisfaction": {str(level.value): level.label for level in Satisfaction}}


@router.get("/{code}", response=DossierDetailOut, summary="One dossier with its history")
def detail(request: HttpRequest, code: str) -> object:
    return _detail(services.get_dossier_for(request.user, code), request.user)


@router.get("/{code}/result.pdf", summary="The signed electronic result (applicant, or staff who see the dossier)")
def result(request: HttpRequest, code: str) -> FileResponse:
    dossier = services.get_dossier_for(request.user, code)
    if not dossier.result:
        raise NotFound("Hồ sơ chưa có kết quả điện tử", field="code")
    return pdf_attachment(dossier.result, f"ket-qua-{dossier.code}.pdf")


def _require_fresh_authentication(request: HttpRequest) -> None:
    if not identity.recently_authenticated(request.session):
        raise identity.ReauthenticationRequired(
            "Cần xác thực lại bằng mã TOTP trước khi ký số kết quả (trang /account/xac-thuc-lai/)")


@router.post("/{code}/operations/{operation}", response=DossierDetailOut, summary="Apply an operation")
def operate(request: HttpRequest, code: str, operation: OperationName, payload: OperationIn) -> object:
    new_appointment = payload.new_appointment
    if new_appointment is not None and timezone.is_naive(new_appointment):
        new_appointment = timezone.make_aware(new_appointment)  # a time without offset is Hà Nội time
    if services.signs_result(user=request.user, code=code, operation=operation):
        _require_fresh_authentication(request)
    dossier = services.apply_operation(user=request.user, code=code, operation=operation, note=payload.note,
                                       new_appointment=new_appointment, to_agency=payload.to_agency,
                                       amount=payload.amount)
    return _detail(dossier, request.user)


@router.post("/{code}/evaluation", response={201: EvaluationOut},
             summary="Rate a returned dossier: nine indicators 0–2 and the satisfaction level (applicant, once)")
def evaluate(request: HttpRequest, code: str, payload: EvaluationIn) -> Status:
    """``points`` lists the nine indicators of the national evaluation in order (GET /dossiers/evaluation-form
    names them); ``satisfaction`` is 1 very satisfied, 2 satisfied, 3 dissatisfied."""
    evaluation = services.evaluate(user=request.user, code=code, points=payload.points,
                                   satisfaction=payload.satisfaction, comment=payload.comment)
    return Status(201, evaluation)


@router.post("/operations/{operation}", response=BulkOut, summary="Apply one operation to several dossiers (staff)")
def operate_in_bulk(request: HttpRequest, operation: BulkOperation, payload: BulkIn) -> dict:
    """For the operations that need no input of their own (receive, assign, forward, approve, return_result), up to
    100 codes. Each dossier moves or fails on its own; the answer lists every code with its new status or error."""
    if operation in services.SIGNING_OPERATIONS:
        _require_fresh_authentication(request)
    return {"results": services.apply_bulk(user=request.user, codes=payload.codes, operation=operation,
                                           note=payload.note)}


tracking_router = Router()


@tracking_router.get("/{code}", response={200: TrackingOut, 429: ratelimit.RateLimitedOut},
                     summary="Track a dossier by code (public, no personal data)")
@ratelimit.limit_operation("tracking")
def track(request: HttpRequest, code: str, secret: str = "") -> object:
    """Anonymous callers give the tracking secret printed on the receipt (``?secret=``); a wrong secret and an
    unknown code are the same 404. The applicant and staff who may see the dossier need none."""
    return services.track(code, secret=secret, user=request.user)


statistics_router = Router()


def _period(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    if start.year < 2000 or end.year > 2200:
        raise Invalid("Khoảng thời gian phải trong các năm 2000–2200", field="start")
    if end <= start or (end - start).days > 366:
        raise Invalid("end phải sau start, tối đa 366 ngày", field="end")
    return stats.local_range(start, end)


@statistics_router.get("/scorecard", summary="The Decision 766 scorecard per agency or for the city (public)")
def scorecard_api(request: HttpRequest, start: dt.date, end: dt.date,
                  group: Literal["agency", "city"] = "city") -> dict:
    """Every indicator with its formula, points, target, numerator, denominator, rate and score; indicators the
    platform cannot measure yet say why and are left out of ``measured_max``."""
    return {"start": start, "end": end, "group": group,
            "cards": scorecard.published(*_period(start, end), group=group)}


@statistics_router.get("", summary="On-time statistics per agency or procedure (public figures, no personal data)")
def statistics(request: HttpRequest, start: dt.date, end: dt.date,
               group: Group = "agency",
               format: Literal["json", "csv", "xlsx"] = "json"):
    """Dossiers in [start, end) (local dates). ``format=csv`` or ``format=xlsx`` downloads the same table."""
    period = _period(start, end)
    rows = stats.published(*period, group=group)
    if format == "csv":  # the header row is the JSON's field names, the API's promise
        return export.csv_response(export.columns(stats.COLUMNS), rows, filename=f"thong-ke-{start}-{end}.csv")
    if format == "xlsx":
        return export.xlsx_response(export.columns(stats.COLUMNS), rows, filename=f"thong-ke-{start}-{end}.xlsx",
                                    title=f"{start}..{end}")
    return {"start": start, "end": end, "group": group, "rows": rows}

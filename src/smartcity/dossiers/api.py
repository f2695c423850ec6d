"""One-stop shop API: submit (citizen), list and read (scoped), apply operations (staff/applicant), public tracking."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

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
from smartcity.lib.contract import MAX_ID, SIGNED_IN, errors, session_auth
from smartcity.lib.errors import Invalid, NotFound
from smartcity.lib.http import pdf_attachment

router = Router(auth=session_auth)

# The names a client may use, as enums in the OpenAPI schema (a wrong one is a 400 naming the parameter).
OperationName = Literal[tuple(services.OPERATIONS)]  # type: ignore[valid-type]
BulkOperation = Literal[services.BULK_OPERATIONS]  # type: ignore[valid-type]
Queue = Literal[tuple(QUEUES)]  # type: ignore[valid-type]
Group = Literal[tuple(stats.GROUPS)]  # type: ignore[valid-type]


def _form(required: list[str], properties: dict[str, dict]) -> dict:
    """The multipart body of a submission: the named fields, then the procedure's own fields and files (any name)."""
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": required, "properties": properties,
        "additionalProperties": {"type": "string"}}}}}}


def _file(media_type: str, description: str) -> dict:
    """A 200 that is a file, not JSON."""
    return {"responses": {200: {"description": description,
                                "content": {media_type: {"schema": {"type": "string", "format": "binary"}}}}}}


_CODE = {"type": "string", "maxLength": 64}


def _detail(dossier, user):
    """The dossier with what depends on who asks (their allowed operations) and on the rules (on time)."""
    dossier.allowed_operations = services.allowed_operations(dossier, user)
    dossier.on_time = services.is_on_time(dossier)
    return dossier


@router.post("", response={201: DossierDetailOut, **errors(400, SIGNED_IN, 404)},
             openapi_extra=_form(["procedure", "unit"], {
                 "procedure": _CODE, "unit": _CODE,
                 "acting_for": {"type": "string", "enum": ["self", "child", "ward", "authorized"], "default": "self"},
                 "acting_for_name": {"type": "string", "maxLength": 120},
                 "acting_for_id_number": {"type": "string", "maxLength": 12}}),
             summary="Submit a dossier online (multipart form; citizen)")
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


@router.post("/desk", response={201: DossierDetailOut, **errors(400, SIGNED_IN, 404)},
             openapi_extra=_form(["procedure", "id_number", "full_name", "date_of_birth"], {
                 "procedure": _CODE, "id_number": {"type": "string", "maxLength": 12},
                 "full_name": {"type": "string", "maxLength": 120},
                 "date_of_birth": {"type": "string", "maxLength": 10, "description": "dd/mm/yyyy or YYYY-MM-DD"},
                 "channel": {"type": "string", "enum": ["2", "3"], "default": "2"}}),
             summary="Receive a dossier at the desk or by post (staff)")
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


@router.get("", response={200: DossierPage, **errors(400, 401)},
            summary="My dossiers (citizen) or my agency's queue (staff)")
def list_dossiers(request: HttpRequest, queue: Queue | None = None,
                  after: int = Query(0, ge=0, le=MAX_ID),  # noqa: B008 — ninja's style
                  limit: int = Query(50, ge=1, le=200)) -> dict:  # noqa: B008
    dossiers = services.work_queue(request.user, queue) if queue else services.visible_dossiers(request.user)
    page = list(dossiers.filter(pk__gt=after).order_by("pk")[: limit + 1])
    return {"items": page[:limit], "next_after": page[limit - 1].pk if len(page) > limit else None}


@router.get("/evaluation-form", auth=None, summary="The nine indicators and the satisfaction levels")
def evaluation_form(request: HttpRequest) -> dict:
    return {"indicators": [{"number": n, "name": name, "levels": {str(p): text for p, text in enumerate(levels)}}
                           for n, (name, levels) in enumerate(INDICATORS, start=1)],
            "satisfaction": {str(level.value): level.label for level in Satisfaction}}


@router.get("/{code}", response={200: DossierDetailOut, **errors(401, 404)}, summary="One dossier with its history")
def detail(request: HttpRequest, code: str) -> object:
    return _detail(services.get_dossier_for(request.user, code), request.user)


@router.get("/{code}/result.pdf", response=errors(401, 404),
            openapi_extra=_file("application/pdf", "The signed result (PDF)"),
            summary="The signed electronic result (applicant, or staff who see the dossier)")
def result(request: HttpRequest, code: str) -> FileResponse:
    dossier = services.get_dossier_for(request.user, code)
    if not dossier.result:
        raise NotFound("Hồ sơ chưa có kết quả điện tử", field="code")
    return pdf_attachment(dossier.result, f"ket-qua-{dossier.code}.pdf")


def _require_fresh_authentication(request: HttpRequest) -> None:
    if not identity.recently_authenticated(request.session):
        raise identity.ReauthenticationRequired(
            "Cần xác thực lại bằng mã TOTP trước khi ký số kết quả (trang /account/xac-thuc-lai/)")


@router.post("/{code}/operations/{operation}",
             response={200: DossierDetailOut, **errors(400, SIGNED_IN, 404, 409)}, summary="Apply an operation")
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


@router.post("/{code}/evaluation", response={201: EvaluationOut, **errors(400, SIGNED_IN, 404, 409)},
             summary="Rate a returned dossier: nine indicators 0–2 and the satisfaction level (applicant, once)")
def evaluate(request: HttpRequest, code: str, payload: EvaluationIn) -> Status:
    """``points`` lists the nine indicators of the national evaluation in order (GET /dossiers/evaluation-form
    names them); ``satisfaction`` is 1 very satisfied, 2 satisfied, 3 dissatisfied."""
    evaluation = services.evaluate(user=request.user, code=code, points=payload.points,
                                   satisfaction=payload.satisfaction, comment=payload.comment)
    return Status(201, evaluation)


@router.post("/operations/{operation}", response={200: BulkOut, **errors(400, SIGNED_IN)},
             summary="Apply one operation to several dossiers (staff)")
def operate_in_bulk(request: HttpRequest, operation: BulkOperation, payload: BulkIn) -> dict:
    """For the operations that need no input of their own (receive, assign, forward, approve, return_result), up to
    100 codes. Each dossier moves or fails on its own; the answer lists every code with its new status or error."""
    if operation in services.SIGNING_OPERATIONS:
        _require_fresh_authentication(request)
    return {"results": services.apply_bulk(user=request.user, codes=payload.codes, operation=operation,
                                           note=payload.note)}


tracking_router = Router()


@tracking_router.get("/{code}", response={200: TrackingOut, **errors(404, 429)},
                     summary="Track a dossier by code (public, no personal data)")
@ratelimit.limit_operation("tracking")
def track(request: HttpRequest, code: str, secret: str = Query("", max_length=32)) -> object:  # noqa: B008
    """Anonymous callers give the tracking secret printed on the receipt (``?secret=``); a wrong secret and an
    unknown code are the same 404. The applicant and staff who may see the dossier need none."""
    return services.track(code, secret=secret, user=request.user)


statistics_router = Router()


PERIOD_DAYS = 366
START = Query(..., description="Ngày đầu kỳ báo cáo, tính cả ngày này (giờ Hà Nội), YYYY-MM-DD. "
                               "First day of the period, included (Hà Nội time).")
END = Query(..., description=f"Ngày cuối kỳ báo cáo, tính cả ngày này (\"từ ngày … đến ngày …\"): tháng 11/2026 là "
                             f"start=2026-11-01&end=2026-11-30; tối đa {PERIOD_DAYS} ngày. Last day of the period, "
                             f"included; at most {PERIOD_DAYS} days.")


def _period(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Reports read "từ ngày ``start`` đến ngày ``end``" with both days included, as a Vietnamese report does; the
    half-open datetime range the queries use ends at the midnight after ``end``."""
    if start.year < 2000 or end.year > 2200:
        raise Invalid("Khoảng thời gian phải trong các năm 2000–2200", field="start")
    if end < start or (end - start).days + 1 > PERIOD_DAYS:
        raise Invalid(f"end là ngày cuối kỳ (tính cả ngày đó), không trước start, tối đa {PERIOD_DAYS} ngày",
                      field="end")
    return stats.local_range(start, end + dt.timedelta(days=1))


@statistics_router.get("/scorecard", response={200: dict, **errors(400)},
                       summary="The Decision 766 scorecard per agency or for the city (public)")
def scorecard_api(request: HttpRequest, start: dt.date = START, end: dt.date = END,
                  group: Literal["agency", "city"] = "city") -> dict:
    """Every indicator with its formula, points, target, numerator, denominator, rate and score; indicators the
    platform cannot measure yet say why and are left out of ``measured_max``."""
    return {"start": start, "end": end, "group": group,
            "cards": scorecard.published(*_period(start, end), group=group)}


@statistics_router.get("", response={200: dict, **errors(400)}, openapi_extra={"responses": {200: {"content": {
    "text/csv": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string",
                                                                                      "format": "binary"}}}}}},
    summary="On-time statistics per agency or procedure (public figures, no personal data)")
def statistics(request: HttpRequest, start: dt.date = START, end: dt.date = END,
               group: Group = "agency",
               format: Literal["json", "csv", "xlsx"] = "json"):
    """Dossiers from ``start`` to ``end``, both days included (local dates). ``format=csv`` or ``format=xlsx``
    downloads the same table."""
    period = _period(start, end)
    rows = stats.published(*period, group=group)
    if format == "csv":  # the header row is the JSON's field names, the API's promise
        return export.csv_response(export.columns(stats.COLUMNS), rows, filename=f"thong-ke-{start}-{end}.csv")
    if format == "xlsx":
        return export.xlsx_response(export.columns(stats.COLUMNS), rows, filename=f"thong-ke-{start}-{end}.xlsx",
                                    title=f"{start}..{end}")
    return {"start": start, "end": end, "group": group, "rows": rows}

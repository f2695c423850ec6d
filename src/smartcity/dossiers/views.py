"""Pages of the one-stop shop: submit online, my dossiers, a dossier with its timeline and operations, the staff
queue, and public tracking by code with a QR code. Thin: every change goes through ``services``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartcity.agencies import services as agencies
from smartcity.agencies.models import Agency
from smartcity.dossiers import documents, progress, scorecard, services
from smartcity.dossiers import statistics as stats
from smartcity.dossiers.models import INDICATORS, MAX_POINTS, ActingFor, Satisfaction
from smartcity.identity import services as identity
from smartcity.lib import collation, formats, ratelimit, svg
from smartcity.lib.errors import NotFound, ServiceError
from smartcity.lib.http import pdf_attachment
from smartcity.lib.principal import is_staff
from smartcity.places.models import Level, Structure, Unit
from smartcity.procedures import services as procedures
from smartcity.procedures.forms import accepted, bound_fields, build_form_class, prefill
from smartcity.procedures.models import OnlineLevel, Procedure
from smartcity.vault import services as vault


def _month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """The first day of ``YYYY-MM`` and of the month after; the current month for anything else."""
    try:
        first = dt.date.fromisoformat(f"{month}-01")
        return first, (first + dt.timedelta(days=32)).replace(day=1)
    except (ValueError, OverflowError):
        first = timezone.localdate().replace(day=1)
        return first, (first + dt.timedelta(days=32)).replace(day=1)


REPORT_DAYS = 366  # the longest period a report page shows, as the statistics API


@dataclass
class ReportPeriod:
    """The period of the statistics pages: "Từ ngày … đến ngày …" typed as dd/mm/yyyy (``start``, ``end``), or a
    ``month`` (YYYY-MM, the older links), or the current month. ``errors`` name each field that could not be read;
    the page then shows the current month and says why."""

    first: dt.date
    following: dt.date
    errors: dict[str, str]
    typed: dict[str, str]

    @property
    def last(self) -> dt.date:
        return self.following - dt.timedelta(days=1)

    @property
    def whole_month(self) -> bool:
        return self.first.day == 1 and self.following == (self.first + dt.timedelta(days=32)).replace(day=1)


def _report_period(request: HttpRequest) -> ReportPeriod:
    typed = {k: request.GET.get(k, "").strip()[:20] for k in ("start", "end")}
    if not any(typed.values()):
        first, following = _month_bounds(request.GET.get("month", ""))
        return ReportPeriod(first, following, {}, {"start": formats.date(first),
                                                   "end": formats.date(following - dt.timedelta(days=1))})
    errors: dict[str, str] = {}
    dates: dict[str, dt.date | None] = {}
    for key in ("start", "end"):
        try:
            dates[key] = formats.parse_date(typed[key])
        except ValueError as exc:
            errors[key] = str(exc)
            continue
        if dates[key] is None:
            errors[key] = "Hãy nhập ngày theo dạng dd/mm/yyyy"
        elif not 2000 <= dates[key].year <= 2200:
            errors[key] = "Năm phải trong khoảng 2000–2200"
    start, end = dates.get("start"), dates.get("end")
    if not errors and start and end:
        if end < start:
            errors["end"] = "Ngày cuối không được trước ngày đầu"
        elif (end - start).days + 1 > REPORT_DAYS:
            errors["end"] = f"Khoảng thời gian tối đa {REPORT_DAYS} ngày"
    if errors or not start or not end:
        first, following = _month_bounds("")
        return ReportPeriod(first, following, errors, typed)
    return ReportPeriod(start, end + dt.timedelta(days=1), {}, {"start": formats.date(start), "end": formats.date(end)})


def _hanoi_communes() -> list[Unit]:
    """Hà Nội's 126 communes and wards in Vietnamese alphabetical order (Đ after D, not after Z)."""
    return collation.sort(Unit.objects.filter(structure=Structure.Y2025, level=Level.COMMUNE, province_code="01"),
                          by=lambda unit: unit.name)


@login_required
def submit(request: HttpRequest, key: str) -> HttpResponse:
    try:
        procedure = procedures.get_procedure(key)
    except NotFound:
        raise Http404 from None
    version = procedures.version_in_force(procedure)
    if version is None or procedure.online_level == OnlineLevel.NONE:
        raise Http404("Thủ tục không nộp trực tuyến")
    form_class = build_form_class(version.form)
    person = getattr(request.user, "person", None)
    error = None
    if request.method == "POST":
        form = form_class(data=request.POST, files=request.FILES)
        try:
            dossier = services.submit_online(user=request.user, procedure_key=key,
                                             unit_key=request.POST.get("unit", ""), data=request.POST,
                                             files=request.FILES)
        except ServiceError as exc:
            error = exc
            form.is_valid()  # show the per-field errors next to their fields
        else:
            messages.success(request, f"Đã nộp hồ sơ {dossier.code}. Bạn có thể theo dõi tiến độ tại đây.")
            return redirect("dossiers:detail", code=dossier.code)
    else:
        form = form_class(initial=prefill(version.form, person))
    for name in bound_fields(version.form):  # they come from the verified identity (the server insists)
        form.fields[name].widget.attrs["readonly"] = True
        form.fields[name].help_text = "Lấy từ định danh điện tử của bạn"
    stored = list(vault.documents_of(request.user))
    for item in version.form:  # the store's documents that may stand in for each upload, and the one chosen
        if item["type"] == "file":
            form.fields[item["name"]].reuse = accepted(item, stored)
            form.fields[item["name"]].reuse_chosen = request.POST.get(item["name"] + services.REUSE_SUFFIX, "")
    return render(request, "dossiers/submit.html", {
        "acting_for_choices": ActingFor.choices, "acting_for": request.POST.get("acting_for", ActingFor.SELF),
        "acting_for_name": request.POST.get("acting_for_name", ""),
        "acting_for_id_number": request.POST.get("acting_for_id_number", ""),
        "procedure": procedure, "version": version, "form": form, "error": error,
        "reuse_suffix": services.REUSE_SUFFIX,
        "communes": _hanoi_communes(), "selected_unit": request.POST.get("unit") or (
            person.permanent_unit.code if person and person.permanent_unit.structure == Structure.Y2025 else ""),
    }, status=400 if error else 200)


@login_required
def desk_intake(request: HttpRequest) -> HttpResponse:
    """The desk officer's intake: pick the procedure, enter the applicant's ID number and the form, receive."""
    key = request.GET.get("procedure") or request.POST.get("procedure") or ""
    procedure = version = form = error = None
    if key:
        try:
            procedure = procedures.get_procedure(key)
        except NotFound:
            raise Http404 from None
        version = procedures.version_in_force(procedure)
    if version is not None:
        form_class = build_form_class(version.form)
        form = form_class(data=request.POST or None, files=request.FILES or None)
        if request.method == "POST":
            try:
                dossier = services.receive_at_desk(
                    user=request.user, procedure_key=key, id_number=request.POST.get("id_number", ""),
                    full_name=request.POST.get("full_name", ""),
                    date_of_birth=formats.parse_date(request.POST.get("date_of_birth", "")),
                    channel=int(request.POST.get("channel") or 2), data=request.POST, files=request.FILES)
            except (ServiceError, ValueError) as exc:
                error = getattr(exc, "message", str(exc))
                form.is_valid()
            else:
                messages.success(request, f"Đã tiếp nhận hồ sơ {dossier.code}; hẹn trả "
                                          f"{timezone.localtime(dossier.appointment_at):%H:%M %d/%m/%Y}"
                                 if dossier.appointment_at else f"Đã tiếp nhận hồ sơ {dossier.code}")
                return redirect("dossiers:detail", code=dossier.code)
    return render(request, "dossiers/desk.html", {
        "procedures": procedures.search(), "procedure": procedure, "form": form, "error": error,
        "id_number": request.POST.get("id_number", ""), "full_name": request.POST.get("full_name", ""),
        "date_of_birth": request.POST.get("date_of_birth", ""), "channel": request.POST.get("channel", "2"),
    }, status=400 if error else 200)


@login_required
def my_dossiers(request: HttpRequest) -> HttpResponse:
    dossiers = services.visible_dossiers(request.user).order_by("-submitted_at")[:200]
    return render(request, "dossiers/list.html", {"dossiers": dossiers})


def _answer(item: dict, value: object) -> object:
    """A stored answer as people read it: a date (kept ISO) as dd/mm/yyyy."""
    if item["type"] == "date" and isinstance(value, str):
        try:
            return formats.date(formats.parse_date(value))
        except ValueError:
            return value
    return value


DRAFT_KEY = "dossier_operation_draft"  # the reason typed into an operation that was refused, shown again


def _keep_draft(request: HttpRequest, code: str, operation: str) -> None:
    request.session[DRAFT_KEY] = {"code": code, "operation": operation, "note": request.POST.get("note", "")[:1000]}


def _officer_actions(dossier, user, draft: dict | None = None) -> list[dict]:
    """The operations the dossier page offers ``user`` now (``services.step_operations``), each with what its form
    needs: the one primary action first, the destructive ones asking for a reason and a confirmation, the members
    to choose from where the operation hands the dossier to a workflow step, and the reason typed before a refusal
    (``draft``), so nothing typed is lost."""
    names = services.step_operations(dossier, user)
    draft = draft if draft and draft.get("code") == dossier.code else {}
    primary = next((n for n in PRIMARY_ORDER if n in names), None)
    actions = []
    for name in sorted(names, key=lambda n: n != primary):
        step = services.next_step(dossier, name)
        workflow = dossier.version.workflow
        actions.append({
            "name": name, "label": services.OPERATIONS[name].label, "primary": name == primary,
            "destructive": name in DESTRUCTIVE, "needs_note": name in services.NEEDS_NOTE,
            "step": workflow[step]["step"] if step is not None and step < len(workflow) else "",
            "members": services.members_for_step(dossier, step) if step is not None else [],
            "note": draft.get("note", "") if draft.get("operation") == name else "",
        })
    return actions


# The step's one primary action, the first of these the user may apply.
PRIMARY_ORDER = ("receive", "supplement", "approve", "forward", "assign", "return_result", "record_payment",
                 "certify_copy")


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        dossier = services.get_dossier_for(request.user, code)
    except NotFound:
        raise Http404 from None
    return render(request, "dossiers/detail.html", {
        "dossier": dossier, "events": dossier.events.select_related("actor_agency"),
        "files": dossier.files.all(),
        "operations": _officer_actions(dossier, request.user, request.session.pop(DRAFT_KEY, None)),
        "on_time": services.is_on_time(dossier), "deadline": progress.deadline(dossier),
        "stages": progress.stages(dossier),
        "timeline": progress.timeline(dossier, officers=dossier.applicant_id == getattr(request.user, "person_id", None)
                                      or is_staff(request.user)),
        "documents": [(kind, documents.KINDS[kind]) for kind in documents.available(dossier)],
        "answers": [(f["label"], _answer(f, dossier.data.get(f["name"])))
                    for f in dossier.version.form if f["type"] != "file"],
        "payments": services.payments_of(dossier),
        "can_evaluate": services.can_evaluate(dossier, request.user),
        "evaluation": getattr(dossier, "evaluation", None), "max_points": MAX_POINTS,
        "indicators": list(enumerate(INDICATORS, start=1)), "satisfaction_levels": Satisfaction.choices,
    })


@login_required
@require_POST
def evaluate(request: HttpRequest, code: str) -> HttpResponse:
    """The applicant's evaluation form on the dossier page (nine indicators and the satisfaction level)."""
    points = [request.POST.get(f"indicator_{number}", "") for number in range(1, len(INDICATORS) + 1)]
    try:
        services.evaluate(user=request.user, code=code, points=points,
                          satisfaction=request.POST.get("satisfaction", ""), comment=request.POST.get("comment", ""))
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Cảm ơn bạn đã đánh giá việc giải quyết hồ sơ.")
    return redirect("dossiers:detail", code=code)


@login_required
def attachment(request: HttpRequest, code: str, file_id: int) -> FileResponse:
    """An attachment, for whoever may see the dossier (the read is audited for staff by ``get_dossier_for``)."""
    try:
        dossier = services.get_dossier_for(request.user, code)
    except NotFound:
        raise Http404 from None
    stored = dossier.files.filter(pk=file_id).first()
    if stored is None:
        raise Http404
    return FileResponse(stored.file.open("rb"), as_attachment=True, filename=stored.original_name,
                        content_type=stored.content_type or "application/octet-stream")


@login_required
def result(request: HttpRequest, code: str) -> FileResponse:
    """The signed electronic result, for the applicant and the staff who may see the dossier."""
    try:
        dossier = services.get_dossier_for(request.user, code)
    except NotFound:
        raise Http404 from None
    if not dossier.result:
        raise Http404("Hồ sơ chưa có kết quả điện tử")
    return pdf_attachment(dossier.result, f"ket-qua-{dossier.code}.pdf")


@login_required
def document(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    """A printable document of the dossier (receipt, supplement request, …) as PDF."""
    try:
        dossier = services.get_dossier_for(request.user, code)
    except NotFound:
        raise Http404 from None
    if kind not in documents.available(dossier):
        raise Http404("Hồ sơ chưa có giấy tờ này")
    tracking = services.tracking_url(dossier, base=request.build_absolute_uri("/"))
    officer = request.user.get_full_name() if is_staff(request.user) else ""
    pdf = documents.render(dossier, kind, tracking_url=tracking, officer=officer)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{kind}-{dossier.code}.pdf"'
    return response


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    """The desk's dossier ledger for a month (staff of the receiving agency)."""
    agency_ids = services.staff_agency_ids(request.user)
    if not agency_ids:
        raise Http404
    first, following = _month_bounds(request.GET.get("month", ""))
    since, until = stats.local_range(first, following)
    rows = (services.visible_dossiers(request.user).filter(
        receiving_agency_id__in=agency_ids, received_at__gte=since, received_at__lt=until).select_related("applicant")
        .order_by("received_at"))
    name = Agency.objects.get(pk=agency_ids[0]).name
    pdf = documents.ledger(rows, agency_name=name, start=first, end=following - dt.timedelta(days=1))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="so-theo-doi-{first:%Y-%m}.pdf"'
    return response


def _reauthenticate_first(request: HttpRequest, back: str) -> HttpResponse:
    """Signing waits for a fresh TOTP code: to the re-authentication page, then back to where the button was."""
    messages.info(request, "Để ký số kết quả, vui lòng nhập mã xác thực mới rồi bấm lại «Phê duyệt».")
    return redirect(f"{reverse('identity:reauthenticate')}?{urlencode({'next': back})}")


# Operations that end or send back a dossier: the page asks for a reason and a ticked confirmation (no script).
DESTRUCTIVE = frozenset({"refuse", "stop", "withdraw", "request_supplement"})


def _chosen_assignee(request: HttpRequest) -> int | None:
    value = request.POST.get("assignee", "").strip()
    return int(value) if value.isdigit() else None


@login_required
@require_POST
def operate(request: HttpRequest, code: str, operation: str) -> HttpResponse:
    new_appointment = None
    if request.POST.get("new_appointment"):
        try:
            new_appointment = dt.datetime.fromisoformat(request.POST["new_appointment"])
            new_appointment = timezone.make_aware(new_appointment) if timezone.is_naive(new_appointment) else new_appointment
        except ValueError:
            messages.error(request, "Ngày hẹn mới không hợp lệ")
            return redirect("dossiers:detail", code=code)
    amount = request.POST.get("amount", "").replace(".", "").replace(",", "").strip() or None
    if amount is not None and not amount.isdigit():
        messages.error(request, "Số tiền phải là số nguyên (đồng)")
        return redirect("dossiers:detail", code=code)
    if operation in DESTRUCTIVE and not request.POST.get("confirm"):
        if not services.visible_dossiers(request.user).filter(code=code).exists():
            raise Http404
        messages.error(request, _("Hãy đánh dấu «Tôi xác nhận» để thực hiện thao tác «%(label)s».")
                       % {"label": services.OPERATIONS[operation].label})
        _keep_draft(request, code, operation)
        return redirect("dossiers:detail", code=code)
    if services.signs_result(user=request.user, code=code, operation=operation) and not \
            identity.recently_authenticated(request.session):
        return _reauthenticate_first(request, reverse("dossiers:approve", kwargs={"code": code}))
    try:
        if operation in ("assign", "forward") and "assignee" in request.POST:
            dossier = services.assign_to(user=request.user, code=code, operation=operation,
                                         assignee_id=_chosen_assignee(request), note=request.POST.get("note", ""))
        else:
            dossier = services.apply_operation(user=request.user, code=code, operation=operation,
                                               note=request.POST.get("note", ""), new_appointment=new_appointment,
                                               to_agency=request.POST.get("to_agency") or None, files=request.FILES,
                                               amount=int(amount) if amount else None)
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, exc.message)
        _keep_draft(request, code, operation)
        return redirect("dossiers:detail", code=code)
    messages.success(request, f"{services.OPERATIONS[operation].label}: hồ sơ {dossier.code} — "
                              f"{dossier.get_status_display()}")
    if services.visible_dossiers(request.user).filter(code=code).exists():
        return redirect("dossiers:detail", code=code)
    return redirect("dossiers:queue")


def _awaiting_my_approval(request: HttpRequest, code: str):
    """The dossier ``code`` if it waits for the caller's approval now; 404 otherwise (as for one not visible)."""
    try:
        dossier = services.get_dossier_for(request.user, code)
    except NotFound:
        raise Http404 from None
    if "approve" not in services.step_operations(dossier, request.user):
        raise Http404("Hồ sơ không chờ bạn phê duyệt")
    return dossier


@login_required
def approve(request: HttpRequest, code: str) -> HttpResponse:
    """The leader's signing screen: the dossier in brief, the draft result to read first, then «Phê duyệt và ký»."""
    return render(request, "dossiers/approve.html", {"dossier": _awaiting_my_approval(request, code)})


@login_required
def draft_result(request: HttpRequest, code: str) -> HttpResponse:
    """The result as it will be signed, unsigned, for the leader to read before approving."""
    dossier = _awaiting_my_approval(request, code)
    pdf = documents.result(dossier, signer=request.user.get_full_name() or request.user.username,
                           tracking_url=services.tracking_url(dossier, base=request.build_absolute_uri("/")))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="du-thao-ket-qua-{dossier.code}.pdf"'
    return response


def _queue_filters(params) -> tuple[dict, list[str]]:
    """The queue page's search and filters from its query string, and the errors of those it could not read."""
    errors, dates = [], {}
    for key in ("from", "to"):
        try:
            dates[key] = formats.parse_date(params.get(key, "")[:20])
        except ValueError as exc:
            dates[key] = None
            errors.append(f"{_('Từ ngày') if key == 'from' else _('Đến ngày')}: {exc}")
    procedure = params.get("procedure", "")
    return {"query": params.get("q", ""), "procedure_id": int(procedure) if procedure.isdigit() else None,
            "received_from": dates["from"], "received_to": dates["to"],
            "overdue_only": params.get("overdue") == "1"}, errors


def _queue_page(request: HttpRequest, params, *, status: int = 200, bulk_error: str = "", note: str = "",
                picked: frozenset[str] = frozenset()) -> HttpResponse:
    """The officer's work queue (the query string in ``params``), also re-shown after a bulk action that failed,
    with what was typed and ticked kept."""
    leader = services.is_leader(request.user)
    tabs = {**({services.MY_APPROVALS: services.MY_APPROVALS_LABEL} if leader else {}), **services.TABS}
    name = params.get("queue") or next(iter(tabs))  # a leader starts at what awaits his approval
    if name not in tabs:
        name = "to_receive"
    sort = params.get("sort") or ("received" if name == "to_receive" else "due")
    if sort not in services.QUEUE_SORTS:
        sort = "due"
    filters, errors = _queue_filters(params)
    try:
        number = max(1, int(params.get("page") or 1))
    except ValueError:
        number = 1
    size = services.QUEUE_PAGE_SIZE
    view = services.search_queue(user=request.user, tab=name, sort=sort, offset=(number - 1) * size, **filters)
    if view.total and (number - 1) * size >= view.total:  # past the last page: the last one
        number = (view.total - 1) // size + 1
        view = services.search_queue(user=request.user, tab=name, sort=sort, offset=(number - 1) * size, **filters)
    cal, today = agencies.working_calendar(), timezone.localdate()
    rows = []
    for d in view.rows:
        left = services.days_left(d, today=today, cal=cal)
        rows.append({"d": d, "left": left, "late": -left if left is not None and left < 0 else 0,
                     "arrived": formats.moment(d.arrived_at), "due": formats.moment(d.appointment_at) or "—"})
    kept = {k: v for k, v in params.items() if k in ("q", "procedure", "from", "to", "overdue") and v}
    first = (number - 1) * size + 1 if view.total else 0
    visible = services.visible_dossiers(request.user)
    return render(request, "dossiers/queue.html", {
        "rows": rows, "current": name, "tabs": [(key, label, view.counts.get(key, 0)) for key, label in tabs.items()],
        "sort": sort, "filters": kept, "errors": errors, "filter_query": urlencode(kept),
        "tab_query": urlencode({"queue": name, **kept}),
        "procedures": collation.sort(Procedure.objects.filter(pk__in=visible.order_by().values("procedure_id")),
                                     by=lambda p: p.name),
        "range": _("%(first)s–%(last)s / %(total)s") % {
            "first": formats.number(first), "last": formats.number(first + len(rows) - 1 if rows else 0),
            "total": formats.number(view.total)},
        "previous_page": number - 1 if number > 1 else None,
        "next_page": number + 1 if number * size < view.total else None,
        "bulk_operations": [(op, services.OPERATIONS[op].label) for op in services.BULK_OPERATIONS],
        "bulk_error": bulk_error, "note": note, "picked": picked, "operation": request.POST.get("operation", ""), "back": request.POST.get("back", "")
        if request.method == "POST" else urlencode({"queue": name, "sort": sort, "page": number, **kept}),
    }, status=status)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if not is_staff(request.user):  # citizens follow their dossiers at "Hồ sơ đã nộp"
        raise Http404
    return _queue_page(request, request.GET)


@login_required
@require_POST
def operate_in_bulk(request: HttpRequest) -> HttpResponse:
    """The queue's "apply to the selected dossiers" form: one summary message, and one per dossier that failed.
    On any error the queue is shown again with the note and the ticked dossiers kept (those that failed)."""
    if not is_staff(request.user):
        raise Http404
    back_query = request.POST.get("back", "")[:2000]
    if not back_query and request.POST.get("queue"):
        back_query = urlencode({"queue": request.POST["queue"]})
    back = reverse("dossiers:queue") + "?" + back_query
    params = QueryDict(back_query)
    note = request.POST.get("note", "")
    codes = request.POST.getlist("codes")
    if request.POST.get("operation") in services.SIGNING_OPERATIONS and not \
            identity.recently_authenticated(request.session):
        return _reauthenticate_first(request, back)
    try:
        results = services.apply_bulk(user=request.user, codes=codes, operation=request.POST.get("operation", ""),
                                      note=note)
    except ServiceError as exc:
        return _queue_page(request, params, status=400, bulk_error=exc.message, note=note, picked=frozenset(codes))
    done = [r.code for r in results if r.ok]
    if done:
        label = services.OPERATIONS[request.POST["operation"]].label
        messages.success(request, f"{label}: {len(done)} hồ sơ ({', '.join(done)})")
    failed = [r for r in results if not r.ok]
    if failed:
        for r in failed:
            messages.error(request, f"{r.code}: {r.error['message']}")
        return _queue_page(request, params, status=400, note=note, picked=frozenset(r.code for r in failed),
                           bulk_error=_("%(count)s hồ sơ chưa thực hiện được; xem lý do ở trên.")
                           % {"count": formats.number(len(failed))})
    return redirect(back)


@ratelimit.rate_limit("tracking", when=lambda request: bool(request.GET.get("code")))
def track(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip()
    secret = services.normalise_tracking_secret(request.GET.get("secret", ""))
    result, error, qr, stages, rows, deadline = None, None, None, [], [], None
    if code:
        try:
            result = services.track(code, secret=secret, user=request.user)
        except NotFound as exc:
            error = exc.message
        else:
            stages, rows, deadline = progress.of_code(result.code, officers=False)  # the office, never a name
            if secret:  # the QR code opens this page again; only with the secret the caller already has
                url = request.build_absolute_uri(reverse("dossiers:track") + "?" + urlencode(
                    {"code": result.code, "secret": secret}))
                qr = svg.qr_code(url, scale=4)
    return render(request, "dossiers/track.html", {"code": code, "secret": secret, "result": result, "error": error,
                                                   "qr": qr, "stages": stages, "timeline": rows,
                                                   "deadline": deadline}, status=404 if error else 200)


def statistics_page(request: HttpRequest) -> HttpResponse:
    """The period's figures per agency (public: counts only); a month by default."""
    period = _report_period(request)
    first, following = period.first, period.following
    rows = stats.published(*stats.local_range(first, following),
                           group=request.GET.get("group") if request.GET.get("group") in stats.GROUPS else "agency")
    busiest = sorted(rows, key=lambda r: -(r["processed"] + r["in_progress_on_time"] + r["in_progress_late"]))
    when = f"tháng {first:%m/%Y}" if period.whole_month else \
        f"từ ngày {formats.date(first)} đến ngày {formats.date(period.last)}"
    chart = svg.stacked_bars(
        busiest[:CHART_ROWS], OUTCOMES, label_key="name",
        title=f"Kết quả giải quyết hồ sơ {when} của {min(len(rows), CHART_ROWS)} cơ quan nhiều hồ sơ nhất",
    ) if rows else None
    # the export links ask the API for the same period: "end" is its last day, included
    return render(request, "dossiers/statistics.html", {"rows": rows, "month": f"{first:%Y-%m}", "start": first,
                                                         "end": period.last, "chart": chart, "period": period})


CHART_ROWS = 15
OUTCOMES = [
    svg.Series("processed_early", "Trước hạn", "#1a7f37"),
    svg.Series("processed_on_time", "Đúng hạn", "#2f6fba"),
    svg.Series("processed_late", "Trễ hạn", "#c62828"),
    svg.Series("in_progress_on_time", "Đang xử lý trong hạn", "#9aa4ad"),
    svg.Series("in_progress_late", "Đang xử lý quá hạn", "#e08a00"),
]


def scorecard_page(request: HttpRequest) -> HttpResponse:
    """Decision 766's scorecard for a period (a month by default): the city's card, the agencies ranked, one
    agency's indicators."""
    period = _report_period(request)
    first, following = period.first, period.following
    span = stats.local_range(first, following)
    [city] = scorecard.published(*span, group="city") or [None]
    agencies = sorted(scorecard.published(*span, group="agency"), key=lambda c: -(c["of_100"] or 0))
    chosen = next((c for c in agencies if c["key"] == request.GET.get("agency")), None)
    return render(request, "dossiers/scorecard.html", {
        "month": f"{first:%Y-%m}", "city": city, "agencies": agencies, "card": chosen or city,
        "groups": scorecard.GROUPS, "start": first, "end": period.last, "period": period})

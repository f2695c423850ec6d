"""Use cases of the one-stop shop. Every operation on a dossier goes through ``apply_operation``: it locks the row,
checks the state machine (docs/design/dossier-lifecycle.md), the actor's role and agency, changes the dossier,
writes a history row and an audit entry, all in one transaction. Anything out of order is a 409 naming the
operations that are allowed.

Access is decided in one place: ``visible_dossiers(user)`` and ``get_dossier_for(user, code)``.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from smartcity.agencies import services as agencies
from smartcity.agencies.models import Agency, Membership
from smartcity.audit import services as audit
from smartcity.audit.models import Action
from smartcity.dossiers import documents
from smartcity.dossiers.lifecycle import APPLICANT, NEEDS_NOTE, OPERATIONS
from smartcity.dossiers.models import (
    INDICATORS,
    QUEUES,
    ActingFor,
    Channel,
    DailyCounter,
    Dossier,
    DossierFile,
    Evaluation,
    Event,
    Satisfaction,
    Status,
)
from smartcity.lib import collation
from smartcity.lib.errors import Conflict, Forbidden, Invalid, NotFound
from smartcity.lib.idnumber import clean_id_number
from smartcity.lib.principal import Principal, is_staff
from smartcity.lib.storage import files_follow_transaction, save_file
from smartcity.lib.workdays import WorkCalendar
from smartcity.notifications import services as notifications
from smartcity.payments import models as payments
from smartcity.payments import services as payments_services
from smartcity.places.models import Level, Structure, Unit
from smartcity.population import services as population
from smartcity.procedures import services as procedures
from smartcity.procedures.forms import accepted, bind_identity, build_form_class, check_upload, serialise
from smartcity.procedures.models import OnlineLevel, Procedure, ProcedureVersion
from smartcity.signing import services as signing
from smartcity.vault import services as vault

# The type an attachment is served with comes from its checked extension (lib.uploads), never from what the uploader
# claimed.


# ------------------------------------------------------------------------------------------------ codes


def next_code(agency: Agency, moment: dt.datetime) -> str:
    """``<agency code>-<YYMMDD>-<NNNN>``: the day's next number at that agency (a locked counter row, so two
    receptions at the same moment never get the same code)."""
    day = timezone.localtime(moment).date()
    table = connection.ops.quote_name(DailyCounter._meta.db_table)
    with connection.cursor() as cursor:
        # One statement, atomic on both databases: the first of the day inserts 1, the others add one to the row
        # (which stays locked until the caller's transaction ends).
        cursor.execute(f"INSERT INTO {table} (agency_id, day, last) VALUES (%s, %s, 1) "
                       f"ON CONFLICT (agency_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
                       [agency.pk, day])
        (number,) = cursor.fetchone()
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"


# ------------------------------------------------------------------------------------------------ access


def staff_agency_ids(user: Principal) -> list[int]:
    return list(Membership.objects.active().filter(user=user).values_list("agency_id", flat=True))


def visible_dossiers(user: Principal):
    """Dossiers ``user`` may see: a citizen their own; staff those their agency handles or received."""
    dossiers = Dossier.objects.select_related("procedure", "agency", "receiving_agency", "unit")
    if not getattr(user, "is_authenticated", False):
        return dossiers.none()
    if is_staff(user):
        ids = staff_agency_ids(user)
        return dossiers.filter(Q(agency_id__in=ids) | Q(receiving_agency_id__in=ids))
    if getattr(user, "person_id", None):
        return dossiers.of_citizen(user.person_id)
    return dossiers.none()


def work_queue(user: Principal, name: str):
    """One of the staff queues (``models.QUEUES``) of the dossiers ``user`` may see; "due soon" is within the
    next working day."""
    if name not in QUEUES:
        raise Invalid(f"queue phải là một trong {', '.join(QUEUES)}", field="queue")
    now = timezone.now()
    soon = agencies.working_calendar().add_working_hours(now, 8)
    return visible_dossiers(user).queue(name, now=now, soon=soon)


def get_dossier_for(user: Principal, code: str) -> Dossier:
    """The dossier if ``user`` may see it; 404 otherwise (another person's dossier does not exist for you)."""
    dossier = visible_dossiers(user).select_related("applicant", "version").filter(code=code).first()
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ", field="code")
    if is_staff(user):
        audit.record(actor=agencies.actor_for(user), action=Action.READ, subject_type="dossiers.dossier",
                     subject_id=dossier.pk, person_id=dossier.applicant_id, purpose=f"Xử lý hồ sơ {dossier.code}")
    return dossier


# ------------------------------------------------------------------------------------------------ submission


def _competent_agency(procedure: Procedure, unit: Unit) -> Agency:
    """Who handles ``procedure`` for the commune ``unit`` (the rule is the agencies app's)."""
    return agencies.competent_agency(unit=unit, levels=procedure.levels, department=procedure.department)


def _in_force(procedure_key: str) -> tuple[Procedure, Any]:
    """The procedure and its version in force, or ``NotFound`` / ``Invalid`` naming the procedure."""
    procedure = procedures.get_procedure(procedure_key)
    version = procedures.version_in_force(procedure)
    if version is None:
        raise Invalid("Thủ tục chưa có phiên bản có hiệu lực", field="procedure")
    return procedure, version


def _validated(version: Any, data: Mapping[str, Any], files: Mapping[str, Any]):
    """The form of ``version`` validated, or ``Invalid`` naming the field."""
    form = build_form_class(version.form)(data=data, files=files)
    if not form.is_valid():
        field, messages = next(iter(form.errors.items()))
        raise Invalid(str(messages[0]), field=field)
    return form


def _create(*, user: Principal, procedure: Procedure, version: Any, form: Any, applicant_id: int,
            agency: Agency, receiving_agency: Agency, unit: Unit, channel: int, note: str) -> Dossier:
    """Write the dossier, its files and its first history row, then — last, so that the two rows every submission
    contends for (the agency's daily counter and the audit chain's head) stay locked only for the end of the
    transaction — take its code and record it."""
    now = timezone.now()
    dossier = Dossier.objects.create(
        code=f"~{uuid.uuid4().hex}", procedure=procedure, version=version, applicant_id=applicant_id,
        submitted_by=user, agency=agency, receiving_agency=receiving_agency, unit=unit, channel=channel,
        status=Status.NEW, data=serialise(form.cleaned_data), submitted_at=now,
    )
    _attach(dossier, form.cleaned_data, version.form)
    Event.objects.create(dossier=dossier, at=now, operation="submit", from_status=None, to_status=Status.NEW,
                         actor=user, actor_agency=None if channel == Channel.ONLINE else receiving_agency, note=note)
    dossier.code = next_code(receiving_agency, now)
    dossier.save(update_fields=["code"])
    audit.record(actor=agencies.actor_for(user), action=Action.CREATE, subject_type="dossiers.dossier",
                 subject_id=dossier.pk, person_id=applicant_id)
    return dossier


def _tell_applicant(dossier: Dossier, note: str = "") -> None:
    """Queue the applicant's notice of the dossier's new state (delivered after commit by the outbox)."""
    applicant = dossier.applicant
    lines = [f"Hồ sơ {dossier.code} — {dossier.procedure.name}: {dossier.get_status_display()}."]
    if dossier.appointment_at:
        lines.append(f"Ngày hẹn trả kết quả: {timezone.localtime(dossier.appointment_at):%H:%M %d/%m/%Y}.")
    if note:
        lines.append(f"Ghi chú: {note}")
    notifications.notify_person(person_id=applicant.pk, email=applicant.email, phone=applicant.phone,
                                subject=f"Hồ sơ {dossier.code}: {dossier.get_status_display()}",
                                body="\n".join(lines))


@files_follow_transaction()
def submit_online(*, user: Principal, procedure_key: str, unit_key: str, data: Mapping[str, Any],
                  files: Mapping[str, Any]) -> Dossier:
    """A citizen submits a dossier online (status 1): the form is validated on the server, files are checked,
    the procedure version in force is pinned and the dossier gets its code. Nothing is written on any error."""
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        raise Forbidden("Chỉ công dân đã đăng nhập mới nộp hồ sơ trực tuyến")
    procedure, version = _in_force(procedure_key)
    representation = _representation(data)
    data = bind_identity(version.form, data, population.own_record(user=user))
    files, reused = _with_reused_documents(user, version, data, files)
    form = _validated(version, data, files)
    if procedure.online_level == OnlineLevel.NONE:
        raise Invalid("Thủ tục này không nộp trực tuyến", field="procedure")
    unit = Unit.objects.filter(structure=Structure.Y2025, level=Level.COMMUNE, code=unit_key.split(":")[-1]).first()
    if unit is None:
        raise Invalid("Chọn phường/xã nơi nộp hồ sơ", field="unit")
    agency = _competent_agency(procedure, unit)
    dossier = _create(user=user, procedure=procedure, version=version, form=form, applicant_id=person_id,
                      agency=agency, receiving_agency=agency, unit=unit, channel=Channel.ONLINE,
                      note="Nộp trực tuyến")
    dossier.reused_documents = len(reused)
    dossier.acting_for, dossier.represented_name, dossier.represented_id_number = representation
    dossier.save(update_fields=["reused_documents", "acting_for", "represented_name", "represented_id_number"])
    _tell_applicant(dossier)
    return dossier


def _representation(data: Mapping[str, Any]) -> tuple[str, str, str]:
    """``acting_for`` (self, child, ward, authorized) and, unless self, the represented person's name and ID number
    (``acting_for_name``, ``acting_for_id_number``): what the officer sees of whom the applicant speaks for."""
    acting_for = str(data.get("acting_for") or ActingFor.SELF)
    if acting_for not in ActingFor.values:
        raise Invalid(f"acting_for phải là một trong {', '.join(ActingFor.values)}", field="acting_for")
    if acting_for == ActingFor.SELF:
        return acting_for, "", ""
    name = " ".join(str(data.get("acting_for_name") or "").split())
    if not name or len(name) > 120:
        raise Invalid("Nhập họ tên người được đại diện (tối đa 120 ký tự)", field="acting_for_name")
    number = str(data.get("acting_for_id_number") or "").strip()
    if number:
        try:
            number = clean_id_number(number)
        except Invalid as exc:
            raise Invalid(exc.message, field="acting_for_id_number") from None
    elif acting_for != ActingFor.CHILD:  # a newborn has no number yet; anyone else does
        raise Invalid("Nhập số định danh cá nhân của người được đại diện", field="acting_for_id_number")
    return acting_for, name, number


def receive_at_desk(*, user: Principal, procedure_key: str, id_number: str, full_name: str,
                    date_of_birth: dt.date | None, channel: int, data: Mapping[str, Any],
                    files: Mapping[str, Any]) -> Dossier:
    """A reception officer takes in a dossier handed in at the desk (channel 2) or by post (channel 3) and receives
    it at once (status 2, appointment fixed). Since 1 July 2025 any desk receives any dossier, wherever the
    applicant lives; it goes to the competent agency for the desk's place. The applicant is found by the ID number,
    name and date of birth on their card (``population.applicant_for_reception``) before the dossier's transaction,
    so the audit entry of a failed attempt stays."""
    if channel not in (Channel.DESK, Channel.POST):
        raise Invalid("Kênh tiếp nhận tại quầy là 2 (trực tiếp) hoặc 3 (bưu chính)", field="channel")
    desk = (Membership.objects.active().filter(user=user, role="reception").select_related("agency__unit")
            .order_by("id").first())
    if desk is None:
        raise Forbidden("Chỉ cán bộ bộ phận một cửa mới tiếp nhận hồ sơ tại quầy")
    applicant = population.applicant_for_reception(actor=user, id_number=id_number, full_name=full_name,
                                                   date_of_birth=date_of_birth)
    representation = _representation(data)
    with files_follow_transaction():
        procedure, version = _in_force(procedure_key)
        form = _validated(version, bind_identity(version.form, data, applicant), files)
        unit = desk.agency.unit if desk.agency.unit.level == Level.COMMUNE else applicant.permanent_unit
        dossier = _create(user=user, procedure=procedure, version=version, form=form, applicant_id=applicant.pk,
                          agency=_competent_agency(procedure, unit), receiving_agency=desk.agency, unit=unit,
                          channel=channel, note=Channel(channel).label)
        _receive(dossier, now=dossier.submitted_at, cal=agencies.working_calendar())
        dossier.status = Status.RECEIVED
        dossier.acting_for, dossier.represented_name, dossier.represented_id_number = representation
        dossier.save()
        Event.objects.create(dossier=dossier, at=dossier.submitted_at, operation="receive", from_status=Status.NEW,
                             to_status=Status.RECEIVED, actor=user, actor_agency=desk.agency,
                             step_due_at=dossier.step_due_at)
        _tell_applicant(dossier)
    return dossier


REUSE_SUFFIX = "__kho"  # a file field's companion: the id of a document from the applicant's store


def _with_reused_documents(user: Principal, version: Any, data: Mapping[str, Any],
                           files: Mapping[str, Any]) -> tuple[dict[str, Any], list[int]]:
    """Stand a document from the applicant's store in for an upload where the form names one (``<field>__kho``):
    the state already holds it, so the citizen is not asked for a scan. Only the applicant's own documents."""
    files = dict(files.items())
    reused = []
    for item in version.form:
        chosen = data.get(item["name"] + REUSE_SUFFIX) if item["type"] == "file" else None
        if not chosen or files.get(item["name"]):
            continue
        try:
            document = vault.take_for_reuse(user=user, document_id=chosen)
        except (Invalid, NotFound) as exc:
            raise Invalid(exc.message, field=item["name"]) from None
        if not accepted(item, [document]):  # the page offers only these; a hand-made request is held to the same
            raise Invalid(f"Giấy tờ «{document.title}» không phải loại giấy tờ mục «{item['label']}» yêu cầu",
                          field=item["name"])
        with document.file.open("rb") as fh:
            files[item["name"]] = SimpleUploadedFile(f"{document.reference or 'kho'}.pdf", fh.read(),
                                                     "application/pdf")
        reused.append(document.pk)
    return files, reused


def _attach(dossier: Dossier, cleaned: Mapping[str, Any], spec: list[dict[str, Any]]) -> None:
    for item in spec:
        upload = cleaned.get(item["name"]) if item["type"] == "file" else None
        if not upload:
            continue
        checked = check_upload(upload)  # already done by the form: the result it kept
        stored = DossierFile(dossier=dossier, field=item["name"], original_name=checked.name,
                             content_type=checked.content_type, size=checked.size, sha256=checked.sha256)
        save_file(stored.file, checked.name, upload)
        stored.save()


# ------------------------------------------------------------------------------------------------ operations


CERTIFIED_COPY_FIELD = "original_scan_file"  # the scan the desk seals (procedure ``lifecycle.CERTIFIED_COPY``)
_UNPAID = (payments.State.CREATED, payments.State.PENDING, payments.State.FAILED)


def allowed_operations(dossier: Dossier, user: Principal) -> list[str]:
    """The operations ``user`` may apply to ``dossier`` now (what the pages offer and a 409 lists)."""
    roles = _roles_of(user, dossier)
    return [name for name, op in OPERATIONS.items() if dossier.status in op.sources and roles & set(op.roles)
            and (not op.procedures or dossier.procedure.code in op.procedures)]


def _roles_of(user: Principal, dossier: Dossier) -> set[str]:
    if getattr(user, "person_id", None) and user.person_id == dossier.applicant_id:
        return {APPLICANT}
    if not is_staff(user):
        return set()
    return set(Membership.objects.active().filter(user=user, agency_id=dossier.agency_id)
               .values_list("role", flat=True))


@files_follow_transaction()
def apply_operation(*, user: Principal, code: str, operation: str, note: str = "",
                    new_appointment: dt.datetime | None = None, to_agency: str | None = None,
                    files: Mapping[str, Any] | None = None, amount: int | None = None) -> Dossier:
    """Apply one operation of the lifecycle to a dossier (see ``OPERATIONS``)."""
    op = OPERATIONS.get(operation)
    if op is None:
        raise Invalid(f"Thao tác không tồn tại: {operation}", field="operation")
    dossier = visible_dossiers(user).select_for_update(of=("self",)).filter(code=code).first()
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ", field="code")
    roles = _roles_of(user, dossier)
    if not roles & set(op.roles):
        raise Forbidden(f"Vai trò của bạn không được thực hiện thao tác «{op.label}» với hồ sơ này")
    if op.procedures and dossier.procedure.code not in op.procedures:
        raise Conflict(f"Thao tác «{op.label}» không áp dụng cho thủ tục này", field="operation")
    if dossier.status not in op.sources:
        allowed = ", ".join(allowed_operations(dossier, user)) or "không có"
        raise Conflict(f"Không thể «{op.label}» khi hồ sơ đang ở trạng thái «{dossier.get_status_display()}»; "
                       f"thao tác được phép: {allowed}", field="operation")
    note = " ".join((note or "").split())
    if operation in NEEDS_NOTE and len(note) < 5:
        raise Invalid("Cần nêu lý do (ít nhất 5 ký tự)", field="note")
    now = timezone.now()
    before = dossier.status
    actor_agency = dossier.agency
    _EFFECTS[operation](dossier, now=now, note=note, new_appointment=new_appointment, to_agency=to_agency,
                        user=user, files=files or {}, cal=agencies.working_calendar(), amount=amount)
    target = op.target if op.target is not None else dossier.resume_status
    if target is None:  # only request_payment sends a dossier to status 6, and it says where it comes back to
        raise Conflict("Không xác định được trạng thái để hồ sơ tiếp tục", field="operation")
    if op.target is None:
        dossier.resume_status = None
    dossier.status = target
    dossier.save()
    Event.objects.create(dossier=dossier, at=now, operation=operation, from_status=before, to_status=target,
                         actor=user, actor_agency=None if APPLICANT in roles else actor_agency, step=dossier.step,
                         step_due_at=dossier.step_due_at, note=note)
    audit.record(actor=agencies.actor_for(user), action=Action.STATE, subject_type="dossiers.dossier",
                 subject_id=dossier.pk, person_id=dossier.applicant_id,
                 detail={"operation": operation, "from": before, "to": target})
    _tell_applicant(dossier, note)
    return dossier


# Operations that put the acting leader's signature on a result. Pages and the API ask for a TOTP code given within
# STAFF_REAUTH_MINUTES (identity's ``recently_authenticated``) before them; the service itself has no session.
SIGNING_OPERATIONS = frozenset({"approve"})


def signs_result(*, user: Any, code: str, operation: str) -> bool:
    """Whether applying ``operation`` to dossier ``code`` now would sign its result as ``user`` (an operation the
    caller may not apply here is refused by ``apply_operation`` for its own reason, not sent to re-authenticate)."""
    if operation not in SIGNING_OPERATIONS:
        return False
    dossier = visible_dossiers(user).filter(code=code).first()
    return dossier is not None and operation in allowed_operations(dossier, user)


# Operations that need nothing but the dossier, so an officer may apply them to several at once from a queue.
BULK_OPERATIONS = ("receive", "assign", "forward", "approve", "return_result")
BULK_LIMIT = 100


@dataclass(frozen=True)
class BulkResult:
    code: str
    ok: bool
    status: int | None = None
    error: dict[str, Any] | None = None


def apply_bulk(*, user: Principal, codes: list[str], operation: str, note: str = "") -> list[BulkResult]:
    """Apply one operation to several dossiers, each in its own transaction: one dossier that cannot move (out of
    order, out of scope) is reported with its error and does not hold the others back."""
    if operation not in BULK_OPERATIONS:
        raise Invalid(f"Thao tác hàng loạt là một trong {', '.join(BULK_OPERATIONS)}", field="operation")
    codes = list(dict.fromkeys(code.strip() for code in codes if code and code.strip()))
    if not codes:
        raise Invalid("Chọn ít nhất một hồ sơ", field="codes")
    if len(codes) > BULK_LIMIT:
        raise Invalid(f"Tối đa {BULK_LIMIT} hồ sơ mỗi lần", field="codes")
    results = []
    for code in codes:
        try:
            dossier = apply_operation(user=user, code=code, operation=operation, note=note)
        except (Invalid, Forbidden, NotFound, Conflict) as exc:
            results.append(BulkResult(code, False, error=exc.as_dict()["errors"][0]))
        else:
            results.append(BulkResult(code, True, status=dossier.status))
    return results


def _receive(d: Dossier, *, now: dt.datetime, cal: WorkCalendar, **_: Any) -> None:
    version = d.version
    d.received_at = now
    d.processing_start = cal.processing_start(now, version.cut_off)
    if version.processing_amount is not None:
        d.appointment_at = cal.due(d.processing_start, float(version.processing_amount), version.processing_unit)
    d.step = 0
    _set_step_due(d, d.processing_start, cal)


def _set_step_due(d: Dossier, start: dt.datetime, cal: WorkCalendar) -> None:
    """The current step's deadline: its time share of the whole processing time, counted from ``start``."""
    if d.appointment_at is None or d.processing_start is None:
        d.step_due_at = None
        return
    total = cal.working_hours_between(d.processing_start, d.appointment_at)
    share = float(d.version.workflow[d.step]["share"]) if d.step < len(d.version.workflow) else 0.0
    d.step_due_at = cal.add_working_hours(start, total * share)


def _assign(d: Dossier, *, now: dt.datetime, cal: WorkCalendar, **_: Any) -> None:
    d.step = 1 if len(d.version.workflow) > 1 else 0
    _set_step_due(d, now, cal)


def _forward(d: Dossier, *, now: dt.datetime, cal: WorkCalendar, **_: Any) -> None:
    if d.step + 1 >= len(d.version.workflow):
        raise Conflict("Hồ sơ đã ở bước cuối của quy trình: chỉ còn phê duyệt", field="operation")
    d.step += 1
    _set_step_due(d, now, cal)


def _transfer(d: Dossier, *, to_agency: str | None, **_: Any) -> None:
    target = Agency.objects.filter(code=to_agency or "", is_active=True).first()
    if target is None or target.pk == d.agency_id:
        raise Invalid("Chọn cơ quan nhận chuyển (mã định danh của cơ quan khác)", field="to_agency")
    d.agency = target


def _request_supplement(d: Dossier, *, now: dt.datetime, **_: Any) -> None:
    d.paused_since = now
    d.supplement_count += 1


def _unpause(d: Dossier, *, now: dt.datetime, cal: WorkCalendar) -> None:
    """The working time spent waiting for the applicant moves the appointment on."""
    paused = cal.working_hours_between(d.paused_since, now) if d.paused_since else 0.0
    d.paused_hours += paused
    if d.appointment_at is not None and paused:
        d.appointment_at = cal.add_working_hours(d.appointment_at, paused)
    d.paused_since = None


def _supplement(d: Dossier, *, now: dt.datetime, files: Mapping[str, Any], cal: WorkCalendar, **_: Any) -> None:
    _unpause(d, now=now, cal=cal)
    for name, upload in files.items():  # every file checked before any is stored
        try:
            check_upload(upload)
        except ValidationError as exc:
            raise Invalid(exc.messages[0], field=name) from None
    for name, upload in files.items():
        _attach(d, {name: upload}, [{"name": name, "type": "file"}])


def _extend(d: Dossier, *, new_appointment: dt.datetime | None, **_: Any) -> None:
    if new_appointment is None or d.appointment_at is None or new_appointment <= d.appointment_at:
        raise Invalid("Ngày hẹn mới phải sau ngày hẹn hiện tại", field="new_appointment")
    d.appointment_at = new_appointment
    d.extended = True


def _request_payment(d: Dossier, *, now: dt.datetime, user: Principal, amount: int | None, **_: Any) -> None:
    """Ask the applicant for the procedure's fees of this stage (at receipt, or at return once processed), or for
    ``amount`` where the procedure's fee depends on the case. The clock stops while the applicant pays."""
    stage = payments.Stage.RETURN if d.status == Status.PROCESSED else payments.Stage.RECEIPT
    if amount is not None:
        if amount <= 0:
            raise Invalid("Số tiền phải là số nguyên dương (đồng)", field="amount")
        items = [payments_services.FeeItem(name=f"Phí, lệ phí: {d.procedure.name}"[:200], amount=int(amount))]
    else:
        try:
            items = payments_services.fees_for(d.version, stage=stage)
        except Invalid:
            raise Invalid("Mức phí của thủ tục tùy trường hợp: nhập số tiền phải nộp", field="amount") from None
        if not items:
            raise Invalid("Thủ tục không thu phí ở bước này; nhập số tiền nếu có khoản phải nộp", field="amount")
    payment = payments_services.request_payment(
        reference=d.code, purpose=f"Phí, lệ phí hồ sơ {d.code} — {d.procedure.name}"[:300], payer=d.applicant,
        agency=d.agency, stage=stage, items=items, actor=user)
    d.fee_due += payment.amount
    d.resume_status = d.status
    if d.status != Status.PROCESSED:
        d.paused_since = now


def _resume_after_payment(d: Dossier, *, now: dt.datetime, cal: WorkCalendar) -> None:
    if d.paused_since is not None:
        _unpause(d, now=now, cal=cal)


def _record_payment(d: Dossier, *, now: dt.datetime, cal: WorkCalendar, user: Principal, **_: Any) -> None:
    """The applicant paid at the desk: the online payment still open is withdrawn so nobody pays twice. If the
    gateway had in fact confirmed an online payment (and the dossier missed the news), it counts as paid online."""
    if payments_services.payments_for_reference(d.code).filter(state=payments.State.SUCCEEDED).exists():
        d.paid_online = True
    for payment in payments_services.payments_for_reference(d.code).filter(state__in=_UNPAID):
        try:
            payments_services.cancel_payment(code=payment.code, actor=None, reason="Đã nộp phí tại bộ phận một cửa")
        except Conflict:
            raise Conflict("Người nộp đang thanh toán trực tuyến; chờ giao dịch kết thúc", field="operation") from None
    _resume_after_payment(d, now=now, cal=cal)


def _cancel_open_payments(d: Dossier, *, note: str, **_: Any) -> None:
    for payment in payments_services.payments_for_reference(d.code).filter(state__in=_UNPAID):
        payments_services.cancel_payment(code=payment.code, actor=None, reason=note or "Hồ sơ không tiếp tục")


def payments_of(dossier: Dossier):
    """The fees asked of this dossier's applicant (for whoever may see the dossier)."""
    return payments_services.payments_for_reference(dossier.code)


def _awaited_stage(d: Dossier) -> str:
    """The stage of the fee a dossier awaiting payment waits for (``_request_payment`` decides it the same way).
    Matching the news on the stage is enough because the payments app keeps at most one open payment per
    reference and stage."""
    return payments.Stage.RETURN if d.resume_status == Status.PROCESSED else payments.Stage.RECEIPT


@transaction.atomic
def payment_received(*, reference: str, stage: str | None = None) -> Dossier | None:
    """The gateway confirmed the applicant's payment for dossier ``reference`` (the payments app's signal): the
    dossier goes back to where it was and its clock runs again. A repeated confirmation changes nothing, nor does
    the confirmation of another stage's fee (a late or re-sent announcement of the fee paid at receipt must not
    release a dossier that now waits for the fee due at return)."""
    d = Dossier.objects.select_for_update(of=("self",)).filter(code=reference).first()
    if d is None or d.status != Status.AWAITING_PAYMENT:
        return d
    if stage is not None and stage != _awaited_stage(d):
        return d
    now = timezone.now()
    _resume_after_payment(d, now=now, cal=agencies.working_calendar())
    d.paid_online = True
    d.status, d.resume_status = d.resume_status, None
    d.save()
    Event.objects.create(dossier=d, at=now, operation="paid_online", from_status=Status.AWAITING_PAYMENT,
                         to_status=d.status, step=d.step, step_due_at=d.step_due_at,
                         note="Đã thanh toán trực tuyến")
    audit.record(actor=None, action=Action.STATE, subject_type="dossiers.dossier", subject_id=d.pk,
                 person_id=d.applicant_id, detail={"operation": "paid_online", "from": Status.AWAITING_PAYMENT,
                                                   "to": d.status})
    _tell_applicant(d, "Đã nhận thanh toán trực tuyến")
    return d


def tracking_url(dossier: Dossier, base: str | None = None) -> str:
    """The public tracking page of ``dossier`` with its tracking secret (the QR code on the receipt and the result):
    scanning it opens the tracking without typing the secret."""
    query = urlencode({"code": dossier.code, "secret": dossier.tracking_secret})
    return f"{(base if base is not None else settings.SITE_URL).rstrip('/')}/tra-cuu/?{query}"


def _approve(d: Dossier, *, now: dt.datetime, user: Principal, **_: Any) -> None:
    """The leader approves and signs the result with their certificate (PAdES, visible stamp). A procedure served
    fully online must end in an electronic result, so there the signature is required; elsewhere a leader without a
    certificate approves a result issued on paper."""
    d.finished_at = now
    pdf = documents.result(d, signer=user.get_full_name() or user.username, tracking_url=tracking_url(d))
    try:
        signed = signing.sign_result(pdf, user=user, agency=d.agency, reason=f"Phê duyệt kết quả hồ sơ {d.code}")
    except Forbidden:
        if d.procedure.online_level == OnlineLevel.FULL:
            raise
        return
    save_file(d.result, f"{d.code}.pdf", ContentFile(signed))
    d.result_signed = True


def _certify_copy(d: Dossier, *, now: dt.datetime, user: Principal, **_: Any) -> None:
    """The desk officer, having compared the scan with the original shown, seals the scan with the agency's
    certificate: the electronic certified copy is the dossier's result."""
    scan = d.files.filter(field=CERTIFIED_COPY_FIELD).order_by("-id").first()
    if scan is None or not scan.original_name.lower().endswith(".pdf"):
        raise Invalid("Chứng thực điện tử cần bản chụp bản chính dạng PDF trong hồ sơ", field=CERTIFIED_COPY_FIELD)
    with scan.file.open("rb") as fh:
        sealed = signing.seal(fh.read(), agency=d.agency, user=user,
                              reason=f"Chứng thực bản sao điện tử từ bản chính — hồ sơ {d.code}")
    save_file(d.result, f"{d.code}.pdf", ContentFile(sealed))
    d.result_signed = True
    d.finished_at = now


def _return_result(d: Dossier, *, now: dt.datetime, **_: Any) -> None:
    """The result is handed over; a signed one also lands in the applicant's document store."""
    d.returned_at = now
    if d.result_signed and d.result:
        with d.result.open("rb") as fh:
            vault.store(owner_id=d.applicant_id, pdf=fh.read(), title=d.procedure.result or d.procedure.name,
                        issuer=d.agency, reference=d.code, procedure_code=d.procedure.code or "", signed=True,
                        issued_at=d.finished_at)
        d.result_stored = True


def _nothing(d: Dossier, **_: Any) -> None:
    pass


_EFFECTS = {
    "receive": _receive, "refuse": _nothing, "assign": _assign, "forward": _forward, "transfer": _transfer,
    "request_supplement": _request_supplement, "supplement": _supplement, "extend": _extend,
    "stop": _cancel_open_payments, "approve": _approve, "return_result": _return_result,
    "withdraw": _cancel_open_payments, "request_payment": _request_payment, "record_payment": _record_payment,
    "certify_copy": _certify_copy,
}


def is_on_time(dossier: Dossier) -> bool | None:
    """The national rule: finished by the appointment (pauses already added to it), not extended, and at most one
    supplement request. None while unfinished or without an appointment."""
    if dossier.finished_at is None or dossier.appointment_at is None:
        return None
    return dossier.finished_at <= dossier.appointment_at and not dossier.extended and dossier.supplement_count <= 1


# ------------------------------------------------------------------------------------------------ evaluation


def can_evaluate(dossier: Dossier, user: Principal) -> bool:
    return (dossier.status == Status.RETURNED and getattr(user, "person_id", None) == dossier.applicant_id
            and not Evaluation.objects.filter(dossier=dossier).exists())


@transaction.atomic
def evaluate(*, user: Principal, code: str, points: list[Any], satisfaction: Any,
             comment: str = "") -> Evaluation:
    """The applicant rates a dossier once its result is returned: the nine indicators (0–2 each) and the
    satisfaction level. Once per dossier; nothing is written on any error."""
    dossier = visible_dossiers(user).select_for_update(of=("self",)).filter(code=code).first()
    if dossier is None or getattr(user, "person_id", None) != dossier.applicant_id:
        raise NotFound("Không tìm thấy hồ sơ", field="code")
    if dossier.status != Status.RETURNED:
        raise Conflict("Chỉ đánh giá khi đã nhận kết quả", field="code")
    if Evaluation.objects.filter(dossier=dossier).exists():
        raise Conflict("Hồ sơ này đã được đánh giá", field="code")
    if not isinstance(points, list | tuple) or len(points) != len(INDICATORS):
        raise Invalid(f"Cần đánh giá đủ {len(INDICATORS)} chỉ số", field="points")
    for number, value in enumerate(points, start=1):
        if isinstance(value, bool) or str(value).strip() not in ("0", "1", "2"):
            raise Invalid(f"Chỉ số {number}: chọn 0, 1 hoặc 2 điểm", field=f"indicator_{number}")
    clean = [int(str(value).strip()) for value in points]
    try:
        level = Satisfaction(int(satisfaction))
    except (TypeError, ValueError):
        raise Invalid("Chọn mức độ hài lòng: 1 rất hài lòng, 2 hài lòng, 3 không hài lòng",
                      field="satisfaction") from None
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise Invalid("Ý kiến tối đa 2.000 ký tự", field="comment")
    evaluation = Evaluation.objects.create(dossier=dossier, dossier_finished_at=dossier.finished_at, at=timezone.now(),
                                           points=clean, total=sum(clean), satisfaction=level, comment=comment)
    audit.record(actor=agencies.actor_for(user), action=Action.CREATE, subject_type="dossiers.evaluation",
                 subject_id=evaluation.pk, person_id=dossier.applicant_id)
    return evaluation


# ------------------------------------------------------------------------------------------------ tracking


@dataclass(frozen=True)
class Tracking:
    code: str
    procedure: str
    agency: str
    status: int
    status_label: str
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    appointment_at: dt.datetime | None
    finished_at: dt.datetime | None


def track(code: str, *, secret: str = "", user: Principal | None = None) -> Tracking:
    """Public tracking: progress only, no name, ID number or form content.

    Codes are a guessable sequence (<agency>-<YYMMDD>-<NNNN>), so an anonymous caller also needs the dossier's
    tracking secret from the receipt (or the receipt's QR code); a wrong secret and an unknown code get the same 404.
    The applicant and staff who may see the dossier (``visible_dossiers``) need no secret."""
    code = (code or "").strip()
    d = Dossier.objects.select_related("procedure", "agency").filter(code=code).first()
    allowed = d is not None and (
        _secret_matches(d.tracking_secret, secret)
        or (user is not None and visible_dossiers(user).filter(pk=d.pk).exists())
    )
    if d is None or not allowed:
        raise NotFound("Không tìm thấy hồ sơ với mã và mã bí mật tra cứu này", field="code")
    return Tracking(d.code, d.procedure.name, d.agency.name, d.status, d.get_status_display(), d.submitted_at,
                    d.received_at, d.appointment_at, d.finished_at)


def normalise_tracking_secret(secret: str) -> str:
    """The secret as typed (lower case, spaces or a hyphen in the middle) in its stored form."""
    return "".join(ch for ch in (secret or "").upper() if ch.isalnum())[:32]


def _secret_matches(stored: str, given: str) -> bool:
    given = normalise_tracking_secret(given)
    return bool(stored) and bool(given) and hmac.compare_digest(stored.encode(), given.encode())


POPULAR_CACHE_KEY = "dossiers:most-submitted:v1"


def most_submitted_procedures(*, limit: int = 6, days: int = 365) -> list[tuple[Procedure, int]]:
    """The published procedures with the most dossiers submitted in the last ``days`` days, most first (ties by
    name), with their counts: what the home page offers first. One grouped count in the database, cached for
    ``STATISTICS_CACHE_SECONDS`` (the home page is the busiest page)."""
    counts = cache.get(POPULAR_CACHE_KEY)
    if counts is None:
        since = timezone.now() - dt.timedelta(days=days)
        counts = list(Dossier.objects.filter(submitted_at__gte=since, procedure__is_active=True)
                      .values("procedure").annotate(n=Count("pk")).order_by("-n", "procedure__name")
                      .values_list("procedure", "n")[:limit])
        cache.set(POPULAR_CACHE_KEY, counts, settings.STATISTICS_CACHE_SECONDS)
    found = Procedure.objects.select_related("field").in_bulk([pk for pk, _ in counts])
    return [(found[pk], n) for pk, n in counts if pk in found]


# ------------------------------------------------------------------------------------------------ workbench
# The officer's queue page: tabs with their counts, search, filters, sort, and choosing who works the next step.
# Everything starts from ``visible_dossiers`` (what the caller may see), so a tab or a search never widens it.

_RUNNING = (Status.RECEIVED, Status.PROCESSING)
# The queue page's tabs, by the name the page's ``?queue=`` carries, with the label it shows.
TABS: dict[str, Any] = {
    "to_receive": gettext_lazy("Chờ tiếp nhận"),
    "to_process": gettext_lazy("Đang xử lý"),
    "supplement": gettext_lazy("Chờ bổ sung"),
    "to_approve": gettext_lazy("Chờ phê duyệt"),
    "to_return": gettext_lazy("Chờ trả kết quả"),
    "overdue": gettext_lazy("Quá hạn"),
    "returned": gettext_lazy("Đã trả kết quả"),
}
MY_APPROVALS = "mine_to_approve"  # the leaders' own tab
MY_APPROVALS_LABEL = gettext_lazy("Chờ tôi phê duyệt")
QUEUE_SORTS = {"received": ("arrived_at", "pk"), "-received": ("-arrived_at", "-pk"),
               "due": ("appointment_at", "pk"), "-due": ("-appointment_at", "-pk")}
QUEUE_PAGE_SIZE = 25
_ID_NUMBER = re.compile(r"\d{12}")


def is_leader(user: Principal) -> bool:
    return is_staff(user) and Membership.objects.active().filter(user=user, role="leader").exists()


def _at_step_of_role(dossiers: Any, role: str) -> Q:
    """Dossiers whose current workflow step is one of ``role`` (the step's role lives in the pinned version's
    workflow): one query over the versions those dossiers pin, then ``step`` compared in the database."""
    by_index: dict[int, list[int]] = {}
    versions = ProcedureVersion.objects.filter(pk__in=dossiers.order_by().values("version_id")).values_list(
        "pk", "workflow")
    for pk, workflow in versions:
        for index, step in enumerate(workflow or []):
            if step.get("role") == role:
                by_index.setdefault(index, []).append(pk)
    condition = Q(pk__in=[])
    for index, pks in by_index.items():
        condition |= Q(step=index, version_id__in=pks)
    return condition


def queue_tabs(user: Principal, dossiers: Any, *, now: dt.datetime) -> dict[str, Q]:
    """Each tab's condition on ``dossiers`` (the caller's visible dossiers), the leader's own tab included for
    leaders."""
    at_leader_step = _at_step_of_role(dossiers, "leader")
    tabs = {
        "to_receive": Q(status=Status.NEW),
        "to_process": Q(status__in=_RUNNING),
        "supplement": Q(status__in=(Status.SUPPLEMENT, Status.AWAITING_PAYMENT)),
        "to_approve": Q(status=Status.PROCESSING) & at_leader_step,
        "to_return": Q(status=Status.PROCESSED),
        "overdue": Q(status__in=_RUNNING, appointment_at__lt=now),
        "returned": Q(status=Status.RETURNED),
    }
    leading = list(Membership.objects.active().filter(user=user, role="leader").values_list("agency_id", flat=True))
    if leading:
        tabs[MY_APPROVALS] = (Q(status=Status.PROCESSING, agency_id__in=leading) & at_leader_step
                              & (Q(assignee__isnull=True) | Q(assignee=user)))
    return tabs


@dataclass(frozen=True)
class QueueView:
    """One page of a tab, the counts of every tab under the same search and filters, and what was asked."""

    rows: Any
    counts: dict[str, int]
    total: int


def search_queue(*, user: Principal, tab: str, query: str = "", procedure_id: int | None = None,
                 received_from: dt.date | None = None, received_to: dt.date | None = None,
                 overdue_only: bool = False, sort: str = "due", offset: int = 0,
                 limit: int = QUEUE_PAGE_SIZE) -> QueueView:
    """The queue page's rows: a tab of the caller's visible dossiers under a search (dossier code, applicant's name,
    12-digit ID number or procedure), filters (procedure, received between two dates, overdue only) and a sort.

    A search by ID number is a look-up of personal data: it is audited like the population look-ups, naming the
    person when a visible dossier is theirs; it never reaches beyond ``visible_dossiers``."""
    now = timezone.now()
    dossiers = visible_dossiers(user).annotate(arrived_at=Coalesce("received_at", "submitted_at"))
    tabs = queue_tabs(user, dossiers, now=now)
    if tab not in tabs:
        raise Invalid(f"queue phải là một trong {', '.join(tabs)}", field="queue")
    query = " ".join((query or "").split())[:120]
    if _ID_NUMBER.fullmatch(query):
        dossiers = dossiers.filter(applicant__id_number=query)
        person_id = dossiers.order_by().values_list("applicant_id", flat=True).first()
        audit.record(actor=agencies.actor_for(user), action=Action.READ, subject_type="dossiers.dossier",
                     person_id=person_id, purpose="Tìm hồ sơ theo số định danh cá nhân tại hàng đợi một cửa",
                     detail={"outcome": "found" if person_id else "none_visible"})
    elif query:
        dossiers = dossiers.filter(Q(code__icontains=query) | Q(applicant__full_name__icontains=query)
                                   | Q(procedure__name__icontains=query) | Q(procedure__code=query))
    if procedure_id:
        dossiers = dossiers.filter(procedure_id=procedure_id)
    if received_from or received_to:
        cal_tz = timezone.get_current_timezone()
        if received_from:
            dossiers = dossiers.filter(arrived_at__gte=dt.datetime.combine(received_from, dt.time(), cal_tz))
        if received_to:
            following = received_to + dt.timedelta(days=1)
            dossiers = dossiers.filter(arrived_at__lt=dt.datetime.combine(following, dt.time(), cal_tz))
    if overdue_only:
        dossiers = dossiers.filter(tabs["overdue"])
    counts = dossiers.aggregate(**{name: Count("pk", filter=condition) for name, condition in tabs.items()})
    rows = (dossiers.filter(tabs[tab]).select_related("applicant", "assignee")
            .order_by(*QUEUE_SORTS.get(sort, QUEUE_SORTS["due"]))[offset:offset + limit])
    return QueueView(rows=list(rows), counts=counts, total=counts[tab])


def days_left(dossier: Dossier, *, today: dt.date, cal: WorkCalendar) -> int | None:
    """Working days from ``today`` to the appointment day: 0 on the day, negative once overdue (the working days
    since); None without an appointment or once the clock has stopped."""
    if dossier.appointment_at is None or dossier.status not in _RUNNING:
        return None
    due = timezone.localtime(dossier.appointment_at).date()
    if due >= today:
        return cal.working_days_between(today, due)
    return -cal.working_days_between(due, today)


def members_for_step(dossier: Dossier, step: int) -> list[Any]:
    """Who may be chosen to work ``step`` of ``dossier``: the handling agency's active members with that step's
    role, in Vietnamese name order."""
    workflow = dossier.version.workflow
    if step >= len(workflow):
        return []
    users = [m.user for m in Membership.objects.active().filter(agency_id=dossier.agency_id, role=workflow[step]["role"])
             .select_related("user").order_by("user__last_name", "user__first_name")]
    return collation.sort(users, by=lambda u: u.get_full_name() or u.username)


def next_step(dossier: Dossier, operation: str) -> int | None:
    """The workflow step ``operation`` moves ``dossier`` to (assign: the first after reception; forward: the next),
    or None when it moves to none."""
    if operation == "assign":
        return 1 if len(dossier.version.workflow) > 1 else 0
    if operation == "forward" and dossier.step + 1 < len(dossier.version.workflow):
        return dossier.step + 1
    return None


def step_operations(dossier: Dossier, user: Principal) -> list[str]:
    """What the dossier page offers ``user`` now: ``allowed_operations`` narrowed to what the current workflow step
    allows — forwarding only while a step follows, approving only at a leader's step."""
    allowed = allowed_operations(dossier, user)
    workflow = dossier.version.workflow
    at_last = dossier.step + 1 >= len(workflow)
    role_now = workflow[dossier.step]["role"] if dossier.step < len(workflow) else ""
    if "forward" in allowed and at_last:
        allowed.remove("forward")
    if "approve" in allowed and dossier.status == Status.PROCESSING and role_now != "leader" and not at_last:
        allowed.remove("approve")
    return allowed


@transaction.atomic
def assign_to(*, user: Principal, code: str, operation: str, assignee_id: int | None, note: str = "") -> Dossier:
    """Assign or forward a dossier (``apply_operation``) and name who works the step it moves to: one of the
    handling agency's members with that step's role (``members_for_step``). Nothing changes if the choice is not
    one of them."""
    if operation not in ("assign", "forward"):
        raise Invalid("Chỉ chọn người xử lý khi chuyển xử lý hoặc chuyển bước", field="operation")
    dossier = apply_operation(user=user, code=code, operation=operation, note=note)
    if assignee_id is None:
        dossier.assignee = None
    else:
        chosen = next((u for u in members_for_step(dossier, dossier.step) if u.pk == assignee_id), None)
        if chosen is None:
            raise Invalid("Người được chọn không thuộc cơ quan xử lý hoặc không có vai trò của bước này",
                          field="assignee")
        dossier.assignee = chosen
    dossier.save(update_fields=["assignee"])
    if dossier.assignee is not None:  # the history row says to whom (the row this operation just wrote)
        event = Event.objects.filter(dossier=dossier, operation=operation).order_by("-at", "-id").first()
        if event is not None:
            event.note = f"{event.note} — " if event.note else ""
            event.note += f"Giao: {dossier.assignee.get_full_name() or dossier.assignee.username}"
            event.save(update_fields=["note"])
    return dossier

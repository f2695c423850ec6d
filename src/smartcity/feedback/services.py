"""Citizen reports: every write is one function here (one transaction, the permission check, the audit entry,
notifications after commit), and the read-only views other apps use (the operations centre: ``open_reports_for_map``,
``report_counts``, ``recent_events``).

Who may act on a report: the members of the body it is routed to (``Report.agency``); the city's coordinators (city
administrators) for any report; the reporter (signed in, or holding the report's tracking token) for what is theirs
to do — add information, rate, reopen.
"""

from __future__ import annotations

import datetime as dt
import hmac
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max, Min, QuerySet
from django.utils import timezone

from smartcity.agencies.models import Agency, Role
from smartcity.agencies.services import actor_for, competent_agency, scope_of
from smartcity.audit.models import Action
from smartcity.audit.services import record
from smartcity.feedback import deadlines
from smartcity.feedback.models import OPEN, ApiKey, Category, Event, Photo, Rating, Report, Status
from smartcity.feedback.photos import MAX_PHOTOS, CleanPhoto, clean_photo
from smartcity.lib.errors import Forbidden, Invalid, NotFound
from smartcity.lib.principal import Principal, is_staff
from smartcity.lib.storage import files_follow_transaction, save_file
from smartcity.lib.text import clean_text
from smartcity.lib.workdays import VN_TZ
from smartcity.notifications.services import notify_person
from smartcity.places.models import Level, Structure, Unit
from smartcity.places.services import parse_address

MAX_DESCRIPTION = 4000
MAX_NOTE = 2000
CITY_MARGIN = 0.03  # degrees around the outermost ward centres still counted as inside the city
CITY_COMMITTEE = "000.00.00.H26"


@dataclass(frozen=True)
class Upload:
    name: str
    content_type: str | None
    data: bytes


# ------------------------------------------------------------------------------------------------ reads


def today() -> dt.date:
    return timezone.now().astimezone(VN_TZ).date()


def categories() -> QuerySet[Category]:
    """The categories people may choose (active leaves), with their group."""
    return (Category.objects.filter(is_active=True, children__isnull=True).select_related("parent")
            .order_by("parent__order", "order", "code"))


def get_category(code: str, *, field: str = "service_code") -> Category:
    category = categories().filter(code=code).first()
    if category is None:
        raise Invalid("Loại phản ánh không tồn tại", field=field)
    return category


def public_reports() -> QuerySet[Report]:
    return Report.objects.public().select_related("category", "unit", "agency")


def get_public_report(report_id: int) -> Report:
    report = public_reports().filter(pk=report_id).first()
    if report is None:
        raise NotFound("Không tìm thấy phản ánh")
    return report


def timeline(report: Report) -> list[Event]:
    return list(report.events.select_related("agency"))


def _city_units() -> QuerySet[Unit]:
    return Unit.objects.filter(structure=Structure.Y2025, level=Level.COMMUNE, province_code=settings.CITY_PROVINCE_CODE,
                               latitude__isnull=False, longitude__isnull=False)


def city_bounds() -> tuple[float, float, float, float]:
    """(south, west, north, east) of the city: its ward centres and a small margin."""
    b = _city_units().aggregate(s=Min("latitude"), n=Max("latitude"), w=Min("longitude"), e=Max("longitude"))
    if b["s"] is None:
        raise Invalid("Chưa nạp danh mục phường, xã của thành phố", field="location")
    return (b["s"] - CITY_MARGIN, b["w"] - CITY_MARGIN, b["n"] + CITY_MARGIN, b["e"] + CITY_MARGIN)


def unit_at(lat: float, lon: float) -> Unit:
    """The ward or commune a point lies in: the one whose centre is nearest (boundaries are optional data); an
    ``Invalid`` naming ``location`` when the point is outside the city."""
    south, west, north, east = city_bounds()
    if not (south <= lat <= north and west <= lon <= east):
        raise Invalid("Vị trí nằm ngoài địa bàn thành phố", field="location")
    scale = math.cos(math.radians(lat)) ** 2
    nearest = min(_city_units().values_list("id", "latitude", "longitude"),
                  key=lambda u: ((u[1] or 0.0) - lat) ** 2 + scale * ((u[2] or 0.0) - lon) ** 2)
    return Unit.objects.get(pk=nearest[0])


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def propose_duplicates(*, category: Category, latitude: float, longitude: float, exclude_id: int | None = None,
                       limit: int = 5) -> list[Report]:
    """Open reports of the same category within the category's radius, nearest first (a box in SQL, the exact
    distance on the few rows inside it)."""
    radius = category.duplicate_radius_m
    dlat = radius / 111_320
    dlon = dlat / max(math.cos(math.radians(latitude)), 0.01)
    rows = (Report.objects.open().public().filter(
        category=category, latitude__range=(latitude - dlat, latitude + dlat),
        longitude__range=(longitude - dlon, longitude + dlon)).exclude(pk=exclude_id or 0)[:200])
    near = [(distance_m(latitude, longitude, r.latitude, r.longitude), r) for r in rows]
    return [r for d, r in sorted(near, key=lambda x: x[0]) if d <= radius][:limit]


# ------------------------------------------------------------------------------------------------ helpers


def _agency_ids(user: Principal) -> set[int]:
    return {m.agency_id for m in scope_of(user).memberships}


def _is_coordinator(user: Principal) -> bool:
    return any(m.role == Role.CITY_ADMIN for m in scope_of(user).memberships)


def reports_for_staff(user: Principal) -> QuerySet[Report]:
    """The reports ``user`` may work on: those routed to their bodies; every report for a coordinator."""
    if not is_staff(user):
        return Report.objects.none()
    qs = Report.objects.select_related("category", "unit", "agency")
    if _is_coordinator(user):
        return qs
    return qs.filter(agency_id__in=_agency_ids(user))


def _locked_for_staff(user: Principal, report_id: int) -> Report:
    report = Report.objects.select_for_update().filter(pk=report_id).first()
    if report is None:
        raise NotFound("Không tìm thấy phản ánh")
    if not is_staff(user) or not (_is_coordinator(user) or report.agency_id in _agency_ids(user)):
        raise Forbidden("Phản ánh không thuộc cơ quan, địa bàn của bạn")
    return report


def _locked_for_reporter(user: Principal | None, report_id: int, token: str) -> Report:
    report = Report.objects.select_for_update().filter(pk=report_id).first()
    if report is None:
        raise NotFound("Không tìm thấy phản ánh")
    own = user is not None and user.is_authenticated and report.reporter_id == user.pk
    if not own and not (token and hmac.compare_digest(token, report.token)):
        raise Forbidden("Chỉ người gửi phản ánh mới thực hiện được thao tác này")
    return report


_CURRENT = Agency()  # "the body the report is with now", as opposed to None: no body (the reporter's own steps)


def _name(agency: Agency | None) -> str:
    return agency.name if agency is not None else ""


def _event(report: Report, kind: str, *, note: str = "", agency: Agency | None = _CURRENT) -> Event:
    return Event.objects.create(report=report, at=timezone.now(), kind=kind, note=note,
                                agency=report.agency if agency is _CURRENT else agency)


def _audit(user: Principal | None, action: str, report: Report, **detail: Any) -> None:
    actor = actor_for(user) if user is not None and user.is_authenticated else None
    record(actor=actor, action=Action.CREATE if action == "submit" else Action.STATE, subject_type="feedback.report",
           subject_id=report.pk, person_id=getattr(report.reporter, "person_id", None) if report.reporter_id else None,
           detail={"step": action, **detail})


def _notify_reporter(report: Report, subject: str, body: str) -> None:
    """Tell the reporter, after commit, on the channels they can be reached on."""
    person_id = report.reporter.person_id if report.reporter_id and report.reporter else None
    email = report.contact_email or (report.reporter.email if report.reporter_id and report.reporter else "")
    phone = report.contact_phone
    if person_id is None and not email and not phone:
        return
    transaction.on_commit(lambda: notify_person(person_id=person_id, email=email, phone=phone,
                                                subject=f"Phản ánh PA-{report.pk}: {subject}", body=body))


def _note(value: str | None, *, field: str, required: bool = True, limit: int = MAX_NOTE) -> str:
    text = clean_text(value or "", field=field).strip()
    if required and not text:
        raise Invalid("Vui lòng nhập nội dung", field=field)
    if len(text) > limit:
        raise Invalid(f"Nội dung không quá {limit} ký tự", field=field)
    return text


def _clean_photos(uploads: Sequence[Upload], *, field: str) -> list[CleanPhoto]:
    """Every photo checked and re-encoded — before any transaction opens, so the slow part holds no lock."""
    if len(uploads) > MAX_PHOTOS:
        raise Invalid(f"Tối đa {MAX_PHOTOS} ảnh", field=field)
    return [clean_photo(u.name, u.content_type, u.data, field=field) for u in uploads]


def _store_photos(report: Report, cleaned: Sequence[CleanPhoto], *, answer: bool) -> None:
    for photo in cleaned:
        row = Photo(report=report, answer=answer, size=len(photo.data), sha256=photo.sha256, width=photo.width,
                    height=photo.height)
        save_file(row.image, f"{photo.sha256[:16]}.jpg", ContentFile(photo.data))
        row.save()


# ------------------------------------------------------------------------------------------------ writes


def _route(report: Report) -> Agency:
    """The competent body for the report's category and place: the ward/commune committee for street problems, the
    category's department or utility for city-level matters (``agencies.services.competent_agency``)."""
    category = report.category
    return competent_agency(unit=report.unit, levels=[category.level], department=category.agency)


def submit_report(*, user: Principal | None, category_code: str, description: str,
                  latitude: float | None = None, longitude: float | None = None, address: str = "",
                  photos: Sequence[Upload] = (), emergency: bool = False, contact_name: str = "",
                  contact_phone: str = "", contact_email: str = "", attributes: dict[str, str] | None = None,
                  api_key: ApiKey | None = None, source: str = Report.Source.WEB) -> Report:
    """Receive a report, route it to the competent body with its deadlines, and tell the reporter. Nothing is
    stored unless everything is valid (photos included)."""
    category = get_category(category_code)
    text = _note(description, field="description", limit=MAX_DESCRIPTION)
    address = _note(address, field="address", required=False, limit=300)
    if latitude is not None and longitude is not None:
        if not (math.isfinite(latitude) and math.isfinite(longitude)):
            raise Invalid("Tọa độ không hợp lệ", field="location")
        unit = unit_at(latitude, longitude)
    elif address:
        parsed = parse_address(address, default_province=settings.CITY_PROVINCE_CODE)
        unit = parsed.current_unit
        if unit.level != Level.COMMUNE or unit.province_code != settings.CITY_PROVINCE_CODE or unit.latitude is None:
            raise Invalid("Không xác định được phường, xã từ địa chỉ; hãy chọn vị trí trên bản đồ", field="address")
        latitude, longitude = unit.latitude, unit.longitude or 0.0
    else:
        raise Invalid("Vui lòng chọn vị trí hoặc nhập địa chỉ", field="location")
    signed_in = user is not None and user.is_authenticated
    contact_name = _note(contact_name, field="contact_name", required=False, limit=120)
    contact_phone = (contact_phone or "").strip()
    if contact_phone and not (contact_phone.lstrip("+").isdigit() and 9 <= len(contact_phone) <= 15):
        raise Invalid("Số điện thoại không hợp lệ", field="contact_phone")
    contact_email = (contact_email or "").strip()
    if contact_email and ("@" not in contact_email or len(contact_email) > 254 or any(c.isspace() for c in contact_email)):
        raise Invalid("Địa chỉ thư điện tử không hợp lệ", field="contact_email")
    if not signed_in and not (contact_phone or contact_email):
        raise Invalid("Người gửi không đăng nhập cần để lại số điện thoại hoặc thư điện tử", field="contact_phone")
    attributes = _check_attributes(category, attributes or {})
    cleaned = _clean_photos(photos, field="photos")
    now = timezone.now()
    accept_by, due_on = deadlines.deadlines(category, now.astimezone(VN_TZ).date())
    with files_follow_transaction():
        report = Report(category=category, description=text, latitude=latitude, longitude=longitude,
                        address=address, unit=unit, emergency=bool(emergency), status=Status.RECEIVED,
                        reporter=user if signed_in else None,  # type: ignore[misc]  # a Principal is a User
                        contact_name=contact_name,
                        contact_phone=contact_phone, contact_email=contact_email, token=secrets.token_urlsafe(18),
                        source=source, api_key=api_key, attributes=attributes, received_at=now,
                        accept_by=accept_by, due_on=due_on)
        agency = report.agency = _route(report)
        report.save()
        _store_photos(report, cleaned, answer=False)
        _event(report, Event.Kind.SUBMITTED, agency=None)
        _event(report, Event.Kind.ROUTED)
        _audit(user, "submit", report, category=category.code, agency=agency.code, source=source)
        _notify_reporter(report, "đã tiếp nhận",
                         f"Phản ánh của bạn đã được chuyển đến {agency.name}; hạn xử lý {due_on:%d/%m/%Y}.")
    return report


def _check_attributes(category: Category, given: dict[str, str]) -> dict[str, str]:
    """The Open311 attribute answers for ``category``: required ones present, single/multivalue ones from the list."""
    out: dict[str, str] = {}
    for attribute in category.attributes:
        code = attribute["code"]
        value = str(given.get(code, "") or "").strip()[:500]
        if not value:
            if attribute.get("required"):
                raise Invalid(f"Thiếu thuộc tính bắt buộc {code}", field=f"attribute[{code}]")
            continue
        allowed = {str(v["key"]) for v in attribute.get("values", [])}
        if allowed and any(v not in allowed for v in value.split(",")):
            raise Invalid(f"Giá trị không hợp lệ cho thuộc tính {code}", field=f"attribute[{code}]")
        out[code] = value
    return out


@transaction.atomic
def accept(*, user: Principal, report_id: int) -> Report:
    report = _locked_for_staff(user, report_id)
    if report.status != Status.RECEIVED:
        raise Invalid("Chỉ tiếp nhận được phản ánh vừa chuyển đến", field="status")
    report.status = Status.IN_PROGRESS
    report.save(update_fields=["status", "updated_at"])
    _event(report, Event.Kind.ACCEPTED)
    _audit(user, "accept", report)
    _notify_reporter(report, "đang xử lý", f"{_name(report.agency)} đã tiếp nhận xử lý phản ánh của bạn.")
    return report


@transaction.atomic
def return_to_coordinator(*, user: Principal, report_id: int, reason: str) -> Report:
    """The body says the report is not theirs: it goes to the city's coordinator, with the reason, to re-route."""
    report = _locked_for_staff(user, report_id)
    reason = _note(reason, field="reason")
    if report.status not in (Status.RECEIVED, Status.IN_PROGRESS):
        raise Invalid("Không thể trả lại phản ánh ở trạng thái này", field="status")
    returned_by = report.agency
    report.agency = Agency.objects.get(code=CITY_COMMITTEE)
    report.status = Status.COORDINATING
    report.save(update_fields=["agency", "status", "updated_at"])
    _event(report, Event.Kind.RETURNED, note=reason, agency=returned_by)
    _audit(user, "return", report, reason=reason)
    return report


@transaction.atomic
def transfer(*, user: Principal, report_id: int, agency_code: str, reason: str = "") -> Report:
    report = _locked_for_staff(user, report_id)
    target = Agency.objects.filter(code=agency_code, is_active=True).first()
    if target is None:
        raise Invalid("Cơ quan nhận không tồn tại", field="agency")
    if target.pk == report.agency_id:
        raise Invalid("Phản ánh đã ở cơ quan này", field="agency")
    if not report.is_open:
        raise Invalid("Phản ánh đã kết thúc", field="status")
    reason = _note(reason, field="reason", required=False)
    report.agency = target
    report.status = Status.RECEIVED
    report.save(update_fields=["agency", "status", "updated_at"])
    _event(report, Event.Kind.TRANSFERRED, note=reason, agency=target)
    _audit(user, "transfer", report, agency=target.code)
    _notify_reporter(report, "chuyển cơ quan xử lý", f"Phản ánh của bạn được chuyển đến {target.name}.")
    return report


@transaction.atomic
def request_info(*, user: Principal, report_id: int, question: str) -> Report:
    report = _locked_for_staff(user, report_id)
    question = _note(question, field="question")
    if report.status not in (Status.RECEIVED, Status.IN_PROGRESS):
        raise Invalid("Không thể đề nghị bổ sung ở trạng thái này", field="status")
    if not deadlines.may_still_ask(report.category, report.received_at.astimezone(VN_TZ).date(), today()):
        raise Invalid("Đã quá 5 ngày làm việc để đề nghị bổ sung (Nghị định 20/2008/NĐ-CP)", field="question")
    report.status = Status.INFO_REQUESTED
    report.save(update_fields=["status", "updated_at"])
    _event(report, Event.Kind.INFO_REQUESTED, note=question)
    _audit(user, "request_info", report)
    _notify_reporter(report, "cần bổ sung thông tin", question)
    return report


@transaction.atomic
def provide_info(*, user: Principal | None, report_id: int, token: str = "", text: str) -> Report:
    report = _locked_for_reporter(user, report_id, token)
    text = _note(text, field="text")
    if report.status != Status.INFO_REQUESTED:
        raise Invalid("Cơ quan chưa đề nghị bổ sung", field="status")
    report.status = Status.IN_PROGRESS
    report.save(update_fields=["status", "updated_at"])
    _event(report, Event.Kind.INFO_GIVEN, note=text, agency=None)
    _audit(user, "provide_info", report)
    return report


@transaction.atomic
def merge(*, user: Principal, report_id: int, into_id: int) -> Report:
    """Close ``report_id`` as a duplicate of ``into_id`` (same category, both open, both the caller's)."""
    report = _locked_for_staff(user, report_id)
    target = _locked_for_staff(user, into_id)
    if target.pk == report.pk or target.category_id != report.category_id:
        raise Invalid("Chỉ gộp được hai phản ánh khác nhau cùng loại", field="into")
    if not (report.is_open and target.is_open):
        raise Invalid("Chỉ gộp được phản ánh đang mở", field="into")
    report.status = Status.MERGED
    report.merged_into = target
    report.closed_at = timezone.now()
    report.save(update_fields=["status", "merged_into", "closed_at", "updated_at"])
    _event(report, Event.Kind.MERGED, note=f"PA-{target.pk}")
    _audit(user, "merge", report, into=target.pk)
    _notify_reporter(report, "được gộp", f"Phản ánh của bạn trùng với PA-{target.pk} và được xử lý cùng phản ánh đó.")
    return report


def answer(*, user: Principal, report_id: int, text: str, photos: Sequence[Upload] = ()) -> Report:
    """The body's answer, with photo evidence; public at once (which meets the 2-working-day publication rule)."""
    text = _note(text, field="text", limit=MAX_DESCRIPTION)
    cleaned = _clean_photos(photos, field="photos")
    with files_follow_transaction():
        report = _locked_for_staff(user, report_id)
        if report.status not in (Status.IN_PROGRESS, Status.RECEIVED):
            raise Invalid("Chỉ trả lời được phản ánh đang xử lý", field="status")
        _store_photos(report, cleaned, answer=True)
        report.status = Status.ANSWERED
        report.answer = text
        report.answered_at = timezone.now()
        report.was_late = report.was_late or (report.due_on is not None and today() > report.due_on)
        report.save(update_fields=["status", "answer", "answered_at", "was_late", "updated_at"])
        _event(report, Event.Kind.ANSWERED, note=text)
        _audit(user, "answer", report)
        _notify_reporter(report, "đã có trả lời", text[:500])
        for duplicate in report.duplicates.all():
            _notify_reporter(duplicate, "đã có trả lời", text[:500])
    return report


@transaction.atomic
def close(*, user: Principal, report_id: int) -> Report:
    report = _locked_for_staff(user, report_id)
    if report.status != Status.ANSWERED:
        raise Invalid("Chỉ đóng được phản ánh đã trả lời", field="status")
    report.status = Status.CLOSED
    report.closed_at = timezone.now()
    report.save(update_fields=["status", "closed_at", "updated_at"])
    _event(report, Event.Kind.CLOSED)
    _audit(user, "close", report)
    return report


def close_settled(*, now: dt.datetime | None = None) -> int:
    """Close every report answered more than ``REOPEN_WITHIN_DAYS`` ago and not reopened; each its own transaction
    with its timeline step and audit entry (the system acts: no user)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=deadlines.REOPEN_WITHIN_DAYS)
    closed = 0
    for report_id in Report.objects.filter(status=Status.ANSWERED, answered_at__lt=cutoff).values_list("id", flat=True):
        with transaction.atomic():
            report = Report.objects.select_for_update().get(pk=report_id)
            if report.status != Status.ANSWERED:
                continue
            report.status = Status.CLOSED
            report.closed_at = timezone.now()
            report.save(update_fields=["status", "closed_at", "updated_at"])
            _event(report, Event.Kind.CLOSED, note="Tự động đóng sau 7 ngày không có yêu cầu mở lại")
            _audit(None, "close", report, automatic=True)
            closed += 1
    return closed


@transaction.atomic
def rate(*, user: Principal | None, report_id: int, token: str = "", score: int, comment: str = "") -> Rating:
    report = _locked_for_reporter(user, report_id, token)
    if report.status not in (Status.ANSWERED, Status.CLOSED):
        raise Invalid("Chỉ đánh giá được phản ánh đã có trả lời", field="status")
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise Invalid("Điểm đánh giá từ 1 đến 5", field="score")
    comment = _note(comment, field="comment", required=False, limit=500)
    rating, _ = Rating.objects.update_or_create(report=report, defaults={"score": score, "comment": comment,
                                                                        "at": timezone.now()})
    _event(report, Event.Kind.RATED, note=f"{score}/5", agency=None)
    _audit(user, "rate", report, score=score)
    return rating


@transaction.atomic
def reopen(*, user: Principal | None, report_id: int, token: str = "", reason: str) -> Report:
    """An unsatisfied reporter reopens the report within 7 days of the answer; it goes back to the body with a new
    deadline and counts as reopened in the statistics."""
    report = _locked_for_reporter(user, report_id, token)
    reason = _note(reason, field="reason")
    if report.status not in (Status.ANSWERED, Status.CLOSED) or report.answered_at is None:
        raise Invalid("Chỉ mở lại được phản ánh đã có trả lời", field="status")
    if timezone.now() > report.answered_at + dt.timedelta(days=deadlines.REOPEN_WITHIN_DAYS):
        raise Invalid("Đã quá 7 ngày kể từ khi trả lời", field="reason")
    _, report.due_on = deadlines.deadlines(report.category, today())
    report.status = Status.IN_PROGRESS
    report.reopen_count += 1
    report.closed_at = None
    report.save(update_fields=["status", "reopen_count", "closed_at", "due_on", "updated_at"])
    _event(report, Event.Kind.REOPENED, note=reason, agency=None)
    _audit(user, "reopen", report)
    return report


@transaction.atomic
def set_hidden(*, user: Principal, report_id: int, hidden: bool) -> Report:
    """A coordinator hides a report from the public pages (abuse, personal data in the text)."""
    if not _is_coordinator(user):
        raise Forbidden("Chỉ điều phối viên thành phố được ẩn phản ánh")
    report = Report.objects.select_for_update().get(pk=report_id)
    report.hidden = hidden
    report.save(update_fields=["hidden", "updated_at"])
    _audit(user, "hide" if hidden else "unhide", report)
    return report


# ------------------------------------------------------------------------------------------------ API keys


def issue_api_key(*, name: str, user: Principal | None = None) -> tuple[ApiKey, str]:
    """A new Open311 key for the client app ``name``: the row and the key itself, shown this once."""
    name = _note(name, field="name", limit=120)
    secret = secrets.token_urlsafe(24)
    key = ApiKey.objects.create(name=name, prefix=secret[:8], digest=_digest(secret), created_at=timezone.now())
    record(actor=actor_for(user) if user is not None else None, action=Action.CREATE,
           subject_type="feedback.apikey", subject_id=key.pk, detail={"name": name})
    return key, secret


def _digest(secret: str) -> str:
    import hashlib

    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_for(secret: str) -> ApiKey | None:
    if not secret or len(secret) > 100:
        return None
    return ApiKey.objects.filter(digest=_digest(secret), is_active=True).first()


# ------------------------------------------------------------------------------------------------ for the IOC


def open_reports_for_map(*, bbox: tuple[float, float, float, float] | None = None, category: str | None = None,
                         limit: int = 5000) -> list[dict[str, Any]]:
    """Open public reports as point features: id, lat, lon, category (code), status, age (whole days since
    receipt), emergency, overdue. ``bbox`` is (south, west, north, east)."""
    qs = Report.objects.open().public()
    if bbox is not None:
        south, west, north, east = bbox
        qs = qs.filter(latitude__range=(south, north), longitude__range=(west, east))
    if category:
        qs = qs.filter(category__code=category)
    now, day = timezone.now(), today()
    rows = qs.values_list("id", "latitude", "longitude", "category__code", "status", "received_at", "emergency",
                          "due_on")[:limit]
    return [{"id": i, "lat": lat, "lon": lon, "category": code, "status": status,
             "age": (now - received).days, "emergency": emergency, "overdue": due is not None and due < day}
            for i, lat, lon, code, status, received, emergency, due in rows]


def report_counts(*, agency_codes: Sequence[str] | None = None, on: dt.date | None = None) -> dict[str, Any]:
    """{"open", "overdue", "by_status": {status: n}} over public reports (of the given bodies), in one query."""
    on = on or today()
    qs = Report.objects.public()
    if agency_codes:
        qs = qs.filter(agency__code__in=list(agency_codes))
    by_status = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    overdue = qs.overdue(on=on).count()
    return {"open": sum(by_status.get(s, 0) for s in OPEN), "overdue": overdue,
            "by_status": {s: by_status.get(s, 0) for s in Status.values}}


def recent_events(*, since: dt.datetime | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """The latest public timeline steps, newest first, for a live feed: id, at, kind, label, report id, category,
    agency. No personal data (notes are left out: a reporter's added text may hold some)."""
    qs = Event.objects.filter(report__hidden=False).select_related("report__category", "agency")
    if since is not None:
        qs = qs.filter(at__gt=since)
    return [{"id": e.pk, "at": e.at, "kind": e.kind, "label": e.get_kind_display(), "report_id": e.report_id,
             "category": e.report.category.name, "agency": e.agency.name if e.agency else "",
             "emergency": e.report.emergency, "unit_id": e.report.unit_id}
            for e in qs.order_by("-at", "-id")[:min(limit, 500)]]

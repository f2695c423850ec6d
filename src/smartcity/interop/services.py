"""Use cases of the data-sharing gateway, citizens' consents and the national portal connector.

Every gateway call goes through ``call_service``: the service is published, the client is registered for it and
for the purpose, the citizen consented where the service needs it (read on each call, so a withdrawal stops the
next call), the request id was not used before by that client. Each call, answered or refused, leaves a ``CallLog``
row; an answered one also an audit entry (action "read", the client's agency, the purpose), which is what the
citizen's "Ai đã xem dữ liệu của tôi" page lists.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from smartcity.audit import services as audit
from smartcity.audit.models import Action
from smartcity.audit.services import Actor
from smartcity.dossiers.models import Dossier
from smartcity.dossiers.services import tracking_url
from smartcity.interop.models import CallLog, ClientSystem, Consent, DataService, Grant, Outcome
from smartcity.interop.national import contract
from smartcity.lib.errors import Conflict, Forbidden, Invalid, NotFound
from smartcity.lib.idnumber import clean_id_number
from smartcity.lib.principal import Principal, is_citizen
from smartcity.population.models import Citizen

RESIDENCE, DOSSIER_STATUS, DOSSIER_RESULT = "residence-verification", "dossier-status", "dossier-result"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")

#: What each purpose code means, as the citizen reads it on "who accessed my data" and the consent page.
PURPOSES = {
    "dossier-processing": "Giải quyết thủ tục hành chính",
    "residence-check": "Xác minh nơi cư trú",
    "social-benefit": "Chi trả trợ cấp xã hội",
    "school-enrolment": "Tuyển sinh đầu cấp",
    "health-insurance": "Bảo hiểm y tế",
}


def purpose_label(code: str) -> str:
    return PURPOSES.get(code, code)


def _refused(exc: Forbidden | NotFound | Conflict, code: str) -> Forbidden | NotFound | Conflict:
    exc.code = code
    return exc


@dataclass(frozen=True)
class Call:
    client: ClientSystem
    service: DataService
    purpose: str
    request_id: str


def _begin(*, client: ClientSystem, service_code: str, purpose: str, request_id: str) -> Call:
    if not _REQUEST_ID.match(request_id or ""):
        raise Invalid("X-Request-ID phải có 8–64 ký tự chữ, số, . _ : - (request id required)", field="X-Request-ID")
    service = DataService.objects.filter(code=service_code, is_active=True).first()
    if service is None:
        raise NotFound("Không có dịch vụ dữ liệu này", field="service")
    if not purpose or len(purpose) > 60:
        raise Invalid("Cần nêu mã mục đích (purpose required)", field="purpose")
    return Call(client, service, purpose, request_id)


def _log(call: Call, outcome: str, citizen: Citizen | None) -> None:
    """The call's log row (and, if answered, its audit entry) in one transaction; a request id the client used
    before is a 409, and nothing is written for it."""
    try:
        with transaction.atomic():
            CallLog.objects.create(client=call.client, service=call.service, person_id=citizen.pk if citizen else None,
                                   purpose=call.purpose, at=timezone.now(), request_id=call.request_id,
                                   outcome=outcome)
            if outcome == Outcome.ANSWERED and citizen is not None:
                audit.record(
                    actor=Actor(user=None, label=call.client.name, role="Hệ thống kết nối",
                                agency=call.client.agency_name),
                    action=Action.READ, subject_type=f"interop.{call.service.code}", subject_id=citizen.pk,
                    person_id=citizen.pk, purpose=purpose_label(call.purpose),
                    detail={"client_id": call.client.client_id, "service": call.service.code,
                            "request_id": call.request_id, "purpose_code": call.purpose},
                )
    except IntegrityError:
        raise _refused(Conflict("Mã yêu cầu này đã được dùng (replayed X-Request-ID)", field="X-Request-ID"),
                       "replayed") from None


def _authorise(call: Call, citizen: Citizen | None) -> None:
    """Registration, purpose and consent, in that order; each refusal is logged before it is raised."""
    grant = Grant.objects.filter(client=call.client, service=call.service).first()
    if grant is None:
        _log(call, Outcome.NOT_REGISTERED, citizen)
        raise _refused(Forbidden(f"Hệ thống chưa được đăng ký dịch vụ {call.service.code} (not registered)",
                                 field="service"), "not_registered")
    if call.purpose not in grant.purposes or call.purpose not in call.service.purposes:
        _log(call, Outcome.PURPOSE, citizen)
        raise _refused(Forbidden(f"Mục đích {call.purpose} không được phép cho dịch vụ này (purpose not allowed)",
                                 field="purpose"), "purpose_not_allowed")
    if citizen is None:
        _log(call, Outcome.NOT_FOUND, None)
        raise NotFound("Không tìm thấy công dân hoặc hồ sơ này", field="id_number")
    if call.service.needs_consent and not has_consent(citizen_id=citizen.pk, service=call.service):
        _log(call, Outcome.NO_CONSENT, citizen)
        raise _refused(Forbidden("Công dân chưa đồng ý hoặc đã rút lại sự đồng ý cho dịch vụ này (no consent)",
                                 field="consent"), "no_consent")


def _citizen(id_number: str) -> Citizen | None:
    try:
        number = clean_id_number((id_number or "")[:20])
    except Invalid:
        raise Invalid("Số định danh cá nhân phải có 12 chữ số", field="id_number") from None
    return Citizen.objects.select_related("permanent_unit", "temporary_unit").filter(id_number=number).first()


def verify_residence(*, client: ClientSystem, purpose: str, request_id: str, id_number: str,
                     unit_code: str = "") -> dict[str, Any]:
    """Residence verification (population): where the citizen lives permanently and temporarily, and whether that
    is the unit the caller names."""
    call = _begin(client=client, service_code=RESIDENCE, purpose=purpose, request_id=request_id)
    citizen = _citizen(id_number)
    _authorise(call, citizen)
    assert citizen is not None
    _log(call, Outcome.ANSWERED, citizen)
    units = [u for u in (citizen.permanent_unit, citizen.temporary_unit) if u is not None]
    return {
        "request_id": request_id,
        "id_number": citizen.id_number,
        "permanent_unit": {"code": citizen.permanent_unit.code, "name": citizen.permanent_unit.name},
        "temporary_unit": ({"code": citizen.temporary_unit.code, "name": citizen.temporary_unit.name}
                           if citizen.temporary_unit else None),
        "resides_in_unit": (any(u.code == unit_code for u in units) if unit_code else None),
    }


def _dossier(call: Call, id_number: str, code: str) -> Dossier:
    citizen = _citizen(id_number)
    dossier = None
    if citizen is not None:
        dossier = (Dossier.objects.select_related("procedure", "agency")
                   .filter(code=(code or "")[:40], applicant=citizen).first())
    # An unknown code and a dossier of somebody else get the same 404 (and the same refusal log).
    _authorise(call, citizen if dossier is not None else None)
    assert dossier is not None and citizen is not None
    _log(call, Outcome.ANSWERED, citizen)
    return dossier


def dossier_status(*, client: ClientSystem, purpose: str, request_id: str, id_number: str,
                   code: str) -> dict[str, Any]:
    call = _begin(client=client, service_code=DOSSIER_STATUS, purpose=purpose, request_id=request_id)
    d = _dossier(call, id_number, code)
    return {
        "request_id": request_id, "code": d.code, "procedure_code": d.procedure.code or "",
        "procedure": d.procedure.name, "agency": d.agency.name, "status": d.status,
        "status_label": d.get_status_display(), "national_status": contract.national_status(d.status),
        "submitted_at": d.submitted_at, "received_at": d.received_at, "appointment_at": d.appointment_at,
        "finished_at": d.finished_at,
    }


def dossier_result(*, client: ClientSystem, purpose: str, request_id: str, id_number: str,
                   code: str) -> dict[str, Any]:
    call = _begin(client=client, service_code=DOSSIER_RESULT, purpose=purpose, request_id=request_id)
    d = _dossier(call, id_number, code)
    ready = bool(d.result)
    return {
        "request_id": request_id, "code": d.code, "result_available": ready, "result_signed": d.result_signed,
        "finished_at": d.finished_at, "returned_at": d.returned_at,
        "result_url": tracking_url(d) if ready else None,
    }


# --------------------------------------------------------------------------------------------------- consent


def has_consent(*, citizen_id: int, service: DataService) -> bool:
    return Consent.objects.filter(citizen_id=citizen_id, service=service, withdrawn_at__isnull=True).exists()


@dataclass(frozen=True)
class ConsentRow:
    service: DataService
    given_at: dt.datetime | None
    clients: list[str]  # the agencies registered to call it


def consents_of(user: Principal) -> list[ConsentRow]:
    """Each published service that needs consent, with the citizen's live consent (or none)."""
    person_id = _person(user)
    live = {c.service_id: c.given_at for c in Consent.objects.filter(citizen_id=person_id, withdrawn_at__isnull=True)}
    rows = []
    for service in DataService.objects.filter(is_active=True, needs_consent=True).prefetch_related("grants__client"):
        clients = sorted({g.client.agency_name for g in service.grants.all() if g.client.is_active})
        rows.append(ConsentRow(service, live.get(service.pk), clients))
    return rows


def _person(user: Principal) -> int:
    if not is_citizen(user) or not user.person_id:
        raise Forbidden("Chỉ công dân có hồ sơ dân cư mới quản lý sự đồng ý")
    return int(user.person_id)


def _consent_service(code: str) -> DataService:
    service = DataService.objects.filter(code=(code or "")[:60], is_active=True, needs_consent=True).first()
    if service is None:
        raise NotFound("Không có dịch vụ cần sự đồng ý với mã này", field="service")
    return service


def give_consent(*, user: Principal, service_code: str) -> Consent:
    person_id = _person(user)
    service = _consent_service(service_code)
    with transaction.atomic():
        live = Consent.objects.select_for_update().filter(citizen_id=person_id, service=service,
                                                          withdrawn_at__isnull=True).first()
        if live is not None:
            return live  # giving twice is giving once
        consent = Consent.objects.create(citizen_id=person_id, service=service, given_at=timezone.now())
        audit.record(actor=Actor(user=user, label=user.get_full_name(), role="Công dân", person_id=person_id),
                     action=Action.CREATE, subject_type="interop.consent", subject_id=consent.pk,
                     person_id=person_id, detail={"service": service.code})
    return consent


def withdraw_consent(*, user: Principal, service_code: str) -> int:
    """Withdraw at once: the next gateway call for this citizen and service is refused. Returns rows changed."""
    person_id = _person(user)
    service = _consent_service(service_code)
    with transaction.atomic():
        changed = Consent.objects.filter(citizen_id=person_id, service=service, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now())
        if changed:
            audit.record(actor=Actor(user=user, label=user.get_full_name(), role="Công dân", person_id=person_id),
                         action=Action.UPDATE, subject_type="interop.consent", person_id=person_id,
                         detail={"service": service.code, "withdrawn": True})
    return changed


# ---------------------------------------------------------------------------------------- client management


def register_client(*, client_id: str, name: str, agency_name: str, grants: dict[str, list[str]],
                    auth_method: str = "client_secret_basic", jwks: dict[str, Any] | None = None,
                    api_scopes: list[str] | None = None, service_user: Any = None,
                    agency: Any = None, secret: str = "") -> tuple[ClientSystem, str]:
    """Register (or re-key) a client system; returns it with its new secret (shown once; empty for
    private_key_jwt). ``grants`` maps service code → purposes. ``secret`` is for the demo's published one only."""
    from smartcity.interop import oauth

    if auth_method == "private_key_jwt":
        secret = ""
    elif not secret:
        secret = oauth.new_secret()
    with transaction.atomic():
        client, _ = ClientSystem.objects.update_or_create(client_id=client_id, defaults={
            "name": name, "agency_name": agency_name, "auth_method": auth_method, "agency": agency,
            "secret_hash": oauth.secret_digest(secret) if secret else "", "jwks": jwks or {},
            "api_scopes": api_scopes or [], "service_user": service_user, "is_active": True})
        for code, purposes in grants.items():
            service = DataService.objects.get(code=code)
            Grant.objects.update_or_create(client=client, service=service, defaults={"purposes": purposes})
    return client, secret


SERVICES = (
    (RESIDENCE, "Xác minh nơi cư trú", ["residence-check", "dossier-processing", "school-enrolment",
                                        "social-benefit"], True),
    (DOSSIER_STATUS, "Tình trạng hồ sơ thủ tục hành chính", ["dossier-processing", "social-benefit"], False),
    (DOSSIER_RESULT, "Kết quả giải quyết hồ sơ", ["dossier-processing", "social-benefit",
                                                  "health-insurance"], True),
)


def ensure_services() -> int:
    """The three published data services (idempotent)."""
    for code, name, purposes, consent in SERVICES:
        DataService.objects.update_or_create(code=code, defaults={"name": name, "purposes": purposes,
                                                                  "needs_consent": consent})
    return len(SERVICES)

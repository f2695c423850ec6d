"""Sending, receiving and tracking edXML documents between agencies.

``send_document`` builds and signs the package with the sending agency's seal, keeps it (sent), and hands it to
the receiver: an agency on this platform receives it at once (``receive_package``); another platform's is not
supported yet. ``receive_package`` verifies the package before anything is stored: a broken signature is an
``Invalid`` naming the reason, and the sender's row keeps ``last_error`` — nothing is lost, nothing half-stored; a
package received twice is kept once. ``report_status`` moves the receiver's row along received → processing →
done (or returned) and reports each status to the sender's row.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from smartcity.agencies import services as agencies
from smartcity.agencies.models import Agency, Membership
from smartcity.audit import services as audit
from smartcity.audit.models import Action
from smartcity.interop.edxml import package
from smartcity.interop.models import EdocEvent, EdocMessage, EdocStatus
from smartcity.lib.errors import Conflict, Forbidden, Invalid, NotFound
from smartcity.lib.principal import Principal

#: Which status may follow which (the receiver's side).
_NEXT = {EdocStatus.RECEIVED: {EdocStatus.PROCESSING, EdocStatus.RETURNED},
         EdocStatus.PROCESSING: {EdocStatus.DONE, EdocStatus.RETURNED}}


def _member(user: Principal, agency: Agency) -> None:
    if not Membership.objects.active().filter(user_id=user.pk, agency=agency).exists():
        raise Forbidden("Chỉ cán bộ của cơ quan mới gửi, nhận văn bản của cơ quan")


def _event(message: EdocMessage, status: str, note: str = "") -> None:
    now = timezone.now()
    message.status, message.updated_at = status, now
    message.save(update_fields=["status", "updated_at", "last_error"])
    EdocEvent.objects.create(message=message, status=status, at=now, note=note[:300])


def send_document(*, user: Principal, from_code: str, to_code: str, notation: str, subject: str, text: str = "",
                  attachments: list[tuple[str, bytes]] | None = None) -> EdocMessage:
    sender = Agency.objects.filter(code=from_code, is_active=True).first()
    receiver = Agency.objects.filter(code=to_code, is_active=True).first()
    if sender is None:
        raise NotFound("Không có cơ quan gửi này", field="from_code")
    if receiver is None:
        raise NotFound("Không có cơ quan nhận này trên nền tảng (other platforms: not supported yet)",
                       field="to_code")
    _member(user, sender)
    if not notation.strip() or not subject.strip():
        raise Invalid("Cần số, ký hiệu và trích yếu", field="subject" if notation.strip() else "notation")
    doc = package.Document(document_id=str(uuid.uuid4()), from_code=sender.code, from_name=sender.name,
                           to_code=receiver.code, to_name=receiver.name, notation=notation.strip()[:60],
                           subject=subject.strip()[:500], promulgated=timezone.localdate(), text=text,
                           attachments=attachments or [])
    raw = package.build(doc, sender)
    now = timezone.now()
    with transaction.atomic():
        sent = EdocMessage.objects.create(document_id=doc.document_id, direction=EdocMessage.Direction.OUT,
                                          agency=sender, from_code=sender.code, to_code=receiver.code,
                                          notation=doc.notation, subject=doc.subject, package=raw,
                                          status=EdocStatus.SENT, created_at=now, updated_at=now)
        EdocEvent.objects.create(message=sent, status=EdocStatus.SENT, at=now)
        audit.record(actor=agencies.actor_for(user), action=Action.CREATE, subject_type="interop.edoc",
                     subject_id=sent.pk, detail={"document_id": doc.document_id, "to": receiver.code})
    try:
        receive_package(raw)
    except (Invalid, Conflict) as exc:
        sent.last_error = exc.message[:300]
        sent.save(update_fields=["last_error"])
    sent.refresh_from_db()
    return sent


def receive_package(raw: bytes) -> EdocMessage:
    """Verify, then keep the package for the receiving agency (status received) and tell the sender."""
    doc = package.read(raw)
    receiver = Agency.objects.filter(code=doc.to_code, is_active=True).first()
    if receiver is None:
        raise Invalid(f"Cơ quan nhận {doc.to_code} không có trên nền tảng", field="package")
    with transaction.atomic():
        existing = EdocMessage.objects.filter(document_id=doc.document_id, direction=EdocMessage.Direction.IN,
                                              agency=receiver).first()
        if existing is not None:
            return existing  # received twice is received once
        now = timezone.now()
        got = EdocMessage.objects.create(document_id=doc.document_id, direction=EdocMessage.Direction.IN,
                                         agency=receiver, from_code=doc.from_code, to_code=doc.to_code,
                                         notation=doc.notation, subject=doc.subject, package=raw,
                                         status=EdocStatus.RECEIVED, created_at=now, updated_at=now)
        EdocEvent.objects.create(message=got, status=EdocStatus.RECEIVED, at=now)
        _report(got, EdocStatus.RECEIVED, "")
    return got


def _report(incoming: EdocMessage, status: str, note: str) -> None:
    sent = EdocMessage.objects.filter(document_id=incoming.document_id, direction=EdocMessage.Direction.OUT,
                                      from_code=incoming.from_code).first()
    if sent is not None:  # on this platform; a remote sender would get a status package (not built yet)
        sent.last_error = ""
        _event(sent, status, note)


def report_status(*, user: Principal, message_id: int, status: str, note: str = "") -> EdocMessage:
    incoming = EdocMessage.objects.select_related("agency").filter(
        pk=message_id, direction=EdocMessage.Direction.IN).first()
    if incoming is None:
        raise NotFound("Không có văn bản đến này", field="message")
    _member(user, incoming.agency)
    if status not in _NEXT.get(EdocStatus(incoming.status), set()):
        raise Conflict(f"Không chuyển được từ {incoming.get_status_display()} sang {status}", field="status")
    if status == EdocStatus.RETURNED and not note.strip():
        raise Invalid("Cần nêu lý do trả lại", field="note")
    with transaction.atomic():
        _event(incoming, status, note)
        _report(incoming, status, note)
        audit.record(actor=agencies.actor_for(user), action=Action.STATE, subject_type="interop.edoc",
                     subject_id=incoming.pk, detail={"document_id": incoming.document_id, "status": status})
    return incoming

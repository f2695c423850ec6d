"""Use cases of the document store. A document is its owner's: nobody else lists, downloads or reuses it. Others
see it only through a share link that expires (and, when the owner names an agency, only that agency's staff).
Every read by someone other than the owner is audited, and so is every refused attempt."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from smartcity.agencies import services as agencies
from smartcity.agencies.models import Agency, Membership
from smartcity.audit import services as audit
from smartcity.audit.models import Action
from smartcity.lib import collation, uploads
from smartcity.lib.errors import Forbidden, Gone, Invalid, NotFound
from smartcity.lib.principal import Principal
from smartcity.lib.storage import files_follow_transaction, save_file
from smartcity.lib.text import bounded, fold
from smartcity.vault.models import Document, ShareLink

MAX_SHARE_DAYS = 30


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@files_follow_transaction()
def store(*, owner_id: int, pdf: bytes, title: str, kind: str = Document.Kind.RESULT, issuer: Agency | None = None,
          reference: str = "", procedure_code: str = "", signed: bool = False,
          issued_at: dt.datetime | None = None) -> Document:
    """Put a document into a citizen's store (a result lands here when the dossier's result is returned). What
    enters the store passes the same checks as a citizen's upload (``lib.uploads``), since it is handed out again
    for reuse in other dossiers."""
    if not pdf.startswith(b"%PDF-"):
        raise Invalid("Kho dữ liệu chỉ nhận tệp PDF", field="file")
    uploads.check_upload("document.pdf", uploads.PDF, pdf, field="file")
    document = Document(owner_id=owner_id, kind=kind, title=title[:300], issuer=issuer, reference=reference,
                        procedure_code=procedure_code, size=len(pdf), sha256=_digest(pdf), signed=signed,
                        issued_at=issued_at or timezone.now())
    save_file(document.file, "document.pdf", ContentFile(pdf))
    document.save()
    audit.record(actor=None, action=Action.CREATE, subject_type="vault.document", subject_id=document.pk,
                 person_id=owner_id, detail={"reference": reference, "signed": signed})
    return document


def documents_of(user: Principal):
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return Document.objects.none()
    return Document.objects.filter(owner_id=person_id).select_related("issuer")


def own_document(user: Principal, document_id: int) -> Document:
    """The caller's own document; 404 for anyone else's (it does not exist for them)."""
    document = documents_of(user).filter(pk=document_id).first()
    if document is None:
        raise NotFound("Không tìm thấy giấy tờ trong kho của bạn", field="document")
    return document


@dataclass(frozen=True)
class NewLink:
    link: ShareLink
    token: str  # shown once to the owner; only its hash is kept


@transaction.atomic
def share(*, user: Principal, document_id: int, days: Any = 7, recipient_code: str = "") -> NewLink:
    """A link to one document that expires after ``days`` (1–30), optionally only for staff of one agency."""
    document = own_document(user, document_id)
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_SHARE_DAYS:
        raise Invalid(f"Thời hạn chia sẻ từ 1 đến {MAX_SHARE_DAYS} ngày", field="days")
    recipient = find_recipient(recipient_code) if recipient_code.strip() else None
    token = secrets.token_urlsafe(24)
    now = timezone.now()
    link = ShareLink.objects.create(document=document, token_sha256=_digest(token.encode()), created_at=now,
                                    expires_at=now + dt.timedelta(days=days), recipient=recipient)
    audit.record(actor=agencies.actor_for(user), action=Action.CREATE, subject_type="vault.sharelink",
                 subject_id=link.pk, person_id=document.owner_id,
                 detail={"document": document.pk, "days": days, "recipient": recipient.code if recipient else ""})
    return NewLink(link, token)


MAX_AGENCY_QUERY = 100
MAX_AGENCY_MATCHES = 20


def agencies_matching(q: str, *, limit: int = MAX_AGENCY_MATCHES) -> list[Agency]:
    """Active agencies whose name (diacritics optional) or code holds every word of ``q``, in Vietnamese order, at
    most ``limit``: what the share form's agency search offers."""
    words = fold(bounded(q or "", field="q", limit=MAX_AGENCY_QUERY)).split()
    found = []
    for agency in collation.sort(Agency.objects.filter(is_active=True).only("code", "name"), by=lambda a: a.name):
        text = f"{fold(agency.name)} {agency.code.lower()}"
        if all(word in text for word in words):
            found.append(agency)
            if len(found) >= limit:
                break
    return found


def share_choices() -> list[Agency]:
    """Every active agency, in Vietnamese order (the share form's list of suggestions)."""
    return collation.sort(Agency.objects.filter(is_active=True).only("code", "name"), by=lambda a: a.name)


def find_recipient(text: str) -> Agency:
    """The agency a citizen named in the share form: by its code, by "name (code)" as the suggestions show it, or by
    its exact name (diacritics and case aside); ``Invalid`` naming the field otherwise."""
    text = " ".join((text or "").split())[:MAX_AGENCY_QUERY + 40]
    if text.endswith(")") and "(" in text:
        text = text[text.rindex("(") + 1:-1].strip()
    active = Agency.objects.filter(is_active=True)
    agency = active.filter(code=text).first()
    if agency is None:
        folded = fold(text)
        named = [a for a in active.only("code", "name") if fold(a.name) == folded]
        agency = named[0] if len(named) == 1 else None
    if agency is None:
        raise Invalid("Không tìm thấy cơ quan này; chọn một cơ quan trong danh sách gợi ý", field="recipient")
    return agency


@transaction.atomic
def revoke(*, user: Principal, link_id: int) -> ShareLink:
    link = ShareLink.objects.select_related("document").filter(
        pk=link_id, document__owner_id=getattr(user, "person_id", None)).first()
    if link is None:
        raise NotFound("Không tìm thấy liên kết chia sẻ", field="link")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit.record(actor=agencies.actor_for(user), action=Action.UPDATE, subject_type="vault.sharelink",
                     subject_id=link.pk, person_id=link.document.owner_id, detail={"revoked": True})
    return link


def open_shared(*, token: str, user: Principal) -> Document:
    """The document behind a share link, for whoever the link allows. An unknown token is 404; an expired or
    revoked one 410; a link for another agency 403. Each attempt, allowed or refused, is in the audit log."""
    link = (ShareLink.objects.select_related("document", "recipient")
            .filter(token_sha256=_digest((token or "").encode())).first())
    if link is None:
        raise NotFound("Liên kết chia sẻ không tồn tại", field="token")
    actor = agencies.actor_for(user) if getattr(user, "is_authenticated", False) else None
    refusal = _refusal(link, user)
    audit.record(actor=actor, action=Action.READ, subject_type="vault.document", subject_id=link.document_id,
                 person_id=link.document.owner_id, purpose="Xem giấy tờ được chia sẻ",
                 detail={"link": link.pk, "refused": refusal.message if refusal else ""})
    if refusal is not None:
        raise refusal
    ShareLink.objects.filter(pk=link.pk).update(opened=F("opened") + 1)
    return link.document


def _refusal(link: ShareLink, user: Principal) -> Gone | Forbidden | None:
    if link.revoked_at is not None:
        return Gone("Liên kết chia sẻ đã bị người dân thu hồi", field="token")
    if link.expires_at <= timezone.now():
        return Gone("Liên kết chia sẻ đã hết hạn", field="token")
    if link.recipient_id is None or getattr(user, "person_id", None) == link.document.owner_id:
        return None
    if not getattr(user, "is_authenticated", False):
        return Forbidden(f"Liên kết chỉ dành cho cán bộ của {link.recipient.name}: hãy đăng nhập", field="token")
    if not Membership.objects.active().filter(user=user, agency_id=link.recipient_id).exists():
        return Forbidden(f"Liên kết chỉ dành cho cán bộ của {link.recipient.name}", field="token")
    return None


def take_for_reuse(*, user: Principal, document_id: Any) -> Document:
    """A document the applicant chose from their store to stand in for an upload in a new dossier."""
    try:
        document_id = int(document_id)
    except (TypeError, ValueError):
        raise Invalid("Giấy tờ trong kho không hợp lệ", field="document") from None
    return own_document(user, document_id)

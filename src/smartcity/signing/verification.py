"""Reading the signatures of a PDF into a report people can act on: who signed, when, whether the document changed
after signing, whether the certificate chains to a trusted root, whether it was revoked — with a verdict and reasons.

pyHanko does the cryptography and chain building (``validate_pdf_signature``); this module turns its status into our
terms. A signature is ``valid`` only if it is intact, the certificate chains to a trust anchor and is not revoked,
the document was not changed after signing other than by adding signatures or validation data, and any timestamp
on it is valid. Validation runs at the present time with the CRLs we are given.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from asn1crypto import x509 as asn1_x509
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from smartcity.lib.errors import Invalid

# Verdicts of one signature, from the worst: the order decides the document's verdict.
STATUSES = ("modified", "invalid", "revoked", "untrusted", "expired", "indeterminate", "valid")

_REVOKED = {AdESFailure.REVOKED, AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE}
_EXPIRED = {AdESIndeterminate.OUT_OF_BOUNDS_NO_POE, AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
            AdESIndeterminate.EXPIRED, AdESIndeterminate.NOT_YET_VALID, AdESFailure.NOT_YET_VALID}
_NO_CHAIN = {AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND, AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE,
             AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE, AdESIndeterminate.NO_SIGNING_CERTIFICATE_FOUND}
_REVOCATION_UNKNOWN = {AdESIndeterminate.TRY_LATER, AdESIndeterminate.REVOCATION_OUT_OF_BOUNDS_NO_POE}
_REASONS = {
    "unspecified": "không nêu lý do", "key_compromise": "lộ khóa bí mật", "ca_compromise": "lộ khóa của CA",
    "affiliation_changed": "thay đổi cơ quan, chức vụ", "superseded": "đã có chứng thư thay thế",
    "cessation_of_operation": "ngừng hoạt động", "certificate_hold": "tạm dừng",
}


@dataclass
class Signer:
    name: str
    organization: str
    agency_code: str
    serial: str
    issuer: str
    not_before: dt.datetime
    not_after: dt.datetime
    fingerprint: str
    kind: str = ""  # "officer" / "seal" when the certificate is one of ours


@dataclass
class Timestamp:
    present: bool
    valid: bool = False
    trusted: bool = False
    time: dt.datetime | None = None
    authority: str = ""


@dataclass
class SignatureReport:
    field: str
    signer: Signer
    signing_time: dt.datetime | None
    timestamp: Timestamp
    reason: str
    location: str
    intact: bool
    covers_whole_document: bool
    modified_after_signing: bool
    trusted: bool
    trust_anchor: str
    revoked: bool
    revoked_at: dt.datetime | None
    revocation_reason: str
    status: str
    reasons: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.status == "valid"


@dataclass
class VerificationReport:
    sha256: str
    size: int
    verdict: str  # "valid", "unsigned", or the worst signature status
    summary: str
    signatures: list[SignatureReport]

    @property
    def valid(self) -> bool:
        return self.verdict == "valid"


@dataclass(frozen=True)
class Known:
    """What our certificate table says about a signer's certificate."""

    kind: str
    revoked_at: dt.datetime | None
    revocation_reason: str


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.astimezone(dt.UTC) if moment is not None else None


def _when(moment: dt.datetime | None) -> str:
    return formats.date_format(timezone.localtime(moment), "H:i:s d/m/Y") if moment else "—"


def _display(name: asn1_x509.Name) -> str:
    """A name as people read it: its common name (the whole name when it has none)."""
    return str(name.native.get("common_name", "") or name.human_friendly)


def _signer(cert: asn1_x509.Certificate) -> Signer:
    subject = cert.subject.native
    org_id = subject.get("organization_identifier", "") or ""
    return Signer(
        name=_display(cert.subject),
        organization=str(subject.get("organization_name", "") or ""),
        agency_code=str(org_id),
        serial=format(cert.serial_number, "x"),
        issuer=_display(cert.issuer),
        not_before=_utc(cert["tbs_certificate"]["validity"]["not_before"].native),
        not_after=_utc(cert["tbs_certificate"]["validity"]["not_after"].native),
        fingerprint=cert.sha256.hex(),
    )


def _status_of(st: PdfSignatureStatus, known: Known | None) -> SignatureReport:
    signer = _signer(st.signing_cert)
    if known is not None:
        signer.kind = known.kind
    reasons: list[str] = []
    intact = bool(st.intact and st.valid)
    whole = st.coverage == SignatureCoverageLevel.ENTIRE_FILE
    level = st.modification_level
    # Later signatures and validation data are fine (FORM_FILLING covers adding a signature field); anything else
    # — new content, a changed page, an unreadable update — is a modification after signing.
    benign = level in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)
    modified = not intact or (not whole and not (benign and st.docmdp_ok is not False))
    indic = st.trust_problem_indic
    revoked = st.revoked or indic in _REVOKED
    revoked_at = _utc(st.revocation_details.revocation_date) if st.revocation_details else None
    revocation_reason = st.revocation_details.revocation_reason.native if st.revocation_details else ""
    if known is not None and known.revoked_at is not None and not revoked:
        # A certificate of another CA that we revoked locally (its own CA may not know yet).
        revoked, revoked_at, revocation_reason = True, _utc(known.revoked_at), known.revocation_reason
    trusted = st.validation_path is not None and indic is None and not revoked
    anchor = _display(st.validation_path[0].subject) if st.validation_path is not None else ""

    tst = st.timestamp_validity
    ts = Timestamp(present=tst is not None)
    if tst is not None:
        ts = Timestamp(present=True, valid=bool(tst.intact and tst.valid), trusted=bool(tst.trusted),
                       time=_utc(tst.timestamp), authority=str(tst.signing_cert.subject.native.get("common_name", "")))

    if not intact:
        status = "modified"
        reasons.append(_("Nội dung đã ký không khớp với chữ ký: tệp đã bị sửa hoặc bị hỏng sau khi ký."))
    elif modified:
        status = "modified"
        reasons.append(_("Tài liệu đã bị sửa đổi sau khi ký: chữ ký không còn bao trùm toàn bộ nội dung hiện tại."))
    elif revoked:
        status = "revoked"
    elif indic in _EXPIRED:
        status = "expired"
    elif st.validation_path is None or indic in _NO_CHAIN:
        status = "untrusted"
    elif indic in _REVOCATION_UNKNOWN:
        status = "indeterminate"
    elif indic is not None:
        status = "invalid"
    elif ts.present and not (ts.valid and ts.trusted):
        status = "invalid"
    else:
        status = "valid"

    if intact and not modified:
        if whole:
            reasons.append(_("Tài liệu không bị thay đổi sau khi ký (chữ ký bao trùm toàn bộ tệp)."))
        else:
            reasons.append(_("Sau khi ký, tài liệu chỉ được bổ sung chữ ký số hoặc dữ liệu xác thực, nội dung "
                             "không thay đổi."))
    if revoked:
        reasons.append(_("Chứng thư số của người ký đã bị thu hồi lúc %(when)s (lý do: %(reason)s).") % {
            "when": _when(revoked_at), "reason": _REASONS.get(revocation_reason, revocation_reason or "—")})
    elif trusted:
        reasons.append(_("Chứng thư số được cấp bởi tổ chức chứng thực tin cậy: %(anchor)s.") % {"anchor": anchor})
    elif status == "expired":
        reasons.append(_("Chứng thư số của người ký đã hết hạn hoặc chưa có hiệu lực."))
    elif st.validation_path is None or indic in _NO_CHAIN:
        reasons.append(_("Không xác lập được chuỗi chứng thư đến một tổ chức chứng thực gốc tin cậy "
                         "(tổ chức cấp: %(issuer)s).") % {"issuer": signer.issuer})
    elif indic in _REVOCATION_UNKNOWN:
        reasons.append(_("Không kiểm tra được tình trạng thu hồi của chứng thư số."))
    elif indic is not None:
        reasons.append(_("Chứng thư số không đáp ứng yêu cầu để ký (%(problem)s).") % {"problem": indic.name})
    if ts.present and ts.valid and ts.trusted:
        reasons.append(_("Có dấu thời gian hợp lệ của %(tsa)s: %(when)s.") % {"tsa": ts.authority or "TSA",
                                                                             "when": _when(ts.time)})
    elif ts.present:
        reasons.append(_("Dấu thời gian không hợp lệ hoặc không do tổ chức tin cậy cấp."))
    else:
        reasons.append(_("Không có dấu thời gian: thời điểm ký do người ký tự khai."))

    sig_time = _utc(st.signer_reported_dt)
    return SignatureReport(
        field="", signer=signer, signing_time=sig_time, timestamp=ts, reason="", location="", intact=intact,
        covers_whole_document=whole, modified_after_signing=modified, trusted=trusted, trust_anchor=anchor,
        revoked=revoked, revoked_at=revoked_at, revocation_reason=revocation_reason, status=status, reasons=reasons,
    )


def _unreadable(embedded, exc: Exception) -> SignatureReport:
    """A signature pyHanko could not evaluate at all (a damaged or exotic signature): reported, never a crash."""
    try:
        signer = _signer(embedded.signer_cert)
    except Exception:  # noqa: BLE001 — the certificate itself may be what is broken
        signer = Signer(name="—", organization="", agency_code="", serial="", issuer="", fingerprint="",
                        not_before=dt.datetime.min.replace(tzinfo=dt.UTC),
                        not_after=dt.datetime.min.replace(tzinfo=dt.UTC))
    return SignatureReport(
        field="", signer=signer, signing_time=None, timestamp=Timestamp(present=False), reason="", location="",
        intact=False, covers_whole_document=False, modified_after_signing=False, trusted=False, trust_anchor="",
        revoked=False, revoked_at=None, revocation_reason="", status="invalid",
        reasons=[_("Không kiểm tra được chữ ký này (%(error)s).") % {"error": exc.__class__.__name__}],
    )


def evaluate(data: bytes, *, context: Callable[[], ValidationContext],
             known: Callable[[str], Known | None]) -> VerificationReport:
    """The report on ``data``. ``context`` makes a fresh validation context per signature (pyHanko's contexts
    remember what they saw); ``known`` looks a certificate fingerprint up in our table."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise Invalid(_("Tệp PDF được mã hóa bằng mật khẩu: không kiểm tra được."), field="file")
        embedded = list(reader.embedded_regular_signatures)
    except Invalid:
        raise
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError):
        # RecursionError: objects that refer to themselves, which pyHanko follows until the stack runs out
        raise Invalid(_("Không đọc được tệp PDF: tệp bị hỏng hoặc không đúng định dạng."), field="file") from None
    reports = []
    for sig in embedded:
        try:
            status = validate_pdf_signature(sig, signer_validation_context=context())
            fingerprint = sig.signer_cert.sha256.hex()
            report = _status_of(status, known(fingerprint))
        except Exception as exc:  # noqa: BLE001 — a public page must answer for any file, not fail with a 500
            report = _unreadable(sig, exc)
        report.field = str(sig.field_name or "")
        report.reason = str(sig.sig_object.get("/Reason", "") or "")
        report.location = str(sig.sig_object.get("/Location", "") or "")
        reports.append(report)

    if not reports:
        verdict, summary = "unsigned", _("Tệp PDF không có chữ ký số.")
    else:
        verdict = min((r.status for r in reports), key=STATUSES.index)
        if verdict == "valid":
            summary = _("Tất cả %(n)d chữ ký số đều hợp lệ.") % {"n": len(reports)}
        else:
            bad = sum(1 for r in reports if not r.valid)
            summary = _("%(bad)d trên %(n)d chữ ký số không hợp lệ.") % {"bad": bad, "n": len(reports)}
    return VerificationReport(sha256=hashlib.sha256(data).hexdigest(), size=len(data), verdict=verdict,
                              summary=summary, signatures=reports)

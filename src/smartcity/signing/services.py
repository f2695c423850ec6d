"""Digital signatures on results and certified copies (PAdES, pyHanko), their verification, and the certificates
behind them. The public API other apps call:

* ``sign_result(pdf, user=, agency=, reason=, location=)`` — the leader who approves a dossier signs its result
  with their officer certificate;
* ``seal(pdf, agency=, user=, reason=, location=)`` — the one-stop desk seals a certified copy with the agency's
  seal certificate;
* ``verify(pdf, user=)`` — the ``VerificationReport`` of every signature in a PDF;
* ``ensure_demo_pki()`` — the demo CA (root, timestamp authority, seals of agencies with staff, certificates of
  their leaders), idempotent; ``issue_certificate``, ``revoke_certificate``, ``register_pkcs12``,
  ``register_pkcs11`` manage certificates (the `smartcity signing` command and the back office call them).

Signatures are PAdES B-B, or B-T when a timestamp authority is configured (``tsa.timestamper``), with a visible
stamp (``stamp``). Every signature and verification leaves an audit entry; the audit subject of a signature is the
SHA-256 of the signed file, so "who signed this file" is one look-up.

Keys never sit in the database in plain form: the demo CA writes each key to a PKCS#12 file under
``SMARTCITY_SIGNING_DIR`` (mode 0600) encrypted with a passphrase derived from SECRET_KEY (``pki.derived_passphrase``);
production certificates are PKCS#12 files with their passphrase in an environment variable, or keys in a PKCS#11
token (``keystores``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import TimestampRequestError
from pyhanko_certvalidator import ValidationContext

from smartcity.agencies import services as agencies
from smartcity.agencies.models import Agency, Membership, Role
from smartcity.audit import services as audit
from smartcity.audit.models import Action
from smartcity.lib import uploads
from smartcity.lib.errors import Conflict, Forbidden, Invalid, NotFound
from smartcity.lib.principal import Principal, is_staff
from smartcity.signing import keystores, pki, stamp, tsa
from smartcity.signing.contrib import pkcs11 as pkcs11_store
from smartcity.signing.contrib import pkcs12 as pkcs12_store
from smartcity.signing.models import Certificate, KeyBackend, Kind, RevocationReason
from smartcity.signing.verification import Known, SignatureReport, VerificationReport, evaluate

__all__ = [
    "SignatureReport", "TooLarge", "VerificationReport", "ensure_demo_pki", "issue_certificate", "register_pkcs11",
    "register_pkcs12", "revoke_certificate", "seal", "sign_result", "verify",
]

SIGN_RESULT_ROLES = (Role.LEADER,)
SEAL_ROLES = (Role.RECEPTION, Role.LEADER, Role.AGENCY_ADMIN)
ADMIN_ROLES = (Role.AGENCY_ADMIN, Role.CITY_ADMIN)
DEMO_ROOT_NAME = "Smart City Hà Nội Demo Root CA"
DEMO_TSA_NAME = "Smart City Hà Nội Demo TSA"
DAYS = {Kind.ROOT: 3650, Kind.TSA: 1825, Kind.SEAL: 1095, Kind.OFFICER: 730}
SEAL_REASON = "Chứng thực bản sao điện tử từ bản chính"
CLI = audit.Actor(user=None, label="Quản trị hệ thống (dòng lệnh)")


class TooLarge(Invalid):
    status = 413
    code = "too_large"


def _actor(user: Principal | None) -> audit.Actor:
    if user is None:
        return CLI
    if not getattr(user, "is_authenticated", False):
        return audit.Actor(user=None, label="Khách (không đăng nhập)")
    return agencies.actor_for(user)


def _now() -> dt.datetime:
    return timezone.now()


# ------------------------------------------------------------------------------------------------ PDF input

def max_upload_bytes() -> int:
    return settings.SMARTCITY_SIGNING_MAX_UPLOAD_MB * 1024 * 1024


def check_size(size: int | None, *, field: str = "file") -> None:
    """``TooLarge`` above SMARTCITY_SIGNING_MAX_UPLOAD_MB (checked on an upload's size before reading it)."""
    if size is not None and size > max_upload_bytes():
        limit = settings.SMARTCITY_SIGNING_MAX_UPLOAD_MB
        raise TooLarge(f"Tệp lớn hơn {limit} MB (file larger than {limit} MB)", field=field)


def check_pdf(data: bytes, *, field: str = "file") -> None:
    """``Invalid`` naming ``field`` unless ``data`` is a non-empty PDF within the size limit. PDF readers accept the
    ``%PDF-`` header anywhere in the first 1024 bytes (ISO 32000-1 §7.5.2, implementation note), so do we."""
    if not data:
        raise Invalid("Tệp rỗng (the file is empty)", field=field)
    check_size(len(data), field=field)
    if b"%PDF-" not in data[:1024]:
        raise Invalid("Tệp không phải PDF (the file is not a PDF)", field=field)
    # Objects, nesting and stream sizes bounded before pyHanko reads it (a PDF may carry active content here: it is
    # only read, never stored or shown).
    uploads.check_pdf_structure(data, field=field)


# ------------------------------------------------------------------------------------------------ storing

def _store(cert: x509.Certificate, *, kind: str, agency: Agency | None = None, user: Principal | None = None,
           issuer: Certificate | None = None, key: pki.PrivateKey | None = None,
           chain: Iterable[x509.Certificate] = (), key_backend: str = "", key_location: str = "",
           key_secret: str = "") -> Certificate:
    fingerprint = pki.fingerprint(cert)
    if Certificate.objects.filter(fingerprint=fingerprint).exists():
        raise Conflict("Chứng thư số này đã được đăng ký (certificate already registered)")
    if key is not None:  # a key the demo CA made: a PKCS#12 file under SMARTCITY_SIGNING_DIR
        directory = Path(settings.SMARTCITY_SIGNING_DIR)
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        key_location, key_secret, key_backend = f"{kind}-{pki.serial_hex(cert)}.p12", "derived", KeyBackend.PKCS12
        data = pki.pkcs12_bytes(key=key, cert=cert, chain=list(chain), friendly_name=pki.attribute(
            cert.subject, x509.NameOID.COMMON_NAME), passphrase=pki.derived_passphrase(settings.SECRET_KEY, fingerprint))
        path = directory / key_location
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    return Certificate.objects.create(
        kind=kind, agency=agency, user=user, issuer_certificate=issuer, subject=pki.readable(cert.subject),
        issuer=pki.readable(cert.issuer), serial=pki.serial_hex(cert), fingerprint=fingerprint,
        not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc, pem=pki.pem(cert),
        key_backend=key_backend, key_location=key_location, key_secret=key_secret,
    )


def _crl_url(ca: Certificate) -> str:
    return settings.SITE_URL + reverse("signing:crl", args=[ca.serial])


def _ca_url(ca: Certificate) -> str:
    return settings.SITE_URL + reverse("signing:ca", args=[ca.serial])


def _subject(kind: str, agency: Agency | None, user: Principal | None) -> x509.Name:
    if kind == Kind.OFFICER:
        membership = Membership.objects.active().filter(user=user, agency=agency).exclude(title="").first()
        return pki.name(common_name=user.get_full_name() or user.username, organization=agency.name,
                        organization_id=agency.code, title=membership.title if membership else "")
    if kind == Kind.SEAL:
        return pki.name(common_name=agency.name, organization=agency.name, organization_id=agency.code)
    return pki.name(common_name=DEMO_TSA_NAME, organization="Smart City Hà Nội (demo)")


# ------------------------------------------------------------------------------------------------ demo CA

def demo_root() -> Certificate | None:
    """The demo CA's current root: the newest unrevoked root whose key we hold."""
    return Certificate.objects.filter(kind=Kind.ROOT).usable().first()


def _require_demo_ca() -> Certificate:
    if not settings.SMARTCITY_SIGNING_DEMO_CA:
        raise Conflict("CA thử nghiệm đang tắt: đặt SMARTCITY_SIGNING_DEMO_CA=true, hoặc đăng ký chứng thư của một "
                       "CA thật (the demo CA is disabled)")
    root = demo_root()
    if root is None:
        raise Conflict("Chưa có CA thử nghiệm: chạy `smartcity signing demo-ca` (no demo CA yet)")
    return root


def _issue(*, root: Certificate, kind: str, agency: Agency | None = None, user: Principal | None = None,
           days: int | None = None, public_key: pki.PublicKey | None = None, key_backend: str = "",
           key_location: str = "", key_secret: str = "") -> Certificate:
    ca_key, _ = pkcs12_store.private_key(root)
    ca_cert = pki.load_pem(root.pem)
    key = None
    if public_key is None:
        key = pki.generate_key("rsa" if kind == Kind.TSA else "ec")
        public_key = key.public_key()
    cert = pki.issue(ca_cert=ca_cert, ca_key=ca_key, public_key=public_key, subject=_subject(kind, agency, user),
                     days=days or DAYS[kind], crl_url=_crl_url(root), ca_url=_ca_url(root),
                     timestamping=kind == Kind.TSA)
    return _store(cert, kind=kind, agency=agency, user=user, issuer=root, key=key, chain=[ca_cert],
                  key_backend=key_backend, key_location=key_location, key_secret=key_secret)


def _create_root() -> Certificate:
    key = pki.generate_key("ec")
    cert = pki.make_root(key, pki.name(common_name=DEMO_ROOT_NAME, organization="Smart City Hà Nội (demo)"),
                         days=DAYS[Kind.ROOT])
    return _store(cert, kind=Kind.ROOT, key=key)


@transaction.atomic
def ensure_demo_pki(*, out: Callable[[str], Any] | None = None) -> dict[str, int]:
    """The demo CA, ready to sign: a root, a timestamp authority, a seal certificate for every active agency with
    staff and for the one that seals audit checkpoints (AUDIT_CHECKPOINT_SEAL_AGENCY), an officer certificate for
    every active leader. Issues only what is missing (a revoked or expiring certificate is replaced), so it can run
    on every `smartcity demo load`. Returns what it issued."""
    if not settings.SMARTCITY_SIGNING_DEMO_CA:
        raise Conflict("CA thử nghiệm đang tắt (SMARTCITY_SIGNING_DEMO_CA=false) (the demo CA is disabled)")
    issued = {"root": 0, "tsa": 0, "seal": 0, "officer": 0}
    soon = _now() + dt.timedelta(days=30)
    root = Certificate.objects.filter(kind=Kind.ROOT, not_after__gt=soon).usable().first()
    if root is None:
        root = _create_root()
        issued["root"] += 1
    mine = Certificate.objects.filter(issuer_certificate=root, not_after__gt=soon).usable()
    if not mine.filter(kind=Kind.TSA).exists():
        _issue(root=root, kind=Kind.TSA)
        issued["tsa"] += 1
    members = Membership.objects.active().filter(role__in=[Role.RECEPTION, Role.LEADER, Role.AGENCY_ADMIN])
    sealed = set(mine.filter(kind=Kind.SEAL).values_list("agency_id", flat=True))
    # …and the agency whose seal signs the audit checkpoints (signing.checkpoints), staff or not.
    to_seal = Q(id__in=members.values("agency_id")) | Q(code=settings.AUDIT_CHECKPOINT_SEAL_AGENCY, is_active=True)
    for agency in Agency.objects.filter(to_seal).exclude(id__in=sealed).order_by("code"):
        _issue(root=root, kind=Kind.SEAL, agency=agency)
        issued["seal"] += 1
    have = set(mine.filter(kind=Kind.OFFICER).values_list("user_id", "agency_id"))
    leaders = members.filter(role=Role.LEADER).select_related("user", "agency").order_by("id")
    for membership in leaders:
        if (membership.user_id, membership.agency_id) not in have:
            _issue(root=root, kind=Kind.OFFICER, agency=membership.agency, user=membership.user)
            have.add((membership.user_id, membership.agency_id))
            issued["officer"] += 1
    if any(issued.values()):
        audit.record(actor=CLI, action=Action.CREATE, subject_type="signing.demo_ca", subject_id=root.serial,
                     detail={"operation": "ensure_demo_pki", **issued})
    if out:
        out(f"CA thử nghiệm: cấp mới {issued['root']} gốc, {issued['tsa']} TSA, {issued['seal']} chứng thư cơ quan, "
            f"{issued['officer']} chứng thư cán bộ")
    return issued


def _require_admin(actor: Principal | None, agency: Agency | None) -> audit.Actor:
    """The CLI (``actor=None``), a superuser, a city administrator or the agency's own administrator."""
    if actor is None:
        return CLI
    if getattr(actor, "is_superuser", False):
        return agencies.actor_for(actor)
    scope = agencies.scope_of(actor, ADMIN_ROLES)
    if any(m.role == Role.CITY_ADMIN or (agency is not None and m.agency_id == agency.id) for m in scope.memberships):
        return agencies.actor_for(actor, scope)
    raise Forbidden("Chỉ quản trị viên mới quản lý chứng thư số (only administrators manage certificates)")


def _check_holder(kind: str, agency: Agency, user: Principal | None) -> None:
    if kind not in (Kind.SEAL, Kind.OFFICER):
        raise Invalid("Loại chứng thư phải là seal (cơ quan) hoặc officer (cán bộ)", field="kind")
    if kind == Kind.OFFICER:
        if user is None:
            raise Invalid("Chứng thư cán bộ cần chỉ rõ cán bộ (an officer certificate needs a user)", field="user")
        if not Membership.objects.active().filter(user=user, agency=agency).exists():
            raise Invalid("Cán bộ không thuộc cơ quan này (the user is not staff of this agency)", field="user")
    elif user is not None:
        raise Invalid("Chứng thư cơ quan không gắn với cán bộ (a seal certificate has no user)", field="user")


@transaction.atomic
def issue_certificate(*, actor: Principal | None, kind: str, agency: Agency, user: Principal | None = None,
                      days: int | None = None, pkcs11_token: str = "", pkcs11_key: str = "",
                      pin_env: str = "") -> Certificate:
    """The demo CA issues a seal or officer certificate. With ``pkcs11_token``/``pkcs11_key`` the key pair already
    sits in the token (generated there) and only its certificate is issued; otherwise the CA makes the key and keeps
    it in a PKCS#12 file."""
    who = _require_admin(actor, agency)
    _check_holder(kind, agency, user)
    root = _require_demo_ca()
    if pkcs11_token or pkcs11_key:
        where = pkcs11_store.location(token=pkcs11_token, key=pkcs11_key)
        public_key = _token_public_key(where, pin_env)
        cert = _issue(root=root, kind=kind, agency=agency, user=user, days=days, public_key=public_key,
                      key_backend=KeyBackend.PKCS11, key_location=where, key_secret=f"env:{pin_env}" if pin_env else "")
    else:
        cert = _issue(root=root, kind=kind, agency=agency, user=user, days=days)
    audit.record(actor=who, action=Action.CREATE, subject_type="signing.certificate", subject_id=cert.serial,
                 detail={"operation": "issue", "kind": kind, "agency": agency.code, "subject": cert.subject,
                         "key_backend": cert.key_backend})
    return cert


def _token_public_key(where: str, pin_env: str) -> pki.PublicKey:
    """The public half of a key pair held in the PKCS#11 token, for the CA to certify."""
    from asn1crypto import keys as asn1_keys

    try:
        from pkcs11 import Attribute, KeyType, ObjectClass
        from pkcs11.util.ec import encode_ec_public_key
        from pkcs11.util.rsa import encode_rsa_public_key
    except ImportError:
        raise Conflict("PKCS#11 cần gói python-pkcs11 (pip install python-pkcs11)") from None

    parts = pkcs11_store.parse_location(where)
    pin = os.environ.get(pin_env, "").encode() if pin_env else None
    try:
        session = pkcs11_store.open_session(parts, pin)
    except keystores.KeyUnavailable as exc:
        raise Invalid(f"Không mở được token PKCS#11 (cannot open the token): {exc}", field="pkcs11_token") from None
    try:
        found = list(session.get_objects({Attribute.CLASS: ObjectClass.PUBLIC_KEY, Attribute.LABEL: parts["key"]}))
        if len(found) != 1:
            raise Invalid(f"Token có {len(found)} khóa công khai nhãn {parts['key']!r} "
                          f"(expected one public key with that label)", field="pkcs11_key")
        public = found[0]
        if public.key_type == KeyType.EC:
            der = encode_ec_public_key(public)  # already a SubjectPublicKeyInfo
        else:  # PKCS#1 RSAPublicKey, wrapped into a SubjectPublicKeyInfo
            der = asn1_keys.PublicKeyInfo.wrap(asn1_keys.RSAPublicKey.load(encode_rsa_public_key(public)), "rsa").dump()
        return serialization.load_der_public_key(der)  # type: ignore[return-value]
    finally:
        session.close()


@transaction.atomic
def register_pkcs12(*, actor: Principal | None, path: Path, passphrase_env: str, kind: str, agency: Agency,
                    user: Principal | None = None) -> Certificate:
    """Register a certificate a real CA issued, kept in a PKCS#12 file the operator manages (it stays where it
    is); its passphrase is read from the environment variable ``passphrase_env`` when signing."""
    who = _require_admin(actor, agency)
    _check_holder(kind, agency, user)
    path = Path(path).resolve()
    passphrase = os.environ.get(passphrase_env)
    if passphrase is None:
        raise Invalid(f"Biến môi trường {passphrase_env} chưa được đặt (passphrase variable not set)",
                      field="passphrase_env")
    try:
        _key, cert, _chain = pki.read_pkcs12(path.read_bytes(), passphrase.encode())
    except OSError:
        raise Invalid(f"Không đọc được tệp {path} (cannot read the file)", field="path") from None
    except ValueError:
        raise Invalid("Không mở được tệp PKCS#12: sai mật khẩu hoặc tệp hỏng (wrong passphrase or damaged file)",
                      field="path") from None
    record = _store(cert, kind=kind, agency=agency, user=user, key_backend=KeyBackend.PKCS12,
                    key_location=str(path), key_secret=f"env:{passphrase_env}")
    audit.record(actor=who, action=Action.CREATE, subject_type="signing.certificate", subject_id=record.serial,
                 detail={"operation": "register_pkcs12", "kind": kind, "agency": agency.code,
                         "subject": record.subject})
    return record


@transaction.atomic
def register_pkcs11(*, actor: Principal | None, kind: str, agency: Agency, token: str, key_label: str,
                    pin_env: str, cert_label: str = "", user: Principal | None = None,
                    slot: int | None = None) -> Certificate:
    """Register a key held in a PKCS#11 token or HSM, with the certificate stored on the token beside it."""
    who = _require_admin(actor, agency)
    _check_holder(kind, agency, user)
    try:
        where = pkcs11_store.location(token=token, key=key_label, slot=slot)
        pin = os.environ[pin_env].encode() if pin_env else None
        cert = pkcs11_store.read_certificate(token=token, label=cert_label or key_label, pin=pin, slot=slot)
    except KeyError:
        raise Invalid(f"Biến môi trường {pin_env} chưa được đặt (PIN variable not set)", field="pin_env") from None
    except (ValueError, keystores.KeyUnavailable) as exc:
        raise Invalid(f"Không đọc được chứng thư trên token: {exc}", field="token") from None
    record = _store(cert, kind=kind, agency=agency, user=user, key_backend=KeyBackend.PKCS11, key_location=where,
                    key_secret=f"env:{pin_env}" if pin_env else "")
    audit.record(actor=who, action=Action.CREATE, subject_type="signing.certificate", subject_id=record.serial,
                 detail={"operation": "register_pkcs11", "kind": kind, "agency": agency.code,
                         "subject": record.subject})
    return record


@transaction.atomic
def revoke_certificate(*, actor: Principal | None, certificate: Certificate,
                       reason: str = RevocationReason.UNSPECIFIED) -> Certificate:
    """Revoke: signing with it stops at once, and verification reports it (our CRL lists certificates our CA
    issued; a certificate of another CA is flagged from this table)."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    who = _require_admin(actor, certificate.agency)
    if reason not in RevocationReason.values:
        raise Invalid(f"Lý do thu hồi không hợp lệ: {reason}", field="reason")
    if certificate.revoked_at is not None:
        raise Conflict("Chứng thư số đã bị thu hồi trước đó (already revoked)")
    certificate.revoked_at = _now()
    certificate.revocation_reason = reason
    certificate.save(update_fields=["revoked_at", "revocation_reason"])
    audit.record(actor=who, action=Action.UPDATE, subject_type="signing.certificate", subject_id=certificate.serial,
                 detail={"operation": "revoke", "reason": reason, "subject": certificate.subject})
    return certificate


def get_certificate(serial: str) -> Certificate:
    found = list(Certificate.objects.filter(serial=serial.lower().lstrip("0") or "0")[:2])
    if len(found) != 1:
        raise NotFound("Không tìm thấy chứng thư số (certificate not found)" if not found
                       else "Số hiệu trùng ở nhiều CA: dùng mã SHA-256 (serial is ambiguous)")
    return found[0]


@transaction.atomic
def rewrap_keys(*, old_secret_key: str) -> int:
    """After SECRET_KEY changes: re-encrypt the demo CA's key files under the new one. Returns how many."""
    done = 0
    for cert in Certificate.objects.filter(key_backend=KeyBackend.PKCS12, key_secret="derived"):
        path = pkcs12_store.path_of(cert)
        key, found, chain = pki.read_pkcs12(path.read_bytes(), pki.derived_passphrase(old_secret_key, cert.fingerprint))
        data = pki.pkcs12_bytes(key=key, cert=found, chain=chain, friendly_name=cert.subject[:64],
                                passphrase=pki.derived_passphrase(settings.SECRET_KEY, cert.fingerprint))
        temporary = path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        temporary.replace(path)
        done += 1
    audit.record(actor=CLI, action=Action.UPDATE, subject_type="signing.keys", detail={"operation": "rewrap",
                                                                                        "files": done})
    return done


# ------------------------------------------------------------------------------------------------ CRL, trust

_crls: dict[tuple[str, tuple], tuple[bytes, dt.datetime]] = {}
_crl_lock = threading.Lock()
CRL_REFRESH = dt.timedelta(hours=1)


def crl_der(ca: Certificate) -> bytes:
    """The current CRL of a CA of ours (DER). Rebuilt when a revocation changes it, and hourly (it is valid a day)."""
    if ca.kind != Kind.ROOT or ca.key_backend != KeyBackend.PKCS12:
        raise NotFound("Không có danh sách thu hồi cho chứng thư này (no CRL for this certificate)")
    revoked = tuple(ca.issued.filter(revoked_at__isnull=False).order_by("serial")
                    .values_list("serial", "revoked_at", "revocation_reason"))
    cache_key = (ca.fingerprint, revoked)
    now = _now()
    with _crl_lock:
        cached = _crls.get(cache_key)
    if cached is not None and cached[1] > now - CRL_REFRESH:
        return cached[0]
    key, _ = pkcs12_store.private_key(ca)
    data = pki.build_crl(ca_cert=pki.load_pem(ca.pem), ca_key=key, now=now,
                         revoked=[pki.Revoked(int(serial, 16), at, reason) for serial, at, reason in revoked])
    with _crl_lock:
        _crls.clear() if len(_crls) > 64 else None
        _crls[cache_key] = (data, now)
    return data


def crl_for_serial(serial: str) -> bytes:
    if not settings.SMARTCITY_SIGNING_DEMO_CA:
        raise NotFound("CA thử nghiệm đang tắt (the demo CA is disabled)")
    return crl_der(get_certificate(serial))


def ca_certificate_der(serial: str) -> bytes:
    cert = get_certificate(serial)
    if cert.kind != Kind.ROOT:
        raise NotFound("Không phải chứng thư CA (not a CA certificate)")
    return pki.load_pem(cert.pem).public_bytes(serialization.Encoding.DER)


_bundle: dict[tuple[str, int], list] = {}


def _configured_roots() -> list:
    path = settings.SMARTCITY_SIGNING_TRUST_ROOTS
    if not path:
        return []
    try:
        key = (path, Path(path).stat().st_mtime_ns)
    except OSError:
        return []
    if key not in _bundle:
        _bundle.clear()
        _bundle[key] = [pki.to_asn1(c) for c in x509.load_pem_x509_certificates(Path(path).read_bytes())]
    return _bundle[key]


@functools.lru_cache(maxsize=64)
def _asn1(pem: str):
    return pki.to_asn1(pki.load_pem(pem))


def trust_anchors() -> list:
    roots = list(_configured_roots())
    if settings.SMARTCITY_SIGNING_DEMO_CA:
        roots += [_asn1(pem) for pem in Certificate.objects.filter(kind=Kind.ROOT).unrevoked().values_list("pem",
                                                                                                          flat=True)]
    return roots


def demo_root_pem() -> str:
    root = demo_root() if settings.SMARTCITY_SIGNING_DEMO_CA else None
    return root.pem if root else ""


def _validation_context_factory() -> Callable[[], ValidationContext]:
    roots = trust_anchors()
    crls = []
    if settings.SMARTCITY_SIGNING_DEMO_CA:
        crls = [crl_der(ca) for ca in Certificate.objects.filter(kind=Kind.ROOT, key_backend=KeyBackend.PKCS12)
                .unrevoked()]
    fetch = settings.SMARTCITY_SIGNING_FETCH_REVOCATION

    def make() -> ValidationContext:
        # hard-fail: a certificate that names a CRL we cannot check is not trusted.
        return ValidationContext(trust_roots=roots, crls=crls, allow_fetching=fetch, revocation_mode="hard-fail")

    return make


# ------------------------------------------------------------------------------------------------ signing

def _certificate_for(queryset, *, missing: str, revoked: str) -> Certificate:
    now = _now()
    cert = queryset.usable(now).select_related("issuer_certificate").first()
    if cert is not None and cert.issuer_certificate is not None and cert.issuer_certificate.is_revoked:
        cert = None
    if cert is None:
        latest = queryset.order_by("-created_at", "-id").first()
        raise Forbidden(revoked if latest is not None and latest.is_revoked else missing)
    return cert


def officer_certificate(user: Principal, agency: Agency) -> Certificate:
    return _certificate_for(
        Certificate.objects.of_officer(user, agency),
        missing="Bạn chưa có chứng thư số còn hiệu lực tại cơ quan này, không thể ký số "
                "(you have no valid signing certificate for this agency)",
        revoked="Chứng thư số của bạn đã bị thu hồi, không thể ký số (your signing certificate has been revoked)",
    )


def seal_certificate(agency: Agency) -> Certificate:
    return _certificate_for(
        Certificate.objects.seals_of(agency),
        missing="Cơ quan chưa có chứng thư số (con dấu) còn hiệu lực (the agency has no valid seal certificate)",
        revoked="Chứng thư số của cơ quan đã bị thu hồi (the agency's seal certificate has been revoked)",
    )


def _when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%H:%M:%S} ngày {local:%d/%m/%Y} (GMT+7)"


def _placement(writer: IncrementalPdfFileWriter) -> tuple[str, fields.SigFieldSpec | None]:
    """The field to sign: the document's first empty signature field, where its layout placed the signature (the
    result documents put one in their signature block); else a fresh field on the last page, at its bottom right
    above any stamps already there (``None`` spec: the field exists)."""
    existing = list(fields.enumerate_sig_fields(writer))
    for name, value, _ref in existing:
        if value is None:
            return name, None
    names = [name for name, *_ in existing]
    n = len(names) + 1
    while f"ChuKy{n}" in names:
        n += 1
    pages = int(writer.root["/Pages"]["/Count"])
    page_ref = writer.find_page_for_modification(pages - 1)[0]
    box = [float(v) for v in page_ref.get_object().get("/MediaBox", [0, 0, 595, 842])]
    right, bottom = int(box[2]) - 28, int(box[1]) + 28 + 66 * ((n - 1) % 4)
    return f"ChuKy{n}", fields.SigFieldSpec(f"ChuKy{n}", on_page=pages - 1, box=(right - 230, bottom, right,
                                                                                bottom + 58))


def _sign(pdf: bytes, certificate: Certificate, *, reason: str, location: str, lines: list[str]) -> tuple[bytes, bool]:
    check_pdf(pdf, field="pdf")
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        if writer.prev.encrypted:
            raise Invalid("Tệp PDF được mã hóa, không ký được (encrypted PDF)", field="pdf")
        field_name, field_spec = _placement(writer)
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise Invalid(f"Không đọc được tệp PDF (unreadable PDF): {exc.__class__.__name__}", field="pdf") from None
    style, params = stamp.style_for([stamp.normalise(line) for line in lines if line])
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, reason=stamp.normalise(reason), location=stamp.normalise(location),
        md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
    )
    try:
        timestamper = tsa.timestamper()
        with keystores.signer(certificate) as signer:
            pdf_signer = signers.PdfSigner(meta, signer, timestamper=timestamper, stamp_style=style,
                                           new_field_spec=field_spec)
            out = pdf_signer.sign_pdf(writer, appearance_text_params=params)
    except tsa.NoAuthority as exc:
        raise Conflict(f"Không có máy chủ dấu thời gian thử nghiệm (no demo timestamp authority): {exc}") from None
    except TimestampRequestError:
        raise Conflict("Không lấy được dấu thời gian từ máy chủ TSA, chưa ký (the timestamp authority did not "
                       "answer; nothing was signed)") from None
    except keystores.KeyUnavailable as exc:
        raise Conflict(f"Không dùng được khóa ký của chứng thư số (signing key unavailable): {exc}") from None
    except SigningError as exc:
        raise Conflict(f"Ký số không thành công (signing failed): {exc}") from None
    return out.getvalue(), timestamper is not None


def _record_signature(*, who: audit.Actor, operation: str, certificate: Certificate, agency: Agency, pdf: bytes,
                      signed: bytes, reason: str, timestamped: bool) -> None:
    audit.record(actor=who, action=Action.CREATE, subject_type="signing.signature",
                 subject_id=hashlib.sha256(signed).hexdigest(),
                 detail={"operation": operation, "certificate": certificate.serial, "agency": agency.code,
                         "reason": reason, "input_sha256": hashlib.sha256(pdf).hexdigest(),
                         "timestamped": timestamped})


def _membership(user: Principal, agency: Agency, roles: Iterable[str]) -> Membership | None:
    """The caller's active membership of ``agency`` in one of ``roles``. Signing acts for one agency, so this is all
    the scope it needs (``agencies.scope_of`` would also work out the communes served, which signing never uses)."""
    if not is_staff(user):
        return None
    return (Membership.objects.active().filter(user=user, agency=agency, role__in=list(roles))
            .select_related("agency").order_by("id").first())


def _signer_actor(user: Principal, membership: Membership) -> audit.Actor:
    return agencies.actor_for(user, agencies.Scope((membership,), frozenset()))


def sign_result(pdf_bytes: bytes, *, user: Principal, agency: Agency, reason: str,
                location: str | None = None) -> bytes:
    """The approving leader's PAdES signature on a result document, with their officer certificate. ``Forbidden``
    unless ``user`` is a leader of ``agency`` with a valid, unrevoked certificate there."""
    membership = _membership(user, agency, SIGN_RESULT_ROLES)
    if membership is None:
        raise Forbidden("Chỉ lãnh đạo của cơ quan mới ký kết quả (only a leader of the agency signs its results)")
    certificate = officer_certificate(user, agency)
    name = user.get_full_name() or user.username
    lines = [f"Ký bởi: {name}", f"Chức vụ: {membership.title}" if membership.title else "", f"Cơ quan: {agency.name}",
             f"Thời gian ký: {_when(_now())}"]
    signed, timestamped = _sign(pdf_bytes, certificate, reason=reason, location=location or agency.unit.name,
                                lines=lines)
    _record_signature(who=_signer_actor(user, membership), operation="sign_result", certificate=certificate,
                      agency=agency, pdf=pdf_bytes, signed=signed, reason=reason, timestamped=timestamped)
    return signed


def seal(pdf_bytes: bytes, *, agency: Agency, user: Principal, reason: str = SEAL_REASON,
         location: str | None = None) -> bytes:
    """The agency's seal on a document (a certified copy), applied by its one-stop desk, a leader or its
    administrator, with the agency's seal certificate."""
    membership = _membership(user, agency, SEAL_ROLES)
    if membership is None:
        raise Forbidden("Chỉ cán bộ một cửa, lãnh đạo hoặc quản trị của cơ quan mới đóng dấu số "
                        "(only the agency's desk, leaders or administrators apply its seal)")
    certificate = seal_certificate(agency)
    lines = [f"Ký bởi: {agency.name}", f"Nội dung: {reason}", f"Thời gian ký: {_when(_now())}"]
    signed, timestamped = _sign(pdf_bytes, certificate, reason=reason, location=location or agency.unit.name,
                                lines=lines)
    _record_signature(who=_signer_actor(user, membership), operation="seal", certificate=certificate, agency=agency,
                      pdf=pdf_bytes, signed=signed, reason=reason, timestamped=timestamped)
    return signed


# ------------------------------------------------------------------------------------------------ verifying

def _known(fingerprint: str) -> Known | None:
    row = Certificate.objects.filter(fingerprint=fingerprint).values("kind", "revoked_at", "revocation_reason").first()
    return Known(row["kind"], row["revoked_at"], row["revocation_reason"]) if row else None


def verify(pdf_bytes: bytes, *, user: Principal | None = None, filename: str = "") -> VerificationReport:
    """Who signed ``pdf_bytes``, when, whether it changed after signing, whether each certificate chains to a
    trusted root and whether it was revoked — per signature, with a verdict. Anyone may ask; it is audited."""
    check_pdf(pdf_bytes)
    report = evaluate(pdf_bytes, context=_validation_context_factory(), known=_known)
    audit.record(actor=_actor(user), action=Action.READ, subject_type="signing.verification",
                 subject_id=report.sha256,
                 detail={"operation": "verify", "file": filename[:200], "size": report.size,
                         "verdict": report.verdict,
                         "signatures": [{"serial": s.signer.serial, "status": s.status} for s in report.signatures]})
    return report

"""The city's seal on audit checkpoints: the ``CheckpointSigner`` that ``AUDIT_CHECKPOINT_SIGNER`` names by default.

``audit`` sits below ``signing`` and never imports it; it asks this class, by dotted path, to sign a checkpoint's
bytes and later to check that signature. The signature is a detached CMS SignedData (RFC 5652, made by pyHanko)
with the seal certificate of ``AUDIT_CHECKPOINT_SEAL_AGENCY`` (the city's People's Committee by default) and, when
``SMARTCITY_TSA_URL`` names an authority, an RFC 3161 signature timestamp token in its unsigned attributes: the
time then comes from the authority, not from the machine that wrote the checkpoint.

Checking validates the signature, the chain of the seal and of the timestamp authority to our trust anchors, at the
moment the checkpoint claims (which ``audit`` compares with the timestamp), so a seal that expired or was
superseded later does not void the checkpoints it made while it was good; one revoked before that moment does.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Mapping
from typing import Any

from asgiref.sync import async_to_sync
from asn1crypto import cms
from django.conf import settings
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import TimestampRequestError
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
from pyhanko_certvalidator import ValidationContext

from smartcity.agencies.models import Agency
from smartcity.audit.checkpoints import SignatureCheck, SignerUnavailable
from smartcity.lib.errors import Forbidden
from smartcity.signing import keystores, services, tsa
from smartcity.signing.models import Certificate


def _agency() -> Agency:
    code = settings.AUDIT_CHECKPOINT_SEAL_AGENCY
    agency = Agency.objects.filter(code=code, is_active=True).first()
    if agency is None:
        raise SignerUnavailable(f"no active agency {code} (AUDIT_CHECKPOINT_SEAL_AGENCY)")
    return agency


class SealSigner:
    """Signs with the agency's seal certificate through its key store (PKCS#12 file or PKCS#11 token)."""

    def sign(self, data: bytes) -> dict[str, object]:
        agency = _agency()
        try:
            certificate = services.seal_certificate(agency)
        except Forbidden as exc:
            raise SignerUnavailable(f"{agency.code}: {exc}") from None
        try:
            timestamper = tsa.timestamper()
            with keystores.signer(certificate) as signer:
                signed = async_to_sync(signer.async_sign_general_data)(data, "sha256", detached=True,
                                                                       timestamper=timestamper)
        except (tsa.NoAuthority, TimestampRequestError, keystores.KeyUnavailable, SigningError) as exc:
            raise SignerUnavailable(f"{exc.__class__.__name__}: {exc}") from None
        return {"type": "cms", "agency": agency.code, "certificate": certificate.serial,
                "timestamped": timestamper is not None, "cms": base64.b64encode(signed.dump()).decode()}

    def verify(self, data: bytes, signature: Mapping[str, Any], *, at: dt.datetime) -> SignatureCheck:
        try:
            info = cms.ContentInfo.load(base64.b64decode(str(signature["cms"]), validate=True))
            signed_data = info["content"]
            if info["content_type"].native != "signed_data":
                raise ValueError("not SignedData")
        except (KeyError, ValueError, TypeError, binascii.Error):
            return SignatureCheck(False, reasons=["không đọc được chữ ký (unreadable signature)"])
        context = ValidationContext(trust_roots=services.trust_anchors(), crls=_crls(), moment=at,
                                    retroactive_revinfo=True, revocation_mode="hard-fail",
                                    allow_fetching=settings.SMARTCITY_SIGNING_FETCH_REVOCATION)
        try:
            status = async_to_sync(async_validate_detached_cms)(data, signed_data,
                                                                signer_validation_context=context)
        except (ValueError, TypeError, KeyError, SigningError) as exc:
            return SignatureCheck(False, reasons=[f"chữ ký hỏng (malformed signature): {exc.__class__.__name__}"])
        cert = status.signing_cert
        subject = cert.subject.native
        who = str(subject.get("common_name", "") or cert.subject.human_friendly)
        reasons = []
        if not status.intact or not status.valid:
            reasons.append("chữ ký không khớp nội dung (signature does not match)")
        if not status.trusted:
            reasons.append(f"chứng thư không tin cậy tại thời điểm ký (certificate not trusted at {at:%Y-%m-%d})")
        known = Certificate.objects.filter(fingerprint=cert.sha256.hex()).values_list("revoked_at", flat=True)
        revoked_at = next(iter(known), None)
        if revoked_at is not None and revoked_at <= at:
            reasons.append(f"chứng thư đã bị thu hồi lúc {revoked_at.isoformat()} (certificate revoked)")
        if str(subject.get("organization_identifier", "")) != settings.AUDIT_CHECKPOINT_SEAL_AGENCY:
            reasons.append(f"không phải con dấu của {settings.AUDIT_CHECKPOINT_SEAL_AGENCY} (not the configured seal)")
        timestamp = None
        stamp = status.timestamp_validity
        if stamp is not None:
            if stamp.intact and stamp.valid and stamp.trusted:
                timestamp = stamp.timestamp
            else:
                reasons.append("dấu thời gian không hợp lệ hoặc không tin cậy (invalid timestamp)")
        return SignatureCheck(valid=not reasons, signer=who, timestamp=timestamp, reasons=reasons)


def _crls() -> list[bytes]:
    if not settings.SMARTCITY_SIGNING_DEMO_CA:
        return []
    return [services.crl_der(ca) for ca in Certificate.objects.filter(kind="root", key_backend="pkcs12").unrevoked()]

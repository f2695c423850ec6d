"""Certificates the platform signs with or trusts: the demo CA's root and timestamp authority, agency seals and
officer certificates, and certificates of real CAs registered for production (PKCS#12 file or PKCS#11 token).

The private key is never stored here: ``key_backend`` + ``key_location`` say where it lives (a PKCS#12 file, a token
label) and ``key_secret`` where its passphrase or PIN comes from (``derived`` from SECRET_KEY for keys the demo CA
made, or ``env:NAME`` for an environment variable); see ``smartcity.signing.keystores``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from smartcity.agencies.models import Agency
from smartcity.lib.principal import Principal


class Kind(models.TextChoices):
    ROOT = "root", "Chứng thư gốc (CA)"
    TSA = "tsa", "Máy chủ dấu thời gian (TSA)"
    SEAL = "seal", "Chứng thư số của cơ quan (con dấu)"
    OFFICER = "officer", "Chứng thư số cá nhân của cán bộ"


class KeyBackend(models.TextChoices):
    NONE = "", "Không giữ khóa"
    PKCS12 = "pkcs12", "Tệp PKCS#12"
    PKCS11 = "pkcs11", "Thiết bị PKCS#11 (HSM, token)"


class RevocationReason(models.TextChoices):
    """RFC 5280 §5.3.1 reason codes a CRL entry can carry (those that apply to our certificates)."""

    UNSPECIFIED = "unspecified", "Không nêu lý do"
    KEY_COMPROMISE = "key_compromise", "Lộ khóa bí mật"
    AFFILIATION_CHANGED = "affiliation_changed", "Thay đổi cơ quan, chức vụ"
    SUPERSEDED = "superseded", "Đã cấp chứng thư thay thế"
    CESSATION_OF_OPERATION = "cessation_of_operation", "Ngừng hoạt động"


class CertificateQuerySet(models.QuerySet["Certificate"]):
    def unrevoked(self) -> CertificateQuerySet:
        return self.filter(revoked_at__isnull=True)

    def usable(self, at=None) -> CertificateQuerySet:
        """Not revoked, within validity, with a key we can reach."""
        at = at or timezone.now()
        return (self.unrevoked().filter(not_before__lte=at, not_after__gt=at).exclude(key_backend=KeyBackend.NONE)
                .order_by("-not_after", "-id"))

    def of_officer(self, user: Principal, agency: Agency) -> CertificateQuerySet:
        return self.filter(kind=Kind.OFFICER, user=user, agency=agency)

    def seals_of(self, agency: Agency) -> CertificateQuerySet:
        return self.filter(kind=Kind.SEAL, agency=agency)


class Certificate(models.Model):
    kind = models.CharField("loại", max_length=8, choices=Kind.choices)
    agency = models.ForeignKey(Agency, verbose_name="cơ quan", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="certificates")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="cán bộ", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="certificates")
    # The CA certificate of ours that issued it (None for a root, and for certificates issued by another CA).
    issuer_certificate = models.ForeignKey("self", verbose_name="do CA cấp", null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="issued")
    subject = models.CharField("chủ thể", max_length=500)
    issuer = models.CharField("tổ chức cấp", max_length=500)
    serial = models.CharField("số hiệu (hex)", max_length=64)
    fingerprint = models.CharField("SHA-256", max_length=64, unique=True)
    not_before = models.DateTimeField("hiệu lực từ")
    not_after = models.DateTimeField("hiệu lực đến")
    pem = models.TextField("chứng thư (PEM)")
    key_backend = models.CharField("nơi giữ khóa", max_length=8, choices=KeyBackend.choices, blank=True)
    key_location = models.CharField("vị trí khóa", max_length=500, blank=True)
    key_secret = models.CharField("nguồn mật khẩu/PIN", max_length=120, blank=True)
    created_at = models.DateTimeField("ngày tạo", default=timezone.now)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)
    revocation_reason = models.CharField("lý do thu hồi", max_length=24, choices=RevocationReason.choices,
                                         blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = "chứng thư số"
        verbose_name_plural = "chứng thư số"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "serial"], name="signing_certificate_issuer_serial"),
            models.CheckConstraint(condition=~Q(kind="officer") | Q(user__isnull=False, agency__isnull=False),
                                   name="signing_officer_has_user_and_agency"),
            models.CheckConstraint(condition=~Q(kind="seal") | Q(agency__isnull=False, user__isnull=True),
                                   name="signing_seal_has_agency_only"),
            models.CheckConstraint(condition=Q(revoked_at__isnull=True) | ~Q(revocation_reason=""),
                                   name="signing_revocation_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject} ({self.serial})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

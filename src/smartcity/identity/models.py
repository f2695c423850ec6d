"""Accounts. A citizen account is tied to one population record; a staff account carries its second factor."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class User(AbstractUser):
    class Kind(models.TextChoices):
        CITIZEN = "citizen", "Công dân"
        STAFF = "staff", "Cán bộ, công chức"

    kind = models.CharField("loại tài khoản", max_length=10, choices=Kind.choices, default=Kind.CITIZEN)
    person = models.OneToOneField(
        "population.Citizen", verbose_name="công dân", null=True, blank=True, on_delete=models.PROTECT,
        related_name="account",
    )
    # The subject identifier the identity provider gave this citizen (``iss`` + ``sub`` identify them for good).
    oidc_issuer = models.CharField(max_length=300, blank=True)
    oidc_subject = models.CharField(max_length=255, blank=True)
    totp_secret = models.CharField("khóa TOTP", max_length=64, blank=True)
    totp_confirmed = models.BooleanField("đã kích hoạt TOTP", default=False)
    totp_last_step = models.BigIntegerField(default=0)  # a code is accepted once: replay protection
    failed_logins = models.PositiveIntegerField("số lần đăng nhập sai", default=0)
    locked_until = models.DateTimeField("khóa đến", null=True, blank=True)

    class Meta:
        verbose_name = "tài khoản"
        verbose_name_plural = "tài khoản"
        constraints = [
            models.UniqueConstraint(
                fields=["oidc_issuer", "oidc_subject"], condition=~models.Q(oidc_subject=""), name="oidc_identity"
            )
        ]

    @property
    def is_citizen(self) -> bool:
        return self.kind == self.Kind.CITIZEN

    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()

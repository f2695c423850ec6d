"""Accounts. A citizen account is tied to one population record; a staff account carries its second factor.

The development identity provider keeps its own accounts (``IdpAccount``) apart from the portal's: the portal treats
it exactly as it treats VNeID, an outside party it reaches only through OpenID Connect.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils import timezone

from smartcity.lib.sealed import SealedTextField


class UserManager(DjangoUserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra_fields: Any
    ) -> User:
        # A superuser works in the back office, which staff reach through the password + TOTP sign-in.
        extra_fields.setdefault("kind", User.Kind.STAFF)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    class Kind(models.TextChoices):
        CITIZEN = "citizen", "Công dân"
        STAFF = "staff", "Cán bộ, công chức"
        # The development identity provider's side of an electronic identity (see ``IdpAccount.principal``).
        # Never signs in to the portal: no usable password, not staff, no population record.
        IDP = "idp", "Định danh tại nhà cung cấp thử nghiệm"

    kind = models.CharField("loại tài khoản", max_length=10, choices=Kind.choices, default=Kind.CITIZEN)
    person = models.OneToOneField(
        "population.Citizen", verbose_name="công dân", null=True, blank=True, on_delete=models.PROTECT,
        related_name="account",
    )
    # The subject identifier the identity provider gave this citizen (``iss`` + ``sub`` identify them for good).
    oidc_issuer = models.CharField("nhà cung cấp định danh (OIDC issuer)", max_length=300, blank=True)
    oidc_subject = models.CharField("mã định danh chủ thể (OIDC sub)", max_length=255, blank=True)
    totp_secret = SealedTextField("khóa TOTP", blank=True)  # encrypted at rest (``lib.sealed``)
    totp_confirmed = models.BooleanField("đã kích hoạt TOTP", default=False)
    # A code is accepted once: replay protection.
    totp_last_step = models.BigIntegerField("bước mã TOTP đã dùng gần nhất", default=0)
    failed_logins = models.PositiveIntegerField("số lần đăng nhập sai", default=0)
    locked_until = models.DateTimeField("khóa đến", null=True, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = "tài khoản"
        verbose_name_plural = "tài khoản"
        constraints = [
            models.UniqueConstraint(
                fields=["oidc_issuer", "oidc_subject"], condition=~models.Q(oidc_subject=""), name="oidc_identity"
            )
        ]

    def get_full_name(self) -> str:
        """Vietnamese order: family and middle names (``last_name``) before the given name (``first_name``)."""
        return f"{self.last_name} {self.first_name}".strip()

    @property
    def is_citizen(self) -> bool:
        return self.kind == self.Kind.CITIZEN

    @property
    def can_use_admin(self) -> bool:
        """Whether the back office (/admin/) is for this account: an active staff account with Django's back-office
        flag and at least one permission there (a superuser has all). The header shows its link only then; the admin
        site itself still asks for the second factor (``identity.admin``)."""
        if not (self.is_active and self.is_staff and self.kind == self.Kind.STAFF):
            return False
        return self.is_superuser or bool(self.get_all_permissions())

    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


def new_subject() -> str:
    return str(uuid.uuid4())


class IdpAccount(models.Model):
    """An electronic identity at the development identity provider: what VNeID holds for a citizen.

    The provider signs a citizen in with their ID number and this account's password, and tells relying parties
    who they are through an opaque, stable ``subject`` (the ``sub`` claim) — never the ID number itself, which it
    releases only under the ``id_number`` scope.
    """

    citizen = models.OneToOneField(
        "population.Citizen", verbose_name="công dân", on_delete=models.CASCADE, related_name="idp_account"
    )
    subject = models.CharField("mã định danh chủ thể (sub)", max_length=64, unique=True, default=new_subject)
    password = models.CharField("mật khẩu (băm)", max_length=128)
    # django-oauth-toolkit's grants and tokens point at a user row; this one stands for the identity at the
    # provider and is distinct from the citizen's portal account, which the portal creates on its own.
    principal = models.OneToOneField(
        User, verbose_name="tài khoản tại nhà cung cấp định danh", on_delete=models.CASCADE,
        related_name="idp_account", limit_choices_to={"kind": User.Kind.IDP}
    )
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)

    class Meta:
        verbose_name = "định danh điện tử (thử nghiệm)"
        verbose_name_plural = "định danh điện tử (nhà cung cấp thử nghiệm)"

    def __str__(self) -> str:
        return f"{self.citizen} ({self.subject})"

"""Agencies (cơ quan) in a tree, with their jurisdiction, and staff memberships with a role.

Agency codes follow the electronic identifier format of QCVN 102:2016/BTTTT, ``V1V2V3.Z1Z2.Y1Y2.MX1X2``: the last
group is the level-1 body (``H26`` is Hà Nội's People's Committee), ``Y1Y2`` a level-2 body under it (a department,
or a commune since 2025), ``Z1Z2`` level 3 and ``V1V2V3`` level 4; unused levels are zeros (``000.00.00.H26``).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from smartcity.places.models import Unit

AGENCY_CODE = re.compile(r"^\d{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2}$")


def validate_agency_code(value: str) -> None:
    if not AGENCY_CODE.match(value):
        raise ValidationError(
            "Mã định danh phải có dạng V1V2V3.Z1Z2.Y1Y2.MX1X2 (QCVN 102:2016), ví dụ 000.00.00.H26"
        )


class Agency(models.Model):
    class Kind(models.TextChoices):
        PEOPLES_COMMITTEE = "committee", "Ủy ban nhân dân"
        DEPARTMENT = "department", "Sở, ban, ngành"
        OTHER = "other", "Đơn vị khác"

    class Level(models.TextChoices):
        PROVINCE = "province", "Cấp tỉnh"
        DISTRICT = "district", "Cấp huyện (trước 01/7/2025)"
        COMMUNE = "commune", "Cấp xã"

    code = models.CharField("mã định danh", max_length=20, unique=True, validators=[validate_agency_code])
    name = models.CharField("tên", max_length=200)
    kind = models.CharField("loại", max_length=12, choices=Kind.choices)
    level = models.CharField("cấp", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name="cơ quan cấp trên", null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    # The administrative unit the agency is the government of (a committee), or sits in (a department).
    unit = models.ForeignKey(Unit, verbose_name="đơn vị hành chính", on_delete=models.PROTECT, related_name="+")
    # The communes whose people and cases the agency serves. A province-level body serves its whole province.
    jurisdiction = models.ManyToManyField(Unit, verbose_name="địa bàn phụ trách", blank=True, related_name="agencies")
    is_active = models.BooleanField("đang hoạt động", default=True)

    class Meta:
        verbose_name = "cơ quan"
        verbose_name_plural = "cơ quan"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    RECEPTION = "reception", "Cán bộ tiếp nhận (bộ phận một cửa)"
    SPECIALIST = "specialist", "Chuyên viên xử lý"
    LEADER = "leader", "Lãnh đạo phê duyệt, ký"
    AGENCY_ADMIN = "agency_admin", "Quản trị cơ quan"
    CITY_ADMIN = "city_admin", "Quản trị thành phố"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True, agency__is_active=True)


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="cán bộ", on_delete=models.CASCADE,
                             related_name="memberships")
    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("vai trò", max_length=16, choices=Role.choices)
    title = models.CharField("chức danh", max_length=120, blank=True)
    is_active = models.BooleanField("đang hiệu lực", default=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "phân công"
        verbose_name_plural = "phân công cán bộ"
        constraints = [models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_once")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.agency}"


class WorkingDayOverride(models.Model):
    """A day the city works or rests against the usual calendar: a swapped working day or an extra holiday decided
    after the ``holidays`` package was released. Every deadline counted in working days reads this table through
    ``agencies.services.working_calendar``, so it lives here, below every app that counts deadlines."""

    day = models.DateField("ngày", unique=True)
    is_working_day = models.BooleanField(
        "là ngày làm việc",
        help_text="Đánh dấu nếu cơ quan làm việc vào ngày này (ngày làm bù); bỏ đánh dấu nếu là ngày nghỉ "
        "(nghỉ bù, nghỉ lễ thêm).",
    )
    reason = models.CharField("căn cứ", max_length=200,
                              help_text="Văn bản quyết định, ví dụ: Thông báo số …/TB-UBND ngày … về việc nghỉ bù.")

    class Meta:
        verbose_name = "ngày làm việc điều chỉnh"
        verbose_name_plural = "ngày làm việc điều chỉnh"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}: {'làm việc' if self.is_working_day else 'nghỉ'}"

"""Citizens and households of the population registry.

The personal ID number (số định danh cá nhân) is 12 digits (Law on Identification 2023, Art. 12). Its legacy
structure (Circular 59/2021/TT-BCA, Art. 7) — a 3-digit code of the province where the birth was registered, a digit
for sex and century, the last two digits of the birth year, then six random digits — is checked only as a warning
(see ``smartcity.lib.idnumber``), because numbers issued after the 2024 law need not follow it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from smartcity.places.models import Unit


class Sex(models.TextChoices):
    MALE = "M", "Nam"
    FEMALE = "F", "Nữ"


class Household(models.Model):
    code = models.CharField("số hộ", max_length=20, unique=True)
    unit = models.ForeignKey(Unit, verbose_name="nơi cư trú", on_delete=models.PROTECT, related_name="+")
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    head = models.OneToOneField(
        "Citizen", verbose_name="chủ hộ", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "hộ gia đình"
        verbose_name_plural = "hộ gia đình"

    def __str__(self) -> str:
        return self.code


class CitizenQuerySet(models.QuerySet["Citizen"]):
    def residing_in(self, unit_ids: list[int]) -> CitizenQuerySet:
        """Citizens whose permanent or temporary residence is one of the given units."""
        return self.filter(Q(permanent_unit_id__in=unit_ids) | Q(temporary_unit_id__in=unit_ids))


class Citizen(models.Model):
    id_number = models.CharField("số định danh cá nhân", max_length=12, unique=True)
    full_name = models.CharField("họ và tên", max_length=120)
    date_of_birth = models.DateField("ngày sinh")
    sex = models.CharField("giới tính", max_length=1, choices=Sex.choices)
    ethnicity = models.CharField("dân tộc", max_length=30, default="Kinh")
    nationality = models.CharField("quốc tịch", max_length=2, default="VN")
    permanent_unit = models.ForeignKey(
        Unit, verbose_name="nơi thường trú", on_delete=models.PROTECT, related_name="+"
    )
    permanent_address = models.CharField("địa chỉ thường trú", max_length=255, blank=True)
    temporary_unit = models.ForeignKey(
        Unit, verbose_name="nơi tạm trú", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    temporary_address = models.CharField("địa chỉ tạm trú", max_length=255, blank=True)
    phone = models.CharField("số điện thoại", max_length=15, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    household = models.ForeignKey(
        Household, verbose_name="hộ", null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    relation_to_head = models.CharField("quan hệ với chủ hộ", max_length=30, blank=True)
    # Disagreements between the ID number's legacy structure and the record (warnings, never errors).
    id_warnings = models.JSONField("cảnh báo số định danh", default=list, blank=True)
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)
    updated_at = models.DateTimeField("thời điểm cập nhật", auto_now=True)

    objects = CitizenQuerySet.as_manager()

    class Meta:
        verbose_name = "công dân"
        verbose_name_plural = "công dân"

    def __str__(self) -> str:
        return self.full_name

    @property
    def masked_id_number(self) -> str:
        return f"{self.id_number[:3]}******{self.id_number[-3:]}"

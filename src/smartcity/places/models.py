"""Administrative units (đơn vị hành chính) in both structures, with validity dates so old records still resolve.

Two structures coexist:

* ``legacy`` — the three-level structure (63 provinces, districts, communes) valid until 30 June 2025;
* ``2025`` — the two-level structure (34 provinces, communes/wards) from 1 July 2025 (Resolution 202/2025/QH15 on
  provinces; the Standing Committee's resolutions on each province's communes, effective 1 July 2025).

Unit codes are the General Statistics Office codes; the same code can mean different units in the two structures
(commune 00004 is Trúc Bạch before 2025 and Ba Đình after), so a unit is identified by (structure, level, code).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

REFORM_DATE = dt.date(2025, 7, 1)


class Structure(models.TextChoices):
    LEGACY = "legacy", "Ba cấp (trước 01/7/2025)"
    Y2025 = "2025", "Hai cấp (từ 01/7/2025)"


class Level(models.TextChoices):
    PROVINCE = "province", "Tỉnh/Thành phố"
    DISTRICT = "district", "Quận/Huyện/Thị xã"
    COMMUNE = "commune", "Phường/Xã/Thị trấn/Đặc khu"


class UnitQuerySet(models.QuerySet["Unit"]):
    def valid_on(self, day: dt.date) -> UnitQuerySet:
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=day)
        )

    def current(self) -> UnitQuerySet:
        return self.filter(structure=Structure.Y2025)

    def communes(self) -> UnitQuerySet:
        return self.filter(level=Level.COMMUNE)


class Unit(models.Model):
    structure = models.CharField("cấu trúc", max_length=8, choices=Structure.choices)
    level = models.CharField("cấp", max_length=10, choices=Level.choices)
    code = models.CharField("mã", max_length=8, help_text="Mã đơn vị hành chính (Tổng cục Thống kê)")
    name = models.CharField("tên", max_length=120)
    short_name = models.CharField("tên ngắn", max_length=100)
    unit_type = models.CharField("loại", max_length=30)
    parent = models.ForeignKey(
        "self", verbose_name="trực thuộc", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    province_code = models.CharField("mã tỉnh", max_length=4, db_index=True)
    latitude = models.FloatField("vĩ độ", null=True, blank=True)
    longitude = models.FloatField("kinh độ", null=True, blank=True)
    # south, west, north, east in WGS 84 degrees; the package has bounds for the legacy units only.
    bounds = models.JSONField("giới hạn", null=True, blank=True)
    area_km2 = models.FloatField("diện tích (km²)", null=True, blank=True)
    valid_from = models.DateField("hiệu lực từ", null=True, blank=True)
    valid_until = models.DateField("hết hiệu lực từ", null=True, blank=True)
    # Folded names and aliases ("phuongbadinh", "badinh") that address parsing matches against.
    keywords = models.JSONField("từ khóa", default=list, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"
        constraints = [models.UniqueConstraint(fields=["structure", "level", "code"], name="unit_identity")]
        indexes = [models.Index(fields=["structure", "level", "province_code"])]
        ordering = ["structure", "level", "code"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        names = [self.name]
        parent = self.parent
        while parent is not None:
            names.append(parent.name)
            parent = parent.parent
        return ", ".join(names)

    @property
    def key(self) -> str:
        """A stable text key for URLs and APIs: ``2025:commune:00004``."""
        return f"{self.structure}:{self.level}:{self.code}"


class Succession(models.Model):
    """A legacy commune whose territory went (wholly or partly) into a 2025 commune.

    A legacy commune split between several new ones has one row each; ``is_default`` marks the one that takes an
    address when nothing else (a street, coordinates) tells them apart.
    """

    old = models.ForeignKey(Unit, verbose_name="đơn vị cũ", on_delete=models.CASCADE, related_name="successors")
    new = models.ForeignKey(Unit, verbose_name="đơn vị mới", on_delete=models.CASCADE, related_name="predecessors")
    is_default = models.BooleanField("đơn vị nhận mặc định", default=True)

    class Meta:
        verbose_name = "sáp nhập/chia tách"
        verbose_name_plural = "sáp nhập/chia tách"
        constraints = [models.UniqueConstraint(fields=["old", "new"], name="succession_pair")]

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"


class Boundary(models.Model):
    """A unit's boundary as the city provides it (``smartcity places import-boundaries``): a GeoJSON Polygon or
    MultiPolygon in WGS 84, kept as its JSON text. No PostGIS: the pages hand it to the browser as it is, and the
    administrative-unit packages have only centres and areas, so without an import there are no boundaries at all."""

    unit = models.OneToOneField(Unit, verbose_name="đơn vị", on_delete=models.CASCADE, related_name="boundary")
    geometry = models.TextField("ranh giới (GeoJSON)")
    positions = models.PositiveIntegerField("số điểm", default=0)
    source = models.CharField("tệp nguồn", max_length=255, blank=True)
    imported_at = models.DateTimeField("nhập lúc")

    class Meta:
        verbose_name = "ranh giới"
        verbose_name_plural = "ranh giới"

    def __str__(self) -> str:
        return f"{self.unit} ({self.positions} điểm)"

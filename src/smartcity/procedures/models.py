"""Procedures and their versions. A version is an immutable snapshot of everything a dossier depends on (documents,
fees, processing time, form, workflow), valid over a date range; a dossier pins the version it was submitted under,
so amending a procedure never changes a dossier already in progress.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartcity.agencies.models import Agency


@dataclass(frozen=True)
class Shown:
    """A text as a page shows it in the reader's language: ``fallback`` when the city gave no English for it."""

    text: str
    fallback: bool = False

    def __str__(self) -> str:
        return self.text


def shown(obj: models.Model, attribute: str, language: str | None) -> Shown:
    """``obj.<attribute>`` in ``language``: its ``<attribute>_en`` for English when not blank, else the Vietnamese
    (marked as a fallback when English was asked for and the Vietnamese text is not empty)."""
    text = getattr(obj, attribute) or ""
    if (language or "").split("-")[0] != "en":
        return Shown(text)
    english = getattr(obj, f"{attribute}_en", "") or ""
    return Shown(english) if english.strip() else Shown(text, fallback=bool(text))


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Trực tuyến toàn trình")
    PARTIAL = "partial", _("Trực tuyến một phần")
    NONE = "none", _("Không trực tuyến")


class TimeUnit(models.TextChoices):
    """The unit of ``ProcedureVersion.processing_amount``. ``SAME_DAY`` is "giải quyết ngay trong ngày": the result
    is due by the close of the working day the dossier is received on (the next working day's when it arrives after
    the version's cut-off hour or on a non-working day); its amount is 0."""

    SAME_DAY = "same_day", _("trong ngày làm việc")
    WORKING_DAYS = "working_days", _("ngày làm việc")
    CALENDAR_DAYS = "calendar_days", _("ngày")
    WORKING_HOURS = "working_hours", _("giờ làm việc")


class Field(models.Model):
    """Lĩnh vực: the area of administration a procedure belongs to."""

    name = models.CharField("tên lĩnh vực", max_length=120, unique=True)
    name_en = models.CharField("tên lĩnh vực (tiếng Anh)", max_length=120, blank=True)

    class Meta:
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProcedureQuerySet(models.QuerySet["Procedure"]):
    def published(self) -> ProcedureQuerySet:
        return self.filter(is_active=True)


class Procedure(models.Model):
    code = models.CharField("mã thủ tục", max_length=20, unique=True, null=True, blank=True,
                            help_text="Mã trên Cơ sở dữ liệu quốc gia về thủ tục hành chính, ví dụ 1.001193")
    name = models.CharField("tên thủ tục", max_length=400)
    field = models.ForeignKey(Field, verbose_name="lĩnh vực", on_delete=models.PROTECT, related_name="procedures")
    levels = models.JSONField("cấp thực hiện", default=list)  # ["commune"], ["province", "commune"]
    agency_text = models.CharField("cơ quan thực hiện", max_length=300)
    department = models.ForeignKey(Agency, verbose_name="sở chủ trì", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    online_level = models.CharField("mức độ trực tuyến", max_length=8, choices=OnlineLevel.choices)
    result = models.CharField("kết quả", max_length=400)
    # English text given by the city, shown when the page is read in English; blank where it gave none (the page
    # then shows the Vietnamese and says so). Only what the catalogue and the procedure's page show.
    name_en = models.CharField("tên thủ tục (tiếng Anh)", max_length=400, blank=True)
    agency_text_en = models.CharField("cơ quan thực hiện (tiếng Anh)", max_length=300, blank=True)
    result_en = models.CharField("kết quả (tiếng Anh)", max_length=400, blank=True)
    # Folded name and code, for search with or without diacritics ("dang ky khai sinh").
    search_text = models.TextField("nội dung tìm kiếm", editable=False, default="")
    is_active = models.BooleanField("đang áp dụng", default=True)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class VersionQuerySet(models.QuerySet["ProcedureVersion"]):
    def in_force(self, on: dt.date) -> VersionQuerySet:
        return self.filter(effective_from__lte=on).filter(Q(effective_until__isnull=True) | Q(effective_until__gt=on))


class ProcedureVersion(models.Model):
    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="versions",
    )
    number = models.PositiveIntegerField("phiên bản")
    effective_from = models.DateField("hiệu lực từ")
    effective_until = models.DateField("hết hiệu lực từ", null=True, blank=True)
    legal_basis = models.JSONField("căn cứ pháp lý", default=list)
    documents = models.JSONField("thành phần hồ sơ", default=list)
    fees = models.JSONField("phí, lệ phí", default=list)
    processing_amount = models.DecimalField("thời hạn giải quyết", max_digits=6, decimal_places=1, null=True,
                                            blank=True)
    processing_unit = models.CharField("đơn vị thời hạn", max_length=14, choices=TimeUnit.choices)
    processing_note = models.TextField("ghi chú thời hạn", blank=True)
    cut_off = models.TimeField("giờ tiếp nhận cuối trong ngày", null=True, blank=True)
    form = models.JSONField("biểu mẫu điện tử", default=list)
    workflow = models.JSONField("quy trình", default=list)
    notes = models.TextField("ghi chú", blank=True)
    sources = models.JSONField("nguồn", default=list)

    objects = VersionQuerySet.as_manager()

    class Meta:
        verbose_name = "phiên bản thủ tục"
        verbose_name_plural = "phiên bản thủ tục"
        constraints = [models.UniqueConstraint(fields=["procedure", "number"], name="procedure_version_number")]
        ordering = ["procedure", "-number"]

    def __str__(self) -> str:
        return f"{self.procedure} (v{self.number})"

    @property
    def total_fee(self) -> int | None:
        amounts = [f.get("amount") for f in self.fees]
        if any(a is None for a in amounts):
            return None
        return int(sum(amounts))

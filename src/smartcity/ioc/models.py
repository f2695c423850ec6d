"""The operations centre's own data: the event feed, the pre-computed summary, the layers and tiles an administrator
turns on and off, and incidents with their standard operating procedures (SOP).

Roles are Django permissions on ``Incident`` (``view_centre``, ``operate_centre``, ``administer_centre``) held through
three groups (``services.ROLES``): a leader sees the summary and trends, an operator also works the event feed and
incidents, an administrator also edits layers, tiles, incident types and their procedures in the back office.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from smartcity.agencies.models import Agency
from smartcity.places.models import Unit


class Severity(models.TextChoices):
    INFO = "info", "Thông tin"
    WARN = "warn", "Cần chú ý"
    CRITICAL = "critical", "Khẩn cấp"


class Event(models.Model):
    """One line of the live feed. Appended only (``services.append_event``); the id orders the feed and is the
    server-sent event id a reconnecting browser resumes from (``Last-Event-ID``)."""

    kind = models.CharField("loại", max_length=40)
    severity = models.CharField("mức độ", max_length=10, choices=Severity.choices, default=Severity.INFO)
    title = models.CharField("nội dung", max_length=300)
    link = models.CharField("đường dẫn", max_length=300, blank=True)
    # What the event is about, once: "warning:12:opened", "dossier:…:overdue". A second append of it does nothing.
    source_key = models.CharField("khóa nguồn", max_length=120, unique=True)
    occurred_at = models.DateTimeField("thời điểm xảy ra")
    created_at = models.DateTimeField("ghi nhận lúc", auto_now_add=True)

    class Meta:
        verbose_name = "sự kiện"
        verbose_name_plural = "sự kiện (luồng trực tiếp)"
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title


class Summary(models.Model):  # noqa: DJ008 — a row of figures, never shown by name
    """The tiles as computed at ``computed_at`` (by the ``ioc.summary`` job, or by a reader who found the newest
    row older than ``IOC_SUMMARY_MAX_AGE_SECONDS``): the page reads one row instead of scanning millions."""

    computed_at = models.DateTimeField("tính lúc", db_index=True)
    tiles = models.JSONField("ô số liệu", default=list)
    elapsed_ms = models.PositiveIntegerField("thời gian tính (ms)", default=0)

    class Meta:
        verbose_name = "bản tổng hợp"
        verbose_name_plural = "bản tổng hợp"
        ordering = ["-computed_at"]


class Layer(models.Model):
    """A map layer the screen may show (its points come from a provider of ``sources``)."""

    key = models.CharField("mã", max_length=40, unique=True)
    label = models.CharField("tên lớp", max_length=120)
    is_enabled = models.BooleanField("hiển thị", default=True)
    position = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "lớp bản đồ"
        verbose_name_plural = "lớp bản đồ"
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.label


class Tile(models.Model):
    """A KPI tile: its definition (what it counts is the provider's, documented in docs/ioc.md), whether and where
    it shows, and the value from which it is shown as a warning."""

    key = models.CharField("mã", max_length=40, unique=True)
    label = models.CharField("tên chỉ số", max_length=120)
    definition = models.TextField("định nghĩa", blank=True)
    is_enabled = models.BooleanField("hiển thị", default=True)
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    warn_at = models.FloatField("ngưỡng cảnh báo", null=True, blank=True,
                                help_text="Ô chuyển màu cảnh báo khi giá trị đạt ngưỡng này (để trống: không).")

    class Meta:
        verbose_name = "chỉ số (ô KPI)"
        verbose_name_plural = "chỉ số (ô KPI)"
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.label


class IncidentType(models.Model):
    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên loại sự cố", max_length=120)
    description = models.TextField("mô tả", blank=True)
    # The environment warning parameters that open an incident of this type on their own (``water_level``, ``aqi``…).
    warning_parameters = models.JSONField("mở tự động khi có cảnh báo", default=list, blank=True,
                                          help_text='Danh sách thông số cảnh báo, ví dụ ["water_level", "rain_24h"].')
    is_active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "loại sự cố"
        verbose_name_plural = "loại sự cố và quy trình"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProcedureStep(models.Model):
    """One step of an incident type's standard operating procedure: what, by which body, within how long."""

    incident_type = models.ForeignKey(IncidentType, verbose_name="loại sự cố", on_delete=models.CASCADE,
                                      related_name="steps")
    position = models.PositiveSmallIntegerField("thứ tự")
    title = models.CharField("việc cần làm", max_length=200)
    agency = models.ForeignKey(Agency, verbose_name="cơ quan thực hiện", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    time_limit_minutes = models.PositiveIntegerField("thời hạn (phút kể từ khi mở sự cố)")

    class Meta:
        verbose_name = "bước quy trình"
        verbose_name_plural = "các bước quy trình (SOP)"
        ordering = ["incident_type", "position"]
        constraints = [models.UniqueConstraint(fields=["incident_type", "position"], name="ioc_sop_step_once")]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Incident(models.Model):
    class Source(models.TextChoices):
        WARNING = "warning", "Cảnh báo môi trường"
        REPORT = "report", "Phản ánh khẩn cấp"
        OPERATOR = "operator", "Điều hành viên"

    class State(models.TextChoices):
        OPEN = "open", "Đang xử lý"
        CLOSED = "closed", "Đã đóng"

    incident_type = models.ForeignKey(IncidentType, verbose_name="loại sự cố", on_delete=models.PROTECT,
                                      related_name="incidents")
    title = models.CharField("tiêu đề", max_length=200)
    description = models.TextField("mô tả", blank=True)
    source = models.CharField("nguồn", max_length=10, choices=Source.choices)
    # What opened it, once: "warning:12" — the scan that opens incidents from warnings never opens two for one.
    source_ref = models.CharField("tham chiếu nguồn", max_length=80, null=True, blank=True, unique=True)
    unit = models.ForeignKey(Unit, verbose_name="địa bàn", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    state = models.CharField("trạng thái", max_length=8, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField("mở lúc")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người mở", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField("đóng lúc", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người đóng", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    close_note = models.TextField("kết quả xử lý", blank=True)

    class Meta:
        verbose_name = "sự cố"
        verbose_name_plural = "sự cố"
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["state", "opened_at"])]
        permissions = [
            ("view_centre", "Xem màn hình trung tâm điều hành (lãnh đạo)"),
            ("operate_centre", "Điều hành: luồng sự kiện, mở và xử lý sự cố"),
            ("administer_centre", "Quản trị trung tâm điều hành: lớp bản đồ, chỉ số, loại sự cố và quy trình"),
        ]

    def __str__(self) -> str:
        return self.title


class IncidentStep(models.Model):
    """An SOP step copied onto an incident when it opens (a later change of the procedure does not rewrite it)."""

    incident = models.ForeignKey(Incident, verbose_name="sự cố", on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField("thứ tự")
    title = models.CharField("việc cần làm", max_length=200)
    agency = models.ForeignKey(Agency, verbose_name="cơ quan thực hiện", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField("hạn")
    done_at = models.DateTimeField("hoàn thành lúc", null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người xác nhận", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    note = models.CharField("ghi chú", max_length=500, blank=True)

    class Meta:
        verbose_name = "bước xử lý"
        verbose_name_plural = "các bước xử lý"
        ordering = ["incident", "position"]
        constraints = [models.UniqueConstraint(fields=["incident", "position"], name="ioc_incident_step_once")]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class TimelineEntry(models.Model):
    """The incident's kept history: opened, each step ticked, notes, closed. Appended only."""

    incident = models.ForeignKey(Incident, verbose_name="sự cố", on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField("lúc")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người thực hiện", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField("người thực hiện (tên)", max_length=200, blank=True)
    text = models.CharField("nội dung", max_length=600)

    class Meta:
        verbose_name = "diễn biến"
        verbose_name_plural = "diễn biến sự cố"
        ordering = ["incident", "at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="ioc_timeline_text")]

    def __str__(self) -> str:
        return self.text

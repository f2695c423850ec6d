"""Citizen reports (phản ánh, kiến nghị): the city-editable category tree, the reports, their photos, the public
timeline, the reporter's rating, and the API keys of Open311 client apps.

A report belongs to one competent body at a time (``agency``), chosen by its category and place
(``services.route``); every step it takes is an ``Event`` on its public timeline. Personal data — who reported, how to
reach them — lives only in the ``reporter``/``contact_*`` fields, which no public page or Open311 answer shows.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from smartcity.agencies.models import Agency
from smartcity.places.models import Unit


class DeadlineKind(models.TextChoices):
    WORKING = "working", "Ngày làm việc"
    CALENDAR = "calendar", "Ngày lịch"


class Level(models.TextChoices):
    COMMUNE = "commune", "Cấp xã (nơi xảy ra)"
    PROVINCE = "province", "Cấp thành phố (sở, ngành, đơn vị)"


class Category(models.Model):
    """One node of the category tree. Leaves are what people choose; ``code`` is the Open311 ``service_code``."""

    code = models.SlugField("mã (service_code)", max_length=40, unique=True)
    name = models.CharField("tên", max_length=120)
    description = models.CharField("mô tả", max_length=300, blank=True)
    parent = models.ForeignKey("self", verbose_name="nhóm", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    administrative = models.BooleanField(
        "phản ánh về quy định hành chính", default=False,
        help_text="Áp dụng thời hạn của Nghị định 20/2008/NĐ-CP (sửa đổi bởi Nghị định 92/2017/NĐ-CP)")
    deadline_kind = models.CharField("loại thời hạn", max_length=10, choices=DeadlineKind.choices,
                                     default=DeadlineKind.WORKING)
    deadline_days = models.PositiveSmallIntegerField("thời hạn xử lý (ngày)", default=10)
    level = models.CharField("cấp có thẩm quyền", max_length=10, choices=Level.choices, default=Level.COMMUNE)
    agency = models.ForeignKey(Agency, verbose_name="cơ quan, đơn vị xử lý (cấp thành phố)", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    duplicate_radius_m = models.PositiveIntegerField("bán kính phát hiện trùng (m)", default=50)
    # Open311 attributes of the service definition: [{"code", "datatype", "required", "description", "order",
    # "values": [{"key", "name"}]}]
    attributes = models.JSONField("thuộc tính bổ sung (Open311)", default=list, blank=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    is_active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "loại phản ánh"
        verbose_name_plural = "loại phản ánh"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def group_name(self) -> str:
        return self.parent.name if self.parent_id and self.parent else ""


class Status(models.TextChoices):
    RECEIVED = "received", "Đã tiếp nhận"
    COORDINATING = "coordinating", "Chờ điều phối"
    IN_PROGRESS = "in_progress", "Đang xử lý"
    INFO_REQUESTED = "info_requested", "Chờ bổ sung thông tin"
    ANSWERED = "answered", "Đã trả lời"
    CLOSED = "closed", "Đã đóng"
    MERGED = "merged", "Đã gộp vào phản ánh khác"


OPEN = (Status.RECEIVED, Status.COORDINATING, Status.IN_PROGRESS, Status.INFO_REQUESTED)


class ReportQuerySet(models.QuerySet["Report"]):
    def public(self) -> ReportQuerySet:
        return self.filter(hidden=False)

    def open(self) -> ReportQuerySet:
        return self.filter(status__in=OPEN)

    def overdue(self, *, on: dt.date) -> ReportQuerySet:
        return self.open().filter(due_on__lt=on)

    def handled_by(self, agency_ids: list[int]) -> ReportQuerySet:
        return self.filter(agency_id__in=agency_ids)


class Report(models.Model):
    class Source(models.TextChoices):
        WEB = "web", "Cổng thông tin"
        OPEN311 = "open311", "Ứng dụng (Open311)"

    category = models.ForeignKey(Category, verbose_name="loại", on_delete=models.PROTECT, related_name="reports")
    description = models.TextField("nội dung", max_length=4000)
    latitude = models.FloatField("vĩ độ")
    longitude = models.FloatField("kinh độ")
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    unit = models.ForeignKey(Unit, verbose_name="phường, xã", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, verbose_name="cơ quan xử lý", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    emergency = models.BooleanField("khẩn cấp", default=False)
    status = models.CharField("trạng thái", max_length=16, choices=Status.choices, default=Status.RECEIVED)
    # Personal data: never on a public page or in an Open311 answer.
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người phản ánh", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    contact_name = models.CharField("tên liên hệ", max_length=120, blank=True)
    contact_phone = models.CharField("điện thoại liên hệ", max_length=20, blank=True)
    contact_email = models.EmailField("thư điện tử liên hệ", blank=True)
    token = models.CharField("mã theo dõi", max_length=32, db_index=True)
    source = models.CharField("nguồn", max_length=10, choices=Source.choices, default=Source.WEB)
    api_key = models.ForeignKey("ApiKey", verbose_name="khóa ứng dụng", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    attributes = models.JSONField("thuộc tính bổ sung", default=dict, blank=True)
    received_at = models.DateTimeField("thời điểm tiếp nhận", db_index=True)
    accept_by = models.DateField("hạn tiếp nhận", null=True, blank=True)
    due_on = models.DateField("hạn xử lý", null=True, blank=True)
    answered_at = models.DateTimeField("thời điểm trả lời", null=True, blank=True)
    closed_at = models.DateTimeField("thời điểm đóng", null=True, blank=True)
    updated_at = models.DateTimeField("cập nhật", auto_now=True)
    answer = models.TextField("trả lời của cơ quan", blank=True)
    merged_into = models.ForeignKey("self", verbose_name="gộp vào", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="duplicates")
    reopen_count = models.PositiveSmallIntegerField("số lần mở lại", default=0)
    # Answered after its deadline at least once: a reopened report answered in its new time stays late.
    was_late = models.BooleanField("đã từng trả lời quá hạn", default=False)
    hidden = models.BooleanField("ẩn khỏi trang công khai", default=False)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "phản ánh"
        verbose_name_plural = "phản ánh"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["category", "received_at"], name="feedback_cat_received"),
            models.Index(fields=["status", "received_at"], name="feedback_status_received"),
            models.Index(fields=["agency", "status"], name="feedback_agency_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(latitude__gte=-90, latitude__lte=90)
                                   & Q(longitude__gte=-180, longitude__lte=180), name="feedback_report_coordinates"),
        ]

    def __str__(self) -> str:
        return f"PA-{self.pk}"

    @property
    def code(self) -> str:
        return f"PA-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def overdue_on(self, day: dt.date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < day


class Photo(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos", verbose_name="phản ánh")
    answer = models.BooleanField("ảnh của cơ quan (kết quả xử lý)", default=False)
    image = models.FileField("ảnh", upload_to="feedback/%Y/%m/")
    width = models.PositiveIntegerField("chiều rộng (điểm ảnh)", default=0)
    height = models.PositiveIntegerField("chiều cao (điểm ảnh)", default=0)
    size = models.PositiveIntegerField("dung lượng (byte)", default=0)
    sha256 = models.CharField("mã băm SHA-256", max_length=64)

    class Meta:
        verbose_name = "ảnh"
        verbose_name_plural = "ảnh"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"PA-{self.report_id} ảnh {self.pk}"


class Event(models.Model):
    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Gửi phản ánh"
        ROUTED = "routed", "Chuyển đến cơ quan có thẩm quyền"
        ACCEPTED = "accepted", "Cơ quan tiếp nhận xử lý"
        RETURNED = "returned", "Trả lại do chuyển sai thẩm quyền"
        TRANSFERRED = "transferred", "Chuyển cơ quan khác"
        INFO_REQUESTED = "info_requested", "Đề nghị bổ sung thông tin"
        INFO_GIVEN = "info_given", "Người phản ánh bổ sung thông tin"
        MERGED = "merged", "Gộp phản ánh trùng"
        ANSWERED = "answered", "Trả lời"
        CLOSED = "closed", "Đóng phản ánh"
        RATED = "rated", "Đánh giá"
        REOPENED = "reopened", "Mở lại"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events", verbose_name="phản ánh")
    at = models.DateTimeField("thời điểm", db_index=True)
    kind = models.CharField("bước", max_length=16, choices=Kind.choices)
    agency = models.ForeignKey(Agency, verbose_name="cơ quan", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    note = models.TextField("ghi chú công khai", blank=True)

    class Meta:
        verbose_name = "bước xử lý"
        verbose_name_plural = "bước xử lý"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"PA-{self.report_id} {self.get_kind_display()}"


class Rating(models.Model):
    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="rating", verbose_name="phản ánh")
    score = models.PositiveSmallIntegerField("điểm (1–5)")
    comment = models.CharField("nhận xét", max_length=500, blank=True)
    at = models.DateTimeField("thời điểm")

    class Meta:
        verbose_name = "đánh giá"
        verbose_name_plural = "đánh giá"
        constraints = [models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="feedback_rating_score")]

    def __str__(self) -> str:
        return f"PA-{self.report_id} {self.score}/5"

    @property
    def satisfied(self) -> bool:
        return self.score >= 3


class ApiKey(models.Model):
    """The key of one Open311 client app. Only its SHA-256 is stored: the key itself is shown once, when issued."""

    name = models.CharField("tên ứng dụng", max_length=120)
    prefix = models.CharField("tiền tố", max_length=8, db_index=True)
    digest = models.CharField("mã băm của khóa", max_length=64, unique=True)
    created_at = models.DateTimeField("ngày cấp")
    is_active = models.BooleanField("còn hiệu lực", default=True)

    class Meta:
        verbose_name = "khóa API Open311"
        verbose_name_plural = "khóa API Open311"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

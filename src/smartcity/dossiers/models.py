"""Dossiers, their files and their history. See docs/design/dossier-lifecycle.md for the state machine.

Statuses and channels use the national portal's codes (1–10 and 1/2/3), so a dossier syncs without translation.
Time is kept as moments (UTC in the database): ``processing_start`` and ``appointment_at`` are computed with
``lib.workdays``; ``paused_hours`` is the working time spent waiting for the applicant, added to the appointment.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from smartcity.agencies.models import Agency
from smartcity.places.models import Unit
from smartcity.population.models import Citizen
from smartcity.procedures.models import Procedure, ProcedureVersion


class Channel(models.IntegerChoices):
    ONLINE = 1, "Trực tuyến"
    DESK = 2, "Trực tiếp tại bộ phận một cửa"
    POST = 3, "Qua dịch vụ bưu chính công ích"


class Status(models.IntegerChoices):
    NEW = 1, "Mới đăng ký"
    RECEIVED = 2, "Được tiếp nhận"
    REFUSED = 3, "Không được tiếp nhận"
    PROCESSING = 4, "Đang xử lý"
    SUPPLEMENT = 5, "Yêu cầu bổ sung giấy tờ"
    AWAITING_PAYMENT = 6, "Yêu cầu thực hiện nghĩa vụ tài chính"
    WITHDRAWN = 7, "Công dân yêu cầu rút hồ sơ"
    STOPPED = 8, "Dừng xử lý"
    PROCESSED = 9, "Đã xử lý xong"
    RETURNED = 10, "Đã trả kết quả"


# The staff work queues, by name, with the label the pages show.
QUEUES = {"to_receive": "Chờ tiếp nhận", "to_process": "Đang xử lý", "due_soon": "Sắp đến hạn", "overdue": "Quá hạn"}


class DossierQuerySet(models.QuerySet["Dossier"]):
    def of_citizen(self, citizen_id: int) -> DossierQuerySet:
        return self.filter(applicant_id=citizen_id)

    def queue(self, name: str, *, now: object, soon: object) -> DossierQuerySet:
        """A staff work queue: to_receive, to_process, overdue, due_soon (appointment before ``soon``)."""
        running = [Status.RECEIVED, Status.PROCESSING]
        if name == "to_receive":
            return self.filter(status=Status.NEW)
        if name == "to_process":
            return self.filter(status__in=running)
        if name == "overdue":
            return self.filter(status__in=running, appointment_at__lt=now)
        if name == "due_soon":
            return self.filter(status__in=running, appointment_at__gte=now, appointment_at__lt=soon)
        raise ValueError(name)


# The tracking secret printed on the receipt: dossier codes (<agency>-<YYMMDD>-<NNNN>) are a walkable sequence, so
# anonymous tracking needs this too. 8 characters of 31 (no 0/O, 1/I/L): about 40 bits, read aloud without mistakes.
TRACKING_SECRET_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
TRACKING_SECRET_LENGTH = 8


def new_tracking_secret() -> str:
    return "".join(secrets.choice(TRACKING_SECRET_ALPHABET) for _ in range(TRACKING_SECRET_LENGTH))


def _result_to(instance: Dossier, filename: str) -> str:
    return f"results/{instance.submitted_at:%Y/%m}/{instance.pk}/{filename}"


class ActingFor(models.TextChoices):
    """Whom the applicant submits for. The applicant's own fields always come from their verified identity; when the
    dossier concerns someone else, the relationship is said here and shown to the officer."""

    SELF = "self", "Bản thân"
    CHILD = "child", "Con chưa thành niên"
    WARD = "ward", "Người được giám hộ"
    AUTHORIZED = "authorized", "Người ủy quyền (có văn bản ủy quyền)"


class Dossier(models.Model):
    code = models.CharField("mã hồ sơ", max_length=40, unique=True)
    # Printed on the receipt and shown to the applicant; anonymous tracking needs it with the code. Rows written
    # around the ORM (bulk loads) get "" from the database and cannot be tracked anonymously.
    tracking_secret = models.CharField("mã bí mật tra cứu", max_length=12, blank=True, default=new_tracking_secret,
                                       db_default="")
    procedure = models.ForeignKey(Procedure, verbose_name="thủ tục", on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(ProcedureVersion, verbose_name="phiên bản thủ tục", on_delete=models.PROTECT,
                                related_name="+")
    applicant = models.ForeignKey(Citizen, verbose_name="người nộp", on_delete=models.PROTECT,
                                  related_name="dossiers")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="tài khoản nộp", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    acting_for = models.CharField("nộp cho", max_length=12, choices=ActingFor.choices, default=ActingFor.SELF)
    represented_name = models.CharField("họ tên người được đại diện", max_length=120, blank=True)
    represented_id_number = models.CharField("số định danh người được đại diện", max_length=12, blank=True)
    # The agency handling the dossier now; where it was lodged stays in ``receiving_agency``.
    agency = models.ForeignKey(Agency, verbose_name="cơ quan xử lý", on_delete=models.PROTECT, related_name="+")
    receiving_agency = models.ForeignKey(Agency, verbose_name="nơi tiếp nhận", on_delete=models.PROTECT,
                                         related_name="+")
    unit = models.ForeignKey(Unit, verbose_name="địa bàn", on_delete=models.PROTECT, related_name="+")
    channel = models.PositiveSmallIntegerField("kênh nộp", choices=Channel.choices)
    status = models.PositiveSmallIntegerField("trạng thái", choices=Status.choices, default=Status.NEW)
    data = models.JSONField("nội dung tờ khai", default=dict)
    step = models.PositiveSmallIntegerField("bước hiện tại", default=0)
    # Who works the current step, chosen from the handling agency's members when the dossier is assigned or
    # forwarded (``services.assign_to``); empty: anyone of the step's role in the agency.
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người xử lý bước hiện tại", null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField("thời điểm nộp")
    received_at = models.DateTimeField("thời điểm tiếp nhận", null=True, blank=True)
    processing_start = models.DateTimeField("bắt đầu tính thời hạn", null=True, blank=True)
    appointment_at = models.DateTimeField("ngày hẹn trả", null=True, blank=True)
    # The current workflow step's own deadline, from its time share, so a late dossier shows which step (and so
    # which agency) made it late.
    step_due_at = models.DateTimeField("hạn của bước hiện tại", null=True, blank=True)
    paused_since = models.DateTimeField("tạm dừng từ", null=True, blank=True)
    paused_hours = models.FloatField("thời gian tạm dừng (giờ làm việc)", default=0)
    supplement_count = models.PositiveSmallIntegerField("số lần yêu cầu bổ sung", default=0)
    extended = models.BooleanField("đã gia hạn", default=False)
    finished_at = models.DateTimeField("thời điểm xử lý xong", null=True, blank=True)
    returned_at = models.DateTimeField("thời điểm trả kết quả", null=True, blank=True)
    # What the scorecard (Decision 766) counts: fees owed and paid online, a digitally signed result that landed in
    # the applicant's document store, documents reused from that store instead of uploaded.
    fee_due = models.PositiveIntegerField("nghĩa vụ tài chính (đồng)", default=0)
    # Where the dossier goes back to once the financial obligation is met (it waits in status 6 meanwhile).
    resume_status = models.PositiveSmallIntegerField("trạng thái sau khi nộp phí", null=True, blank=True,
                                                     choices=Status.choices)
    paid_online = models.BooleanField("đã thanh toán trực tuyến", default=False)
    result = models.FileField("kết quả điện tử", upload_to=_result_to, blank=True)
    result_signed = models.BooleanField("có kết quả điện tử ký số", default=False)
    result_stored = models.BooleanField("kết quả đã lưu vào kho dữ liệu", default=False)
    reused_documents = models.PositiveSmallIntegerField("số giấy tờ dùng lại từ kho dữ liệu", default=0)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        indexes = [
            models.Index(fields=["agency", "status"]),
            models.Index(fields=["applicant", "submitted_at"]),
            models.Index(fields=["received_at"]),
            models.Index(fields=["finished_at"]),  # the period's finished dossiers (statistics, ratings)
        ]

    def __str__(self) -> str:
        return self.code


class DailyCounter(models.Model):
    """The per-agency, per-day sequence of dossier codes (``<agency>-<YYMMDD>-<NNNN>``)."""

    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="+")
    day = models.DateField("ngày")
    last = models.PositiveIntegerField("số thứ tự cuối", default=0)

    class Meta:
        verbose_name = "bộ đếm mã hồ sơ theo ngày"
        verbose_name_plural = "bộ đếm mã hồ sơ theo ngày"
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="dossier_counter_day")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}: {self.last}"


def _upload_to(instance: DossierFile, filename: str) -> str:
    return f"dossiers/{instance.dossier.submitted_at:%Y/%m}/{instance.dossier_id}/{instance.sha256[:16]}"


class DossierFile(models.Model):
    dossier = models.ForeignKey(Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="files")
    field = models.CharField("trường", max_length=60)
    file = models.FileField("tệp", upload_to=_upload_to)
    original_name = models.CharField("tên tệp", max_length=255)
    content_type = models.CharField("kiểu tệp", max_length=100)
    size = models.PositiveIntegerField("dung lượng (byte)")
    sha256 = models.CharField("mã băm SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("thời điểm tải lên", auto_now_add=True)

    class Meta:
        verbose_name = "tệp đính kèm"
        verbose_name_plural = "tệp đính kèm"

    def __str__(self) -> str:
        return self.original_name


class Event(models.Model):
    """One row of the dossier's history (the process-control slip is printed from these)."""

    dossier = models.ForeignKey(Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("thời điểm")
    operation = models.CharField("thao tác", max_length=30)
    from_status = models.PositiveSmallIntegerField("từ trạng thái", null=True, choices=Status.choices)
    to_status = models.PositiveSmallIntegerField("sang trạng thái", choices=Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người thực hiện", null=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_agency = models.ForeignKey(Agency, verbose_name="cơ quan thực hiện", null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    step = models.PositiveSmallIntegerField("bước", default=0)
    step_due_at = models.DateTimeField("hạn của bước", null=True, blank=True)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "lịch sử xử lý"
        verbose_name_plural = "lịch sử xử lý"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.operation}"


class Satisfaction(models.IntegerChoices):
    """The three levels the national portal asks for."""

    VERY_SATISFIED = 1, "Rất hài lòng"
    SATISFIED = 2, "Hài lòng"
    DISSATISFIED = 3, "Không hài lòng"


# The nine indicators of the national evaluation of how a dossier was handled (Decree 61/2018/NĐ-CP and Circular
# 01/2018/TT-VPCP), each worth 0–2 points, 18 in all. What each level means, where we found it (1–7); for 8 and 9
# only the indicator's name was confirmed, so their levels read good / met / not met.
INDICATORS: list[tuple[str, tuple[str, str, str]]] = [
    ("Tổng thời gian giải quyết so với quy định",
     ("Dài hơn thời gian quy định", "Đúng thời gian quy định", "Ngắn hơn thời gian quy định")),
    ("Thời gian thực hiện của từng cơ quan, đơn vị tham gia giải quyết",
     ("Dài hơn thời gian quy định", "Đúng thời gian quy định", "Ngắn hơn thời gian quy định")),
    ("Số lần phải liên hệ với nơi tiếp nhận để hoàn thiện hồ sơ",
     ("Nhiều hơn một lần", "Một lần", "Không phải liên hệ")),
    ("Số cơ quan, đơn vị phải liên hệ để hoàn thiện hồ sơ",
     ("Nhiều hơn một cơ quan", "Chỉ Bộ phận Một cửa", "Không phải liên hệ")),
    ("Tiếp nhận, giải quyết, trả kết quả tại Bộ phận Một cửa",
     ("Phải đến nơi khác", "Tiếp nhận và trả kết quả tại Bộ phận Một cửa",
      "Được giải quyết ngay tại Bộ phận Một cửa")),
    ("Công khai thủ tục hành chính",
     ("Không được công khai đầy đủ", "Công khai tại nơi tiếp nhận hoặc trên mạng",
      "Công khai đầy đủ, đúng hạn cả tại nơi tiếp nhận và trên mạng")),
    ("Thái độ của cán bộ khi hướng dẫn, tiếp nhận, giải quyết hồ sơ",
     ("Có phiền hà, sách nhiễu", "Đúng mực, không phiền hà", "Nhiệt tình, chu đáo, giải quyết sớm")),
    ("Tiếp thu, giải trình ý kiến phản ánh, kiến nghị", ("Chưa đạt", "Đạt yêu cầu", "Tốt")),
    ("Tiến độ và chất lượng cung cấp dịch vụ công trực tuyến", ("Chưa đạt", "Đạt yêu cầu", "Tốt")),
]
MAX_POINTS = 2 * len(INDICATORS)


class Evaluation(models.Model):
    """The applicant's evaluation of a returned dossier: nine indicators of 0–2 points and the satisfaction level.
    ``total`` is kept beside the points so the statistics sum it in the database, and the dossier's finish time
    (``services.evaluate`` copies it; final, as no operation leads out of "result returned", the only status a
    dossier can be rated in) so a period's ratings are an index range of this table rather than a join from every
    dossier finished in the period."""

    dossier = models.OneToOneField(
        Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="evaluation",
    )
    dossier_finished_at = models.DateTimeField("thời điểm hồ sơ xử lý xong", null=True, db_index=True)
    at = models.DateTimeField("thời điểm đánh giá")
    points = models.JSONField("điểm từng chỉ số")  # nine integers, 0–2, in the order of INDICATORS
    total = models.PositiveSmallIntegerField("tổng điểm")
    satisfaction = models.PositiveSmallIntegerField("mức độ hài lòng", choices=Satisfaction.choices)
    comment = models.TextField("ý kiến", blank=True)

    class Meta:
        verbose_name = "đánh giá của người dân"
        verbose_name_plural = "đánh giá của người dân"

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.total}/{MAX_POINTS}"

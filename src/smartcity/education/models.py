"""Online school admission (tuyển sinh đầu cấp): rounds, schools and their quotas, families' applications, results.

A ``Round`` is one grade's admission in one school year. Grades 1 and 6 admit by residence (the child's residence
unit in the population registry decides which schools may be chosen); grade 10 admits by exam score (subjects with
coefficients, plus priority and bonus points) through ``education.allocation``. Scores are kept in hundredths of a
point as integers so ties are exact.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from smartcity.places.models import Unit


class School(models.Model):
    code = models.CharField("mã trường", max_length=20, unique=True)
    name = models.CharField("tên trường", max_length=200)
    unit = models.ForeignKey(Unit, verbose_name="địa bàn", on_delete=models.PROTECT, related_name="+")
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    # The residence units this school serves (grades 1 and 6: a child living there may choose it).
    serves = models.ManyToManyField(Unit, verbose_name="địa bàn tuyển sinh", blank=True, related_name="+")
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="cán bộ nhà trường", blank=True,
                                   related_name="schools")

    class Meta:
        verbose_name = "trường"
        verbose_name_plural = "trường"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Round(models.Model):
    class Kind(models.TextChoices):
        RESIDENCE = "residence", "Xét tuyển theo nơi cư trú"
        EXAM = "exam", "Thi tuyển"

    class Rule(models.TextChoices):
        DEFERRED_ACCEPTANCE = "deferred_acceptance", "Chấp nhận trì hoãn (theo điểm)"
        PREFERENCE_FIRST = "preference_first", "Ưu tiên nguyện vọng"

    class Status(models.TextChoices):
        OPEN = "open", "Đang nhận hồ sơ"
        ALLOCATED = "allocated", "Đã xét tuyển, chưa công bố"
        PUBLISHED = "published", "Đã công bố kết quả"

    school_year = models.CharField("năm học", max_length=9)  # "2026-2027"
    grade = models.PositiveSmallIntegerField("lớp", choices=[(1, "Lớp 1"), (6, "Lớp 6"), (10, "Lớp 10")])
    kind = models.CharField("hình thức", max_length=10, choices=Kind.choices)
    name = models.CharField("tên đợt", max_length=200)
    opens_at = models.DateTimeField("mở nhận hồ sơ")
    closes_at = models.DateTimeField("khóa hồ sơ")
    max_choices = models.PositiveSmallIntegerField("số nguyện vọng tối đa", default=3)
    # [{"code": "toan", "name": "Toán", "coefficient": 2}, ...]; each subject scored 0..max_subject_score.
    subjects = models.JSONField("môn thi và hệ số", default=list, blank=True)
    max_subject_score = models.DecimalField("điểm tối đa mỗi môn", max_digits=5, decimal_places=2, default=10)
    max_priority_points = models.DecimalField("điểm ưu tiên, khuyến khích tối đa", max_digits=5, decimal_places=2,
                                              default=3)
    rule = models.CharField("quy tắc xét tuyển", max_length=20, choices=Rule.choices,
                            default=Rule.DEFERRED_ACCEPTANCE)
    margin = models.DecimalField("chênh lệch nguyện vọng sau", max_digits=4, decimal_places=2, default=0)
    tie_break = models.CharField("quy tắc khi bằng điểm", max_length=500,
                                 default="Điểm ưu tiên cao hơn, rồi số thứ tự bốc thăm công khai nhỏ hơn")
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.OPEN)
    published_at = models.DateTimeField("công bố lúc", null=True, blank=True)
    appeal_deadline = models.DateTimeField("hạn phúc khảo", null=True, blank=True)
    statistics = models.JSONField("thống kê", default=dict, blank=True)

    class Meta:
        verbose_name = "đợt tuyển sinh"
        verbose_name_plural = "đợt tuyển sinh"
        ordering = ["-school_year", "grade"]
        constraints = [models.UniqueConstraint(fields=["school_year", "grade"], name="education_round_year_grade")]

    def __str__(self) -> str:
        return self.name

    @property
    def choice_ranks(self) -> range:
        return range(1, self.max_choices + 1)


class Quota(models.Model):
    """A school's seats in a round, and its cut-off once allocated."""

    round = models.ForeignKey(Round, verbose_name="đợt", on_delete=models.CASCADE, related_name="quotas")
    school = models.ForeignKey(School, verbose_name="trường", on_delete=models.PROTECT, related_name="quotas")
    seats = models.PositiveIntegerField("chỉ tiêu")
    admitted = models.PositiveIntegerField("đã trúng tuyển", default=0)
    cutoff = models.IntegerField("điểm chuẩn (phần trăm điểm)", null=True, blank=True)
    differs = models.PositiveIntegerField("số học sinh hai quy tắc xếp khác", default=0)

    class Meta:
        verbose_name = "chỉ tiêu"
        verbose_name_plural = "chỉ tiêu"
        constraints = [models.UniqueConstraint(fields=["round", "school"], name="education_quota_round_school")]

    def __str__(self) -> str:
        return f"{self.school} · {self.seats}"


class Application(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Đã nộp"
        ADMITTED = "admitted", "Trúng tuyển"
        NOT_ADMITTED = "not_admitted", "Không trúng tuyển"

    code = models.CharField("mã hồ sơ", max_length=20, unique=True)
    round = models.ForeignKey(Round, verbose_name="đợt", on_delete=models.PROTECT, related_name="applications")
    child = models.ForeignKey("population.Citizen", verbose_name="học sinh", on_delete=models.PROTECT,
                              related_name="+")
    # Who submitted it online; empty for an application the department entered (paper desk, imports).
    parent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="phụ huynh nộp", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="admission_applications")
    status = models.CharField("trạng thái", max_length=15, choices=Status.choices, default=Status.SUBMITTED)
    # Exam scores per subject code in hundredths ({"toan": 775}), entered by the department.
    scores = models.JSONField("điểm thi", default=dict, blank=True)
    priority_points = models.IntegerField("điểm ưu tiên, khuyến khích (phần trăm điểm)", default=0)
    composite = models.IntegerField("điểm xét tuyển (phần trăm điểm)", null=True, blank=True)
    lottery = models.PositiveIntegerField("số bốc thăm")
    school = models.ForeignKey(School, verbose_name="trúng tuyển", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="admitted")
    admitted_choice = models.PositiveSmallIntegerField("nguyện vọng trúng tuyển", null=True, blank=True)
    explanation = models.JSONField("giải thích", default=list, blank=True)
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)
    updated_at = models.DateTimeField("thời điểm cập nhật", auto_now=True)

    class Meta:
        verbose_name = "hồ sơ tuyển sinh"
        verbose_name_plural = "hồ sơ tuyển sinh"
        constraints = [models.UniqueConstraint(fields=["round", "child"], name="education_application_once")]

    def __str__(self) -> str:
        return self.code


class Choice(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="choices", verbose_name="hồ sơ tuyển sinh")
    rank = models.PositiveSmallIntegerField("nguyện vọng")  # 1, 2, 3
    school = models.ForeignKey(School, verbose_name="trường", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "nguyện vọng"
        verbose_name_plural = "nguyện vọng"
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["application", "rank"], name="education_choice_rank"),
            models.UniqueConstraint(fields=["application", "school"], name="education_choice_school"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.school}"


class Appeal(models.Model):
    application = models.ForeignKey(Application, verbose_name="hồ sơ", on_delete=models.CASCADE,
                                    related_name="appeals")
    reason = models.TextField("nội dung")
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)

    class Meta:
        verbose_name = "đơn phúc khảo"
        verbose_name_plural = "đơn phúc khảo"

    def __str__(self) -> str:
        return f"{self.application} ({self.created_at:%Y-%m-%d})"


class Grade(models.Model):
    """One mark in a pupil's gradebook (sổ điểm), entered by the school's staff; the family reads it (sổ liên lạc)."""

    school = models.ForeignKey(School, verbose_name="trường", on_delete=models.PROTECT, related_name="grades")
    pupil = models.ForeignKey("population.Citizen", verbose_name="học sinh", on_delete=models.PROTECT,
                              related_name="+")
    school_year = models.CharField("năm học", max_length=9)
    term = models.PositiveSmallIntegerField("học kỳ", choices=[(1, "Học kỳ I"), (2, "Học kỳ II")])
    subject = models.CharField("môn", max_length=60)
    score = models.PositiveSmallIntegerField("điểm (phần trăm điểm)")  # 0..1000
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người nhập", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField("thời điểm ghi", auto_now_add=True)

    class Meta:
        verbose_name = "điểm"
        verbose_name_plural = "sổ điểm"
        ordering = ["school_year", "term", "subject", "recorded_at"]
        indexes = [models.Index(fields=["pupil", "school_year"], name="education_grade_pupil_year")]

    def __str__(self) -> str:
        return f"{self.subject} {self.score / 100}"

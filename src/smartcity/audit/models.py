"""Audit entries, chained: each stores the chain value of the one before it, so an edit or a deletion shows.

``hash = HMAC-SHA256(key, prev_hash ‖ canonical JSON of the entry's fields)`` with a key kept outside the database
(``chain``); ``key_id`` names the key (empty: an entry of the old unkeyed SHA-256 chain, not yet converted).
``seq`` runs 1, 2, 3… without gaps, so a deleted entry is named by the number that is missing, and an edited one by
the value that no longer matches; checkpoints outside the database (``checkpoints``) catch a cut tail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from smartcity.audit import chain
from smartcity.audit.chain import GENESIS

__all__ = ["GENESIS", "Action", "Entry"]


class Action(models.TextChoices):
    READ = "read", "Xem"
    EXPORT = "export", "Xuất dữ liệu"
    CREATE = "create", "Tạo mới"
    UPDATE = "update", "Cập nhật"
    DELETE = "delete", "Xóa"
    SIGN_IN = "sign_in", "Đăng nhập"
    SIGN_IN_FAILED = "sign_in_failed", "Đăng nhập thất bại"
    LOCKED = "locked", "Khóa tài khoản"
    STATE = "state", "Chuyển trạng thái"


class EntryQuerySet(models.QuerySet["Entry"]):
    def reads_of_person(self, person_id: int) -> EntryQuerySet:
        """What a citizen sees on "Who accessed my data": reads and exports of their record by someone else."""
        return (
            self.filter(person_id=person_id, action__in=[Action.READ, Action.EXPORT])
            .exclude(actor_person_id=person_id)
            .order_by("-at")
        )


class Entry(models.Model):
    seq = models.PositiveBigIntegerField("số thứ tự", unique=True)
    at = models.DateTimeField("thời điểm", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người thực hiện", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    actor_label = models.CharField("người thực hiện (tên)", max_length=200, blank=True)
    actor_role = models.CharField("vai trò", max_length=60, blank=True)
    actor_agency = models.CharField("cơ quan", max_length=200, blank=True)
    actor_person_id = models.BigIntegerField("công dân thực hiện", null=True, blank=True)
    action = models.CharField("hành động", max_length=20, choices=Action.choices)
    subject_type = models.CharField("loại đối tượng", max_length=60)
    subject_id = models.CharField("đối tượng", max_length=64, blank=True)
    # The citizen (population.Citizen id) whose personal data this entry is about, for "who accessed my data".
    person_id = models.BigIntegerField("công dân liên quan", null=True, blank=True, db_index=True)
    purpose = models.CharField("mục đích", max_length=300, blank=True)
    detail = models.JSONField("chi tiết", default=dict, blank=True)
    ip = models.GenericIPAddressField("địa chỉ IP", null=True, blank=True)
    prev_hash = models.CharField("mã băm của bản ghi trước", max_length=64)
    hash = models.CharField("mã băm", max_length=64)
    # The chain key (its id in AUDIT_CHAIN_KEYS) the value was made with; empty for the old unkeyed rule.
    key_id = models.CharField("khóa chuỗi", max_length=40, blank=True, default="")

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = "bản ghi nhật ký"
        verbose_name_plural = "nhật ký truy cập"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M} {self.action} {self.subject_type}:{self.subject_id}"

    def payload(self) -> dict[str, object]:
        return chain.payload(self)

    def compute_hash(self) -> str:
        """The value this entry must carry after its ``prev_hash``; ``KeyError`` if its key is not configured."""
        return chain.value_of(self)

"""Outbox messages. A message is written in the same transaction as the change it tells about, and delivered
afterwards by ``services.deliver_due`` (a command or task), so a failed delivery never undoes the change and a crash
never loses the message."""

from __future__ import annotations

from django.db import models


class Message(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        SENT = "sent", "Đã gửi"
        FAILED = "failed", "Gửi không thành công"

    channel = models.CharField("kênh", max_length=20)
    recipient = models.CharField("người nhận", max_length=254)
    subject = models.CharField("tiêu đề", max_length=200)
    body = models.TextField("nội dung")
    person_id = models.BigIntegerField("công dân", null=True, blank=True, db_index=True)
    state = models.CharField("trạng thái", max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField("số lần gửi", default=0)
    next_attempt_at = models.DateTimeField("lần gửi tiếp theo", db_index=True)
    last_error = models.CharField("lỗi gần nhất", max_length=300, blank=True)
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)
    sent_at = models.DateTimeField("thời điểm gửi", null=True, blank=True)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}: {self.subject}"

"""A stored document belongs to one citizen; a share link gives others a time-limited look at it.

Share tokens are random and only their SHA-256 is stored, so a database dump cannot be turned into working links.
"""

from __future__ import annotations

from django.db import models

from smartcity.agencies.models import Agency
from smartcity.population.models import Citizen


def _upload_to(instance: Document, filename: str) -> str:
    return f"vault/{instance.owner_id}/{instance.sha256[:24]}.pdf"


class Document(models.Model):
    class Kind(models.TextChoices):
        RESULT = "result", "Kết quả giải quyết thủ tục"
        UPLOAD = "upload", "Giấy tờ người dân tải lên"

    owner = models.ForeignKey(Citizen, verbose_name="chủ sở hữu", on_delete=models.CASCADE,
                              related_name="documents")
    kind = models.CharField("loại", max_length=10, choices=Kind.choices)
    title = models.CharField("tên giấy tờ", max_length=300)
    issuer = models.ForeignKey(Agency, verbose_name="cơ quan cấp", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField("thời điểm cấp")
    reference = models.CharField("hồ sơ nguồn", max_length=40, blank=True)  # the dossier code that produced it
    procedure_code = models.CharField("mã thủ tục", max_length=20, blank=True)
    file = models.FileField("tệp", upload_to=_upload_to)
    size = models.PositiveIntegerField("kích thước (byte)")
    sha256 = models.CharField("mã băm SHA-256", max_length=64)
    signed = models.BooleanField("có chữ ký số", default=False)
    created_at = models.DateTimeField("thời điểm lưu vào kho", auto_now_add=True)

    class Meta:
        verbose_name = "giấy tờ trong kho"
        verbose_name_plural = "giấy tờ trong kho"
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def download_name(self) -> str:
        return f"{self.reference or 'giay-to'}.pdf"


class ShareLink(models.Model):
    document = models.ForeignKey(Document, verbose_name="giấy tờ", on_delete=models.CASCADE, related_name="shares")
    token_sha256 = models.CharField("mã băm của liên kết", max_length=64, unique=True)
    created_at = models.DateTimeField("thời điểm tạo")
    expires_at = models.DateTimeField("hết hạn")
    # When set, only signed-in staff of this agency may open the link; otherwise anyone holding it.
    recipient = models.ForeignKey(Agency, verbose_name="cơ quan được xem", null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="+")
    revoked_at = models.DateTimeField("thời điểm thu hồi", null=True, blank=True)
    opened = models.PositiveIntegerField("số lần mở", default=0)

    class Meta:
        verbose_name = "liên kết chia sẻ"
        verbose_name_plural = "liên kết chia sẻ"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.expires_at:%Y-%m-%d %H:%M}"

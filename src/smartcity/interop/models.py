"""Data sharing with other agencies' systems and the national public-service portal.

* ``ClientSystem`` — an outside (or the city's own) system registered to call us with OAuth 2.0 client credentials;
  ``Grant`` says which published ``DataService`` it may call and for which purposes.
* ``AccessToken`` — short-lived bearer tokens, stored only as their SHA-256 (a database leak yields no usable token);
  ``UsedAssertion`` — the ``jti`` of each private_key_jwt client assertion, so a replayed assertion is refused.
* ``Consent`` — a citizen's consent to a service that needs one; withdrawing sets ``withdrawn_at`` and the next call
  is refused (the gateway reads it on every call, nothing is cached).
* ``CallLog`` — every gateway call, answered or refused (caller, service, subject, purpose, time, request id); the
  answered ones are also written to the audit chain so they appear on "Ai đã xem dữ liệu của tôi".
* ``Outbox`` / ``DossierSync`` — the national portal connector's outbox (idempotency key unique: a retry never makes
  a second message) and the sync state of each dossier.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from smartcity.agencies.models import Agency
from smartcity.population.models import Citizen


class AuthMethod(models.TextChoices):
    SECRET_BASIC = "client_secret_basic", "Mật khẩu ứng dụng (HTTP Basic)"
    SECRET_POST = "client_secret_post", "Mật khẩu ứng dụng (trong thân yêu cầu)"
    PRIVATE_KEY_JWT = "private_key_jwt", "Khóa riêng (JWT ký số)"


class DataService(models.Model):
    code = models.SlugField("mã dịch vụ", max_length=60, unique=True)
    name = models.CharField("tên dịch vụ", max_length=200)
    purposes = models.JSONField("mục đích được phép", default=list,
                                help_text="Danh sách mã mục đích, ví dụ [\"dossier-processing\"]")
    needs_consent = models.BooleanField("cần sự đồng ý của công dân", default=False)
    description = models.TextField("mô tả", blank=True)
    is_active = models.BooleanField("đang cung cấp", default=True)

    class Meta:
        verbose_name = "dịch vụ dữ liệu"
        verbose_name_plural = "dịch vụ dữ liệu"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ClientSystem(models.Model):
    client_id = models.SlugField("mã ứng dụng (client_id)", max_length=80, unique=True)
    name = models.CharField("tên hệ thống", max_length=200)
    agency = models.ForeignKey(Agency, verbose_name="cơ quan", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    agency_name = models.CharField("cơ quan (tên hiển thị)", max_length=200,
                                   help_text="Tên cơ quan người dân thấy trong trang ai đã xem dữ liệu")
    auth_method = models.CharField("cách xác thực", max_length=30, choices=AuthMethod.choices,
                                   default=AuthMethod.SECRET_BASIC)
    secret_hash = models.CharField("băm mật khẩu ứng dụng", max_length=64, blank=True)
    jwks = models.JSONField("khóa công khai (JWKS)", default=dict, blank=True)
    # Scopes of the e-government API this client's tokens may carry ("api.read", "api.write"); acting as
    # ``service_user``, whose own permissions still apply.
    api_scopes = models.JSONField("phạm vi API chính quyền điện tử", default=list, blank=True)
    service_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="tài khoản thực hiện", null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField("đang hoạt động", default=True)
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)

    class Meta:
        verbose_name = "hệ thống kết nối"
        verbose_name_plural = "hệ thống kết nối"
        ordering = ["client_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"


class Grant(models.Model):
    client = models.ForeignKey(ClientSystem, verbose_name="hệ thống", on_delete=models.CASCADE, related_name="grants")
    service = models.ForeignKey(DataService, verbose_name="dịch vụ", on_delete=models.CASCADE, related_name="grants")
    purposes = models.JSONField("mục đích", default=list)

    class Meta:
        verbose_name = "quyền gọi dịch vụ"
        verbose_name_plural = "quyền gọi dịch vụ"
        constraints = [models.UniqueConstraint(fields=["client", "service"], name="interop_grant_once")]

    def __str__(self) -> str:
        return f"{self.client_id} → {self.service_id}"


class AccessToken(models.Model):
    token_hash = models.CharField("mã băm của mã truy cập", max_length=64, unique=True)
    client = models.ForeignKey(ClientSystem, on_delete=models.CASCADE, related_name="+", verbose_name="hệ thống kết nối")
    scopes = models.JSONField("phạm vi", default=list)
    issued_at = models.DateTimeField("thời điểm cấp")
    expires_at = models.DateTimeField("thời điểm hết hạn", db_index=True)
    revoked_at = models.DateTimeField("thời điểm thu hồi", null=True, blank=True)

    class Meta:
        verbose_name = "mã truy cập"
        verbose_name_plural = "mã truy cập"

    def __str__(self) -> str:
        return f"{self.client_id} {self.expires_at:%Y-%m-%d %H:%M}"


class UsedAssertion(models.Model):
    client = models.ForeignKey(ClientSystem, on_delete=models.CASCADE, related_name="+", verbose_name="hệ thống kết nối")
    jti = models.CharField("mã định danh xác nhận (jti)", max_length=200)
    expires_at = models.DateTimeField("thời điểm hết hạn", db_index=True)

    class Meta:
        verbose_name = "xác nhận đã dùng"
        verbose_name_plural = "xác nhận đã dùng"
        constraints = [models.UniqueConstraint(fields=["client", "jti"], name="interop_assertion_once")]

    def __str__(self) -> str:
        return self.jti


class Consent(models.Model):
    citizen = models.ForeignKey(Citizen, verbose_name="công dân", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(DataService, verbose_name="dịch vụ", on_delete=models.CASCADE, related_name="+")
    given_at = models.DateTimeField("đồng ý lúc")
    withdrawn_at = models.DateTimeField("rút lại lúc", null=True, blank=True)

    class Meta:
        verbose_name = "sự đồng ý"
        verbose_name_plural = "sự đồng ý"
        ordering = ["-given_at"]
        constraints = [models.UniqueConstraint(fields=["citizen", "service"], condition=Q(withdrawn_at__isnull=True),
                                               name="interop_one_live_consent")]

    def __str__(self) -> str:
        return f"{self.citizen_id} {self.service_id}"


class Outcome(models.TextChoices):
    ANSWERED = "answered", "Đã trả lời"
    NOT_REGISTERED = "not_registered", "Chưa đăng ký dịch vụ"
    PURPOSE = "purpose", "Mục đích không được phép"
    NO_CONSENT = "no_consent", "Chưa có sự đồng ý"
    NOT_FOUND = "not_found", "Không tìm thấy"


class CallLog(models.Model):
    client = models.ForeignKey(ClientSystem, verbose_name="bên gọi", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(DataService, verbose_name="dịch vụ", on_delete=models.PROTECT, related_name="+")
    person_id = models.BigIntegerField("công dân", null=True, blank=True, db_index=True)
    purpose = models.CharField("mục đích", max_length=60)
    at = models.DateTimeField("thời điểm", db_index=True)
    request_id = models.CharField("mã yêu cầu", max_length=64)
    outcome = models.CharField("kết quả", max_length=20, choices=Outcome.choices)

    class Meta:
        verbose_name = "nhật ký gọi dịch vụ"
        verbose_name_plural = "nhật ký gọi dịch vụ"
        ordering = ["-at"]
        # A request id is used once per client: a replayed request is refused, never answered twice.
        constraints = [models.UniqueConstraint(fields=["client", "request_id"], name="interop_request_once")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.outcome}"


class SyncState(models.TextChoices):
    PENDING = "pending", "Chờ gửi"
    SYNCED = "synced", "Đã đồng bộ"
    FAILED = "failed", "Lỗi"


class Outbox(models.Model):
    """One message to the national portal; ``idempotency_key`` is sent as a header and is unique here."""

    idempotency_key = models.CharField("khóa chống gửi trùng", max_length=120, unique=True)
    dossier_code = models.CharField("mã hồ sơ", max_length=40, db_index=True)
    kind = models.CharField("loại", max_length=20)  # dossier | status
    payload = models.JSONField("nội dung gửi")
    state = models.CharField("trạng thái", max_length=10, choices=SyncState.choices, default=SyncState.PENDING)
    attempts = models.PositiveSmallIntegerField("số lần gửi", default=0)
    next_attempt_at = models.DateTimeField("lần gửi tiếp theo", db_index=True)
    last_error = models.CharField("lỗi gần nhất", max_length=300, blank=True)
    created_at = models.DateTimeField("thời điểm tạo")
    sent_at = models.DateTimeField("thời điểm đã gửi", null=True, blank=True)

    class Meta:
        verbose_name = "thư đi cổng quốc gia"
        verbose_name_plural = "hộp thư đi cổng quốc gia"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.idempotency_key


class DossierSync(models.Model):
    dossier_code = models.CharField("mã hồ sơ", max_length=40, unique=True)
    last_event_id = models.BigIntegerField("sự kiện đã xếp hàng", default=0)
    state = models.CharField("trạng thái", max_length=10, choices=SyncState.choices, default=SyncState.PENDING)
    synced_at = models.DateTimeField("thời điểm đồng bộ", null=True, blank=True)
    last_error = models.CharField("lỗi gần nhất", max_length=300, blank=True)

    class Meta:
        verbose_name = "đồng bộ hồ sơ"
        verbose_name_plural = "đồng bộ hồ sơ"

    def __str__(self) -> str:
        return f"{self.dossier_code} {self.state}"


class EdocStatus(models.TextChoices):
    """Tracking statuses of an electronic document between agencies (QCVN 102:2016 status messages)."""

    SENT = "sent", "Đã gửi"
    RECEIVED = "received", "Đã nhận"
    PROCESSING = "processing", "Đang xử lý"
    DONE = "done", "Đã xử lý xong"
    RETURNED = "returned", "Trả lại"


class EdocMessage(models.Model):
    """One edXML package as one agency holds it: sent (``direction`` out) or received (in). On one platform both
    agencies' rows exist, with the same ``document_id``; the receiver's status changes are reported to the sender's
    row."""

    class Direction(models.TextChoices):
        OUT = "out", "Văn bản đi"
        IN = "in", "Văn bản đến"

    document_id = models.CharField("mã văn bản", max_length=64)
    direction = models.CharField("chiều", max_length=3, choices=Direction.choices)
    agency = models.ForeignKey(Agency, verbose_name="cơ quan giữ", on_delete=models.PROTECT, related_name="+")
    from_code = models.CharField("cơ quan gửi", max_length=20)
    to_code = models.CharField("cơ quan nhận", max_length=20)
    notation = models.CharField("số, ký hiệu", max_length=60)
    subject = models.CharField("trích yếu", max_length=500)
    package = models.BinaryField("gói edXML")
    status = models.CharField("trạng thái", max_length=12, choices=EdocStatus.choices, default=EdocStatus.SENT)
    last_error = models.CharField("lỗi gần nhất", max_length=300, blank=True)
    created_at = models.DateTimeField("thời điểm tạo")
    updated_at = models.DateTimeField("thời điểm cập nhật")

    class Meta:
        verbose_name = "văn bản điện tử liên thông"
        verbose_name_plural = "văn bản điện tử liên thông"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["document_id", "direction", "agency"],
                                               name="interop_edoc_once_per_holder")]

    def __str__(self) -> str:
        return f"{self.notation} {self.direction} {self.status}"


class EdocEvent(models.Model):
    message = models.ForeignKey(EdocMessage, on_delete=models.CASCADE, related_name="events", verbose_name="văn bản")
    status = models.CharField("trạng thái", max_length=12, choices=EdocStatus.choices)
    at = models.DateTimeField("thời điểm")
    note = models.CharField("ghi chú", max_length=300, blank=True)

    class Meta:
        verbose_name = "sự kiện văn bản điện tử"
        verbose_name_plural = "sự kiện văn bản điện tử"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.status} {self.at:%Y-%m-%d %H:%M}"

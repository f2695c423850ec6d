"""Payments of fees (phí, lệ phí), their attempts at the gateway, reconciliations, and the sandbox gateway's books.

A ``Payment`` is what someone owes for something (a dossier code in ``reference``, a ``purpose``) at a ``stage``; it
moves through an explicit state machine (``TRANSITIONS``). Each trip to the gateway is an ``Attempt`` with its own
``txn_ref`` (vnp_TxnRef), because a gateway never reuses an order reference: a payer whose card was refused tries
again under a new one. ``SandboxTransaction`` is the other side's ledger: the sandbox gateway's own record of what it
was asked and what it answered, which its daily report and status API read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from smartcity.agencies.models import Agency
from smartcity.lib import formats
from smartcity.population.models import Citizen


class Stage(models.TextChoices):
    """When the fee is asked for (the caller says)."""

    RECEIPT = "receipt", "Khi tiếp nhận hồ sơ"
    SUPPLEMENT = "supplement", "Khi bổ sung hồ sơ"
    RETURN = "return", "Khi trả kết quả"


class State(models.TextChoices):
    CREATED = "created", "Chờ thanh toán"
    PENDING = "pending", "Đang thanh toán"
    SUCCEEDED = "succeeded", "Đã thanh toán"
    FAILED = "failed", "Thanh toán không thành công"
    CANCELLED = "cancelled", "Đã hủy"
    REFUNDED = "refunded", "Đã hoàn tiền"


# The only moves a payment makes. PENDING → PENDING is a new attempt after the previous one expired; FAILED →
# SUCCEEDED is a late, verified word from the gateway that an earlier attempt was paid after all.
TRANSITIONS: dict[str, frozenset[str]] = {
    State.CREATED: frozenset({State.PENDING, State.CANCELLED}),
    State.PENDING: frozenset({State.PENDING, State.SUCCEEDED, State.FAILED, State.CANCELLED}),
    State.FAILED: frozenset({State.PENDING, State.SUCCEEDED, State.CANCELLED}),
    State.SUCCEEDED: frozenset({State.REFUNDED}),
    State.CANCELLED: frozenset(),
    State.REFUNDED: frozenset(),
}
# While a payment is in one of these states, no other payment may be asked for the same reference and stage.
OPEN_STATES = (State.CREATED, State.PENDING, State.FAILED, State.SUCCEEDED)


class PaymentQuerySet(models.QuerySet["Payment"]):
    def of_reference(self, reference: str) -> PaymentQuerySet:
        return self.filter(reference=reference).order_by("created_at")


class Payment(models.Model):
    code = models.CharField("mã thanh toán", max_length=20, unique=True)
    reference = models.CharField("mã đối tượng thanh toán", max_length=64, db_index=True)
    purpose = models.CharField("nội dung", max_length=300)
    stage = models.CharField("thời điểm thu", max_length=12, choices=Stage.choices)
    payer = models.ForeignKey(Citizen, verbose_name="người nộp", on_delete=models.PROTECT, related_name="+")
    payer_name = models.CharField("tên người nộp", max_length=200)
    agency = models.ForeignKey(Agency, verbose_name="đơn vị thu", on_delete=models.PROTECT, related_name="+")
    items = models.JSONField("các khoản phí, lệ phí", default=list)
    amount = models.PositiveBigIntegerField("số tiền (đồng)")
    state = models.CharField("trạng thái", max_length=10, choices=State.choices, default=State.CREATED)
    failure_reason = models.CharField("lý do không thành công", max_length=300, blank=True)
    created_at = models.DateTimeField("thời điểm yêu cầu", auto_now_add=True)
    updated_at = models.DateTimeField("thời điểm cập nhật", auto_now=True)
    paid_at = models.DateTimeField("thời điểm thanh toán", null=True, blank=True)
    # when every receiver of ``signals.payment_succeeded`` took the news; empty while one has still to
    # (``services.announce_pending`` sends it again)
    announced_at = models.DateTimeField("thời điểm đã báo cho hồ sơ", null=True, blank=True)
    announce_attempts = models.PositiveSmallIntegerField("số lần đã báo", default=0)
    transaction_no = models.CharField("mã giao dịch tại cổng", max_length=40, blank=True)
    txn_ref = models.CharField("mã tham chiếu đã thanh toán", max_length=100, blank=True)
    bank_code = models.CharField("ngân hàng", max_length=20, blank=True)
    receipt_no = models.CharField("số biên lai", max_length=20, blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = "khoản thanh toán"
        verbose_name_plural = "khoản thanh toán"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(fields=["reference", "stage"], condition=Q(state__in=OPEN_STATES),
                                    name="payment_one_open_per_reference_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {formats.money(self.amount)} ({self.get_state_display()})"

    def can_move(self, to: str) -> bool:
        return to in TRANSITIONS[self.state]


class AttemptState(models.TextChoices):
    PENDING = "pending", "Đang chờ kết quả"
    SUCCEEDED = "succeeded", "Thành công"
    FAILED = "failed", "Không thành công"


class Attempt(models.Model):
    """One trip to the gateway under its own order reference."""

    payment = models.ForeignKey(
        Payment, verbose_name="khoản thanh toán", on_delete=models.CASCADE, related_name="attempts",
    )
    txn_ref = models.CharField("mã tham chiếu (vnp_TxnRef)", max_length=100, unique=True)
    created_at = models.DateTimeField("thời điểm tạo")
    expires_at = models.DateTimeField("hết hạn")
    url = models.TextField("địa chỉ chuyển hướng")
    ip = models.GenericIPAddressField("địa chỉ IP người nộp", null=True, blank=True)
    state = models.CharField(
        "trạng thái", max_length=10, choices=AttemptState.choices, default=AttemptState.PENDING,
    )
    response_code = models.CharField("mã phản hồi", max_length=2, blank=True)
    transaction_status = models.CharField("trạng thái giao dịch", max_length=2, blank=True)
    transaction_no = models.CharField("mã giao dịch tại cổng", max_length=40, blank=True)
    bank_code = models.CharField("ngân hàng", max_length=20, blank=True)
    pay_date = models.DateTimeField("thời điểm thanh toán (theo cổng)", null=True, blank=True)
    confirmed_via = models.CharField("xác nhận qua", max_length=10, blank=True)  # ipn | querydr
    confirmed_at = models.DateTimeField("thời điểm xác nhận", null=True, blank=True)

    class Meta:
        verbose_name = "lần thanh toán"
        verbose_name_plural = "lần thanh toán"
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.txn_ref


class Reconciliation(models.Model):
    """One run of the daily comparison between the platform's attempts and the gateway's report of a day."""

    day = models.DateField("ngày đối soát", db_index=True)
    ran_at = models.DateTimeField("thời điểm chạy", auto_now_add=True)
    ran_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người chạy", null=True, blank=True,
                               on_delete=models.SET_NULL,
                               related_name="+")
    source = models.CharField("nguồn báo cáo", max_length=10)  # gateway | file
    platform_count = models.PositiveIntegerField("số giao dịch theo nền tảng", default=0)
    gateway_count = models.PositiveIntegerField("số giao dịch theo cổng", default=0)
    matched = models.PositiveIntegerField("số giao dịch khớp", default=0)
    platform_total = models.PositiveBigIntegerField("tổng thu thành công theo nền tảng", default=0)
    gateway_total = models.PositiveBigIntegerField("tổng thu thành công theo cổng", default=0)
    mismatches = models.JSONField("chênh lệch", default=list)

    class Meta:
        verbose_name = "đối soát"
        verbose_name_plural = "đối soát thanh toán"
        ordering = ["-day", "-ran_at"]

    def __str__(self) -> str:
        return f"{self.day} ({len(self.mismatches)} chênh lệch)"

    @property
    def ok(self) -> bool:
        return not self.mismatches


class SandboxTransaction(models.Model):
    """The sandbox gateway's ledger (the gateway side, not the platform's)."""

    tmn_code = models.CharField("mã đơn vị (vnp_TmnCode)", max_length=8)
    txn_ref = models.CharField("mã tham chiếu (vnp_TxnRef)", max_length=100)
    token = models.CharField("mã phiên thanh toán", max_length=32, unique=True)
    amount = models.PositiveBigIntegerField("số tiền (đồng)")  # VND
    order_info = models.CharField("nội dung thanh toán", max_length=255)
    return_url = models.TextField("địa chỉ trả về")
    ip = models.CharField("địa chỉ IP", max_length=45)
    # As the merchant sent it (GMT+7)
    create_date = models.CharField("thời điểm tạo (theo đơn vị gửi)", max_length=14)
    day = models.DateField("ngày giao dịch", db_index=True)  # the day of create_date, for the daily report
    expires_at = models.DateTimeField("hết hạn")
    status = models.CharField("trạng thái giao dịch", max_length=2, default="01")  # vnp_TransactionStatus
    response_code = models.CharField("mã phản hồi", max_length=2, blank=True)
    transaction_no = models.CharField("mã giao dịch", max_length=20, blank=True)
    bank_code = models.CharField("ngân hàng", max_length=20, blank=True)
    card_type = models.CharField("loại thẻ", max_length=10, blank=True)
    pay_date = models.CharField("thời điểm thanh toán", max_length=14, blank=True)
    ipn_answer = models.CharField("phản hồi IPN của đơn vị", max_length=2, blank=True)  # the merchant's RspCode
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)

    class Meta:
        verbose_name = "giao dịch cổng thử nghiệm"
        verbose_name_plural = "giao dịch cổng thử nghiệm"
        constraints = [models.UniqueConstraint(fields=["tmn_code", "txn_ref"], name="sandbox_txn_ref_once")]

    def __str__(self) -> str:
        return f"{self.tmn_code}/{self.txn_ref}"

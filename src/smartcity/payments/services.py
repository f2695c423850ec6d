"""Use cases of payments: the only entry other apps call. Every state change goes through ``_move`` (the state machine
of ``models.TRANSITIONS``, an audit entry each time); a payment is marked paid only on the gateway's signed,
server-to-server word (the IPN, or the answer to a status query), never on the browser's return.

For the apps above (dossiers), without importing them:

* ``fees_for(version, stage=...)`` — the procedure's fees due at a stage;
* ``request_payment(...)`` — ask a citizen to pay for a reference (a dossier code) at a stage;
* ``payments_for_reference(reference)`` — what was asked and what became of it;
* ``cancel_payment(...)`` — the obligation is withdrawn (the dossier was withdrawn or stopped);
* the signal ``signals.payment_succeeded`` — sent once, after commit, when a payment is confirmed.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcity.agencies import services as agencies
from smartcity.agencies.models import Agency, Role
from smartcity.audit import services as audit
from smartcity.audit.models import Action
from smartcity.audit.services import Actor
from smartcity.lib import formats, ratelimit
from smartcity.lib.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from smartcity.lib.principal import Principal
from smartcity.payments import gateways, receipts, report, vnpay
from smartcity.payments.models import (
    OPEN_STATES,
    Attempt,
    AttemptState,
    Payment,
    Reconciliation,
    Stage,
    State,
)
from smartcity.payments.signals import payment_succeeded
from smartcity.population.models import Citizen

if TYPE_CHECKING:
    from smartcity.procedures.models import ProcedureVersion

log = logging.getLogger("smartcity.payments")

SUBJECT = "payments.payment"
GATEWAY = Actor(user=None, label="Cổng thanh toán")
BROWSER = Actor(user=None, label="Trình duyệt của người nộp (trang kết quả)")
SYSTEM = Actor(user=None, label="Hệ thống")
MAX_AMOUNT = 9_999_999_999  # vnp_Amount is Numeric[1,12] and carries the amount × 100
STAFF_ROLES = (Role.RECEPTION, Role.SPECIALIST, Role.LEADER, Role.AGENCY_ADMIN, Role.CITY_ADMIN)
REFUND_ROLES = (Role.AGENCY_ADMIN, Role.CITY_ADMIN)
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the desk


class GatewayUnavailable(ServiceError):
    status = 502
    code = "gateway_unavailable"


@dataclass(frozen=True)
class FeeItem:
    name: str
    amount: int  # VND


# ------------------------------------------------------------------------------------------------- helpers


def _actor(user: Principal | None) -> Actor:
    return SYSTEM if user is None else agencies.actor_for(user)


def _move(payment: Payment, to: str, *, actor: Actor, purpose: str, detail: dict[str, object] | None = None) -> None:
    """The one place a payment changes state: refused with ``Conflict`` when the machine does not allow it."""
    if not payment.can_move(to):
        raise Conflict(
            f"Không thể chuyển khoản thanh toán từ “{State(payment.state).label}” sang “{State(to).label}”",
            field="state",
        )
    before = payment.state
    payment.state = to
    payment.save()
    audit.record(actor=actor, action=Action.STATE, subject_type=SUBJECT, subject_id=payment.code,
                 person_id=payment.payer_id, purpose=purpose[:300],
                 detail={"from": before, "to": to, "reference": payment.reference, **(detail or {})})


def _new_code() -> str:
    prefix = "TT" + timezone.localdate().strftime("%y%m%d")
    while True:
        code = prefix + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))
        if not Payment.objects.filter(code=code).exists():
            return code


def _unaccented(text: str) -> str:
    """vnp_OrderInfo must be Vietnamese without diacritics and without special characters."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    kept = "".join(ch if ch.isascii() and (ch.isalnum() or ch in " .-") else " " for ch in plain)
    return " ".join(kept.split())


def order_info(payment: Payment) -> str:
    return _unaccented(f"Thanh toan {payment.code} {payment.reference} {payment.purpose}")[:255]


def _is_city_admin(user: Principal) -> bool:
    return bool(agencies.scope_of(user, [Role.CITY_ADMIN]).memberships)


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=vnpay.GMT7)
    return start, start + dt.timedelta(days=1)


# --------------------------------------------------------------------------------------------- requesting


def fees_for(version: ProcedureVersion, *, stage: str) -> list[FeeItem]:
    """The fees of a procedure version due at ``stage``: those paid on submission at receipt, those paid on the
    result at return. A supplement has no fee in the catalogue: the caller passes its own items."""
    if stage not in Stage.values:
        raise Invalid(f"Thời điểm thu không hợp lệ: {stage}", field="stage")
    when = {Stage.RECEIPT: "on_submission", Stage.RETURN: "on_result"}.get(Stage(stage))
    items = []
    for fee in version.fees:
        if fee.get("when", "on_submission") != when:
            continue
        if fee.get("amount") is None:
            raise Invalid(f"Mức thu “{fee.get('name', '')}” của thủ tục chưa được nhập", field="fees")
        if int(fee["amount"]) > 0:
            items.append(FeeItem(name=str(fee["name"]), amount=int(fee["amount"])))
    return items


def request_payment(*, reference: str, purpose: str, payer: Citizen, agency: Agency, stage: str,
                    items: Sequence[FeeItem], actor: Principal | None = None) -> Payment:
    """Ask ``payer`` to pay ``items`` for ``reference`` (e.g. a dossier code) at ``stage``.

    The caller has decided that the fee is due and that ``actor`` (the officer, or None for the system) may ask for
    it. One payment at a time per reference and stage: while one is open (created, pending, failed) or paid, another
    is refused with ``Conflict``; cancel it first.
    """
    reference = (reference or "").strip()
    purpose = " ".join((purpose or "").split())
    if not reference or len(reference) > 64:
        raise Invalid("Mã đối tượng thanh toán phải có từ 1 đến 64 ký tự", field="reference")
    if len(purpose) < 5 or len(purpose) > 300:
        raise Invalid("Nội dung thanh toán phải có từ 5 đến 300 ký tự", field="purpose")
    if stage not in Stage.values:
        raise Invalid(f"Thời điểm thu phải là một trong {', '.join(Stage.values)}", field="stage")
    if not items:
        raise Invalid("Không có khoản phí, lệ phí nào phải nộp", field="items")
    for item in items:
        if not item.name.strip() or not isinstance(item.amount, int) or item.amount <= 0:
            raise Invalid("Mỗi khoản phí phải có tên và số tiền nguyên dương (đồng)", field="items")
    amount = sum(item.amount for item in items)
    if amount > MAX_AMOUNT:
        raise Invalid("Số tiền vượt quá mức cổng thanh toán nhận", field="items")
    with transaction.atomic():
        if Payment.objects.filter(reference=reference, stage=stage, state__in=OPEN_STATES).exists():
            raise Conflict("Đã có khoản thanh toán cho đối tượng này ở thời điểm thu này", field="reference")
        payment = Payment(code=_new_code(), reference=reference, purpose=purpose, stage=stage, payer=payer,
                          payer_name=payer.full_name, agency=agency, amount=amount,
                          items=[{"name": item.name.strip(), "amount": item.amount} for item in items])
        try:
            with transaction.atomic():
                payment.save(force_insert=True)
        except IntegrityError:
            raise Conflict("Đã có khoản thanh toán cho đối tượng này ở thời điểm thu này", field="reference") from None
        audit.record(actor=_actor(actor), action=Action.CREATE, subject_type=SUBJECT, subject_id=payment.code,
                     person_id=payer.pk, purpose=f"Yêu cầu thanh toán: {purpose}"[:300],
                     detail={"reference": reference, "stage": stage, "amount": amount, "state": payment.state})
    return payment


def payments_for_reference(reference: str) -> QuerySet[Payment]:
    """Every payment asked for ``reference``, oldest first (read-only; the caller checks who may see them)."""
    return Payment.objects.of_reference(reference)


# ---------------------------------------------------------------------------------------------- who sees


def visible_payments(user: Principal) -> QuerySet[Payment]:
    """A citizen sees what they were asked to pay; staff what their agencies collect; a city administrator all."""
    base = Payment.objects.select_related("agency")
    if not getattr(user, "is_authenticated", False):
        return base.none()
    scope = agencies.scope_of(user, STAFF_ROLES)
    if any(m.role == Role.CITY_ADMIN for m in scope.memberships):
        return base
    condition = Q(agency_id__in=[m.agency_id for m in scope.memberships])
    if getattr(user, "person_id", None) is not None:
        condition |= Q(payer_id=user.person_id)
    return base.filter(condition)


def get_payment_for(user: Principal, code: str) -> Payment:
    """The payment if ``user`` may see it, else ``NotFound`` (the same answer as for a code that does not exist).
    A read by anyone but the payer is audited, for "who accessed my data"."""
    payment = visible_payments(user).filter(code=code).first()
    if payment is None:
        raise NotFound("Không tìm thấy khoản thanh toán", field="code")
    if payment.payer_id != getattr(user, "person_id", None):
        audit.record(actor=agencies.actor_for(user), action=Action.READ, subject_type=SUBJECT,
                     subject_id=payment.code, person_id=payment.payer_id, purpose="Xem trạng thái thanh toán")
    return payment


def _locked_for_staff(user: Principal, code: str, roles: Sequence[str]) -> Payment:
    """The payment locked for a staff change: ``NotFound`` if ``user`` cannot see it, ``Forbidden`` without a role."""
    payment = visible_payments(user).filter(code=code).first()
    if payment is None:
        raise NotFound("Không tìm thấy khoản thanh toán", field="code")
    scope = agencies.scope_of(user, roles)
    if not any(m.role == Role.CITY_ADMIN or m.agency_id == payment.agency_id for m in scope.memberships):
        raise Forbidden("Tài khoản không có vai trò cán bộ phù hợp với thao tác này")
    return Payment.objects.select_for_update().get(pk=payment.pk)


# ------------------------------------------------------------------------------------------------- paying


def start_checkout(*, user: Principal, code: str, ip: str | None) -> Attempt:
    """The payer goes to the gateway: a new attempt (new vnp_TxnRef) with its signed redirect URL, or the current
    attempt while it has not expired (so a double click does not open two transactions)."""
    with transaction.atomic():
        payment = visible_payments(user).filter(code=code).first()
        if payment is None:
            raise NotFound("Không tìm thấy khoản thanh toán", field="code")
        if payment.payer_id != getattr(user, "person_id", None):
            raise Forbidden("Chỉ người nộp mới thực hiện thanh toán trực tuyến")
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        now = timezone.now().replace(microsecond=0)
        if payment.state == State.PENDING:
            current = payment.attempts.filter(state=AttemptState.PENDING, expires_at__gt=now).order_by("-id").first()
            if current is not None:
                return current
        if not payment.can_move(State.PENDING):
            raise Conflict(f"Khoản thanh toán đang ở trạng thái “{payment.get_state_display()}”", field="state")
        txn_ref = f"{payment.code}{payment.attempts.count() + 1:02d}"
        expires_at = now + dt.timedelta(minutes=settings.PAYMENT_EXPIRE_MINUTES)
        url = gateways.get().checkout_url(txn_ref=txn_ref, amount=payment.amount, order_info=order_info(payment),
                                          ip=ip or "127.0.0.1", created_at=now, expires_at=expires_at,
                                          return_url=settings.PAYMENT_RETURN_URL)
        attempt = Attempt.objects.create(payment=payment, txn_ref=txn_ref, created_at=now, expires_at=expires_at,
                                         url=url, ip=ip)
        payment.failure_reason = ""
        _move(payment, State.PENDING, actor=agencies.actor_for(user), purpose="Bắt đầu thanh toán trực tuyến",
              detail={"txn_ref": txn_ref})
    return attempt


# After this many announcements some receiver refused, the payment is left for a person (``Announced.given_up``,
# the admin's list of succeeded payments without ``announced_at``): at one try each five minutes, about four hours.
MAX_ANNOUNCE_ATTEMPTS = 48


def _announce(payment_id: int) -> bool:
    """Tell the apps above (``signals.payment_succeeded``); marked announced only when every receiver took it. The
    payment's row is locked while its news goes out, and an announcer that finds it locked leaves it to the one
    holding it, so two announcers (the confirmation's own and the periodic job) never send it side by side."""
    with transaction.atomic():
        payment = (Payment.objects.select_for_update(skip_locked=True, of=("self",)).select_related("agency")
                   .filter(pk=payment_id, announced_at__isnull=True).first())
        if payment is None:  # announced already, or being announced right now
            return True
        failed = False
        for receiver, result in payment_succeeded.send_robust(sender=Payment, payment=payment,
                                                              reference=payment.reference, stage=payment.stage,
                                                              amount=payment.amount):
            if isinstance(result, Exception):
                failed = True
                log.error("payment_succeeded receiver %r failed for %s: %r", receiver, payment.code, result)
        Payment.objects.filter(pk=payment_id).update(announce_attempts=F("announce_attempts") + 1,
                                                     announced_at=None if failed else timezone.now())
    return not failed


@dataclass
class Announced:
    sent: int = 0
    failed: int = 0
    given_up: int = 0  # succeeded payments no receiver took after MAX_ANNOUNCE_ATTEMPTS tries: a person looks


def announce_pending(*, settle: dt.timedelta = dt.timedelta(minutes=1), now: dt.datetime | None = None) -> Announced:
    """Send again the news of payments confirmed at least ``settle`` ago that some receiver has not taken yet (it
    failed, or the process stopped between the commit and the announcement). ``smartcity payments announce``."""
    now = now or timezone.now()
    out = Announced()
    unannounced = Payment.objects.filter(state=State.SUCCEEDED, announced_at__isnull=True)
    pending = (unannounced.filter(updated_at__lte=now - settle, announce_attempts__lt=MAX_ANNOUNCE_ATTEMPTS)
               .order_by("pk").values_list("pk", flat=True))
    for payment_id in pending:
        if _announce(payment_id):
            out.sent += 1
        else:
            out.failed += 1
    out.given_up = unannounced.filter(announce_attempts__gte=MAX_ANNOUNCE_ATTEMPTS).count()
    return out


def _apply(attempt: Attempt, payment: Payment, outcome: gateways.Outcome, *, via: str) -> tuple[vnpay.IpnAnswer, str]:
    """Record the gateway's verified word on ``attempt`` (both rows locked by the caller).

    In VNPAY's order: the amount, then whether the order was already confirmed, then the update."""
    if outcome.amount_x100 != payment.amount * 100:
        return vnpay.INVALID_AMOUNT, (f"Số tiền {formats.money(outcome.amount_x100 // 100)} khác số tiền phải nộp "
                                      f"{formats.money(payment.amount)}")
    target = State.SUCCEEDED if outcome.succeeded else State.FAILED
    if attempt.state != AttemptState.PENDING:
        return vnpay.ALREADY_CONFIRMED, f"Giao dịch {attempt.txn_ref} đã được xác nhận trước đó"
    if target == State.SUCCEEDED and not payment.can_move(target):
        return vnpay.ALREADY_CONFIRMED, f"Khoản thanh toán đã ở trạng thái “{payment.get_state_display()}”"
    now = timezone.now()
    attempt.state = AttemptState.SUCCEEDED if outcome.succeeded else AttemptState.FAILED
    attempt.response_code, attempt.transaction_status = outcome.response_code, outcome.transaction_status
    attempt.transaction_no, attempt.bank_code, attempt.pay_date = (outcome.transaction_no, outcome.bank_code,
                                                                   outcome.pay_date)
    attempt.confirmed_via, attempt.confirmed_at = via, now
    attempt.save()
    detail = {"txn_ref": attempt.txn_ref, "transaction_no": outcome.transaction_no, "via": via,
              "response_code": outcome.response_code}
    if outcome.succeeded:
        payment.paid_at = outcome.pay_date or now
        payment.transaction_no, payment.txn_ref, payment.bank_code = (outcome.transaction_no, attempt.txn_ref,
                                                                      outcome.bank_code)
        payment.receipt_no = f"{timezone.localtime(payment.paid_at):%Y}-{payment.pk:07d}"
        payment.failure_reason = ""
        _move(payment, State.SUCCEEDED, actor=GATEWAY, purpose="Cổng thanh toán xác nhận đã thanh toán",
              detail=detail)
        transaction.on_commit(lambda: _announce(payment.pk))
    elif payment.can_move(State.FAILED):
        payment.failure_reason = vnpay.response_message(outcome.response_code)
        _move(payment, State.FAILED, actor=GATEWAY,
              purpose=f"Cổng thanh toán báo không thành công: {payment.failure_reason}", detail=detail)
    return vnpay.CONFIRMED, ""


def _refuse(answer: vnpay.IpnAnswer, params: Mapping[str, object], reason: str, *, channel: str) -> vnpay.IpnAnswer:
    """A notification we will not act on: nothing changes, the refusal is audited and logged."""
    audit.record(actor=BROWSER if channel == "return" else GATEWAY, action=Action.STATE,
                 subject_type=f"payments.{channel}", subject_id=str(params.get("vnp_TxnRef") or "")[:64],
                 purpose=f"Từ chối ({answer.code} {answer.message}): {reason}"[:300],
                 detail={"refused": True, "rsp_code": answer.code, "reason": reason,
                         "vnp_Amount": str(params.get("vnp_Amount") or "")[:20],
                         "vnp_ResponseCode": str(params.get("vnp_ResponseCode") or "")[:4]})
    log.warning("payments %s refused: %s %s (%s)", channel, answer.code, answer.message, reason)
    return answer


def _read(params: Mapping[str, str], *, channel: str, address: str | None = None) -> gateways.Outcome | vnpay.IpnAnswer:
    try:
        return gateways.get().read_notification(params)
    except gateways.BadSignature as exc:
        return _refuse_unsigned(vnpay.INVALID_SIGNATURE, params, str(exc), channel=channel, address=address)
    except gateways.BadMessage as exc:
        return _refuse_unsigned(vnpay.UNKNOWN_ERROR, params, str(exc), channel=channel, address=address)


def _refuse_unsigned(answer: vnpay.IpnAnswer, params: Mapping[str, object], reason: str, *, channel: str,
                     address: str | None) -> vnpay.IpnAnswer:
    """A notification whose signature does not hold. Anyone can send those, so past ``RATE_LIMITS["payment_refusal"]``
    from one client address they are no longer audited one by one (one entry says so, once per window). A correctly
    signed notification — the gateway's — is never counted nor held back, so the IPN cannot be starved."""
    if address:
        wait = ratelimit.exceeded("payment_refusal", address)
        if wait is not None:
            if ratelimit.first_refusal("payment_refusal", address, wait):
                audit.record(actor=BROWSER if channel == "return" else GATEWAY, action=Action.STATE,
                             subject_type=f"payments.{channel}", subject_id="",
                             purpose="Từ chối thông báo sai chữ ký; các lần sau từ cùng địa chỉ không ghi từng lần",
                             detail={"refused": True, "rsp_code": answer.code, "rate_limited": True,
                                     "seconds": wait})
            log.warning("payments %s refused: %s %s (%s; not audited, rate limited)", channel, answer.code,
                        answer.message, reason)
            return answer
        ratelimit.count_failure("payment_refusal", address)
    return _refuse(answer, params, reason, channel=channel)


def handle_ipn(params: Mapping[str, str], *, address: str | None = None) -> vnpay.IpnAnswer:
    """The gateway's server-to-server notification: verified (signature, order, amount), idempotent (a repeat
    answers "02" and changes nothing), then recorded. Returns what to answer the gateway.

    ``address`` (the caller's) bounds how many badly signed notifications are audited one by one."""
    outcome = _read(params, channel="ipn", address=address)
    if isinstance(outcome, vnpay.IpnAnswer):
        return outcome
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().filter(txn_ref=outcome.txn_ref).first()
        if attempt is None:
            answer, reason = vnpay.ORDER_NOT_FOUND, "Không có giao dịch với mã tham chiếu này"
        else:
            payment = Payment.objects.select_for_update().get(pk=attempt.payment_id)
            answer, reason = _apply(attempt, payment, outcome, via="ipn")
    if answer != vnpay.CONFIRMED:
        return _refuse(answer, params, reason, channel="ipn")
    return answer


def confirm_with_gateway(*, code: str) -> Payment:
    """Ask the gateway (querydr) about every unconfirmed attempt of the payment and record what it says. The answer
    is signed by the gateway, so it counts like an IPN; the browser's word never does."""
    payment = Payment.objects.filter(code=code).first()
    if payment is None:
        raise NotFound("Không tìm thấy khoản thanh toán", field="code")
    gateway = gateways.get()
    for attempt in payment.attempts.filter(state=AttemptState.PENDING).order_by("-id"):
        try:
            outcome = gateway.query(txn_ref=attempt.txn_ref, created_at=attempt.created_at,
                                    order_info=order_info(payment))
        except gateways.GatewayError as exc:
            raise GatewayUnavailable(str(exc)) from None
        if outcome is None or outcome.unfinished:
            continue
        with transaction.atomic():
            locked_attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            answer, reason = _apply(locked_attempt, locked, outcome, via="querydr")
        if answer != vnpay.CONFIRMED:
            _refuse(answer, {"vnp_TxnRef": attempt.txn_ref, "vnp_Amount": outcome.amount_x100}, reason,
                    channel="querydr")
    payment.refresh_from_db()
    return payment


@dataclass(frozen=True)
class ReturnResult:
    """What the browser's return shows. It never changes a payment: only the IPN or a status query does."""

    verified: bool
    message: str
    payment: Payment | None = None
    gateway_message: str = ""

    @property
    def awaiting_confirmation(self) -> bool:
        return self.payment is not None and self.payment.state == State.PENDING


def read_return(params: Mapping[str, str], *, address: str | None = None) -> ReturnResult:
    outcome = _read(params, channel="return", address=address)
    if isinstance(outcome, vnpay.IpnAnswer):
        return ReturnResult(False, _("Dữ liệu cổng thanh toán trả về không hợp lệ (sai chữ ký hoặc thiếu thông "
                                     "tin). Kết quả thanh toán không được ghi nhận từ trang này."))
    attempt = Attempt.objects.select_related("payment").filter(txn_ref=outcome.txn_ref).first()
    if attempt is None:
        _refuse(vnpay.ORDER_NOT_FOUND, params, "Không có giao dịch với mã tham chiếu này", channel="return")
        return ReturnResult(False, _("Không tìm thấy giao dịch thanh toán này."))
    payment = attempt.payment
    if outcome.amount_x100 != payment.amount * 100:
        _refuse(vnpay.INVALID_AMOUNT, params, "Số tiền trả về khác số tiền phải nộp", channel="return")
        return ReturnResult(False, _("Số tiền cổng thanh toán trả về không khớp với khoản phải nộp."))
    if (settings.PAYMENT_QUERY_ON_RETURN and attempt.state == AttemptState.PENDING
            and payment.state in (State.PENDING, State.FAILED)):
        try:
            payment = confirm_with_gateway(code=payment.code)
        except ServiceError as exc:
            log.warning("querydr on return failed for %s: %s", payment.code, exc.message)
    said = "" if outcome.succeeded else vnpay.response_message(outcome.response_code)
    if payment.state == State.SUCCEEDED:
        message = _("Thanh toán thành công: cổng thanh toán đã xác nhận giao dịch.")
    elif payment.state == State.PENDING:
        message = _("Đang chờ xác nhận từ cổng thanh toán. Trang này sẽ tự cập nhật khi có xác nhận.")
    elif payment.state == State.FAILED:
        message = _("Thanh toán không thành công: %(reason)s. Bạn có thể thanh toán lại.") % {
            "reason": payment.failure_reason}
    else:
        message = _("Khoản thanh toán: %(state)s.") % {"state": payment.get_state_display()}
    return ReturnResult(True, message, payment, said)


# --------------------------------------------------------------------------------------- staff decisions


def cancel_payment(*, code: str, actor: Principal | None, reason: str) -> Payment:
    """Withdraw the obligation. ``actor``: staff of the collecting agency (or a city administrator), or None when
    the calling service (dossiers, on withdrawal or stop) has decided. A payer in the middle of paying is not cut
    off: the cancellation waits until the current attempt has expired."""
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise Invalid("Cần nêu lý do hủy (ít nhất 5 ký tự)", field="reason")
    with transaction.atomic():
        if actor is None:
            payment = Payment.objects.select_for_update().filter(code=code).first()
            if payment is None:
                raise NotFound("Không tìm thấy khoản thanh toán", field="code")
        else:
            payment = _locked_for_staff(actor, code, STAFF_ROLES)
        if payment.attempts.filter(state=AttemptState.PENDING, expires_at__gt=timezone.now()).exists():
            raise Conflict("Người nộp đang thanh toán; chỉ hủy được khi giao dịch đang mở đã hết hạn", field="state")
        _move(payment, State.CANCELLED, actor=_actor(actor), purpose=f"Hủy yêu cầu thanh toán: {reason}")
    return payment


def refund_payment(*, code: str, actor: Principal, reason: str) -> Payment:
    """Record that a paid fee was refunded (the money itself is returned through the gateway's merchant portal).
    Agency administrators of the collecting agency, or a city administrator."""
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise Invalid("Cần nêu lý do hoàn tiền (ít nhất 5 ký tự)", field="reason")
    with transaction.atomic():
        payment = _locked_for_staff(actor, code, REFUND_ROLES)
        _move(payment, State.REFUNDED, actor=_actor(actor), purpose=f"Hoàn tiền: {reason}")
    return payment


# ------------------------------------------------------------------------------------------------ receipts


def receipt_for(*, user: Principal, code: str) -> tuple[str, bytes]:
    """The payer's electronic receipt (PDF) of a paid fee; anyone else, and an unpaid payment, get ``NotFound``.
    Every download is audited."""
    person_id = getattr(user, "person_id", None) if getattr(user, "is_authenticated", False) else None
    payment = (Payment.objects.select_related("agency__parent").filter(code=code, payer_id=person_id).first()
               if person_id is not None else None)
    if payment is None or payment.state not in (State.SUCCEEDED, State.REFUNDED):
        raise NotFound("Không tìm thấy biên lai", field="code")
    pdf = receipts.render(payment)
    audit.record(actor=agencies.actor_for(user), action=Action.READ, subject_type="payments.receipt",
                 subject_id=payment.code, person_id=payment.payer_id, purpose="Tải biên lai điện tử")
    return f"bien-lai-{payment.receipt_no}.pdf", pdf


# -------------------------------------------------------------------------------------------- reconciling

_GATEWAY_STATE = {"00": AttemptState.SUCCEEDED, "01": AttemptState.PENDING, "02": AttemptState.FAILED}
MISMATCH_KINDS = {
    "missing_at_gateway": "Nền tảng có kết quả nhưng cổng thanh toán không có giao dịch",
    "missing_on_platform": "Cổng thanh toán có giao dịch nhưng nền tảng không có",
    "amount_differs": "Số tiền khác nhau",
    "status_differs": "Trạng thái khác nhau",
}


def _mismatch(kind: str, txn_ref: str, attempt: Attempt | None, row: report.Row | None) -> dict[str, object]:
    return {
        "kind": kind,
        "message": MISMATCH_KINDS[kind],
        "txn_ref": txn_ref,
        "payment": attempt.payment.code if attempt else "",
        "platform_amount": attempt.payment.amount if attempt else None,
        "gateway_amount": row.amount if row else None,
        "platform_status": attempt.state if attempt else "",
        "gateway_status": row.status if row else "",
        "transaction_no": (row.transaction_no if row else "") or (attempt.transaction_no if attempt else ""),
    }


def _compare(attempts: dict[str, Attempt], day_refs: set[str],
             rows: list[report.Row]) -> tuple[int, list[dict[str, object]]]:
    matched, mismatches = 0, []
    listed = {row.txn_ref: row for row in rows}
    for txn_ref in sorted(day_refs | set(listed)):
        attempt, row = attempts.get(txn_ref), listed.get(txn_ref)
        if row is None:
            if attempt is not None and attempt.state != AttemptState.PENDING:
                mismatches.append(_mismatch("missing_at_gateway", txn_ref, attempt, None))
            continue  # an attempt the payer never took to the gateway: nothing to compare
        if attempt is None:
            mismatches.append(_mismatch("missing_on_platform", txn_ref, None, row))
            continue
        found = []
        if row.amount != attempt.payment.amount:
            found.append("amount_differs")
        if _GATEWAY_STATE[row.status] != attempt.state:
            found.append("status_differs")
        mismatches += [_mismatch(kind, txn_ref, attempt, row) for kind in found]
        matched += not found
    return matched, mismatches


def _require_city_admin(user: Principal) -> None:
    if not _is_city_admin(user):
        raise Forbidden("Chỉ quản trị thành phố mới xem và chạy đối soát thanh toán")


def reconcile(*, day: dt.date, report_csv: str | None = None,
              actor: Principal | None = None) -> Reconciliation:
    """Compare the platform's attempts created on ``day`` (GMT+7) with the gateway's report of that day (downloaded,
    or ``report_csv`` given) and keep the result. ``actor``: a city administrator, or None for the daily command."""
    if actor is not None:
        _require_city_admin(actor)
    source = "file" if report_csv is not None else "gateway"
    if report_csv is None:
        try:
            report_csv = gateways.get().fetch_report(day)
        except gateways.GatewayError as exc:
            raise GatewayUnavailable(str(exc)) from None
    rows = report.parse(report_csv)
    start, end = _day_bounds(day)
    attempts = {a.txn_ref: a for a in Attempt.objects.select_related("payment")
                .filter(created_at__gte=start, created_at__lt=end)}
    day_refs = set(attempts)
    others = [row.txn_ref for row in rows if row.txn_ref not in attempts]
    for i in range(0, len(others), 500):  # listed by the gateway but created on another day by our clock
        attempts.update({a.txn_ref: a for a in Attempt.objects.select_related("payment")
                         .filter(txn_ref__in=others[i:i + 500])})
    matched, mismatches = _compare(attempts, day_refs, rows)
    with transaction.atomic():
        result = Reconciliation.objects.create(
            day=day, ran_by=actor, source=source,
            platform_count=len(day_refs), gateway_count=len(rows), matched=matched,
            platform_total=sum(a.payment.amount for ref, a in attempts.items()
                               if ref in day_refs and a.state == AttemptState.SUCCEEDED),
            gateway_total=sum(row.amount for row in rows if row.status == vnpay.SUCCESS),
            mismatches=mismatches,
        )
        audit.record(actor=_actor(actor), action=Action.CREATE, subject_type="payments.reconciliation",
                     subject_id=result.pk, purpose=f"Đối soát thanh toán ngày {day:%d/%m/%Y}",
                     detail={"source": source, "mismatches": len(mismatches), "matched": matched})
    return result


def reconciliations(*, user: Principal, day: dt.date | None = None) -> QuerySet[Reconciliation]:
    """Past reconciliation runs (newest first), for city administrators."""
    _require_city_admin(user)
    runs = Reconciliation.objects.all()
    return runs.filter(day=day) if day else runs

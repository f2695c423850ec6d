"""Subscriptions to the warnings of an area: a signed-in citizen's account (told at the contacts of their record), or
an e-mail address / phone number that confirms by a link first; confirming, cancelling; and telling the subscribers
of a warning opened.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from smartcity.agencies import services as agencies
from smartcity.audit import services as audit
from smartcity.audit.models import Action
from smartcity.environment.models import Parameter, Station, Subscription, WarningEvent, WarningRule
from smartcity.environment.parameters import Kind
from smartcity.environment.services.registry import in_area
from smartcity.lib.errors import Forbidden, Invalid, NotFound
from smartcity.lib.principal import Principal
from smartcity.notifications import services as notifications
from smartcity.places import services as places
from smartcity.places.models import Level, Unit

_PHONE = re.compile(r"^(?:\+?84|0)(\d{9})$")


def _area(unit_key: str | None) -> Unit | None:
    if not unit_key:
        return None
    unit = places.current_successor(places.get_unit(unit_key))
    if unit.province_code != settings.ENVIRONMENT_PROVINCE_CODE or unit.level == Level.DISTRICT:
        raise Invalid("Khu vực phải là một phường/xã của thành phố hoặc toàn thành phố", field="unit")
    return None if unit.level == Level.PROVINCE else unit


def _parameters(values: Iterable[str]) -> list[str]:
    chosen = []
    for value in values or ():
        if value not in Kind.values and value not in Parameter.values:
            raise Invalid(f"Loại cảnh báo không hợp lệ: {value!r} (một trong {', '.join(Kind.values)} hoặc "
                          f"{', '.join(Parameter.values)})", field="parameters")
        if value not in chosen:
            chosen.append(value)
    return chosen


@transaction.atomic
def subscribe(*, user: Principal | None = None, email: str = "", phone: str = "", unit_key: str | None = None,
              parameters: Iterable[str] = ()) -> Subscription:
    """Subscribe to the warnings of an area (a ward/commune; none: the whole city). With ``user``, a signed-in
    citizen is told at the contacts of their record, at once; otherwise exactly one of ``email``/``phone`` is
    given and a confirmation link is sent there first. Subscribing again updates the same subscription."""
    unit = _area(unit_key)
    chosen = _parameters(parameters)
    email, phone = (email or "").strip().lower(), re.sub(r"[\s.\-()]", "", phone or "")
    now = timezone.now()
    if user is not None:
        if not getattr(user, "is_authenticated", False) or getattr(user, "person_id", None) is None:
            raise Forbidden("Chỉ công dân đã đăng nhập mới đăng ký bằng tài khoản")
        sub, _ = Subscription.objects.get_or_create(
            user=user, unit=unit, cancelled_at=None,
            defaults={"token": secrets.token_urlsafe(32), "confirmed_at": now, "parameters": chosen})
        sub.parameters, sub.confirmed_at = chosen, sub.confirmed_at or now
        sub.save(update_fields=["parameters", "confirmed_at"])
        audit.record(actor=agencies.actor_for(user), action=Action.CREATE, subject_type="environment.subscription",
                     subject_id=sub.pk, person_id=user.person_id,
                     detail={"unit": unit.key if unit else None, "parameters": chosen})
        return sub
    if bool(email) == bool(phone):
        raise Invalid("Nhập một địa chỉ thư điện tử hoặc một số điện thoại", field="email" if not email else "phone")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Invalid("Địa chỉ thư điện tử không hợp lệ", field="email") from None
    if phone:
        match = _PHONE.fullmatch(phone)
        if not match:
            raise Invalid("Số điện thoại không hợp lệ (ví dụ 0912345678)", field="phone")
        phone = "0" + match.group(1)
    sub = Subscription.objects.filter(user=None, email=email, phone=phone, unit=unit, cancelled_at=None).first()
    if sub is None:
        sub = Subscription.objects.create(email=email, phone=phone, unit=unit, parameters=chosen,
                                          token=secrets.token_urlsafe(32))
    else:
        sub.parameters = chosen
        sub.save(update_fields=["parameters"])
    if sub.confirmed_at is None:
        link = settings.SITE_URL + reverse("environment:confirm", args=[sub.token])
        area = unit.name if unit else "toàn thành phố"
        notifications.notify_person(
            person_id=None, email=email, phone=phone, subject="Xác nhận đăng ký nhận cảnh báo môi trường",
            body=f"Bạn (hoặc ai đó) vừa đăng ký nhận cảnh báo môi trường cho {area}. Xác nhận tại: {link}\n"
                 "Nếu không phải bạn, hãy bỏ qua tin này: sẽ không có tin nào khác được gửi.")
    audit.record(actor=None, action=Action.CREATE, subject_type="environment.subscription", subject_id=sub.pk,
                 detail={"unit": unit.key if unit else None, "parameters": chosen,
                         "channel": "email" if email else "sms"})
    return sub


def has_subscription(user: Principal) -> bool:
    """The signed-in citizen has a subscription to warnings (the warning strip then follows them on every page)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Subscription.objects.filter(user_id=user.pk, cancelled_at__isnull=True).exists()


def _by_token(token: str) -> Subscription:
    sub = Subscription.objects.filter(token=token or "").select_related("unit").first()
    if sub is None:
        raise NotFound("Liên kết không hợp lệ hoặc đã hết hiệu lực", field="token")
    return sub


@transaction.atomic
def confirm_subscription(*, token: str) -> Subscription:
    sub = _by_token(token)
    if sub.cancelled_at is not None:
        raise Invalid("Đăng ký này đã bị hủy", field="token")
    if sub.confirmed_at is None:
        sub.confirmed_at = timezone.now()
        sub.save(update_fields=["confirmed_at"])
        audit.record(actor=None, action=Action.STATE, subject_type="environment.subscription", subject_id=sub.pk,
                     detail={"confirmed": True})
    return sub


@transaction.atomic
def cancel_subscription(*, token: str) -> Subscription:
    sub = _by_token(token)
    if sub.cancelled_at is None:
        sub.cancelled_at = timezone.now()
        sub.save(update_fields=["cancelled_at"])
        audit.record(actor=None, action=Action.STATE, subject_type="environment.subscription", subject_id=sub.pk,
                     detail={"cancelled": True})
    return sub


def _station_url(station: Station) -> str:
    return settings.SITE_URL + reverse("environment:station", args=[station.code])


def notify_subscribers(event: WarningEvent, rule: WarningRule) -> int:
    """Queue one message per recipient (person, e-mail or phone) among the active subscriptions that cover the
    station's area and want this warning. Called by ``warning_rules`` when it opens ``event``, inside its
    transaction, so the messages leave through the outbox only if the warning is stored."""
    station = event.station
    subject = f"Cảnh báo môi trường: {rule.name} — {station.name}"[:200]
    seen: set[tuple] = set()
    count = 0
    subs = (Subscription.objects.filter(confirmed_at__isnull=False, cancelled_at__isnull=True)
            .select_related("user__person", "unit").order_by("pk"))
    for sub in subs:
        if not sub.wants(rule) or not in_area(station, sub.unit):
            continue
        person = getattr(sub.user, "person", None) if sub.user_id else None
        key = ("person", person.pk) if person else ("user", sub.user_id) if sub.user_id else (sub.email, sub.phone)
        if key in seen:
            continue
        seen.add(key)
        email = (person.email if person else "") or (sub.user.email if sub.user_id else sub.email)
        phone = (person.phone if person else "") if sub.user_id else sub.phone
        cancel = settings.SITE_URL + reverse("environment:unsubscribe", args=[sub.token])
        body = f"{event.message}\nXem chi tiết: {_station_url(station)}\nNgừng nhận cảnh báo: {cancel}"
        count += len(notifications.notify_person(person_id=person.pk if person else None, email=email, phone=phone,
                                                 subject=subject, body=body))
    return count


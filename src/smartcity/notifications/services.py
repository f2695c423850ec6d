"""Use cases of the outbox: ``notify_person`` writes messages (inside the caller's transaction);
``deliver_due`` sends what is due, retrying with exponential back-off (1, 2, 4, 8… minutes) up to
``MAX_ATTEMPTS``, then marks the message failed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from smartcity.notifications import channels
from smartcity.notifications.models import Message

MAX_ATTEMPTS = 6


def notify_person(*, person_id: int | None, email: str = "", phone: str = "", subject: str, body: str) -> list[Message]:
    """Queue a message to a person on each configured channel they can be reached on (settings.NOTIFY_CHANNELS)."""
    now = timezone.now()
    addresses = {"email": email, "sms": phone, "console": email or phone or f"person:{person_id}"}
    messages = [
        Message(channel=name, recipient=addresses[name], subject=subject[:200], body=body, person_id=person_id,
                next_attempt_at=now)
        for name in settings.NOTIFY_CHANNELS
        if addresses.get(name)
    ]
    return Message.objects.bulk_create(messages)


@dataclass
class Delivery:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def deliver_due(*, now: dt.datetime | None = None, limit: int = 100) -> Delivery:
    """Send up to ``limit`` due messages. Each is claimed under a row lock so two workers never send it twice."""
    now = now or timezone.now()
    result = Delivery()
    for message_id in list(Message.objects.filter(state=Message.State.PENDING, next_attempt_at__lte=now)
                           .order_by("next_attempt_at").values_list("id", flat=True)[:limit]):
        with transaction.atomic():
            message = (Message.objects.select_for_update(skip_locked=True)
                       .filter(pk=message_id, state=Message.State.PENDING).first())
            if message is None:
                continue
            message.attempts += 1
            try:
                channels.get(message.channel).send(recipient=message.recipient, subject=message.subject,
                                                   body=message.body, reference=str(message.pk))
            except channels.PermanentFailure as exc:
                message.state, message.last_error = Message.State.FAILED, str(exc)[:300]
                result.failed += 1
            except Exception as exc:  # noqa: BLE001 - any delivery error is retried, then given up
                message.last_error = f"{exc.__class__.__name__}: {exc}"[:300]
                if message.attempts >= MAX_ATTEMPTS:
                    message.state = Message.State.FAILED
                    result.failed += 1
                else:
                    message.next_attempt_at = now + dt.timedelta(minutes=2 ** (message.attempts - 1))
                    result.retried += 1
            else:
                message.state, message.sent_at = Message.State.SENT, now
                result.sent += 1
            message.save()
    return result

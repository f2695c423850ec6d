"""Delivery channels behind one small interface, chosen by name. ``console`` is the demo's; ``email`` uses Django's
mail settings (SMTP in production); ``sms`` posts to an SMS gateway over HTTP.

The SMS gateway contract (what ``SmsChannel`` speaks; the brand-name gateways of Vietnamese carriers sit behind an
adapter of this shape): ``POST {SMS_GATEWAY_URL}`` with ``Authorization: Bearer {SMS_GATEWAY_TOKEN}`` and the JSON
``{"to": "+84912345678", "text": "...", "reference": "<message id>"}``; a 2xx answer with JSON ``{"id": "..."}``
means accepted; 4xx is a permanent refusal; 5xx or no answer is retried.
"""

from __future__ import annotations

import logging

import requests
from django.conf import settings
from django.core.mail import send_mail

from smartcity.lib.redact import mask_id_numbers

log = logging.getLogger("smartcity.notifications")


class PermanentFailure(Exception):
    """Retrying will not help (a bad address, a refusal)."""


class Channel:
    name = ""

    def send(self, *, recipient: str, subject: str, body: str, reference: str) -> None:
        raise NotImplementedError


class ConsoleChannel(Channel):
    """Writes the message to the log (the demo's channel). ID numbers are masked like every log line."""

    name = "console"

    def send(self, *, recipient: str, subject: str, body: str, reference: str) -> None:
        # Contact details and the body (staff notes) stay out of the log: the outbox row holds them.
        masked = recipient[:2] + "***" + recipient[-2:] if len(recipient) > 6 else "***"
        log.info("notification %s to %s: %s", reference, masked, mask_id_numbers(subject))


class EmailChannel(Channel):
    name = "email"

    def send(self, *, recipient: str, subject: str, body: str, reference: str) -> None:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient], fail_silently=False)


class SmsChannel(Channel):
    name = "sms"

    def send(self, *, recipient: str, subject: str, body: str, reference: str) -> None:
        if not settings.SMS_GATEWAY_URL:
            raise PermanentFailure("SMS_GATEWAY_URL is not set")
        number = "+84" + recipient[1:] if recipient.startswith("0") else recipient
        try:
            response = requests.post(
                settings.SMS_GATEWAY_URL, timeout=10,
                headers={"Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"},
                json={"to": number, "text": f"{subject}: {body}"[:480], "reference": reference},
            )
        except requests.RequestException as exc:
            raise ConnectionError(f"SMS gateway unreachable: {exc.__class__.__name__}") from None
        if 400 <= response.status_code < 500:
            raise PermanentFailure(f"SMS gateway refused: HTTP {response.status_code}")
        if response.status_code >= 500:
            raise ConnectionError(f"SMS gateway error: HTTP {response.status_code}")


REGISTRY: dict[str, type[Channel]] = {c.name: c for c in (ConsoleChannel, EmailChannel, SmsChannel)}


def get(name: str) -> Channel:
    try:
        return REGISTRY[name]()
    except KeyError:
        raise PermanentFailure(f"unknown channel {name!r}") from None

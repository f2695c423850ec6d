"""The outbox: a state change queues the applicant's notice in the same transaction; delivery retries with back-off
and gives up on permanent refusals. The SMS adapter is tested against a local server speaking its contract."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.utils import timezone

from smartcity.notifications import services
from smartcity.notifications.models import Message

pytestmark = pytest.mark.django_db


class Gateway(BaseHTTPRequestHandler):
    """A local SMS gateway: answers with the next status of ``Gateway.statuses`` and keeps what it received."""

    statuses: list[int] = []
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Gateway.received.append({"auth": self.headers["Authorization"], **body})
        status = Gateway.statuses.pop(0)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": "gw-1"} if status < 300 else {"error": "x"}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Gateway.statuses, Gateway.received = [], []
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/messages"
    settings.SMS_GATEWAY_TOKEN = "test-token"
    settings.NOTIFY_CHANNELS = ["sms"]
    yield Gateway
    server.shutdown()


def test_the_console_channel_sends_and_masks_id_numbers(settings, caplog):
    settings.NOTIFY_CHANNELS = ["console"]
    services.notify_person(person_id=7, email="an@example.vn", subject="Hồ sơ của 001090012345",
                           body="Ghi chú của cán bộ")
    caplog.set_level("INFO", logger="smartcity.notifications")
    assert services.deliver_due().sent == 1
    assert "001******345" in caplog.text and "001090012345" not in caplog.text
    assert "an@example.vn" not in caplog.text and "Ghi chú" not in caplog.text
    assert Message.objects.get().state == "sent"


def test_email_goes_through_django_mail(settings):
    settings.NOTIFY_CHANNELS = ["email", "sms"]
    services.notify_person(person_id=7, email="an@example.vn", subject="Hồ sơ 1", body="Đã tiếp nhận")
    assert Message.objects.count() == 1  # no phone: no SMS
    services.deliver_due()
    assert [(m.to, m.subject) for m in mail.outbox] == [(["an@example.vn"], "Hồ sơ 1")]


def test_sms_is_posted_to_the_gateway_in_its_contract(gateway):
    gateway.statuses = [202]
    services.notify_person(person_id=7, phone="0912345678", subject="Hồ sơ 1", body="Đã tiếp nhận")
    assert services.deliver_due().sent == 1
    assert gateway.received == [{"auth": "Bearer test-token", "to": "+84912345678",
                                 "text": "Hồ sơ 1: Đã tiếp nhận", "reference": str(Message.objects.get().pk)}]


def test_a_gateway_error_is_retried_with_back_off_then_sent(gateway):
    gateway.statuses = [503, 503, 200]
    services.notify_person(person_id=7, phone="0912345678", subject="s", body="b")
    now = timezone.now()
    assert services.deliver_due(now=now).retried == 1
    message = Message.objects.get()
    assert (message.attempts, message.next_attempt_at) == (1, now + dt.timedelta(minutes=1))
    assert services.deliver_due(now=now).sent == 0  # not due yet
    assert services.deliver_due(now=now + dt.timedelta(minutes=1)).retried == 1
    assert services.deliver_due(now=now + dt.timedelta(minutes=3)).sent == 1
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("sent", 3)


def test_a_refusal_is_permanent(gateway):
    gateway.statuses = [422]
    services.notify_person(person_id=7, phone="0912345678", subject="s", body="b")
    assert services.deliver_due().failed == 1
    assert Message.objects.get().last_error == "SMS gateway refused: HTTP 422"


def test_an_unreachable_gateway_gives_up_after_the_last_attempt(settings):
    settings.NOTIFY_CHANNELS = ["sms"]
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/nothing-listens-here"
    services.notify_person(person_id=7, phone="0912345678", subject="s", body="b")
    later = timezone.now()
    for _ in range(services.MAX_ATTEMPTS):
        services.deliver_due(now=later)
        later += dt.timedelta(hours=2)
    message = Message.objects.get()
    assert (message.state, message.attempts) == ("failed", services.MAX_ATTEMPTS)


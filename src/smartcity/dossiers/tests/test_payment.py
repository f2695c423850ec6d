"""The financial obligation of a dossier (status 6): asked at receipt or at return, paid through the gateway (the
platform's sandbox speaking the VNPAY contract), confirmed only by the gateway's signed IPN, the clock paused
meanwhile; or paid at the desk; cancelled when the dossier stops."""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
import time_machine

from smartcity.dossiers import services
from smartcity.dossiers.models import Dossier, Status
from smartcity.dossiers.tests.test_lifecycle import at, submit
from smartcity.lib.errors import Conflict, Invalid
from smartcity.payments.models import Payment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    from smartcity.procedures.services import load_catalogue

    settings.MEDIA_ROOT = tmp_path
    load_catalogue()


@pytest.fixture
def awaiting(an, officer_ba_dinh):
    """A birth registration received on Wednesday 10:00 and asked for its 8,000 đ copy fee at 10:30."""
    with time_machine.travel(at("2026-11-25T09:00"), tick=False):
        code = submit(an).code
    with time_machine.travel(at("2026-11-25T10:00"), tick=False):
        services.apply_operation(user=officer_ba_dinh, code=code, operation="receive")
    with time_machine.travel(at("2026-11-25T10:30"), tick=False):
        return services.apply_operation(user=officer_ba_dinh, code=code, operation="request_payment")


def pay_in_the_sandbox(client, user, payment, outcome="pay"):
    client.force_login(user)
    to_gateway = client.post(f"/thanh-toan/{payment.code}/thanh-toan/")
    token = re.search(r"/thanh-toan/sandbox/paymentv2/([0-9a-f]+)/",
                      client.get(to_gateway["Location"]).content.decode()).group(1)
    back = client.post(f"/thanh-toan/sandbox/paymentv2/{token}/", {"outcome": outcome})
    url = urlsplit(back["Location"])
    return client.get(url.path, dict(parse_qsl(url.query, keep_blank_values=True)))


def test_the_fee_is_asked_at_receipt_and_the_clock_stops(awaiting):
    payment = Payment.objects.get(reference=awaiting.code)
    assert (awaiting.status, awaiting.resume_status, awaiting.fee_due) == (Status.AWAITING_PAYMENT, Status.RECEIVED,
                                                                           8000)
    assert (payment.amount, payment.stage, payment.state, payment.payer_id) == (8000, "receipt", "created",
                                                                                 awaiting.applicant_id)
    assert awaiting.paused_since == at("2026-11-25T10:30")


def test_paying_online_brings_the_dossier_back_with_the_appointment_moved(
        client, an, awaiting, django_capture_on_commit_callbacks):
    payment = Payment.objects.get(reference=awaiting.code)
    appointment = awaiting.appointment_at
    with time_machine.travel(at("2026-11-25T14:30"), tick=True), django_capture_on_commit_callbacks(execute=True):
        page = pay_in_the_sandbox(client, an, payment)
    assert "Thanh toán thành công" in page.content.decode()
    d = Dossier.objects.get(pk=awaiting.pk)
    assert (d.status, d.paid_online, d.paused_since) == (Status.RECEIVED, True, None)
    assert d.paused_hours == pytest.approx(3, abs=0.05)  # 10:30–12:00 and 13:00–14:30
    assert d.appointment_at > appointment
    assert list(d.events.values_list("operation", flat=True))[-2:] == ["request_payment", "paid_online"]
    assert services.payment_received(reference=d.code).status == Status.RECEIVED  # a repeat changes nothing
    payment.refresh_from_db()
    assert payment.announced_at is not None  # every receiver took the news: nothing to send again


def test_a_failed_payment_leaves_the_dossier_waiting(client, an, awaiting, django_capture_on_commit_callbacks):
    payment = Payment.objects.get(reference=awaiting.code)
    with django_capture_on_commit_callbacks(execute=True):
        pay_in_the_sandbox(client, an, payment, outcome="fail")
    d = Dossier.objects.get(pk=awaiting.pk)
    assert (d.status, d.paid_online) == (Status.AWAITING_PAYMENT, False)


def test_paid_at_the_desk_withdraws_the_online_payment(officer_ba_dinh, awaiting):
    d = services.apply_operation(user=officer_ba_dinh, code=awaiting.code, operation="record_payment")
    assert (d.status, d.paid_online) == (Status.RECEIVED, False)
    assert Payment.objects.get(reference=awaiting.code).state == "cancelled"


def test_stopping_a_waiting_dossier_cancels_its_payment(an, awaiting):
    d = services.apply_operation(user=an, code=awaiting.code, operation="withdraw", note="Không cần nữa")
    assert d.status == Status.WITHDRAWN and Payment.objects.get(reference=awaiting.code).state == "cancelled"


def test_a_variable_fee_needs_its_amount_and_a_second_request_is_refused(an, officer_ba_dinh, awaiting):
    with pytest.raises(Conflict):  # already waiting
        services.apply_operation(user=officer_ba_dinh, code=awaiting.code, operation="request_payment")
    code = submit(an).code
    services.apply_operation(user=officer_ba_dinh, code=code, operation="receive")
    with pytest.raises(Invalid) as bad:
        services.apply_operation(user=officer_ba_dinh, code=code, operation="request_payment", amount=0)
    assert bad.value.field == "amount" and Dossier.objects.get(code=code).status == Status.RECEIVED
    d = services.apply_operation(user=officer_ba_dinh, code=code, operation="request_payment", amount=150_000)
    assert d.fee_due == 150_000 and Payment.objects.get(reference=code).amount == 150_000


def test_the_applicant_sees_the_fee_with_a_pay_link(client, an, awaiting):
    client.force_login(an)
    payment = Payment.objects.get(reference=awaiting.code)
    html = client.get(f"/ho-so/{awaiting.code}/").content.decode()
    assert "<strong>8.000 đ</strong>" in html and f'href="/thanh-toan/{payment.code}/"' in html and "Thanh toán trực tuyến" in html


def test_the_desk_counts_a_payment_the_gateway_confirmed_as_online(officer_ba_dinh, awaiting):
    """If the gateway's confirmation reached the payment but not the dossier, the desk's record finds it."""
    Payment.objects.filter(reference=awaiting.code).update(state="succeeded")
    d = services.apply_operation(user=officer_ba_dinh, code=awaiting.code, operation="record_payment")
    assert (d.status, d.paid_online, d.resume_status) == (Status.RECEIVED, True, None)


def test_a_payment_whose_news_did_not_reach_the_dossier_is_announced_again(
        client, an, awaiting, django_capture_on_commit_callbacks, monkeypatch):
    """The dossier's receiver fails once (its database hiccups after the payment committed): the payment is paid
    but not announced, the dossier still waits; `smartcity payments announce` sends the news again and the dossier
    moves on; a second run has nothing to send."""
    from django.core.management import call_command

    payment = Payment.objects.get(reference=awaiting.code)

    def hiccup(**_):
        raise RuntimeError("could not serialize access")

    with monkeypatch.context() as m, time_machine.travel(at("2026-11-25T14:30"), tick=True), \
            django_capture_on_commit_callbacks(execute=True):
        m.setattr(services, "payment_received", hiccup)
        pay_in_the_sandbox(client, an, payment)
    payment.refresh_from_db()
    assert (payment.state, payment.announced_at) == ("succeeded", None)
    assert Dossier.objects.get(pk=awaiting.pk).status == Status.AWAITING_PAYMENT

    with time_machine.travel(at("2026-11-25T14:32"), tick=False):
        call_command("payments", "announce", stdout=io.StringIO())
    payment.refresh_from_db()
    assert payment.announced_at == at("2026-11-25T14:32")
    d = Dossier.objects.get(pk=awaiting.pk)
    assert (d.status, d.paid_online) == (Status.RECEIVED, True)
    out = io.StringIO()
    call_command("payments", "announce", stdout=out)
    assert out.getvalue().startswith("Đã báo lại 0 khoản thanh toán; 0 vẫn lỗi; 0 đã thôi báo")


def test_news_no_receiver_takes_is_given_up_after_the_cap_and_left_for_a_person(awaiting, monkeypatch):
    """Each announcement is counted; after MAX_ANNOUNCE_ATTEMPTS refusals the job stops sending it and says so."""
    from smartcity.payments import services as payments

    Payment.objects.filter(reference=awaiting.code).update(state="succeeded",
                                                           updated_at=at("2026-11-25T14:00"))
    monkeypatch.setattr(services, "payment_received", lambda **_: (_ for _ in ()).throw(RuntimeError("down")))
    later = at("2026-11-25T15:00")
    assert payments.announce_pending(now=later) == payments.Announced(sent=0, failed=1, given_up=0)
    assert Payment.objects.get(reference=awaiting.code).announce_attempts == 1
    Payment.objects.filter(reference=awaiting.code).update(announce_attempts=payments.MAX_ANNOUNCE_ATTEMPTS)
    assert payments.announce_pending(now=later) == payments.Announced(sent=0, failed=0, given_up=1)
    assert Dossier.objects.get(pk=awaiting.pk).status == Status.AWAITING_PAYMENT


def test_the_news_of_the_receipt_fee_does_not_release_a_dossier_waiting_for_the_return_fee(awaiting):
    """A late or repeated announcement is matched to the stage the dossier waits for."""
    Dossier.objects.filter(pk=awaiting.pk).update(resume_status=Status.PROCESSED)
    d = services.payment_received(reference=awaiting.code, stage="receipt")
    assert (d.status, d.paid_online) == (Status.AWAITING_PAYMENT, False)
    d = services.payment_received(reference=awaiting.code, stage="return")
    assert (d.status, d.paid_online) == (Status.PROCESSED, True)

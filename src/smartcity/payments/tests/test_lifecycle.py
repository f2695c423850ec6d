"""Asking for a fee and the payment's state machine: validated input, one open payment per reference and stage,
every change audited, every move the machine does not allow refused with a 409 and nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest

from smartcity.audit.models import Entry
from smartcity.lib.errors import Conflict, Invalid
from smartcity.payments import services
from smartcity.payments.models import TRANSITIONS, Payment, State
from smartcity.payments.services import FeeItem
from smartcity.payments.tests.conftest import REFERENCE

pytestmark = pytest.mark.django_db


def ask(an, agency, **overrides):
    fields = {"reference": REFERENCE, "purpose": "Lệ phí đăng ký khai sinh", "payer": an.person, "agency": agency,
              "stage": "receipt", "items": [FeeItem("Lệ phí", 50_000)]}
    return services.request_payment(**(fields | overrides))


def test_a_request_creates_a_payment_and_audits_it(an, agency, officer_ba_dinh):
    payment = ask(an, agency, items=[FeeItem("Lệ phí", 50_000), FeeItem("Phí sao lục", 8_000)],
                  actor=officer_ba_dinh)
    assert (payment.state, payment.amount, payment.payer_name) == ("created", 58_000, "Nguyễn Văn An")
    assert payment.items == [{"name": "Lệ phí", "amount": 50_000}, {"name": "Phí sao lục", "amount": 8_000}]
    assert payment.code.startswith("TT") and len(payment.code) == 14
    entry = Entry.objects.get(subject_type="payments.payment", action="create")
    assert (entry.subject_id, entry.person_id, entry.actor) == (payment.code, an.person_id, officer_ba_dinh)
    assert entry.detail == {"reference": REFERENCE, "stage": "receipt", "amount": 58_000, "state": "created"}


@pytest.mark.parametrize(("overrides", "field"), [
    ({"reference": ""}, "reference"),
    ({"reference": "x" * 65}, "reference"),
    ({"purpose": "phí"}, "purpose"),
    ({"stage": "later"}, "stage"),
    ({"items": []}, "items"),
    ({"items": [FeeItem("Lệ phí", 0)]}, "items"),
    ({"items": [FeeItem("Lệ phí", -5)]}, "items"),
    ({"items": [FeeItem(" ", 5)]}, "items"),
    ({"items": [FeeItem("Lệ phí", 10_000_000_000)]}, "items"),
])
def test_bad_input_is_refused_naming_the_field(an, agency, overrides, field):
    with pytest.raises(Invalid) as error:
        ask(an, agency, **overrides)
    assert error.value.field == field
    assert not Payment.objects.exists() and not Entry.objects.exists()


def test_one_open_payment_per_reference_and_stage(an, agency):
    first = ask(an, agency)
    with pytest.raises(Conflict):
        ask(an, agency)
    assert ask(an, agency, stage="return").stage == "return"
    services.cancel_payment(code=first.code, actor=None, reason="Hồ sơ đã rút")
    assert ask(an, agency).state == "created"


def test_the_fees_due_at_a_stage_come_from_the_procedure_version():
    from types import SimpleNamespace

    version = SimpleNamespace(fees=[
        {"name": "Lệ phí cấp giấy", "amount": 30_000, "when": "on_submission"},
        {"name": "Phí miễn", "amount": 0, "when": "on_submission"},
        {"name": "Phí trả kết quả qua bưu điện", "amount": 25_000, "when": "on_result"},
    ])
    assert services.fees_for(version, stage="receipt") == [FeeItem("Lệ phí cấp giấy", 30_000)]
    assert services.fees_for(version, stage="return") == [FeeItem("Phí trả kết quả qua bưu điện", 25_000)]
    assert services.fees_for(version, stage="supplement") == []
    with pytest.raises(Invalid):
        services.fees_for(SimpleNamespace(fees=[{"name": "Lệ phí do thành phố quy định", "amount": None}]),
                          stage="receipt")


def test_the_machine_allows_exactly_the_documented_moves():
    assert TRANSITIONS == {
        "created": {"pending", "cancelled"},
        "pending": {"pending", "succeeded", "failed", "cancelled"},
        "failed": {"pending", "succeeded", "cancelled"},
        "succeeded": {"refunded"},
        "cancelled": set(),
        "refunded": set(),
    }


def test_starting_to_pay_moves_to_pending_and_a_second_click_reuses_the_open_attempt(an, payment):
    first = services.start_checkout(user=an, code=payment.code, ip="10.0.0.7")
    again = services.start_checkout(user=an, code=payment.code, ip="10.0.0.7")
    assert first.pk == again.pk and first.txn_ref == f"{payment.code}01"
    payment.refresh_from_db()
    assert payment.state == "pending"
    entry = Entry.objects.get(action="state", subject_id=payment.code)
    assert entry.detail["from"] == "created" and entry.detail["to"] == "pending"
    assert entry.actor == an


def test_an_expired_attempt_is_replaced_by_a_new_one(an, payment):
    first = services.start_checkout(user=an, code=payment.code, ip="10.0.0.7")
    first.expires_at -= dt.timedelta(hours=1)
    first.save()
    second = services.start_checkout(user=an, code=payment.code, ip="10.0.0.7")
    assert second.txn_ref == f"{payment.code}02"


def test_refunding_an_unpaid_payment_is_a_conflict_and_changes_nothing(payment, city_admin):
    with pytest.raises(Conflict) as error:
        services.refund_payment(code=payment.code, actor=city_admin, reason="Thu nhầm phí")
    assert error.value.field == "state"
    payment.refresh_from_db()
    assert payment.state == "created"
    assert not Entry.objects.filter(action="state").exists()


def test_a_cancelled_payment_cannot_be_paid_or_cancelled_again(an, payment):
    services.cancel_payment(code=payment.code, actor=None, reason="Hồ sơ đã rút")
    with pytest.raises(Conflict):
        services.start_checkout(user=an, code=payment.code, ip="10.0.0.7")
    with pytest.raises(Conflict):
        services.cancel_payment(code=payment.code, actor=None, reason="Hủy lần nữa")
    assert Entry.objects.filter(action="state").count() == 1
    assert Entry.objects.get(action="state").actor_label == "Hệ thống"


def test_a_payer_in_the_middle_of_paying_is_not_cut_off(attempt, officer_ba_dinh):
    with pytest.raises(Conflict):
        services.cancel_payment(code=attempt.payment.code, actor=officer_ba_dinh, reason="Hồ sơ bị dừng")
    attempt.expires_at -= dt.timedelta(hours=1)
    attempt.save()
    assert services.cancel_payment(code=attempt.payment.code, actor=officer_ba_dinh,
                                   reason="Hồ sơ bị dừng").state == State.CANCELLED

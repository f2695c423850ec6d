"""The payments API and pages, each endpoint with its payer / colleague / outsider test: the payer and the staff of
the collecting agency see a payment (a staff read is audited for the payer), everyone else gets 404; only the payer
starts paying; staff cancel; agency or city administrators record refunds."""

from __future__ import annotations

import pytest

from smartcity.audit.models import Entry
from smartcity.payments.models import Payment

pytestmark = pytest.mark.django_db

API = "/api/v1/payments"


def test_the_payer_reads_the_status_without_an_audit_entry(client, an, payment):
    client.force_login(an)
    response = client.get(f"{API}/{payment.code}")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ["code", "reference", "stage", "amount", "state", "state_label", "agency"]} == {
        "code": payment.code, "reference": "000.01.50.H26-261123-0001", "stage": "receipt", "amount": 50_000,
        "state": "created", "state_label": "Chờ thanh toán", "agency": "Ủy ban nhân dân Phường Ba Đình"}
    assert body["items"] == [{"name": "Lệ phí đăng ký khai sinh", "amount": 50_000}]
    assert not Entry.objects.filter(action="read").exists()


def test_an_officer_of_the_collecting_agency_reads_it_and_the_read_is_audited(client, an, officer_ba_dinh, payment):
    client.force_login(officer_ba_dinh)
    assert client.get(f"{API}/{payment.code}").status_code == 200
    entry = Entry.objects.get(action="read")
    assert (entry.actor, entry.person_id, entry.purpose) == (officer_ba_dinh, an.person_id,
                                                             "Xem trạng thái thanh toán")
    assert [p["code"] for p in client.get(API).json()] == [payment.code]


@pytest.mark.parametrize("persona", ["binh", "officer_hoan_kiem", "outsider"])
def test_anyone_else_gets_the_same_404_as_for_an_unknown_code(client, payment, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(f"{API}/{payment.code}")
    assert response.status_code == 404
    assert response.json() == client.get(f"{API}/TT000000XXXXXX").json()
    assert client.get(API).json() == []
    assert client.get(f"/thanh-toan/{payment.code}/").status_code == 404


def test_an_anonymous_caller_must_sign_in(client, payment):
    assert client.get(f"{API}/{payment.code}").status_code == 401
    assert client.post(f"{API}/{payment.code}/checkout").status_code == 401


def test_the_payer_starts_paying_and_gets_the_signed_gateway_url(client, an, payment, settings):
    client.force_login(an)
    response = client.post(f"{API}/{payment.code}/checkout")
    assert response.status_code == 201
    body = response.json()
    assert body["txn_ref"] == f"{payment.code}01"
    assert body["redirect_url"].startswith(settings.PAYMENT_GATEWAY_URL + "?")
    assert "vnp_Amount=5000000" in body["redirect_url"] and "vnp_SecureHash=" in body["redirect_url"]
    assert Payment.objects.get(pk=payment.pk).state == "pending"


def test_staff_cannot_pay_in_the_payers_place(client, officer_ba_dinh, payment):
    client.force_login(officer_ba_dinh)
    response = client.post(f"{API}/{payment.code}/checkout")
    assert response.status_code == 403
    assert Payment.objects.get(pk=payment.pk).state == "created"


def test_a_paid_payment_cannot_be_started_again(client, an, payment):
    from smartcity.payments import services

    services.cancel_payment(code=payment.code, actor=None, reason="Hồ sơ đã rút")
    client.force_login(an)
    response = client.post(f"{API}/{payment.code}/checkout")
    assert response.status_code == 409 and response.json()["errors"][0]["field"] == "state"


def test_an_officer_of_the_agency_cancels_with_a_reason(client, officer_ba_dinh, payment):
    client.force_login(officer_ba_dinh)
    assert client.post(f"{API}/{payment.code}/cancel", {"reason": "x"},
                       content_type="application/json").status_code == 400
    response = client.post(f"{API}/{payment.code}/cancel", {"reason": "Công dân rút hồ sơ"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    entry = Entry.objects.filter(action="state").get()
    assert entry.actor == officer_ba_dinh and entry.purpose == "Hủy yêu cầu thanh toán: Công dân rút hồ sơ"


@pytest.mark.parametrize(("persona", "status"), [("an", 403), ("officer_hoan_kiem", 404)])
def test_the_payer_and_other_agencies_cannot_cancel(client, payment, persona, status, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(f"{API}/{payment.code}/cancel", {"reason": "Không muốn nộp"},
                           content_type="application/json")
    assert response.status_code == status
    assert Payment.objects.get(pk=payment.pk).state == "created"


def test_only_an_administrator_records_a_refund(client, attempt, officer_ba_dinh, city_admin):
    from smartcity.payments.tests.conftest import IPN, gateway_result

    client.get(IPN, gateway_result(attempt))
    code = attempt.payment.code
    client.force_login(officer_ba_dinh)
    assert client.post(f"{API}/{code}/refund", {"reason": "Thu trùng phí"},
                       content_type="application/json").status_code == 403
    client.force_login(city_admin)
    response = client.post(f"{API}/{code}/refund", {"reason": "Thu trùng phí"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "refunded"


def test_the_pages_show_my_payments_and_a_pay_button(client, an, payment):
    client.force_login(an)
    listing = client.get("/thanh-toan/").content.decode()
    assert payment.code in listing and "50.000 đ" in listing
    page = client.get(f"/thanh-toan/{payment.code}/").content.decode()
    assert "Thanh toán trực tuyến" in page and "Chờ thanh toán" in page
    response = client.post(f"/thanh-toan/{payment.code}/thanh-toan/")
    assert response.status_code == 302 and "/thanh-toan/sandbox/paymentv2/vpcpay.html?" in response["Location"]

"""The electronic receipt: a real PDF in Vietnamese for the payer only (everyone else, and an unpaid payment, get
404), every download audited."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from smartcity.audit.models import Entry
from smartcity.payments.tests.conftest import IPN, gateway_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(client, attempt):
    assert client.get(IPN, gateway_result(attempt)).json()["RspCode"] == "00"
    attempt.payment.refresh_from_db()
    return attempt.payment


def text_of(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


@pytest.mark.parametrize("url", ["/thanh-toan/{code}/bien-lai.pdf", "/api/v1/payments/{code}/receipt.pdf"])
def test_the_payer_downloads_the_receipt_with_every_fact_and_the_read_is_audited(client, an, paid, url):
    client.force_login(an)
    response = client.get(url.format(code=paid.code))
    assert response.status_code == 200
    text = text_of(response)
    for expected in ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BIÊN LAI THU PHÍ, LỆ PHÍ", paid.receipt_no, paid.code,
                     "Ủy ban nhân dân Phường Ba Đình", "Nguyễn Văn An", "Lệ phí đăng ký khai sinh",
                     "000.01.50.H26-261123-0001", "50.000", "Năm mươi nghìn đồng", "14000001", paid.txn_ref,
                     "10 giờ 15 phút, ngày 23/11/2026"]:
        assert expected in text, expected
    entry = Entry.objects.get(subject_type="payments.receipt")
    assert (entry.action, entry.actor, entry.person_id, entry.subject_id) == ("read", an, an.person_id, paid.code)


@pytest.mark.parametrize("persona", ["binh", "officer_ba_dinh", "city_admin"])
def test_anyone_but_the_payer_gets_404(client, paid, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/thanh-toan/{paid.code}/bien-lai.pdf").status_code == 404
    assert client.get(f"/api/v1/payments/{paid.code}/receipt.pdf").status_code == 404
    assert not Entry.objects.filter(subject_type="payments.receipt").exists()


def test_an_unpaid_payment_has_no_receipt(client, an, attempt):
    client.force_login(an)
    assert client.get(f"/thanh-toan/{attempt.payment.code}/bien-lai.pdf").status_code == 404


def test_an_anonymous_visitor_is_asked_to_sign_in(client, paid):
    assert client.get(f"/thanh-toan/{paid.code}/bien-lai.pdf").status_code == 302
    assert client.get(f"/api/v1/payments/{paid.code}/receipt.pdf").status_code == 401


def test_a_refunded_payment_keeps_its_receipt_marked_refunded(client, an, paid, city_admin):
    from smartcity.payments import services

    services.refund_payment(code=paid.code, actor=city_admin, reason="Thu trùng phí")
    client.force_login(an)
    assert "ĐÃ ĐƯỢC HOÀN TIỀN" in text_of(client.get(f"/thanh-toan/{paid.code}/bien-lai.pdf"))

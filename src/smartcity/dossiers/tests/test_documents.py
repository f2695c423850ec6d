"""The desk's PDF documents: real PDFs whose text carries the Vietnamese titles, the dossier's facts and reasons,
available only once the history has them and only to those who may see the dossier."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from smartcity.dossiers import services
from smartcity.dossiers.models import Dossier
from smartcity.dossiers.tests.test_lifecycle import birth_files, fill

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    from smartcity.procedures.services import load_catalogue

    settings.MEDIA_ROOT = tmp_path
    load_catalogue()


def text_of(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


@pytest.fixture
def received(client, an, officer_ba_dinh):
    client.force_login(an)
    client.post("/ho-so/nop/1.001193/", {"unit": "00004", **fill(), **birth_files()})
    code = Dossier.objects.get().code
    services.apply_operation(user=officer_ba_dinh, code=code, operation="receive")
    return code


def test_the_receipt_slip_names_the_dossier_the_applicant_and_the_appointment(client, received, officer_ba_dinh):
    client.force_login(officer_ba_dinh)
    text = text_of(client.get(f"/ho-so/{received}/giay-to/tiep-nhan.pdf"))
    for expected in ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", received,
                     "Đăng ký khai sinh", "Nguyễn Văn An", "Ngày hẹn trả kết quả", "Thành phần hồ sơ",
                     "Lê Thị Hoa"]:
        assert expected in text, expected


def test_a_supplement_request_carries_its_reason(client, received, officer_ba_dinh, leader_ba_dinh, an):
    services.apply_operation(user=officer_ba_dinh, code=received, operation="assign")
    services.apply_operation(user=leader_ba_dinh, code=received, operation="request_supplement",
                             note="Thiếu bản sao giấy chứng sinh")
    client.force_login(an)
    text = text_of(client.get(f"/ho-so/{received}/giay-to/bo-sung.pdf"))
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text and "Thiếu bản sao giấy chứng sinh" in text
    control = text_of(client.get(f"/ho-so/{received}/giay-to/kiem-soat.pdf"))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in control and "Yêu cầu bổ sung" in control


def test_a_document_the_history_does_not_have_is_404(client, received, an):
    client.force_login(an)
    assert client.get(f"/ho-so/{received}/giay-to/tu-choi.pdf").status_code == 404
    assert client.get(f"/ho-so/{received}/giay-to/khong-co.pdf").status_code == 404


def test_other_people_cannot_print_it(client, received, binh, officer_hoan_kiem):
    for outsider in (binh, officer_hoan_kiem):
        client.force_login(outsider)
        assert client.get(f"/ho-so/{received}/giay-to/tiep-nhan.pdf").status_code == 404


def test_the_ledger_lists_the_months_dossiers(client, received, officer_ba_dinh):
    client.force_login(officer_ba_dinh)
    received_on = Dossier.objects.get().received_at
    text = text_of(client.get("/mot-cua/so-theo-doi.pdf", {"month": f"{received_on:%Y-%m}"}))
    assert "SỔ THEO DÕI HỒ SƠ" in text and received in text.replace("\n", "")


def test_citizens_have_no_ledger(client, an):
    client.force_login(an)
    assert client.get("/mot-cua/so-theo-doi.pdf").status_code == 404


def test_the_receipt_prints_the_tracking_secret_and_its_qr_code_opens_the_tracking(client, received, officer_ba_dinh,
                                                                                  monkeypatch):
    from smartcity.dossiers import documents

    secret = Dossier.objects.get(code=received).tracking_secret
    client.force_login(officer_ba_dinh)
    text = text_of(client.get(f"/ho-so/{received}/giay-to/tiep-nhan.pdf"))
    assert "Mã bí mật tra cứu" in text and secret in text

    seen = {}
    real = documents.render
    monkeypatch.setattr(documents, "render", lambda *a, **kw: seen.update(kw) or real(*a, **kw))
    client.get(f"/ho-so/{received}/giay-to/tiep-nhan.pdf")
    client.logout()
    scanned = client.get(seen["tracking_url"].removeprefix("http://testserver"))  # what the QR code encodes
    assert scanned.status_code == 200 and received in scanned.content.decode()

"""The public page /chu-ky-so/xac-minh/: anyone uploads a PDF and reads who signed it and whether it still holds."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smartcity.audit.models import Entry
from smartcity.signing.tests.conftest import TITLE

pytestmark = pytest.mark.django_db

URL = "/chu-ky-so/xac-minh/"


def upload(client, data: bytes, name: str = "ket-qua.pdf", content_type: str = "application/pdf"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type=content_type)})


def test_the_page_offers_an_upload_form_and_the_demo_root(client, demo_pki):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html and 'name="file"' in html
    assert "Xác minh chữ ký số trên tài liệu PDF" in html
    assert "tối đa 20 MB" in html
    assert "/chu-ky-so/ca/" in html and "/chu-ky-so/crl/" in html


def test_a_valid_signed_result_shows_who_signed_and_that_it_holds(client, signed_result):
    response = upload(client, signed_result)
    assert response.status_code == 200
    html = response.content.decode()
    assert "✔ Hợp lệ" in html
    assert "Vũ Quang Huy" in html
    assert "Ủy ban nhân dân Phường Ba Đình" in html
    assert "Không thay đổi sau khi ký" in html
    assert "Smart City Hà Nội Demo Root CA" in html
    assert "ket-qua.pdf" in html
    entry = Entry.objects.get(subject_type="signing.verification")
    assert entry.actor is None and entry.actor_label == "Khách (không đăng nhập)"
    assert entry.detail["verdict"] == "valid"


def test_a_signed_in_officer_is_named_in_the_audit(client, signed_result, officer_ba_dinh):
    client.force_login(officer_ba_dinh)
    assert upload(client, signed_result).status_code == 200
    assert Entry.objects.get(subject_type="signing.verification").actor == officer_ba_dinh


def test_a_modified_result_is_shown_as_modified(client, signed_result):
    altered = signed_result.replace(TITLE.encode(), TITLE.replace("0001", "9999").encode())
    html = upload(client, altered).content.decode()
    assert "✘ Không hợp lệ" in html
    assert "tài liệu đã bị sửa sau khi ký" in html


def test_an_unsigned_pdf_says_so(client, result_pdf, demo_pki):
    response = upload(client, result_pdf)
    assert response.status_code == 200
    assert "Tệp PDF không có chữ ký số." in response.content.decode()


@pytest.mark.parametrize("data, name, status, message", [
    (b"", "rong.pdf", 400, "Tệp rỗng"),
    (b"GIF89a not a pdf", "anh.pdf", 400, "Tệp không phải PDF"),
    (b"%PDF-1.4\n garbage", "hong.pdf", 400, "Không đọc được tệp PDF"),
])
def test_bad_uploads_get_a_clear_error(client, demo_pki, data, name, status, message):
    response = upload(client, data, name)
    assert response.status_code == status
    assert message in response.content.decode()
    assert 'role="alert"' in response.content.decode()


def test_an_oversized_upload_is_refused_before_it_is_read(client, demo_pki, settings, result_pdf):
    settings.SMARTCITY_SIGNING_MAX_UPLOAD_MB = 1
    response = upload(client, result_pdf + b"\n%" + b"x" * (1024 * 1024))
    assert response.status_code == 413
    assert "Tệp lớn hơn 1 MB" in response.content.decode()
    assert not Entry.objects.filter(subject_type="signing.verification").exists()


def test_posting_without_a_file_asks_for_one(client, demo_pki):
    response = client.post(URL, {})
    assert response.status_code == 400
    assert "Hãy chọn một tệp PDF để kiểm tra." in response.content.decode()

"""POST /api/v1/signatures/verify: the verification report as JSON, for any client (public, like the page)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smartcity.signing.models import Certificate

pytestmark = pytest.mark.django_db

URL = "/api/v1/signatures/verify"


def post(client, data: bytes, name: str = "ket-qua.pdf"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type="application/pdf")})


def test_the_report_of_a_signed_result(client, signed_result, leader_ba_dinh, ba_dinh_committee):
    response = post(client, signed_result)
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "valid" and body["valid"] is True
    assert body["size"] == len(signed_result)
    assert body["summary"] == "Tất cả 1 chữ ký số đều hợp lệ."
    [sig] = body["signatures"]
    cert = Certificate.objects.get(kind="officer", user=leader_ba_dinh)
    assert sig["signer"] == {
        "name": "Vũ Quang Huy", "organization": "Ủy ban nhân dân Phường Ba Đình",
        "agency_code": ba_dinh_committee.code, "serial": cert.serial, "fingerprint": cert.fingerprint,
        "issuer": "Smart City Hà Nội Demo Root CA",
        "not_before": sig["signer"]["not_before"], "not_after": sig["signer"]["not_after"], "kind": "officer",
    }
    assert sig["status"] == "valid" and sig["valid"] is True
    assert sig["field"] == "ChuKy1"
    assert sig["intact"] is True and sig["covers_whole_document"] is True and sig["modified_after_signing"] is False
    assert sig["trusted"] is True and sig["revoked"] is False and sig["revoked_at"] is None
    assert sig["timestamp"] == {"present": False, "valid": False, "trusted": False, "time": None, "authority": ""}
    assert sig["signing_time"].endswith("Z")  # UTC, like every time the API gives
    assert sig["reasons"][0] == "Tài liệu không bị thay đổi sau khi ký (chữ ký bao trùm toàn bộ tệp)."


def test_a_revoked_signer_in_json(client, signed_result, leader_ba_dinh):
    from smartcity.signing import services

    services.revoke_certificate(actor=None, certificate=Certificate.objects.get(kind="officer"),
                                reason="key_compromise")
    body = post(client, signed_result).json()
    assert body["verdict"] == "revoked" and body["valid"] is False
    assert body["signatures"][0]["revoked"] is True
    assert body["signatures"][0]["revocation_reason"] == "key_compromise"


def test_an_unsigned_pdf(client, result_pdf, demo_pki):
    body = post(client, result_pdf).json()
    assert body["verdict"] == "unsigned" and body["signatures"] == []


@pytest.mark.parametrize("data, status, code, message", [
    (b"", 400, "invalid", "Tệp rỗng (the file is empty)"),
    (b"PK\x03\x04 a zip file", 400, "invalid", "Tệp không phải PDF (the file is not a PDF)"),
    (b"%PDF-1.7\n%%EOF", 400, "invalid", "Không đọc được tệp PDF: tệp bị hỏng hoặc không đúng định dạng."),
])
def test_bad_uploads(client, demo_pki, data, status, code, message):
    response = post(client, data)
    assert response.status_code == status
    assert response.json() == {"errors": [{"code": code, "field": "file", "message": message}]}


def test_an_oversized_upload(client, demo_pki, settings, result_pdf):
    settings.SMARTCITY_SIGNING_MAX_UPLOAD_MB = 1
    response = post(client, result_pdf + b"%" * (1024 * 1024))
    assert response.status_code == 413
    assert response.json() == {"errors": [{"code": "too_large", "field": "file",
                                           "message": "Tệp lớn hơn 1 MB (file larger than 1 MB)"}]}


def test_a_request_without_a_file(client, demo_pki):
    response = client.post(URL, {})
    assert response.status_code == 400
    assert response.json() == {"errors": [{"code": "invalid", "field": "file", "message":
                                           "Thiếu tệp PDF trong trường `file` (multipart field `file` is required)"}]}


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary="])
def test_a_multipart_body_without_its_boundary_is_a_clear_400(client, content_type):
    """Found by schemathesis against the OpenAPI schema: the parser's error used to be a 500."""
    response = client.generic("POST", URL, b"--x\r\n", content_type=content_type)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["code"] == "invalid" and "malformed multipart body" in error["message"]


def test_a_signed_in_request_without_its_boundary_is_a_400_too(officer_ba_dinh):
    """With a session, the CSRF check reads the body first: the same clear 400, not a 500."""
    from django.test import Client

    token = "abcdefghijklmnopqrstuvwxyzABCDEF"
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_ba_dinh)
    client.cookies["csrftoken"] = token
    response = client.generic("POST", "/api/v1/population/citizens/lookup", b"--x\r\n",
                              content_type="multipart/form-data", headers={"X-CSRFToken": token})
    assert response.status_code == 400
    assert "malformed multipart body" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("data", [
    b"%PDF-1.7\n1 0 obj<</Type/Catalog/K " + b"[" * 20000 + b"]" * 20000 + b">>endobj\n%%EOF\n",
    b"%PDF-1.7\n1 0 obj<</Length 99999999999>>\nstream\nabc\nendstream\nendobj\n%%EOF\n",
])
def test_a_pdf_built_to_exhaust_the_reader_is_a_400_not_a_crash(client, demo_pki, data):
    client.raise_request_exception = False
    response = post(client, data)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"


def test_a_pdf_whose_objects_refer_to_themselves_is_a_400(client, demo_pki):
    data = (b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[2 0 R]/Count 1>>endobj\n"
            b"trailer<</Root 1 0 R/Size 3>>\n%%EOF\n")
    client.raise_request_exception = False
    response = post(client, data)
    assert response.status_code in (200, 400)

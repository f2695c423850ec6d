"""A leader signs a result, the desk seals a copy; the report says who signed, when, and that nothing changed."""

from __future__ import annotations

import hashlib
import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from smartcity.audit.models import Entry
from smartcity.lib.errors import Forbidden, Invalid
from smartcity.signing import services
from smartcity.signing.models import Certificate
from smartcity.signing.tests.conftest import TITLE

pytestmark = pytest.mark.django_db


def test_a_leader_signs_a_result_and_it_verifies_as_valid(signed_result, leader_ba_dinh, ba_dinh_committee):
    report = services.verify(signed_result)
    assert report.verdict == "valid"
    assert report.valid
    assert report.sha256 == hashlib.sha256(signed_result).hexdigest()
    [sig] = report.signatures
    assert sig.status == "valid"
    assert sig.field == "ChuKy1"
    assert sig.signer.name == "Vũ Quang Huy"
    assert sig.signer.organization == "Ủy ban nhân dân Phường Ba Đình"
    assert sig.signer.agency_code == ba_dinh_committee.code
    assert sig.signer.kind == "officer"
    assert sig.signer.serial == Certificate.objects.get(kind="officer", user=leader_ba_dinh).serial
    assert sig.reason == "Phê duyệt kết quả giải quyết hồ sơ"
    assert sig.location == "Phường Ba Đình"
    assert sig.intact and sig.covers_whole_document and not sig.modified_after_signing
    assert sig.trusted and not sig.revoked
    assert sig.trust_anchor == "Smart City Hà Nội Demo Root CA"
    assert sig.signing_time is not None
    assert not sig.timestamp.present
    assert "Tài liệu không bị thay đổi sau khi ký (chữ ký bao trùm toàn bộ tệp)." in sig.reasons


def test_signing_and_verifying_are_audited(signed_result, leader_ba_dinh, result_pdf):
    signing = Entry.objects.get(subject_type="signing.signature")
    assert signing.action == "create"
    assert signing.actor == leader_ba_dinh
    assert signing.actor_agency == "Ủy ban nhân dân Phường Ba Đình"
    assert signing.subject_id == hashlib.sha256(signed_result).hexdigest()
    assert signing.detail["operation"] == "sign_result"
    assert signing.detail["input_sha256"] == hashlib.sha256(result_pdf).hexdigest()
    assert signing.detail["timestamped"] is False
    services.verify(signed_result, filename="ket-qua.pdf")
    check = Entry.objects.get(subject_type="signing.verification")
    assert check.action == "read"
    assert check.actor is None and check.actor_label == "Quản trị hệ thống (dòng lệnh)"
    assert check.detail["verdict"] == "valid"
    assert check.detail["file"] == "ket-qua.pdf"


def test_a_byte_changed_after_signing_is_reported_modified(signed_result):
    assert signed_result.count(TITLE.encode()) == 1
    altered = signed_result.replace(TITLE.encode(), TITLE.replace("0001", "9999").encode())
    report = services.verify(altered)
    [sig] = report.signatures
    assert report.verdict == "modified"
    assert sig.status == "modified"
    assert not sig.intact
    assert sig.modified_after_signing
    assert any("không khớp với chữ ký" in reason for reason in sig.reasons)


def test_content_added_after_signing_is_reported_modified(signed_result):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_result))
    stream = writer.add_object(generic.StreamObject(stream_data=b"q 1 0 0 RG 100 100 200 50 re S Q"))
    writer.add_stream_to_page(0, stream)
    out = io.BytesIO()
    writer.write(out)
    report = services.verify(out.getvalue())
    [sig] = report.signatures
    assert sig.intact  # the signed bytes are untouched: the change is an update appended after them
    assert not sig.covers_whole_document
    assert sig.modified_after_signing
    assert sig.status == report.verdict == "modified"
    assert any("bị sửa đổi sau khi ký" in reason for reason in sig.reasons)


def test_a_seal_after_the_signature_keeps_both_valid(signed_result, officer_ba_dinh, ba_dinh_committee):
    sealed = services.seal(signed_result, agency=ba_dinh_committee, user=officer_ba_dinh)
    report = services.verify(sealed)
    assert report.verdict == "valid"
    first, second = report.signatures
    assert (first.field, second.field) == ("ChuKy1", "ChuKy2")
    assert first.valid and not first.covers_whole_document and not first.modified_after_signing
    assert second.valid and second.covers_whole_document
    assert second.signer.kind == "seal"
    assert second.signer.name == "Ủy ban nhân dân Phường Ba Đình"
    assert second.reason == "Chứng thực bản sao điện tử từ bản chính"
    assert Entry.objects.get(subject_type="signing.signature", detail__operation="seal").actor == officer_ba_dinh


def test_a_multi_page_result_is_stamped_on_its_last_page(demo_pki, leader_ba_dinh, ba_dinh_committee):
    from pypdf import PdfReader

    from smartcity.signing.tests.conftest import make_pdf

    signed = services.sign_result(make_pdf(pages=3), user=leader_ba_dinh, agency=ba_dinh_committee, reason="Ký")
    pages = PdfReader(io.BytesIO(signed)).pages
    assert [len(page.get("/Annots", [])) for page in pages] == [0, 0, 1]
    assert services.verify(signed).valid


def test_a_desk_officer_cannot_sign_a_result(demo_pki, result_pdf, officer_ba_dinh, ba_dinh_committee):
    with pytest.raises(Forbidden, match="only a leader of the agency signs its results"):
        services.sign_result(result_pdf, user=officer_ba_dinh, agency=ba_dinh_committee, reason="Ký")


def test_a_leader_of_another_ward_cannot_sign_for_ba_dinh(demo_pki, result_pdf, hoan_kiem, ba_dinh_committee):
    from smartcity.agencies.services import commune_committee
    from smartcity.conftest import make_staff

    other = make_staff("leader.hoankiem", "Trịnh Văn Long", commune_committee(hoan_kiem), "leader")
    services.ensure_demo_pki()
    with pytest.raises(Forbidden):
        services.sign_result(result_pdf, user=other, agency=ba_dinh_committee, reason="Ký")


def test_a_leader_without_a_certificate_is_told_so(result_pdf, leader_ba_dinh, ba_dinh_committee):
    services.ensure_demo_pki()
    Certificate.objects.filter(kind="officer").delete()
    with pytest.raises(Forbidden, match="Bạn chưa có chứng thư số còn hiệu lực") as caught:
        services.sign_result(result_pdf, user=leader_ba_dinh, agency=ba_dinh_committee, reason="Ký")
    assert "you have no valid signing certificate for this agency" in caught.value.message
    assert not Entry.objects.filter(subject_type="signing.signature").exists()


def test_an_outsider_cannot_seal(demo_pki, result_pdf, outsider, ba_dinh_committee):
    with pytest.raises(Forbidden):
        services.seal(result_pdf, agency=ba_dinh_committee, user=outsider)


@pytest.mark.parametrize("data, message", [
    (b"", "Tệp rỗng"),
    (b"hello, not a pdf", "Tệp không phải PDF"),
    (b"%PDF-1.7\nthis is not really a pdf", "Không đọc được tệp PDF"),
])
def test_signing_something_that_is_not_a_pdf_is_refused(demo_pki, leader_ba_dinh, ba_dinh_committee, data, message):
    with pytest.raises(Invalid, match=message) as caught:
        services.sign_result(data, user=leader_ba_dinh, agency=ba_dinh_committee, reason="Ký")
    assert caught.value.field == "pdf"

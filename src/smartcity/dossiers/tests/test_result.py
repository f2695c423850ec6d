"""The approving leader signs the result (PAdES with their demo-CA certificate); the signed result verifies, is
served to the applicant and the dossier's staff only, and lands in the applicant's document store on return."""

from __future__ import annotations

import pypdf
import pytest

from smartcity.dossiers import services
from smartcity.dossiers.models import Status
from smartcity.dossiers.tests.test_lifecycle import submit
from smartcity.lib.errors import Forbidden
from smartcity.signing import services as signing
from smartcity.vault.models import Document

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    from smartcity.procedures.services import load_catalogue

    settings.MEDIA_ROOT = tmp_path
    load_catalogue()


def processing(an, officer_ba_dinh) -> str:
    code = submit(an).code
    services.apply_operation(user=officer_ba_dinh, code=code, operation="receive")
    services.apply_operation(user=officer_ba_dinh, code=code, operation="assign")
    return code


def test_approval_signs_the_result_and_return_stores_it(an, officer_ba_dinh, leader_ba_dinh):
    code = processing(an, officer_ba_dinh)
    d = services.apply_operation(user=leader_ba_dinh, code=code, operation="approve")
    assert d.result_signed and d.result
    with d.result.open("rb") as fh:
        pdf = fh.read()
    report = signing.verify(pdf)
    assert report.valid, report.summary
    [signature] = report.signatures
    assert signature.signer.name == "Vũ Quang Huy" and signature.covers_whole_document and signature.trusted
    text = "".join(page.extract_text() for page in pypdf.PdfReader(d.result.path).pages)
    assert "GIẤY KHAI SINH" in text.upper() and code in text and "Nguyễn Văn An" in text
    d = services.apply_operation(user=officer_ba_dinh, code=code, operation="return_result")
    stored = Document.objects.get(owner_id=an.person_id)
    assert d.result_stored and stored.signed and stored.reference == code
    with stored.file.open("rb") as fh:
        assert fh.read() == pdf


def test_a_fully_online_procedure_cannot_be_approved_without_a_certificate(an, officer_ba_dinh, leader_ba_dinh):
    code = processing(an, officer_ba_dinh)
    certificate = signing.officer_certificate(leader_ba_dinh, services.get_dossier_for(an, code).agency)
    signing.revoke_certificate(actor=None, certificate=certificate, reason="key_compromise")
    with pytest.raises(Forbidden) as refused:
        services.apply_operation(user=leader_ba_dinh, code=code, operation="approve")
    assert "thu hồi" in refused.value.message
    d = services.get_dossier_for(an, code)
    assert (d.status, d.result_signed, bool(d.result)) == (Status.PROCESSING, False, False)


def test_only_the_applicant_and_the_dossiers_staff_download_the_result(client, an, binh, officer_ba_dinh,
                                                                       officer_hoan_kiem, leader_ba_dinh):
    code = processing(an, officer_ba_dinh)
    services.apply_operation(user=leader_ba_dinh, code=code, operation="approve")
    for user, status in [(an, 200), (officer_ba_dinh, 200), (binh, 404), (officer_hoan_kiem, 404)]:
        client.force_login(user)
        assert client.get(f"/ho-so/{code}/ket-qua.pdf").status_code == status
        assert client.get(f"/api/v1/dossiers/{code}/result.pdf").status_code == status
    client.force_login(an)
    assert client.get(f"/api/v1/dossiers/{code}").json()["result_signed"] is True
    assert "Tải kết quả có chữ ký số" in client.get(f"/ho-so/{code}/").content.decode()

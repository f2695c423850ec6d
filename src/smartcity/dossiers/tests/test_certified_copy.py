"""An electronic certified copy: the desk seals the scanned original with the agency's certificate; the sealed copy
is the dossier's result, verifies, and counts for the scorecard's indicator 4.2b."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from reportlab.pdfgen import canvas

from smartcity.dossiers import scorecard, services
from smartcity.dossiers.models import Status
from smartcity.dossiers.tests.test_lifecycle import PDF, submit
from smartcity.lib.errors import Conflict, Invalid
from smartcity.signing import services as signing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    from smartcity.procedures.services import load_catalogue

    settings.MEDIA_ROOT = tmp_path
    load_catalogue()


def scan() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 760, "Bang tot nghiep (ban chinh)")
    page.save()
    return buffer.getvalue()


def ask_for_copy(an, officer, content: bytes) -> str:
    data = {"applicant_full_name": "Nguyễn Văn An", "applicant_id_number": "001090012345",
            "document_name": "Bằng tốt nghiệp đại học", "page_count": "1", "copy_count": "1",
            "output_format": "Bản điện tử"}
    code = services.submit_online(user=an, procedure_key="2.000815", unit_key="2025:commune:00004", data=data,
                                  files={"original_scan_file": SimpleUploadedFile("bang.pdf", content)}).code
    services.apply_operation(user=officer, code=code, operation="receive")
    return code


def test_the_desk_seals_the_scan_as_an_electronic_certified_copy(an, officer_ba_dinh, leader_ba_dinh):
    code = ask_for_copy(an, officer_ba_dinh, scan())
    assert "certify_copy" in services.allowed_operations(services.get_dossier_for(an, code), officer_ba_dinh)
    d = services.apply_operation(user=officer_ba_dinh, code=code, operation="certify_copy")
    assert (d.status, d.result_signed) == (Status.PROCESSED, True)
    with d.result.open("rb") as fh:
        report = signing.verify(fh.read())
    assert report.valid and report.signatures[0].signer.name == "Ủy ban nhân dân Phường Ba Đình"
    now = timezone.now()
    [card] = scorecard.compute(now - timezone.timedelta(days=1), now + timezone.timedelta(days=1), group="city")
    copies = {i["code"]: i for i in card["indicators"]}["4.2b"]
    assert (copies["numerator"], copies["denominator"], copies["score"]) == (1, 1, 2)


def test_only_certified_copy_dossiers_and_only_pdf_scans_are_sealed(an, officer_ba_dinh, leader_ba_dinh):
    birth = submit(an).code
    services.apply_operation(user=officer_ba_dinh, code=birth, operation="receive")
    assert "certify_copy" not in services.allowed_operations(services.get_dossier_for(an, birth), officer_ba_dinh)
    with pytest.raises(Conflict):
        services.apply_operation(user=officer_ba_dinh, code=birth, operation="certify_copy")
    broken = ask_for_copy(an, officer_ba_dinh, PDF)  # a PDF header without a page: nothing to seal
    with pytest.raises(Invalid):
        services.apply_operation(user=officer_ba_dinh, code=broken, operation="certify_copy")
    assert services.get_dossier_for(an, broken).status == Status.RECEIVED

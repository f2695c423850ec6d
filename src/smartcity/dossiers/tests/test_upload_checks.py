"""Every way a citizen's file reaches a dossier goes through lib.uploads: online submission, desk intake and
supplements refuse active PDF content, polyglots and bombs with a 400 naming the field, and store nothing."""

from __future__ import annotations

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from smartcity.dossiers import services
from smartcity.dossiers.models import Dossier, DossierFile
from smartcity.dossiers.tests.test_api import submit
from smartcity.dossiers.tests.test_lifecycle import PDF, at, birth_files
from smartcity.dossiers.tests.test_lifecycle import submit as submit_online
from smartcity.lib.errors import Invalid

pytestmark = pytest.mark.django_db

JAVASCRIPT_PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n%%EOF\n"
ZIP_POLYGLOT = PDF + b"PK\x03\x04" + b"x" * 30 + b"PK\x05\x06" + b"\0" * 18


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    from smartcity.procedures.services import load_catalogue

    settings.MEDIA_ROOT = tmp_path
    load_catalogue()


@pytest.mark.parametrize(("data", "message"), [
    (JAVASCRIPT_PDF, "nội dung chủ động (/JavaScript"),
    (ZIP_POLYGLOT, "ZIP"),
    (b"%PDF-1.7\n1 0 obj<</K " + b"[" * 3000 + b"]" * 3000 + b">>endobj\n%%EOF\n", "lồng nhau"),
])
def test_an_online_submission_with_a_dangerous_file_is_a_400_naming_the_field(client, an, data, message):
    name = next(iter(birth_files()))
    response = submit(client, an, **{name: SimpleUploadedFile("giay.pdf", data, "application/pdf")})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == name and message in error["message"]
    assert not Dossier.objects.exists() and not DossierFile.objects.exists()


def test_a_supplement_with_one_bad_file_stores_none_of_them(an, officer_ba_dinh, leader_ba_dinh, tmp_path):
    with time_machine.travel(at("2026-11-25T09:00"), tick=False):
        code = submit_online(an).code
    with time_machine.travel(at("2026-11-25T10:00"), tick=False):
        services.apply_operation(user=officer_ba_dinh, code=code, operation="receive")
        services.apply_operation(user=officer_ba_dinh, code=code, operation="assign")
        services.apply_operation(user=leader_ba_dinh, code=code, operation="request_supplement", note="Thiếu giấy")
    stored_before = DossierFile.objects.count()
    files_before = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    with pytest.raises(Invalid) as caught, time_machine.travel(at("2026-11-25T11:00"), tick=False):
        services.apply_operation(user=an, code=code, operation="supplement", note="Bổ sung",
                                 files={"good": SimpleUploadedFile("a.pdf", PDF),
                                        "bad": SimpleUploadedFile("b.pdf", JAVASCRIPT_PDF)})
    assert caught.value.field == "bad"
    assert DossierFile.objects.count() == stored_before
    assert sorted(p for p in tmp_path.rglob("*") if p.is_file()) == files_before


def test_the_desk_does_not_receive_for_a_record_whose_id_number_disagrees_with_the_person(client, officer_ba_dinh,
                                                                                        ba_dinh):
    import datetime as dt

    from smartcity.conftest import make_citizen
    from smartcity.dossiers.tests.test_api import desk

    make_citizen(ba_dinh, id_number="001099001234", full_name="Đinh Thị Mai", dob=dt.date(2000, 3, 8), sex="F")
    response = desk(client, officer_ba_dinh, id_number="001099001234", full_name="Đinh Thị Mai",
                    date_of_birth="08/03/2000")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "id_number" and "không khớp" in error["message"]
    assert not Dossier.objects.exists()

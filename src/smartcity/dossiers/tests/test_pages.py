"""The one-stop shop's pages: submit with a prefilled form, follow the timeline, staff operate, public tracking."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smartcity.dossiers.models import Dossier
from smartcity.dossiers.tests.test_lifecycle import birth_files, fill

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    from smartcity.procedures.services import load_catalogue

    settings.MEDIA_ROOT = tmp_path
    load_catalogue()


def test_the_submit_page_is_prefilled_from_the_registry(client, an):
    client.force_login(an)
    html = client.get("/ho-so/nop/1.001193/").content.decode()
    assert 'value="Nguyễn Văn An"' in html and 'value="001090012345"' in html
    assert '<option value="00004" selected>Phường Ba Đình</option>' in html


def test_submitting_through_the_page_leads_to_the_dossier(client, an):
    client.force_login(an)
    response = client.post("/ho-so/nop/1.001193/", {"unit": "00004", **fill(), **birth_files()}, follow=True)
    dossier = Dossier.objects.get()
    assert response.redirect_chain[-1][0] == f"/ho-so/{dossier.code}/"
    html = response.content.decode()
    assert f"Đã nộp hồ sơ {dossier.code}" in html and "Mới đăng ký" in html and "Rút hồ sơ" in html


def test_a_bad_file_keeps_the_form_and_writes_nothing(client, an):
    client.force_login(an)
    name = next(iter(birth_files()))
    response = client.post("/ho-so/nop/1.001193/", {"unit": "00004", **fill(), **birth_files(),
                                                    name: SimpleUploadedFile("a.exe", b"MZ")})
    assert response.status_code == 400
    assert "Chỉ nhận tệp PDF, JPG hoặc PNG" in response.content.decode()
    assert not Dossier.objects.exists()


def test_staff_receive_from_the_page_and_the_citizen_sees_the_appointment(client, an, officer_ba_dinh):
    client.force_login(an)
    client.post("/ho-so/nop/1.001193/", {"unit": "00004", **fill(), **birth_files()})
    code = Dossier.objects.get().code
    client.force_login(officer_ba_dinh)
    assert code in client.get("/mot-cua/").content.decode()
    response = client.post(f"/ho-so/{code}/thao-tac/receive/", follow=True)
    assert "Tiếp nhận: hồ sơ" in response.content.decode()
    assert Dossier.objects.get().status == 2
    refused = client.post(f"/ho-so/{code}/thao-tac/approve/", follow=True)
    assert "Vai trò của bạn không được thực hiện" in refused.content.decode()
    client.force_login(an)
    html = client.get(f"/ho-so/{code}/").content.decode()
    assert "Được tiếp nhận" in html and "Ủy ban nhân dân Phường Ba Đình" in html
    assert "Hạn của bước hiện tại" in html


def test_another_citizens_dossier_page_is_404(client, an, binh):
    client.force_login(an)
    client.post("/ho-so/nop/1.001193/", {"unit": "00004", **fill(), **birth_files()})
    code = Dossier.objects.get().code
    client.force_login(binh)
    assert client.get(f"/ho-so/{code}/").status_code == 404
    assert client.post(f"/ho-so/{code}/thao-tac/withdraw/", {"note": "rút hộ người khác"}).status_code == 404
    assert Dossier.objects.get().status == 1


def test_the_tracking_page_shows_a_qr_code_and_no_personal_data(client, an):
    client.force_login(an)
    client.post("/ho-so/nop/1.001193/", {"unit": "00004", **fill(), **birth_files()})
    dossier = Dossier.objects.get()
    code, secret = dossier.code, dossier.tracking_secret
    assert secret in client.get(f"/ho-so/{code}/").content.decode()  # shown to the applicant on the dossier page
    client.logout()
    html = client.get("/tra-cuu/", {"code": code, "secret": secret}).content.decode()
    assert "Mới đăng ký" in html and "<svg" in html
    assert "Nguyễn Văn An" not in html and "001090012345" not in html
    unknown = client.get("/tra-cuu/", {"code": "khong-co", "secret": secret})
    assert unknown.status_code == 404
    for response in (client.get("/tra-cuu/", {"code": code}), client.get("/tra-cuu/", {"code": code, "secret": "X"})):
        assert response.status_code == 404 and "Mới đăng ký" not in response.content.decode()


def test_attachments_download_only_for_those_who_see_the_dossier(client, an, binh, officer_ba_dinh):
    client.force_login(an)
    client.post("/ho-so/nop/1.001193/", {"unit": "00004", **fill(), **birth_files()})
    dossier = Dossier.objects.get()
    stored = dossier.files.first()
    url = f"/ho-so/{dossier.code}/tep/{stored.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith("attachment;")
    client.force_login(officer_ba_dinh)
    assert client.get(url).status_code == 200
    assert client.get(f"/ho-so/{dossier.code}/tep/999999/").status_code == 404
    client.force_login(binh)
    assert client.get(url).status_code == 404


def test_a_desk_officer_receives_from_the_intake_page(client, binh, officer_ba_dinh):
    client.force_login(officer_ba_dinh)
    assert "Đăng ký khai sinh" in client.get("/mot-cua/tiep-nhan/").content.decode()
    page = client.get("/mot-cua/tiep-nhan/", {"procedure": "1.001193"}).content.decode()
    assert 'name="id_number"' in page
    response = client.post("/mot-cua/tiep-nhan/", {"procedure": "1.001193", "id_number": "001185004321",
                                                   "full_name": "Trần Thị Bình", "date_of_birth": "02/11/1985",
                                                   "channel": "2", **fill(), **birth_files()}, follow=True)
    dossier = Dossier.objects.get()
    assert (dossier.status, dossier.channel, dossier.applicant.full_name) == (2, 2, "Trần Thị Bình")
    assert f"Đã tiếp nhận hồ sơ {dossier.code}" in response.content.decode()


def test_the_intake_page_keeps_the_form_on_an_unknown_applicant(client, officer_ba_dinh):
    client.force_login(officer_ba_dinh)
    response = client.post("/mot-cua/tiep-nhan/", {"procedure": "1.001193", "id_number": "001099999999",
                                                   "full_name": "Trần Thị Bình", "date_of_birth": "02/11/1985",
                                                   "channel": "2", **fill(), **birth_files()})
    assert response.status_code == 400
    page = response.content.decode()
    assert "không khớp với cơ sở dữ liệu dân cư" in page
    assert 'value="Trần Thị Bình"' in page and 'value="02/11/1985"' in page  # nothing typed is lost
    assert not Dossier.objects.exists()


def test_staff_receive_the_selected_dossiers_from_the_queue(client, an, officer_ba_dinh):
    client.force_login(an)
    for _ in range(2):
        client.post("/ho-so/nop/1.001193/", {"unit": "00004", **fill(), **birth_files()})
    codes = list(Dossier.objects.values_list("code", flat=True))
    client.force_login(officer_ba_dinh)
    page = client.get("/mot-cua/").content.decode()
    assert all(f'name="codes" value="{code}"' in page for code in codes)
    response = client.post("/mot-cua/thao-tac/", {"codes": codes, "operation": "receive", "queue": "to_receive"},
                           follow=True)
    assert f"Tiếp nhận: 2 hồ sơ ({', '.join(codes)})" in response.content.decode()
    assert set(Dossier.objects.values_list("status", flat=True)) == {2}
    nothing = client.post("/mot-cua/thao-tac/", {"operation": "receive"}, follow=True)
    assert "Chọn ít nhất một hồ sơ" in nothing.content.decode()


def test_the_submit_page_offers_only_the_store_documents_of_the_kind_the_field_asks_for(client, an):
    from smartcity.dossiers.tests.test_lifecycle import PDF
    from smartcity.vault import services as vault

    death = vault.store(owner_id=an.person_id, pdf=PDF, title="Trích lục khai tử", reference="X-1",
                        procedure_code="1.000656")
    other = vault.store(owner_id=an.person_id, pdf=PDF, title="Giấy khai sinh", reference="X-2",
                        procedure_code="1.001193")
    client.force_login(an)
    burial = client.get("/ho-so/nop/1.001731/").content.decode()
    assert 'name="death_record_file__kho"' in burial
    assert f'<option value="{death.pk}">Trích lục khai tử (' in burial
    assert f'<option value="{other.pk}">' not in burial
    birth = client.get("/ho-so/nop/1.001193/").content.decode()
    assert "__kho" not in birth  # nothing in the store stands in for a hospital's birth certificate


def test_a_document_of_the_store_stands_in_for_an_upload(client, an, monkeypatch):
    from smartcity.dossiers.tests.test_lifecycle import PDF
    from smartcity.procedures import forms
    from smartcity.vault import services as vault

    stored = vault.store(owner_id=an.person_id, pdf=PDF, title="Giấy chứng sinh điện tử", reference="X-1",
                         procedure_code="9.999999")
    client.force_login(an)
    name = next(iter(birth_files()))
    monkeypatch.setitem(forms.ACCEPTS, name, ("9.999999",))  # the field takes results of procedure 9.999999
    files = birth_files()
    del files[name]
    client.post("/ho-so/nop/1.001193/", {"unit": "00004", **fill(), **files, f"{name}__kho": stored.pk})
    assert Dossier.objects.get().reused_documents == 1


def test_the_ward_list_of_the_submit_page_is_in_vietnamese_alphabetical_order(client, an):
    client.force_login(an)
    page = client.get("/ho-so/nop/1.001193/").content.decode()
    import re

    names = re.findall(r'<option value="\d+"[^>]*>(Phường [^<]+)</option>', page)
    assert len(names) > 50
    # Code-point order would put every Đ… ward after the Y… ones; Vietnamese order puts them right after D.
    assert names.index("Phường Đống Đa") < names.index("Phường Giảng Võ")
    assert names.index("Phường Dương Nội") < names.index("Phường Đống Đa")

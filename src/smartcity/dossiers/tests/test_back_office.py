"""The back office (/admin/) in Vietnamese: a dossier with its history (read-only), procedures and their versions,
agencies with their memberships and the working-day overrides, and the third-party apps' names too."""

from __future__ import annotations

import re

import pytest

from smartcity.dossiers import services
from smartcity.dossiers.models import Dossier
from smartcity.dossiers.tests.test_lifecycle import submit
from smartcity.identity import services as identity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    from smartcity.procedures.services import load_catalogue

    settings.MEDIA_ROOT = tmp_path
    load_catalogue()


@pytest.fixture
def back_office(client, admin_user):
    client.force_login(admin_user)
    session = client.session
    session[identity.SECOND_FACTOR_SESSION_KEY] = True
    session.save()
    return client


def test_the_index_names_every_app_and_model_in_vietnamese(back_office):
    html = back_office.get("/admin/").content.decode()
    for name in ["Hồ sơ một cửa", "Đánh giá của người dân", "Thủ tục hành chính", "Phiên bản thủ tục", "Cơ quan, đơn vị",
                 "Phân công cán bộ", "Ngày làm việc điều chỉnh", "Kết quả tác vụ nền (Celery)", "Kết quả tác vụ",
                 "Nhà cung cấp định danh thử nghiệm (OpenID Connect)", "Ứng dụng kết nối", "Mã truy cập"]:
        assert name in html, name
    captions = re.findall(r'<a href="/admin/[a-z0-9_]+/[a-z0-9_]+/">([^<]+)</a>', html)
    english = [c for c in captions if re.fullmatch(r"[A-Za-z ()]+", c)]
    assert english == []


def test_a_dossier_shows_its_history_read_only(back_office, an, officer_ba_dinh):
    dossier = submit(an)
    services.apply_operation(user=officer_ba_dinh, code=dossier.code, operation="receive", note="Đủ giấy tờ")
    listing = back_office.get("/admin/dossiers/dossier/", {"q": dossier.code}).content.decode()
    assert dossier.code in listing and "Được tiếp nhận" in listing
    page = back_office.get(f"/admin/dossiers/dossier/{dossier.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Lịch sử xử lý" in html and "Đủ giấy tờ" in html and "officer.badinh" in html
    assert "Người thực hiện" in html and "Sang trạng thái" in html
    assert 'name="_save"' not in html  # nothing to save: operations go through the officer's pages
    assert back_office.post(f"/admin/dossiers/dossier/{dossier.pk}/change/", {"status": 10}).status_code == 403
    assert back_office.post(f"/admin/dossiers/dossier/{dossier.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Dossier.objects.get().status == 2


def test_procedures_their_versions_agencies_and_memberships_open(back_office, officer_ba_dinh):
    from smartcity.procedures.models import ProcedureVersion

    version = ProcedureVersion.objects.filter(procedure__code="1.001193").first()
    for path in ["/admin/procedures/procedure/", f"/admin/procedures/procedure/{version.procedure_id}/change/",
                 "/admin/procedures/procedureversion/", f"/admin/procedures/procedureversion/{version.pk}/change/",
                 "/admin/procedures/field/", "/admin/agencies/agency/", "/admin/agencies/membership/",
                 f"/admin/agencies/membership/{officer_ba_dinh.memberships.get().pk}/change/",
                 "/admin/agencies/workingdayoverride/", "/admin/dossiers/evaluation/",
                 "/admin/django_celery_results/taskresult/", "/admin/oauth2_provider/application/"]:
        assert back_office.get(path).status_code == 200, path
    membership = back_office.get(f"/admin/agencies/membership/{officer_ba_dinh.memberships.get().pk}/change/")
    html = membership.content.decode()
    assert "Cán bộ" in html and "Đang hiệu lực" in html and "Vai trò" in html
    tokens = back_office.get("/admin/oauth2_provider/accesstoken/").content.decode()
    assert "<h1>Chọn mã truy cập để xem</h1>" in tokens or "<h1>Chọn mã truy cập để thay đổi</h1>" in tokens


def test_the_back_office_is_refused_to_officers_without_rights(client, officer_ba_dinh):
    client.force_login(officer_ba_dinh)
    session = client.session
    session[identity.SECOND_FACTOR_SESSION_KEY] = True
    session.save()
    assert client.get("/admin/dossiers/dossier/").status_code == 403
    assert officer_ba_dinh.can_use_admin is False

"""Uploaded tables are validated before anything is stored; refused files leave nothing behind."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from smartcity.lib.errors import Forbidden, Invalid
from smartcity.opendata import services
from smartcity.opendata.models import Resource, Row

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("od-admin", "od@example.vn", "x")


def _refused(admin, catalogue, filename, data) -> str:
    with pytest.raises(Invalid) as err:
        services.add_file_resource(user=admin, dataset=catalogue["air"], name="x", filename=filename, data=data)
    assert err.value.field == "file"
    assert Resource.objects.count() == 0 and Row.objects.count() == 0
    return err.value.message


def test_a_csv_is_stored_with_typed_columns(air_csv):
    assert air_csv.row_count == 3
    assert air_csv.fields == [{"id": "station", "type": "text"}, {"id": "time", "type": "text"},
                              {"id": "aqi", "type": "numeric"}]
    assert list(air_csv.rows.order_by("n").values_list("data", flat=True)) == [
        {"station": "hk-01", "time": "2026-03-01T01:00:00Z", "aqi": 57.0},
        {"station": "hk-01", "time": "2026-03-01T02:00:00Z", "aqi": 61.5},
        {"station": "bd-02", "time": "2026-03-01T01:00:00Z", "aqi": None}]


def test_a_csv_row_with_the_wrong_number_of_columns_is_refused_naming_the_line(admin, catalogue):
    assert _refused(admin, catalogue, "a.csv", b"a,b\n1,2\n3\n") == "Dòng 3 có 1 cột, dòng tiêu đề có 2"


def test_a_csv_that_is_not_utf8_is_refused(admin, catalogue):
    assert _refused(admin, catalogue, "a.csv", "ten\nHà Nam\n".encode("latin-1")).startswith(
        "Tệp CSV phải mã hóa UTF-8")


def test_a_pdf_named_csv_or_xlsx_is_refused(admin, catalogue):
    assert _refused(admin, catalogue, "a.csv", b"%PDF-1.7\x00\x01") == "Tệp CSV chứa byte NUL: không phải tệp văn bản"
    assert _refused(admin, catalogue, "a.xlsx", b"%PDF-1.7") == "Tệp không phải bảng tính XLSX"


def test_duplicate_or_empty_headers_are_refused(admin, catalogue):
    assert _refused(admin, catalogue, "a.csv", b"a,a\n1,2\n") == "Tên cột bị trùng: a"
    assert _refused(admin, catalogue, "a.csv", b"a,\n1,2\n") == "Cột thứ 2 không có tên"


def test_too_many_rows_are_refused(admin, catalogue, settings):
    settings.OPENDATA_MAX_UPLOAD_ROWS = 2
    assert _refused(admin, catalogue, "a.csv", b"a\n1\n2\n3\n") == "Nhiều quá 2 dòng"


def test_an_unknown_extension_is_refused(admin, catalogue):
    assert _refused(admin, catalogue, "a.exe", b"MZ") == "Chỉ nhận tệp CSV, XLSX hoặc GeoJSON"


def test_an_xlsx_is_read_from_its_first_sheet(admin, catalogue):
    book = Workbook()
    sheet = book.active
    sheet.append(["Phường", "Dân số"])
    sheet.append(["Ba Đình", 65000])
    buffer = io.BytesIO()
    book.save(buffer)
    r = services.add_file_resource(user=admin, dataset=catalogue["air"], name="Dân số", filename="ds.xlsx",
                                   data=buffer.getvalue())
    assert r.format == "XLSX"
    assert r.fields == [{"id": "Phường", "type": "text"}, {"id": "Dân số", "type": "int"}]
    assert r.rows.get().data == {"Phường": "Ba Đình", "Dân số": 65000}


def test_geojson_features_become_rows_with_their_geometry(admin, catalogue):
    data = (b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"H\xe1\xbb\x93"},'
            b'"geometry":{"type":"Point","coordinates":[105.85,21.03]}}]}')
    r = services.add_file_resource(user=admin, dataset=catalogue["air"], name="Hồ", filename="ho.geojson",
                                   data=data)
    assert r.geo is True
    assert r.rows.get().data == {"name": "Hồ", "geometry": {"type": "Point", "coordinates": [105.85, 21.03]}}


def test_geojson_that_is_not_a_feature_collection_is_refused(admin, catalogue):
    assert _refused(admin, catalogue, "a.geojson", b'{"type":"Point","coordinates":[1,2]}') == (
        "GeoJSON phải là một FeatureCollection có danh sách features")
    assert _refused(admin, catalogue, "a.geojson", b"[" * 50 + b"]" * 50).startswith("GeoJSON")


def test_staff_of_another_agency_may_not_upload(outsider, catalogue):
    with pytest.raises(Forbidden):
        services.add_file_resource(user=outsider, dataset=catalogue["air"], name="x", filename="a.csv",
                                   data=b"a\n1\n")
    assert Resource.objects.count() == 0


def test_the_upload_page_shows_the_error_and_stores_nothing(client, admin, catalogue):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin)
    response = client.post("/du-lieu-mo/chat-luong-khong-khi/tai-len/",
                           {"name": "x", "file": SimpleUploadedFile("a.csv", b"a,b\n1\n")})
    assert response.status_code == 400
    assert "Dòng 2 có 1 cột, dòng tiêu đề có 2" in response.content.decode()
    assert Resource.objects.count() == 0


def test_upload_page_authorization(client, outsider, catalogue):
    assert client.get("/du-lieu-mo/chat-luong-khong-khi/tai-len/").status_code == 302  # anonymous: sign in
    client.force_login(outsider)
    assert client.get("/du-lieu-mo/chat-luong-khong-khi/tai-len/").status_code == 403


def test_staff_of_the_publishing_agency_may_upload(catalogue):
    from smartcity.agencies.services import add_membership
    from smartcity.conftest import make_staff

    colleague = make_staff("od.colleague", "Phan Thị Lan")
    add_membership(user=colleague, agency=catalogue["tnmt"].agency, role="specialist")
    r = services.add_file_resource(user=colleague, dataset=catalogue["air"], name="x", filename="a.csv",
                                   data=b"a\n1\n")
    assert r.row_count == 1
    with pytest.raises(Forbidden):  # the city's dataset is not theirs
        city_ds = services.save_dataset(name="cua-thanh-pho", title="Của thành phố", organization=catalogue["city"])
        services.add_file_resource(user=colleague, dataset=city_ds, name="x", filename="a.csv", data=b"a\n1\n")

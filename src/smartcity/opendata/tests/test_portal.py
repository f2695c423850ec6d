"""The public portal: search with facets, the dataset page (preview table, chart, map), the database catalogue."""

from __future__ import annotations

import pytest

from smartcity.opendata import services
from smartcity.opendata.models import Sharing

pytestmark = pytest.mark.django_db


def test_search_finds_by_folded_words_and_shows_facets(client, air_csv):
    page = client.get("/du-lieu-mo/", {"q": "KHONG KHI"}).content.decode()
    assert "Chất lượng không khí" in page
    assert "Danh mục thủ tục hành chính" not in page
    assert "Sở Nông nghiệp và Môi trường" in page  # the publisher facet
    assert "Dữ liệu nội bộ" not in client.get("/du-lieu-mo/", {"q": "khong khi"}).content.decode()


def test_a_facet_link_filters_the_list(client, air_csv):
    page = client.get("/du-lieu-mo/", {"groups": "hanh-chinh"}).content.decode()
    assert "Danh mục thủ tục hành chính" in page and "Chất lượng không khí</a>" not in page


def test_a_too_long_search_is_a_clear_error_not_a_500(client, catalogue):
    response = client.get("/du-lieu-mo/", {"q": "x" * 500})
    assert response.status_code == 200
    assert "Chuỗi tìm kiếm dài quá 200 ký tự" in response.content.decode()


def test_the_dataset_page_previews_the_table_and_draws_a_chart(client, air_csv):
    page = client.get("/du-lieu-mo/chat-luong-khong-khi/").content.decode()
    assert "<td>hk-01</td><td>2026-03-01T02:00:00Z</td><td>61,5</td>" in page
    assert "<svg" in page and "AQI tháng 3: aqi" in page
    assert f"/du-lieu-mo/tai-nguyen/{air_csv.uuid}/tai-ve.csv" in page


def test_a_geo_resource_gets_a_map(client, catalogue):
    r = services.add_live_resource(dataset=catalogue["air"], source="units")
    page = client.get("/du-lieu-mo/chat-luong-khong-khi/", {"resource": str(r.uuid)}).content.decode()
    assert 'class="map' in page


def test_a_private_dataset_page_is_not_found(client, catalogue):
    assert client.get("/du-lieu-mo/noi-bo/").status_code == 404


def test_the_database_catalogue_lists_entries_by_sharing_level(client, catalogue):
    from smartcity.agencies.models import Agency

    owner = Agency.objects.filter(kind="department").first()
    services.save_database_entry(slug="dan-cu", name="Cơ sở dữ liệu dân cư", owner=owner,
                                 sharing=Sharing.RESTRICTED, fields=[{"name": "so_dinh_danh",
                                                                       "description": "Số định danh cá nhân"}],
                                 legal_basis="Luật Căn cước 2023")
    services.save_database_entry(slug="moi-truong", name="Cơ sở dữ liệu môi trường", owner=owner,
                                 sharing=Sharing.OPEN, datasets=[catalogue["air"]])
    listing = client.get("/du-lieu-mo/co-so-du-lieu/", {"sharing": "open"}).content.decode()
    assert "Cơ sở dữ liệu môi trường" in listing and "Cơ sở dữ liệu dân cư" not in listing
    detail = client.get("/du-lieu-mo/co-so-du-lieu/dan-cu/").content.decode()
    assert "Số định danh cá nhân" in detail and "Luật Căn cước 2023" in detail
    assert "Chất lượng không khí" in client.get("/du-lieu-mo/co-so-du-lieu/moi-truong/").content.decode()

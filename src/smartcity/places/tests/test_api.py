"""GET /api/v1/places/…: Hà Nội's units in both structures, with the old→new mapping."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_hanoi_has_126_communes_and_wards_since_2025(client):
    body = client.get("/api/v1/places/units", {"province": "01", "level": "commune", "limit": 1000}).json()
    assert len(body) == 126
    assert {u["unit_type"] for u in body} == {"Phường", "Xã"}
    assert all(u["parent_key"] == "2025:province:01" and u["valid_from"] == "2025-07-01" for u in body)


def test_hanoi_had_30_districts_before_2025(client):
    body = client.get("/api/v1/places/units",
                      {"structure": "legacy", "province": "01", "level": "district", "limit": 100}).json()
    assert len(body) == 30
    assert {u["valid_until"] for u in body} == {"2025-07-01"}
    assert "Quận Hoàn Kiếm" in {u["name"] for u in body}


def test_units_can_be_searched_without_diacritics(client):
    body = client.get("/api/v1/places/units", {"province": "01", "q": "ba dinh"}).json()
    assert [u["name"] for u in body] == ["Phường Ba Đình"]


def test_a_legacy_ward_names_its_successor(client):
    ward = client.get("/api/v1/places/units", {"structure": "legacy", "province": "01", "q": "truc bach"}).json()[0]
    detail = client.get(f"/api/v1/places/units/{ward['key']}").json()
    assert detail["successors"] == ["2025:commune:00004"]
    assert detail["bounds"] and len(detail["bounds"]) == 4
    assert detail["parent_key"].startswith("legacy:district:")
    new = client.get("/api/v1/places/units/2025:commune:00004").json()
    assert ward["key"] in new["predecessors"]


def test_an_address_is_parsed_through_the_api(client):
    response = client.post("/api/v1/places/parse-address",
                           {"address": "12 Hàng Bài, P. Hàng Bài, Q. Hoàn Kiếm, Hà Nội"}, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["street"] == "12 Hàng Bài"
    assert body["unit"]["structure"] == "legacy"
    assert body["current_unit"]["name"] == "Phường Cửa Nam"


@pytest.mark.parametrize(
    ("key", "status", "field"),
    [("2025:commune:99999", 404, "unit"), ("not-a-key", 400, "unit"), ("a:b", 400, "unit")],
)
def test_unknown_or_malformed_unit_keys_get_a_clear_error(client, key, status, field):
    response = client.get(f"/api/v1/places/units/{key}")
    assert response.status_code == status
    assert response.json()["errors"][0]["field"] == field


def test_an_unknown_address_is_a_400_naming_the_field(client):
    response = client.post("/api/v1/places/parse-address", {"address": "Sao Hỏa"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "invalid", "field": "address", "message": "Không xác định được đơn vị hành chính trong địa chỉ"}
    ]


def test_a_bad_filter_value_is_a_400_naming_the_field(client):
    response = client.get("/api/v1/places/units", {"level": "galaxy"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "level"
    assert client.get("/api/v1/places/units", {"limit": 0}).json()["errors"][0]["field"] == "limit"


def test_units_in_force_on_a_day_before_the_reform_are_the_legacy_ones(client):
    before = client.get("/api/v1/places/units", {"on": "2024-05-01", "province": "01", "q": "hoan kiem"}).json()
    assert {(u["structure"], u["name"]) for u in before} == {("legacy", "Quận Hoàn Kiếm")}
    after = client.get("/api/v1/places/units", {"on": "2025-07-01", "province": "01", "q": "hoan kiem"}).json()
    assert {(u["structure"], u["name"]) for u in after} == {("2025", "Phường Hoàn Kiếm")}


def test_parse_address_lists_the_successors_of_a_split_ward(client):
    body = client.post("/api/v1/places/parse-address", {"address": "Phường Kim Mã, Quận Ba Đình"},
                       content_type="application/json").json()
    assert body["ambiguous"] is True and body["unit"]["name"] == "Phường Kim Mã"  # no province: the city's
    assert [u["name"] for u in body["successors"]] == ["Phường Ngọc Hà", "Phường Ba Đình", "Phường Giảng Võ"]

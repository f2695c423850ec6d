"""The CKAN Action API through ckanapi (the client harvesters use), and CKAN's error bodies for bad parameters."""

from __future__ import annotations

import ckanapi
import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ckan(live_server, air_csv):
    client = ckanapi.RemoteCKAN(live_server.url)
    yield client
    client.close()  # no kept-alive connection left to the server thread after the test


def test_package_list_names_the_public_datasets_only(ckan):
    assert ckan.action.package_list() == ["chat-luong-khong-khi", "thu-tuc-hanh-chinh"]


def test_package_search_folds_vietnamese_and_counts_facets(ckan):
    result = ckan.action.package_search(q="khong khi", **{"facet.field": '["organization", "tags"]'})
    assert result["count"] == 1
    assert [d["name"] for d in result["results"]] == ["chat-luong-khong-khi"]
    assert result["facets"]["organization"] == {"so-moi-truong": 1}
    assert result["facets"]["tags"] == {"AQI": 1, "không khí": 1}
    assert result["search_facets"]["organization"]["items"][0]["display_name"] == "Sở Nông nghiệp và Môi trường"


def test_package_search_filters_with_fq_and_pages_with_rows_and_start(ckan):
    assert ckan.action.package_search(fq="groups:hanh-chinh")["results"][0]["name"] == "thu-tuc-hanh-chinh"
    assert ckan.action.package_search(fq='tags:"không khí" +res_format:CSV')["count"] == 1
    page = ckan.action.package_search(rows=1, start=1, sort="name asc")
    assert page["count"] == 2
    assert [d["name"] for d in page["results"]] == ["thu-tuc-hanh-chinh"]


def test_package_show_gives_ckan_fields_and_resources(ckan, air_csv):
    pkg = ckan.action.package_show(id="chat-luong-khong-khi")
    assert pkg["title"] == "Chất lượng không khí"
    assert pkg["organization"]["name"] == "so-moi-truong"
    assert pkg["num_resources"] == 1
    assert pkg["resources"][0]["id"] == str(air_csv.uuid)
    assert pkg["resources"][0]["format"] == "CSV"
    assert pkg["frequency"] == "HOURLY"
    assert ckan.action.package_show(id=pkg["id"])["name"] == "chat-luong-khong-khi"


def test_organizations_groups_tags_and_status(ckan):
    assert ckan.action.organization_list() == ["so-moi-truong", "ubnd-thanh-pho"]
    orgs = ckan.action.organization_list(all_fields=True)
    assert [(o["name"], o["package_count"]) for o in orgs] == [("so-moi-truong", 1), ("ubnd-thanh-pho", 1)]
    assert ckan.action.organization_show(id="so-moi-truong")["title"] == "Sở Nông nghiệp và Môi trường"
    assert ckan.action.group_list() == ["hanh-chinh", "moi-truong"]
    assert ckan.action.tag_list() == ["AQI", "không khí", "thủ tục"]
    assert ckan.action.status_show()["ckan_version"].startswith("2.")


def test_resource_show_and_datastore_search_with_filters_q_and_paging(ckan, air_csv):
    assert ckan.action.resource_show(id=str(air_csv.uuid))["name"] == "AQI tháng 3"
    everything = ckan.action.datastore_search(resource_id=str(air_csv.uuid))
    assert everything["total"] == 3
    assert everything["fields"] == [{"id": "_id", "type": "int"}, {"id": "station", "type": "text"},
                                    {"id": "time", "type": "text"}, {"id": "aqi", "type": "numeric"}]
    assert everything["records"][1] == {"_id": 2, "station": "hk-01", "time": "2026-03-01T02:00:00Z", "aqi": 61.5}
    filtered = ckan.action.datastore_search(resource_id=str(air_csv.uuid), filters={"station": "hk-01"},
                                            limit=1, offset=1)
    assert filtered["total"] == 2
    assert [r["_id"] for r in filtered["records"]] == [2]
    assert ckan.action.datastore_search(resource_id=str(air_csv.uuid), q="BD 02")["total"] == 1
    by_number = ckan.action.datastore_search(resource_id=str(air_csv.uuid), filters={"aqi": "57"})
    assert [r["_id"] for r in by_number["records"]] == [1]


def test_unknown_dataset_is_a_not_found_error(ckan):
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="khong-co")


def test_unknown_parameter_is_a_validation_error_naming_it(ckan):
    with pytest.raises(ckanapi.ValidationError) as err:
        ckan.action.package_search(qq="x")
    assert err.value.error_dict["qq"] == ["Tham số không được hỗ trợ (unknown parameter)"]


def test_malformed_fq_and_sort_are_search_query_errors(ckan):
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(fq="organization:(a OR b)")
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(fq="owner_password:x")
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(sort="drop table")


def test_bad_rows_and_filters_are_validation_errors(ckan, air_csv):
    with pytest.raises(ckanapi.ValidationError) as err:
        ckan.action.package_search(rows="ten")
    assert err.value.error_dict["rows"] == ["Invalid integer"]
    with pytest.raises(ckanapi.ValidationError) as err:
        ckan.action.datastore_search(resource_id=str(air_csv.uuid), filters={"nope": 1})
    assert err.value.error_dict["filters"] == ["Không có trường nope"]
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(resource_id=str(air_csv.uuid), filters="{not json")

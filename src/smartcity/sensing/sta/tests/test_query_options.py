"""$filter, $select, $orderby, $top, $skip, $count, @iot.nextLink, $expand and $resultFormat=dataArray
(OGC 18-088, clause 9.3)."""

from __future__ import annotations

import pytest

from smartcity.sensing import services
from smartcity.sensing.tests.conftest import station_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def readings(station):
    """PM2.5 every 10 minutes on 1 March 2026 from 00:00 (values 10, 11, … 21), temperature at 00:00 and 00:10."""
    rows = [{"datastream": station.pm25, "t": f"2026-03-01T{m // 60:02d}:{m % 60:02d}:00Z", "v": 10 + i}
            for i, m in enumerate(range(0, 120, 10))]
    rows += [{"datastream": station.temperature, "t": "2026-03-01T00:00:00Z", "v": 24.5},
             {"datastream": station.temperature, "t": "2026-03-01T00:10:00Z", "v": 25.0}]
    assert services.ingest(rows).accepted == 14
    return station


def results(page):
    return [o["result"] for o in page["value"]]


def test_filter_by_a_path_into_related_entities(api, readings):
    page = api.json("/Observations", {"$filter": "Datastream/ObservedProperty/name eq 'PM2.5' and result ge 20"})
    assert results(page) == [20.0, 21.0]
    things = api.json("/Things", {"$filter": "Datastreams/ObservedProperty/name eq 'Temperature'"})
    assert [t["name"] for t in things["value"]] == ["Trạm Hoàn Kiếm"]  # once, though it matches one datastream


def test_filter_on_time_with_datetime_literals(api, readings):
    page = api.json(f"/Datastreams({readings.pm25})/Observations",
                    {"$filter": "phenomenonTime ge 2026-03-01T01:00:00Z and phenomenonTime lt 2026-03-01T01:30:00Z"})
    assert results(page) == [16.0, 17.0, 18.0]
    # an offset that arrived with its '+' decoded as a space (an unencoded URL) still reads
    page = api.json(f"/Datastreams({readings.pm25})/Observations",
                    {"$filter": "phenomenonTime gt 2026-03-01T08:40:00 07:00"})
    assert results(page) == [21.0]


def test_filter_on_datastream_time_intervals(api, readings):
    names = lambda f: [d["name"] for d in api.json("/Datastreams", {"$filter": f})["value"]]  # noqa: E731
    assert names("phenomenonTime eq 2026-03-01T01:00:00Z") == ["PM2.5"]  # the interval contains the instant
    assert names("phenomenonTime lt 2026-03-01T00:30:00Z") == ["Nhiệt độ"]  # ended before
    assert names("phenomenonTime ge 2026-03-01T00:00:00Z") == ["PM2.5", "Nhiệt độ"]


def test_filter_on_json_properties(api, readings):
    assert len(api.json("/Things", {"$filter": "properties/district eq 'Hoàn Kiếm'"})["value"]) == 1
    assert api.json("/Things", {"$filter": "properties/district eq 'Ba Đình'"})["value"] == []
    unit = api.json("/Datastreams", {"$filter": "unitOfMeasurement/symbol eq 'Cel'"})["value"]
    assert [d["name"] for d in unit] == ["Nhiệt độ"]


def test_select_returns_only_the_named_properties(api, readings):
    thing = api.json(f"/Things({readings.thing})", {"$select": "name,Datastreams"})
    assert set(thing) == {"name", "Datastreams@iot.navigationLink"}
    page = api.json("/Observations", {"$select": "id,result", "$top": 1})
    assert set(page["value"][0]) == {"@iot.id", "result"}
    [thing] = api.json("/Things", {"$select": "name"})["value"]
    assert thing == {"name": "Trạm Hoàn Kiếm"}  # no self link, no navigation links unless selected
    thing = api.json(f"/Things({readings.thing})", {"$select": "@iot.selfLink,name"})
    assert set(thing) == {"@iot.selfLink", "name"} and thing["@iot.selfLink"].endswith(f"/Things({readings.thing})")
    response = api.get("/Things", {"$select": "name,colour"})
    assert response.status_code == 400 and "colour" in response.json()["message"]


def test_orderby_with_direction_and_several_keys(api, readings):
    page = api.json("/Observations", {"$orderby": "result desc", "$top": 3})
    assert results(page) == [25.0, 24.5, 21.0]
    page = api.json("/Observations", {"$orderby": "Datastream/name asc, phenomenonTime desc", "$top": 2})
    assert results(page) == [25.0, 24.5]  # "Nhiệt độ" sorts before "PM2.5"
    assert api.get("/Things", {"$orderby": "Datastreams/name"}).status_code == 400


def test_top_skip_and_count(api, readings):
    page = api.json(f"/Datastreams({readings.pm25})/Observations",
                    {"$orderby": "phenomenonTime", "$top": 3, "$skip": 2, "$count": "true"})
    assert page["@iot.count"] == 12 and results(page) == [12.0, 13.0, 14.0]
    assert api.json("/Observations", {"$top": 0, "$count": "true"}) == {"@iot.count": 14, "value": []}


def test_next_links_page_through_a_collection_without_gaps_or_repeats(api, readings, client):
    seen = []
    page = api.json("/Observations", {"$top": 5, "$count": "true", "$filter": "result lt 100"})
    pages = 1
    while True:
        seen += [o["@iot.id"] for o in page["value"]]
        if "@iot.nextLink" not in page:
            break
        assert page["@iot.count"] == 14
        page = client.get(page["@iot.nextLink"].removeprefix("http://testserver")).json()
        pages += 1
    assert pages == 3 and len(seen) == len(set(seen)) == 14


def test_the_server_caps_the_page_size(api, readings, settings):
    settings.SENSING_PAGE_SIZE, settings.SENSING_MAX_PAGE_SIZE = 4, 6
    page = api.json("/Observations")
    assert len(page["value"]) == 4 and "$top=4" in page["@iot.nextLink"] and "$skip=4" in page["@iot.nextLink"]
    page = api.json("/Observations", {"$top": 1000})
    assert len(page["value"]) == 6 and "$skip=6" in page["@iot.nextLink"]


def test_expand_nests_with_its_own_options(api, readings):
    thing = api.json(f"/Things({readings.thing})", {
        "$expand": "Datastreams($filter=name eq 'PM2.5';$select=name;"
                   "$expand=Observations($orderby=phenomenonTime desc;$top=2;$count=true),ObservedProperty)"})
    [pm] = thing["Datastreams"]
    assert set(pm) >= {"name", "Observations", "ObservedProperty", "Observations@iot.count"}
    assert "description" not in pm
    assert [o["result"] for o in pm["Observations"]] == [21.0, 20.0]
    assert pm["Observations@iot.count"] == 12
    assert "$skip=2" in pm["Observations@iot.nextLink"]
    assert pm["ObservedProperty"]["name"] == "PM2.5"


def test_expand_on_a_collection_and_through_a_path(api, readings):
    second = api.create("/Things", station_body("Trạm Ba Đình", [105.83, 21.03]))
    page = api.json("/Things", {"$expand": "Datastreams/ObservedProperty", "$orderby": "name"})
    assert [t["name"] for t in page["value"]] == ["Trạm Ba Đình", "Trạm Hoàn Kiếm"]
    assert [d["ObservedProperty"]["name"] for d in page["value"][0]["Datastreams"]] == ["PM2.5", "Temperature"]
    assert page["value"][0]["@iot.id"] == second
    obs = api.json("/Observations", {"$expand": "Datastream($select=name),FeatureOfInterest", "$top": 1})
    assert obs["value"][0]["Datastream"] == {"name": "PM2.5"}
    assert obs["value"][0]["FeatureOfInterest"]["feature"]["type"] == "Point"


def test_expand_of_an_unknown_navigation_property_is_400(api, readings):
    response = api.get("/Things", {"$expand": "Sensors"})
    assert response.status_code == 400 and "no navigation property 'Sensors'" in response.json()["message"]


def test_expansion_is_bounded(api, readings, settings):
    deep = "Datastreams($expand=Thing($expand=Datastreams($expand=Thing($expand=Datastreams($expand=Thing)))))"
    response = api.get("/Things", {"$expand": deep})
    assert response.status_code == 400 and "deeper than 5" in response.json()["message"]
    api.create("/Things", station_body("Trạm Ba Đình", [105.83, 21.03]))
    settings.SENSING_MAX_PAGE_SIZE = 2  # two Things of two Datastreams each: four series to read one by one
    response = api.get("/Things", {"$expand": "Datastreams($expand=Observations)"})
    assert response.status_code == 400 and "Observations of 4 Datastreams" in response.json()["message"]


def test_result_format_data_array(api, readings):
    page = api.json("/Observations", {"$resultFormat": "dataArray", "$select": "id,phenomenonTime,result",
                                      "$filter": "phenomenonTime lt 2026-03-01T00:20:00Z", "$orderby": "id"})
    groups = {g["Datastream@iot.navigationLink"].rsplit("(", 1)[1].rstrip(")"): g for g in page["value"]}
    pm = groups[str(readings.pm25)]
    assert pm["components"] == ["id", "phenomenonTime", "result"]
    assert pm["dataArray@iot.count"] == 2
    assert [line[1:] for line in pm["dataArray"]] == [["2026-03-01T00:00:00Z", 10.0], ["2026-03-01T00:10:00Z", 11.0]]
    assert api.get("/Things", {"$resultFormat": "dataArray"}).status_code == 400


@pytest.mark.parametrize(("params", "needle"), [
    ({"$top": "-1"}, "$top"), ({"$skip": "x"}, "$skip"), ({"$count": "yes"}, "$count"),
    ({"$bogus": "1"}, "$bogus"), ({"$expand": "Datastreams($top=1"}, "$expand"),
    ({"$orderby": "result sideways"}, "$orderby"),
])
def test_bad_query_options_are_400_naming_the_option(api, readings, params, needle):
    response = api.get("/Observations", params)
    assert response.status_code == 400
    assert needle in response.json()["message"]

"""The service root, the eight entity types and the resource paths of OGC 18-088 (clauses 8 and 9.2)."""

from __future__ import annotations

import pytest

from smartcity.sensing.models import Datastream, HistoricalLocation, Location, Thing
from smartcity.sensing.tests.conftest import HOAN_KIEM, MEASUREMENT, ROOT

pytestmark = pytest.mark.django_db


def test_the_service_root_lists_the_entity_sets_and_the_conformance_classes(anonymous):
    root = anonymous.json("")
    assert [e["name"] for e in root["value"]] == [
        "Things", "Locations", "HistoricalLocations", "Sensors", "ObservedProperties", "Datastreams",
        "Observations", "FeaturesOfInterest"]
    assert root["value"][0]["url"] == "http://testserver/sta/v1.1/Things"
    conformance = root["serverSettings"]["conformance"]
    assert "http://www.opengis.net/spec/iot_sensing/1.1/req/create-update-delete" in conformance
    assert "http://www.opengis.net/spec/iot_sensing/1.1/req/data-array/data-array" in conformance
    assert anonymous.client.get(ROOT + "/").status_code == 200


def test_every_entity_carries_its_id_self_link_and_navigation_links(api, station):
    thing = api.json(f"/Things({station.thing})")
    assert thing["@iot.id"] == station.thing
    assert thing["@iot.selfLink"] == f"http://testserver/sta/v1.1/Things({station.thing})"
    assert thing["Datastreams@iot.navigationLink"] == f"http://testserver/sta/v1.1/Things({station.thing})/Datastreams"
    assert thing["Locations@iot.navigationLink"].endswith(f"Things({station.thing})/Locations")
    assert thing["HistoricalLocations@iot.navigationLink"].endswith(f"Things({station.thing})/HistoricalLocations")
    assert (thing["name"], thing["properties"]["district"]) == ("Trạm Hoàn Kiếm", "Hoàn Kiếm")
    datastream = api.json(f"/Datastreams({station.pm25})")
    assert datastream["unitOfMeasurement"]["symbol"] == "µg/m3"
    assert datastream["observationType"] == MEASUREMENT
    assert {k for k in datastream if k.endswith("navigationLink")} == {
        "Thing@iot.navigationLink", "Sensor@iot.navigationLink", "ObservedProperty@iot.navigationLink",
        "Observations@iot.navigationLink"}


def test_navigation_reaches_related_entities_and_single_entities(api, station):
    assert [d["name"] for d in api.json(f"/Things({station.thing})/Datastreams")["value"]] == ["PM2.5", "Nhiệt độ"]
    assert api.json(f"/Datastreams({station.pm25})/Thing")["@iot.id"] == station.thing
    assert api.json(f"/Datastreams({station.pm25})/ObservedProperty")["name"] == "PM2.5"
    locations = api.json(f"/Datastreams({station.pm25})/Thing/Locations")["value"]
    assert locations[0]["location"] == {"type": "Point", "coordinates": HOAN_KIEM}
    assert api.json(f"/Things({station.thing})/Datastreams({station.temperature})")["name"] == "Nhiệt độ"
    assert api.get(f"/Things({station.thing})/Datastreams(999999)").status_code == 404


def test_a_property_is_read_alone_and_as_its_raw_value(api, station):
    assert api.json(f"/Things({station.thing})/name") == {"name": "Trạm Hoàn Kiếm"}
    raw = api.get(f"/Things({station.thing})/name/$value")
    assert raw.status_code == 200 and raw["Content-Type"].startswith("text/plain")
    assert raw.content.decode() == "Trạm Hoàn Kiếm"
    assert api.json(f"/Things({station.thing})/properties/district") == {"district": "Hoàn Kiếm"}
    assert api.json(f"/Datastreams({station.pm25})/unitOfMeasurement/symbol") == {"symbol": "µg/m3"}


def test_ref_answers_links_only(api, station):
    refs = api.json("/Things/$ref")
    assert refs["value"] == [{"@iot.selfLink": f"http://testserver/sta/v1.1/Things({station.thing})"}]
    assert api.json(f"/Things({station.thing})/Datastreams/$ref", {"$top": 1})["value"] == [
        {"@iot.selfLink": f"http://testserver/sta/v1.1/Datastreams({station.pm25})"}]
    assert api.json(f"/Datastreams({station.pm25})/Thing/$ref") == {
        "@iot.selfLink": f"http://testserver/sta/v1.1/Things({station.thing})"}


@pytest.mark.parametrize("path", ["/Nothings", "/Things(12345)", "/Things(abc)", "/Things(1)/Nope",
                                  "/Things(1)/name/x", "/Things/name", "/Datastreams(1)/Thing(2)"])
def test_unknown_resources_are_404_with_a_message(api, station, path):
    response = api.get(path.replace("(1)", f"({station.thing})") if "Things(1)" in path else path)
    assert response.status_code == 404
    assert response.json()["message"]


def test_a_method_that_does_not_apply_is_405(api, station):
    response = api.client.post(ROOT + f"/Things({station.thing})", "{}", content_type="application/json",
                               headers={"Authorization": f"Bearer {api.key}"})
    assert response.status_code == 405 and "PATCH" in response["Allow"]
    assert api.delete("/Things").status_code == 405


def test_mandatory_properties_are_required_on_create(api):
    response = api.post("/Things", {"description": "không tên"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "name"
    response = api.post("/Datastreams", {"name": "x", "description": "y", "observationType": MEASUREMENT,
                                         "unitOfMeasurement": {"name": "n", "symbol": "s", "definition": "d"}})
    assert response.status_code == 400 and "Thing is required" in response.json()["message"]
    assert Datastream.objects.count() == 0


def test_unknown_properties_and_bad_values_are_refused_naming_them(api):
    response = api.post("/Things", {"name": "a", "description": "b", "colour": "red"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "colour"
    response = api.post("/Locations", {"name": "a", "description": "b", "encodingType": "application/geo+json",
                                       "location": {"type": "Point", "coordinates": ["x", 1]}})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "location"
    response = api.post("/Things", "not an object")
    assert response.status_code == 400
    response = api.client.post(ROOT + "/Things", "{broken", content_type="application/json",
                               headers={"Authorization": f"Bearer {api.key}"})
    assert response.status_code == 400 and "not valid JSON" in response.json()["message"]
    assert Thing.objects.count() == 0 and Location.objects.count() == 0


def test_a_datastream_refuses_an_unknown_observation_type(api, station):
    sensor = api.json(f"/Datastreams({station.pm25})/Sensor")["@iot.id"]
    prop = api.json(f"/Datastreams({station.pm25})/ObservedProperty")["@iot.id"]
    body = {"name": "x", "description": "y", "observationType": "OM_Whatever",
            "unitOfMeasurement": {"name": "n", "symbol": "s", "definition": "d"},
            "Thing": {"@iot.id": station.thing}, "Sensor": {"@iot.id": sensor}, "ObservedProperty": {"@iot.id": prop}}
    response = api.post("/Datastreams", body)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "observationType"


def test_datastream_phenomenon_and_result_time_are_the_envelope_of_its_observations(api, station):
    api.post("/CreateObservations", [{"Datastream": {"@iot.id": station.pm25},
                                      "components": ["phenomenonTime", "resultTime", "result"],
                                      "dataArray": [["2026-03-01T01:00:00Z", "2026-03-01T01:00:05Z", 10],
                                                    ["2026-03-01T03:00:00Z", "2026-03-01T03:00:05Z", 12],
                                                    ["2026-03-01T02:00:00Z", "2026-03-01T02:00:05Z", 11]]}])
    ds = api.json(f"/Datastreams({station.pm25})")
    assert ds["phenomenonTime"] == "2026-03-01T01:00:00Z/2026-03-01T03:00:00Z"
    assert ds["resultTime"] == "2026-03-01T01:00:05Z/2026-03-01T03:00:05Z"
    assert ds["observedArea"] == {"type": "Point", "coordinates": HOAN_KIEM}


def test_a_thing_created_with_a_location_has_its_first_historical_location(api, station):
    history = api.json(f"/Things({station.thing})/HistoricalLocations", {"$expand": "Locations"})["value"]
    assert len(history) == 1 and history[0]["Locations"][0]["@iot.id"] == station.location
    assert HistoricalLocation.objects.get().thing_id == station.thing

"""Create (deep insert, linking by @iot.id), update (PATCH, PUT, JSON Patch) and delete with the integrity rules
of OGC 18-088, clause 10."""

from __future__ import annotations

import pytest

from smartcity.audit.models import Entry
from smartcity.sensing.models import (
    Datastream,
    FeatureOfInterest,
    HistoricalLocation,
    LatestObservation,
    Location,
    Observation,
    ObservedProperty,
    Sensor,
    Thing,
)
from smartcity.sensing.tests.conftest import HOAN_KIEM, datastream_body, station_body

pytestmark = pytest.mark.django_db

POINT = {"type": "Point", "coordinates": [105.80, 21.00]}


def test_a_deep_insert_creates_the_thing_its_location_history_datastreams_sensors_and_properties(api):
    response = api.post("/Things", station_body())
    assert response.status_code == 201
    body = response.json()
    assert response["Location"] == body["@iot.selfLink"] == f"http://testserver/sta/v1.1/Things({body['@iot.id']})"
    thing = Thing.objects.get(pk=body["@iot.id"])
    assert [loc.location["coordinates"] for loc in thing.locations.all()] == [HOAN_KIEM]
    assert thing.historical_locations.count() == 1
    assert sorted(thing.datastreams.values_list("name", "sensor__name", "observed_property__name")) == [
        ("Nhiệt độ", "Cảm biến Temperature", "Temperature"), ("PM2.5", "Cảm biến PM2.5", "PM2.5")]
    assert Entry.objects.filter(subject_type="sensing.thing", subject_id=str(thing.pk), action="create").exists()


def test_a_failing_deep_insert_writes_nothing(api):
    body = station_body()
    body["Datastreams"][1]["Sensor"] = {"name": "no description or encoding"}
    response = api.post("/Things", body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Datastreams[1].Sensor.description"
    assert (Thing.objects.count(), Location.objects.count(), Datastream.objects.count(), Sensor.objects.count()) \
        == (0, 0, 0, 0)


def test_related_entities_are_linked_by_iot_id(api, station):
    sensor = api.json(f"/Datastreams({station.pm25})/Sensor")["@iot.id"]
    prop = api.json(f"/Datastreams({station.pm25})/ObservedProperty")["@iot.id"]
    body = datastream_body("PM2.5 (dự phòng)", "unused", ("microgram per cubic metre", "µg/m3"))
    body.update({"Thing": {"@iot.id": station.thing}, "Sensor": {"@iot.id": sensor},
                 "ObservedProperty": {"@iot.id": prop}})
    new = api.create("/Datastreams", body)
    ds = Datastream.objects.get(pk=new)
    assert (ds.thing_id, ds.sensor_id, ds.observed_property_id) == (station.thing, sensor, prop)
    assert ObservedProperty.objects.count() == 2  # no new one
    response = api.post("/Datastreams", {**body, "Sensor": {"@iot.id": 987654}})
    assert response.status_code == 400 and "no Sensor with @iot.id 987654" in response.json()["message"]


def test_posting_to_a_navigation_collection_links_to_its_parent(api, station):
    obs = api.post(f"/Datastreams({station.pm25})/Observations",
                   {"phenomenonTime": "2026-05-01T00:00:00Z", "result": 20.5})
    assert obs.status_code == 201
    assert Observation.objects.get(pk=obs.json()["@iot.id"]).datastream_id == station.pm25
    loc = api.create(f"/Things({station.thing})/Locations",
                     {"name": "Vị trí mới", "description": "chuyển trạm", "encodingType": "application/geo+json",
                      "location": POINT})
    assert list(Thing.objects.get(pk=station.thing).locations.values_list("pk", flat=True)) == [loc]
    assert HistoricalLocation.objects.filter(thing_id=station.thing).count() == 2


def test_an_observation_without_feature_of_interest_gets_one_from_the_things_location_and_reuses_it(api, station):
    first = api.create("/Observations", {"Datastream": {"@iot.id": station.pm25},
                                         "phenomenonTime": "2026-05-01T00:00:00Z", "result": 20})
    second = api.create("/Observations", {"Datastream": {"@iot.id": station.temperature},
                                          "phenomenonTime": "2026-05-01T00:00:00Z", "result": 31.5})
    foi = api.json(f"/Observations({first})/FeatureOfInterest")
    assert foi["feature"] == {"type": "Point", "coordinates": HOAN_KIEM}
    assert foi["encodingType"] == "application/geo+json"
    assert api.json(f"/Observations({second})/FeatureOfInterest")["@iot.id"] == foi["@iot.id"]
    assert FeatureOfInterest.objects.count() == 1


def test_an_observation_may_bring_its_own_feature_of_interest(api, station):
    pk = api.create("/Observations", {
        "Datastream": {"@iot.id": station.pm25}, "phenomenonTime": "2026-05-01T00:00:00Z", "result": 20,
        "FeatureOfInterest": {"name": "Ngã tư", "description": "giao lộ", "encodingType": "application/geo+json",
                              "feature": POINT}})
    assert api.json(f"/Observations({pk})/FeatureOfInterest")["name"] == "Ngã tư"


def test_an_observation_needs_a_location_to_make_its_feature_of_interest(api):
    body = station_body()
    del body["Locations"]
    thing = api.create("/Things", body)
    ds = api.json(f"/Things({thing})/Datastreams")["value"][0]["@iot.id"]
    response = api.post("/Observations", {"Datastream": {"@iot.id": ds}, "result": 1,
                                          "phenomenonTime": "2026-05-01T00:00:00Z"})
    assert response.status_code == 400 and "has no Location" in response.json()["message"]


def test_an_observation_without_phenomenon_time_is_stamped_now(api, station):
    pk = api.create("/Observations", {"Datastream": {"@iot.id": station.pm25}, "result": 5})
    assert Observation.objects.get(pk=pk).phenomenon_time is not None
    assert LatestObservation.objects.get(datastream_id=station.pm25).observation_id == pk


def test_a_second_observation_at_the_same_time_is_a_conflict(api, station):
    body = {"Datastream": {"@iot.id": station.pm25}, "phenomenonTime": "2026-05-01T00:00:00Z", "result": 20}
    first = api.create("/Observations", body)
    response = api.post("/Observations", {**body, "result": 21})
    assert response.status_code == 409
    assert f"Observations({first})" in response.json()["message"]
    assert Observation.objects.get().result == 20


def test_patch_changes_only_what_it_names(api, station):
    response = api.patch(f"/Things({station.thing})", {"description": "Trạm đã nâng cấp"})
    assert response.status_code == 200 and response.json()["description"] == "Trạm đã nâng cấp"
    thing = Thing.objects.get(pk=station.thing)
    assert (thing.name, thing.description) == ("Trạm Hoàn Kiếm", "Trạm đã nâng cấp")
    assert api.patch(f"/Things({station.thing})", {"name": None}).status_code == 400
    assert Entry.objects.filter(subject_type="sensing.thing", action="update").count() == 1


def test_patching_a_things_locations_moves_it_and_records_history(api, station):
    loc = api.create("/Locations", {"name": "Kho", "description": "kho thiết bị", "encodingType":
                                    "application/geo+json", "location": POINT})
    assert api.patch(f"/Things({station.thing})", {"Locations": [{"@iot.id": loc}]}).status_code == 200
    assert list(Thing.objects.get(pk=station.thing).locations.values_list("pk", flat=True)) == [loc]
    latest = HistoricalLocation.objects.filter(thing_id=station.thing).order_by("-id").first()
    assert list(latest.locations.values_list("pk", flat=True)) == [loc]
    response = api.patch(f"/Things({station.thing})", {"Locations": [{"name": "mới"}]})
    assert response.status_code == 400 and "link entities by @iot.id" in response.json()["message"]


def test_put_replaces_every_writable_property(api, station):
    response = api.put(f"/Things({station.thing})", {"name": "Trạm HK", "description": "thay"})
    assert response.status_code == 200
    thing = Thing.objects.get(pk=station.thing)
    assert (thing.name, thing.description, thing.properties) == ("Trạm HK", "thay", None)
    assert api.put(f"/Things({station.thing})", {"name": "only a name"}).status_code == 400


def test_json_patch_edits_nested_properties(api, station):
    ops = [{"op": "replace", "path": "/properties/district", "value": "Ba Đình"},
           {"op": "add", "path": "/properties/height", "value": 3},
           {"op": "test", "path": "/name", "value": "Trạm Hoàn Kiếm"}]
    response = api.patch(f"/Things({station.thing})", ops, content_type="application/json-patch+json")
    assert response.status_code == 200
    assert Thing.objects.get(pk=station.thing).properties == {
        "agency": "Sở Nông nghiệp và Môi trường", "district": "Ba Đình", "height": 3}
    failing = [{"op": "test", "path": "/name", "value": "khác"}]
    assert api.patch(f"/Things({station.thing})", failing,
                     content_type="application/json-patch+json").status_code == 409


def test_datastream_quality_settings_are_read_from_its_properties(api, station):
    response = api.patch(f"/Datastreams({station.pm25})", {"properties": {
        "expectedRange": [0, 500], "maxRateOfChange": 50, "reportingInterval": "PT5M"}})
    assert response.status_code == 200
    ds = Datastream.objects.get(pk=station.pm25)
    assert (ds.expected_min, ds.expected_max, ds.max_rate_per_minute, ds.reporting_interval) == (0, 500, 50, 300)
    response = api.patch(f"/Datastreams({station.pm25})", {"properties": {"expectedRange": [9, 1]}})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "properties/expectedRange"


def test_patching_an_observation_keeps_the_latest_value_current(api, station):
    api.post("/ingest", [{"datastream": station.pm25, "t": "2026-05-01T00:00:00Z", "v": 10},
                         {"datastream": station.pm25, "t": "2026-05-01T00:01:00Z", "v": 11}])
    newest = Observation.objects.get(phenomenon_time__minute=1)
    assert api.patch(f"/Observations({newest.pk})", {"result": 99}).status_code == 200
    assert LatestObservation.objects.get(datastream_id=station.pm25).result == 99
    older = Observation.objects.get(phenomenon_time__minute=0)
    response = api.patch(f"/Observations({older.pk})", {"phenomenonTime": "2026-05-01T00:01:00Z"})
    assert response.status_code == 409


def test_a_historical_location_is_created_with_its_thing_and_locations(api, station):
    pk = api.create("/HistoricalLocations", {"time": "2025-12-01T00:00:00+07:00", "Thing": {"@iot.id": station.thing},
                                             "Locations": [{"@iot.id": station.location}]})
    history = HistoricalLocation.objects.get(pk=pk)
    assert history.time.isoformat() == "2025-11-30T17:00:00+00:00"
    assert list(history.locations.values_list("pk", flat=True)) == [station.location]
    response = api.post("/HistoricalLocations", {"time": "2025-12-01T00:00:00Z", "Thing": {"@iot.id": station.thing}})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "Locations"


def test_a_corrected_result_is_range_checked_again(api, station):
    api.patch(f"/Datastreams({station.pm25})", {"properties": {"expectedRange": [0, 100]}})
    api.post("/ingest", [{"datastream": station.pm25, "t": "2026-05-01T00:00:00Z", "v": 500}])
    obs = Observation.objects.get()
    assert obs.quality_flags == 1
    api.patch(f"/Observations({obs.pk})", {"result": 50})
    obs.refresh_from_db()
    assert (obs.result, obs.quality_flags) == (50, 0)


def test_deleting_a_thing_removes_its_datastreams_observations_and_history(api, station):
    api.post("/ingest", [{"datastream": station.pm25, "t": "2026-05-01T00:00:00Z", "v": 10}])
    assert api.delete(f"/Things({station.thing})").status_code == 200
    assert (Thing.objects.count(), Datastream.objects.count(), Observation.objects.count(),
            HistoricalLocation.objects.count(), LatestObservation.objects.count()) == (0, 0, 0, 0, 0)
    assert Location.objects.count() == 1 and Sensor.objects.count() == 2  # not owned by the Thing
    assert api.get(f"/Things({station.thing})").status_code == 404
    assert Entry.objects.filter(subject_type="sensing.thing", action="delete").exists()


def test_deleting_a_sensor_removes_its_datastreams(api, station):
    sensor = api.json(f"/Datastreams({station.pm25})/Sensor")["@iot.id"]
    assert api.delete(f"/Sensors({sensor})").status_code == 200
    assert list(Datastream.objects.values_list("pk", flat=True)) == [station.temperature]


def test_deleting_a_location_removes_history_left_without_a_location(api, station):
    assert api.delete(f"/Locations({station.location})").status_code == 200
    assert HistoricalLocation.objects.count() == 0
    assert Thing.objects.get(pk=station.thing).locations.count() == 0


def test_deleting_the_latest_observation_falls_back_to_the_one_before(api, station):
    api.post("/ingest", [{"datastream": station.pm25, "t": "2026-05-01T00:00:00Z", "v": 10},
                         {"datastream": station.pm25, "t": "2026-05-01T00:01:00Z", "v": 11}])
    newest = Observation.objects.get(result=11)
    assert api.delete(f"/Observations({newest.pk})").status_code == 200
    assert LatestObservation.objects.get(datastream_id=station.pm25).result == 10
    assert api.json(f"/Datastreams({station.pm25})")["phenomenonTime"] == \
        "2026-05-01T00:00:00Z/2026-05-01T00:00:00Z"


def test_deleting_a_feature_of_interest_removes_its_observations(api, station):
    api.post("/ingest", [{"datastream": station.pm25, "t": "2026-05-01T00:00:00Z", "v": 10}])
    foi = FeatureOfInterest.objects.get()
    assert api.delete(f"/FeaturesOfInterest({foi.pk})").status_code == 200
    assert Observation.objects.count() == 0 and LatestObservation.objects.count() == 0


def _nested(levels):
    geometry = POINT
    for _ in range(levels):
        geometry = {"type": "GeometryCollection", "geometries": [geometry]}
    return geometry


def _location(geometry):
    return {"name": "Trạm", "description": "d", "encodingType": "application/geo+json", "location": geometry}


@pytest.mark.parametrize(("geometry", "message"), [
    ({"type": "LineString", "coordinates": [[105.0 + i / 1e5, 21.0] for i in range(20_001)]}, "more than 20000"),
    ({"type": "MultiPoint", "coordinates": [[105.0, 21.0]] * 20_001}, "more than 20000 positions"),
    (_nested(6), "nests deeper than 4 levels"),
])
def test_a_location_too_big_or_too_deep_is_a_400_naming_location_and_nothing_is_stored(api, geometry, message):
    response = api.post("/Locations", _location(geometry))
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "location" and message in error["message"]
    assert Location.objects.count() == 0


def test_a_feature_of_interest_too_big_is_a_400_naming_feature(api):
    many = {"type": "MultiPoint", "coordinates": [[105.0, 21.0]] * 20_001}
    response = api.post("/FeaturesOfInterest", {"name": "Vùng", "description": "d",
                                                "encodingType": "application/geo+json", "feature": many})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "feature"
    assert FeatureOfInterest.objects.count() == 0


def test_a_geometry_nested_thousands_deep_is_a_400_not_a_recursion_crash(api):
    api.client.raise_request_exception = False
    body = '{"name": "T", "description": "d", "encodingType": "application/geo+json", "location": ' + \
        '{"type": "Feature", "geometry": ' * 5000 + '{"type": "Point", "coordinates": [1, 2]}' + "}" * 5001
    response = api.client.post("/sta/v1.1/Locations", body, content_type="application/json", headers=api._headers())
    assert response.status_code == 400
    assert Location.objects.count() == 0


def test_an_entity_body_over_a_megabyte_is_refused_before_it_is_read(api):
    response = api.post("/Things", {"name": "T", "description": "x" * (1024 * 1024)})
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "body"
    assert Thing.objects.count() == 0

"""A third-party SensorThings client works against us unchanged: Fraunhofer's ``frost_sta_client`` (over real
HTTP, against the live test server) creates a station and its readings, then lists and queries them.

It authenticates the way it knows: its ``AuthHandler`` sends HTTP Basic; the ingest key is the password."""

from __future__ import annotations

import frost_sta_client as fsc
import geojson
import pytest
import requests

from smartcity.sensing import services
from smartcity.sensing.models import IngestKey, Observation

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.filterwarnings("ignore:furl.pathstr is deprecated:DeprecationWarning")]


def test_frost_client_creates_and_queries_a_station(live_server):
    _, key = services.issue_ingest_key(name="FROST client", scope=IngestKey.Scope.ALL)
    service = fsc.SensorThingsService(f"{live_server.url}/sta/v1.1",
                                      auth_handler=fsc.AuthHandler(username="frost", password=key))

    location = fsc.Location(name="Hồ Gươm", description="Bờ hồ Hoàn Kiếm", encoding_type="application/geo+json",
                            location=geojson.Point((105.8522, 21.0287)))
    thing = fsc.Thing(name="Trạm Hoàn Kiếm", description="Trạm quan trắc không khí",
                      properties={"district": "Hoàn Kiếm"}, locations=[location])
    service.create(thing)
    assert isinstance(thing.id, int)

    sensor = fsc.Sensor(name="PMS7003", description="Cảm biến bụi laser", encoding_type="application/pdf",
                        metadata="https://example.vn/pms7003.pdf")
    prop = fsc.ObservedProperty(name="PM2.5", definition="https://example.vn/def/pm25",
                                description="Bụi mịn PM2.5")
    service.create(sensor)
    service.create(prop)
    datastream = fsc.Datastream(
        name="PM2.5 Hoàn Kiếm", description="Bụi mịn tại Hoàn Kiếm",
        observation_type="http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
        unit_of_measurement=fsc.UnitOfMeasurement(name="microgram per cubic metre", symbol="µg/m3",
                                                  definition="http://unitsofmeasure.org/ug/m3"),
        thing=thing, sensor=sensor, observed_property=prop)
    service.create(datastream)

    for minute, value in enumerate([18.0, 22.5, 35.0, 41.5]):
        service.create(fsc.Observation(result=value, phenomenon_time=f"2026-03-01T10:0{minute}:00Z",
                                       datastream=datastream))
    # the client's dataArray path (CreateObservations)
    dav = fsc.DataArrayValue()
    dav.datastream = datastream
    dav.components = {fsc.DataArrayValue.Property.PHENOMENON_TIME, fsc.DataArrayValue.Property.RESULT}
    dav.add_observation(fsc.Observation(phenomenon_time="2026-03-01T10:05:00Z", result=50.0))
    document = fsc.DataArrayDocument()
    document.add_data_array_value(dav)
    created = service.observations().create(document)
    assert len(created) == 1 and created[0].self_link.startswith(f"{live_server.url}/sta/v1.1/Observations(")
    assert Observation.objects.count() == 5

    # find by id
    found = service.datastreams().find(datastream.id)
    assert found.name == "PM2.5 Hoàn Kiếm" and found.unit_of_measurement.symbol == "µg/m3"

    # $filter + $orderby + $top, paging through nextLinks as the client iterates
    query = (service.observations().query().filter("result gt 20 and Datastream/ObservedProperty/name eq 'PM2.5'")
             .orderby("phenomenonTime", "ASC").top(2).count())
    listed = query.list()
    assert listed.count == 4 and len(listed.entities) == 2
    assert [o.result for o in listed] == [22.5, 35.0, 41.5, 50.0]

    # $expand with nested options
    things = service.things().query().expand(
        "Locations,Datastreams($expand=Observations($orderby=phenomenonTime desc;$top=1))").list()
    [station] = list(things)
    assert station.name == "Trạm Hoàn Kiếm"
    assert station.locations.entities[0].location["coordinates"] == [105.8522, 21.0287]
    [stream] = station.datastreams.entities
    assert [o.result for o in stream.observations.entities] == [50.0]

    # the feature of interest the server made from the Thing's Location
    features = list(service.features_of_interest().query().list())
    assert [f.name for f in features] == ["Hồ Gươm"]

    # an update and a delete through the client
    service.patch(thing, [{"op": "replace", "path": "/description", "value": "Trạm đã hiệu chuẩn"}])
    assert service.things().find(thing.id).description == "Trạm đã hiệu chuẩn"
    service.delete(datastream)
    assert Observation.objects.count() == 0

    # and without the key, writes are refused
    anonymous = fsc.SensorThingsService(f"{live_server.url}/sta/v1.1")
    with pytest.raises(requests.HTTPError) as refused:
        anonymous.create(fsc.Thing(name="x", description="y"))
    assert refused.value.response.status_code == 401

"""A third-party NGSI-LD client works against us unchanged: Orange's ``ngsildclient`` (over real HTTP, against the
live test server) connects the way it connects to a context broker, lists the stations by type, pages and counts
them, filters them with the query language, fetches one by id, and gets its typed error for an unknown id.

The client knows a broker by host and port only and puts the API at the standard root ``/ngsi-ld/v1``."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from ngsildclient import Client, Entity
from ngsildclient.api.exceptions import NgsiNotConnectedError, NgsiResourceNotFoundError

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker(live_server):
    where = urlsplit(live_server.url)
    with Client(hostname=where.hostname, port=where.port) as client:
        yield client


def test_it_lists_the_stations_of_a_type_as_entities(broker, air, river):
    [station] = broker.query(type="AirQualityObserved")
    assert isinstance(station, Entity)
    assert station.id == f"urn:ngsi-ld:AirQualityObserved:{air.code}" and station.type == "AirQualityObserved"
    assert station.ctx == "http://127.0.0.1:8000/moi-truong/ngsi-ld/v1/context.jsonld"
    assert station["name"]["value"] == "Trạm Hoàn Kiếm"
    assert station["location"]["value"]["coordinates"] == [105.8522, 21.0287]
    assert station["airQualityIndex"]["value"] == 169 and station["airQualityLevel"]["value"] == "unhealthy"
    assert station["pm25"]["unitCode"] == "GQ" and station["pm25"]["observedAt"] == "2026-03-02T05:00:00Z"

    [flood] = broker.query(type="FloodMonitoring")
    assert flood.id == f"urn:ngsi-ld:FloodMonitoring:{river[0].code}"
    assert flood["currentLevel"]["value"] == 10.8 and flood["floodLevelStatus"]["value"] == "alertLevelII"
    assert broker.query(type="TrafficFlowObserved") == []
    assert broker.types.list() == ["AirQualityObserved", "FloodMonitoring", "NoiseLevelObserved",
                                   "WaterQualityObserved", "WeatherObserved"]


def test_it_counts_and_pages_through_the_entities(broker, air, river, rain):
    both = "AirQualityObserved,FloodMonitoring"
    assert broker.count(type=both) == 2
    assert broker.count(type="WeatherObserved") == 1
    # one entity a request: the client asks for the count, then for offset 0 and offset 1
    paged = broker.query(type=both, limit=1)
    assert [e.id for e in paged] == [f"urn:ngsi-ld:AirQualityObserved:{air.code}",
                                     f"urn:ngsi-ld:FloodMonitoring:{river[0].code}"]
    assert [e.id for e in broker.query_head(type=both, n=1)] == [paged[0].id]
    assert [e.id for e in broker.query_generator(type=both, limit=1)] == [e.id for e in paged]


def test_it_filters_with_the_query_language(broker, air, river, rain):
    [polluted] = broker.query(type="AirQualityObserved", q="airQualityIndex>150;pm25.unitCode==\"GQ\"")
    assert polluted.id == f"urn:ngsi-ld:AirQualityObserved:{air.code}"
    assert broker.query(type="AirQualityObserved", q="airQualityIndex<=150") == []
    # q alone, over every type: the flood gauge at alarm level II
    [alarm] = broker.query(q='floodLevelStatus=="alertLevelII","alertLevelIII"')
    assert alarm["currentLevel"]["value"] == 10.8
    assert broker.count(q="currentLevel==10..11|precipitation>=10") == 2
    assert broker.count(q='address[addressLocality]=="Phường Hoàn Kiếm"') == 1


def test_it_fetches_one_station_by_id(broker, air):
    entity_id = f"urn:ngsi-ld:AirQualityObserved:{air.code}"
    station = broker.get(entity_id)
    assert station.id == entity_id and station["areaServed"]["value"] == "Phường Hoàn Kiếm"
    assert station["dateObserved"]["value"] == {"@type": "DateTime", "@value": "2026-03-02T05:00:00Z"}
    assert station["airQualityIndex"]["referenceSpecification"]["value"].startswith("Quyết định 1459")
    # the short form the client accepts (it adds the urn:ngsi-ld: prefix), and the raw dictionary
    raw = broker.get(f"AirQualityObserved:{air.code}", asdict=True)
    assert raw == station.to_dict()
    assert broker.exists(entity_id)


def test_an_unknown_id_is_a_resource_not_found_error(broker, air):
    missing = "urn:ngsi-ld:AirQualityObserved:khong-co"
    with pytest.raises(NgsiResourceNotFoundError) as raised:
        broker.get(missing)
    problem = raised.value.problemdetails
    assert problem.type == "https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound" and problem.status == 404
    assert problem.detail == f"Không có thực thể {missing}"
    assert not broker.exists(missing)


def test_a_tenant_is_refused_since_we_serve_only_the_default_one(live_server, air):
    where = urlsplit(live_server.url)
    with pytest.raises(NgsiNotConnectedError, match="501"):
        Client(hostname=where.hostname, port=where.port, tenant="ha-noi", tenant_autocreate=False)

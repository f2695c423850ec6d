"""The NGSI-LD view: Smart Data Models entities with Property/GeoProperty shapes, observedAt, unitCode, @context."""

from __future__ import annotations

ROOT = "/moi-truong/ngsi-ld/v1"
LD = "application/ld+json"


def test_air_quality_observed_entities_in_ld_json_with_an_inline_context(client, air):
    response = client.get(f"{ROOT}/entities", {"type": "AirQualityObserved"}, HTTP_ACCEPT=LD)
    assert response.status_code == 200 and response["Content-Type"] == LD
    [entity] = response.json()
    assert entity["id"] == f"urn:ngsi-ld:AirQualityObserved:{air.code}"
    assert entity["type"] == "AirQualityObserved"
    assert entity["@context"] == "http://127.0.0.1:8000/moi-truong/ngsi-ld/v1/context.jsonld"
    assert entity["location"] == {"type": "GeoProperty", "value": {"type": "Point",
                                                                   "coordinates": [105.8522, 21.0287]}}
    assert entity["pm25"]["type"] == "Property" and entity["pm25"]["unitCode"] == "GQ"
    assert entity["pm25"]["observedAt"] == "2026-03-02T05:00:00Z"
    assert entity["airQualityIndex"]["value"] == 169
    assert entity["airQualityIndex"]["referenceSpecification"]["value"].startswith("Quyết định 1459")
    assert entity["airQualityLevel"]["value"] == "unhealthy"
    assert entity["dateObserved"]["value"] == {"@type": "DateTime", "@value": "2026-03-02T05:00:00Z"}
    assert entity["areaServed"]["value"] == "Phường Hoàn Kiếm"


def test_plain_json_carries_the_context_in_a_link_header(client, air):
    response = client.get(f"{ROOT}/entities", {"type": "AirQualityObserved"})
    assert response["Content-Type"] == "application/json"
    assert response["Link"] == ('<http://127.0.0.1:8000/moi-truong/ngsi-ld/v1/context.jsonld>; '
                                'rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"')
    assert "@context" not in response.json()[0]
    context = client.get(f"{ROOT}/context.jsonld").json()["@context"]
    assert context[0].startswith("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context")
    assert context[1]["pm25"] == "https://smartdatamodels.org/dataModel.Environment/pm25"


def test_flood_monitoring_and_weather_observed_shapes(client, river, rain):
    [flood] = client.get(f"{ROOT}/entities", {"type": "FloodMonitoring"}).json()
    assert flood["currentLevel"] == {"type": "Property", "value": 10.8, "observedAt": "2026-03-02T05:30:00Z",
                                     "unitCode": "MTR"}
    assert flood["floodLevelStatus"]["value"] == "alertLevelII"
    assert flood["alertLevel"]["value"] == 9.5 and flood["dangerLevel"]["value"] == 11.5
    assert flood["referenceLevel"]["value"] == 15.0
    [weather] = client.get(f"{ROOT}/entities", {"type": "WeatherObserved"}).json()
    assert weather["precipitation"]["value"] == 12.0 and weather["precipitation"]["unitCode"] == "MMT"


def test_one_entity_by_id_with_attrs_and_key_values(client, air):
    entity_id = f"urn:ngsi-ld:AirQualityObserved:{air.code}"
    full = client.get(f"{ROOT}/entities/{entity_id}").json()
    assert full["id"] == entity_id and "pm10" in full
    picked = client.get(f"{ROOT}/entities/{entity_id}", {"attrs": "pm25,airQualityIndex",
                                                         "options": "keyValues"}).json()
    assert picked == {"id": entity_id, "type": "AirQualityObserved", "pm25": full["pm25"]["value"],
                      "airQualityIndex": 169}


def test_paging_counting_and_errors(client, air, river):
    both = client.get(f"{ROOT}/entities", {"type": "AirQualityObserved,FloodMonitoring", "limit": 1,
                                           "count": "true"})
    assert both["NGSILD-Results-Count"] == "2" and len(both.json()) == 1
    assert client.get(f"{ROOT}/entities", {"type": "TrafficFlowObserved"}).json() == []
    for params in ({}, {"type": "AirQualityObserved", "limit": 5000}, {"type": "AirQualityObserved", "limit": "x"},
                   {"type": "AirQualityObserved", "q": "pm25>10"}, {"id": "khong-phai-uri"}):
        bad = client.get(f"{ROOT}/entities", params)
        assert bad.status_code == 400, params
        assert bad.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"
    missing = client.get(f"{ROOT}/entities/urn:ngsi-ld:AirQualityObserved:khong-co")
    assert missing.status_code == 404 and missing.json()["title"] == "ResourceNotFound"
    assert client.get(f"{ROOT}/entities", {"type": "AirQualityObserved"}, HTTP_ACCEPT="text/html").status_code == 406
    assert client.get(f"{ROOT}/types").json()["typeList"] == ["AirQualityObserved", "FloodMonitoring",
                                                              "NoiseLevelObserved", "WaterQualityObserved",
                                                              "WeatherObserved"]

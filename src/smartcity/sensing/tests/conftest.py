"""Fixtures of the sensing tests: ingest keys, an API client that sends one, and a small Hà Nội air station.

The station (made through the API, as a gateway operator would): Thing "Trạm Hoàn Kiếm" at a Location by the lake,
with Datastreams of PM2.5 (µg/m³) and temperature (°C), each with its Sensor and ObservedProperty.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest

from smartcity.sensing import services
from smartcity.sensing.models import IngestKey

ROOT = "/sta/v1.1"
MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
HOAN_KIEM = [105.8522, 21.0287]  # lon, lat



def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@dataclass
class Api:
    """The Django test client speaking to /sta/v1.1 with an ingest key."""

    client: Any
    key: str | None = None

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(ROOT + path, params or {}, headers=self._headers())

    def json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        response = self.get(path, params)
        assert response.status_code == 200, response.content
        return response.json()

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(ROOT + path, json.dumps(body), content_type="application/json",
                                headers=self._headers())

    def patch(self, path: str, body: Any, content_type: str = "application/json") -> Any:
        return self.client.patch(ROOT + path, json.dumps(body), content_type=content_type, headers=self._headers())

    def put(self, path: str, body: Any) -> Any:
        return self.client.put(ROOT + path, json.dumps(body), content_type="application/json",
                               headers=self._headers())

    def delete(self, path: str) -> Any:
        return self.client.delete(ROOT + path, headers=self._headers())

    def create(self, path: str, body: Any) -> int:
        response = self.post(path, body)
        assert response.status_code == 201, response.content
        return response.json()["@iot.id"]


@pytest.fixture
def admin_key(db) -> str:
    return services.issue_ingest_key(name="Tích hợp quản trị", scope=IngestKey.Scope.ALL)[1]


@pytest.fixture
def gateway_key(db) -> str:
    return services.issue_ingest_key(name="Gateway Hoàn Kiếm")[1]


@pytest.fixture
def api(client, admin_key) -> Api:
    return Api(client, admin_key)


@pytest.fixture
def anonymous(client) -> Api:
    return Api(client)


def datastream_body(name: str, prop: str, unit: tuple[str, str], **properties: Any) -> dict[str, Any]:
    return {
        "name": name, "description": f"{prop} tại trạm",
        "observationType": MEASUREMENT,
        "unitOfMeasurement": {"name": unit[0], "symbol": unit[1], "definition": f"http://unitsofmeasure.org/{unit[1]}"},
        "Sensor": {"name": f"Cảm biến {prop}", "description": f"Đo {prop}", "encodingType": "application/pdf",
                   "metadata": "https://example.vn/datasheet.pdf"},
        "ObservedProperty": {"name": prop, "definition": f"https://example.vn/def/{prop}",
                             "description": f"Nồng độ {prop}"},
        **({"properties": properties} if properties else {}),
    }


def station_body(name: str = "Trạm Hoàn Kiếm", coordinates: list[float] | None = None, **pm_properties: Any):
    return {
        "name": name, "description": "Trạm quan trắc không khí tự động",
        "properties": {"agency": "Sở Nông nghiệp và Môi trường", "district": "Hoàn Kiếm"},
        "Locations": [{"name": f"Vị trí {name}", "description": "Bờ hồ", "encodingType": "application/geo+json",
                       "location": {"type": "Point", "coordinates": coordinates or HOAN_KIEM}}],
        "Datastreams": [
            datastream_body("PM2.5", "PM2.5", ("microgram per cubic metre", "µg/m3"), **pm_properties),
            datastream_body("Nhiệt độ", "Temperature", ("degree Celsius", "Cel")),
        ],
    }


@dataclass
class Station:
    thing: int
    location: int
    pm25: int
    temperature: int


@pytest.fixture
def station(api) -> Station:
    thing = api.create("/Things", station_body())
    location = api.json(f"/Things({thing})/Locations")["value"][0]["@iot.id"]
    streams = {d["name"]: d["@iot.id"] for d in api.json(f"/Things({thing})/Datastreams")["value"]}
    return Station(thing, location, streams["PM2.5"], streams["Nhiệt độ"])


@pytest.fixture
def network(api, station):
    """Two stations (Hoàn Kiếm and one 20 km west in Hoài Đức) and readings on 1 March 2026."""
    west = api.create("/Things", station_body("Trạm Hoài Đức", [105.70, 21.02]))
    api.patch(f"/Things({west})", {"properties": {"district": "Hoài Đức"}})
    west_pm = api.json(f"/Things({west})/Datastreams", {"$filter": "name eq 'PM2.5'"})["value"][0]["@iot.id"]
    services.ingest([
        {"datastream": station.pm25, "t": "2026-03-01T07:15:30Z", "v": 35.4},
        {"datastream": station.pm25, "t": "2026-03-02T23:59:00Z", "v": 12.6},
        {"datastream": station.temperature, "t": "2026-03-01T07:15:30Z", "v": -2.5},
        {"datastream": west_pm, "t": "2026-03-01T07:15:30Z", "v": 80},
    ])
    return {"hk": station.thing, "west": west, "hk_pm": station.pm25, "west_pm": west_pm}

"""The read API at /api/v1/environment: stations with keyset paging, current values, history, warnings."""

from __future__ import annotations

import pytest

from smartcity.environment import services
from smartcity.environment.models import WarningRule
from smartcity.lib.errors import Invalid

from .conftest import NOW, make_thing

API = "/api/v1/environment"


def test_stations_are_listed_by_keyset_pages(client, air, river, rain):
    first = client.get(f"{API}/stations", {"limit": 2}).json()
    assert [s["code"] for s in first["items"]] == [air.code, river[0].code]
    assert first["next"] == f"{API}/stations?after={river[0].pk}&limit=2"
    second = client.get(first["next"]).json()
    assert [s["code"] for s in second["items"]] == [rain.code] and second["next"] is None
    only = client.get(f"{API}/stations", {"kind": "water_level"}).json()["items"]
    assert only[0]["flood_levels_m"] == [9.5, 10.5, 11.5] and only[0]["reference_elevation_m"] == 15.0
    assert only[0]["ngsi_ld_id"] == f"urn:ngsi-ld:FloodMonitoring:{river[0].code}"


def test_current_values_name_the_highest_sub_index(client, air):
    body = client.get(f"{API}/stations/{air.code}/current").json()
    assert body["value"] == 169 and body["level"] == 4 and body["level_label"] == "Xấu"
    assert body["dominant"] == "pm25"
    highest = [r for r in body["readings"] if r["highest_sub_index"]]
    assert [r["code"] for r in highest] == ["pm25"] and highest[0]["sub_index"] == 169
    assert [s["station"] for s in client.get(f"{API}/current", {"kind": "air"}).json()] == [air.code]


def test_history_over_a_time_range(client, air):
    body = client.get(f"{API}/stations/{air.code}/history",
                      {"start": "2026-03-02T09:00", "end": "2026-03-02T12:00", "resolution": "hour"}).json()
    assert body["start"] == "2026-03-02T02:00:00Z" and body["end"] == "2026-03-02T05:00:00Z"
    assert [r["aqi"] for r in body["rows"]] == [163, 166, 169]
    assert body["columns"]["aqi"] == "VN_AQI" and body["rows"][0]["dominant"] == "pm25"


@pytest.mark.parametrize(("params", "field"), [
    ({"resolution": "minute"}, "resolution"),
    ({"start": "not-a-date"}, "start"),
    ({"end": "2026-13-01"}, "end"),
    ({"start": "2026-03-02T10:00", "end": "2026-03-02T10:00"}, "end"),
    ({"start": "2026-03-02", "end": "2026-03-01"}, "end"),
    ({"start": "2026-01-01", "end": "2026-03-01", "resolution": "hour"}, "end"),
    ({"start": "2024-01-01", "end": "2026-03-01", "resolution": "day"}, "end"),
])
def test_a_bad_history_range_is_a_400_naming_the_field(client, air, params, field):
    response = client.get(f"{API}/stations/{air.code}/history", params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/stations", {"limit": 0}, "limit"),
    ("/stations", {"limit": 100_000}, "limit"),
    ("/stations", {"kind": "pollen"}, "kind"),
    ("/stations", {"after": "x"}, "after"),
    ("/warnings", {"state": "maybe"}, "state"),
    ("/warnings", {"limit": -1}, "limit"),
])
def test_bad_list_parameters_are_400(client, db, path, params, field):
    response = client.get(API + path, params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_an_unknown_station_is_404(client, db):
    response = client.get(f"{API}/stations/khong-co/current")
    assert response.status_code == 404 and response.json()["errors"][0]["field"] == "station"


def test_warnings_are_listed_newest_first_by_keyset(client, river):
    for level in (1, 2, 3):
        WarningRule.objects.create(name=f"Lũ cấp {level}", parameter="flood_level", threshold=level)
    services.evaluate_warnings(NOW)
    first = client.get(f"{API}/warnings", {"limit": 1}).json()
    assert [w["rule"] for w in first["items"]] == ["Lũ cấp 2"]
    second = client.get(first["next"]).json()
    assert [w["rule"] for w in second["items"]] == ["Lũ cấp 1"] and second["next"] is None
    assert second["items"][0]["trigger"] == [{"time": "2026-03-02T05:30:00+00:00", "value": 2.0}]
    assert client.get(f"{API}/warnings", {"state": "closed"}).json()["items"] == []


def test_registering_a_thing_that_does_not_measure_the_kind_is_refused(db):
    thing, _ = make_thing("Trạm chỉ đo nhiệt độ", (105.85, 21.03), {"t": ("Temperature", "Cel")})
    with pytest.raises(Invalid) as error:
        services.register_station(thing_id=thing.pk, kind="air")
    assert error.value.field == "kind"

"""Bulk ingest: validation into dead letters, idempotency, latest values, the HTTP batch endpoint and the
CreateObservations action (OGC 18-088, 14.4)."""

from __future__ import annotations

import pytest
import time_machine

from smartcity.sensing import services
from smartcity.sensing.models import (
    Datastream,
    DeadLetter,
    FeatureOfInterest,
    LatestObservation,
    Observation,
    ObservedProperty,
)
from smartcity.sensing.tests.conftest import Api, utc

pytestmark = pytest.mark.django_db
NOW = utc(2026, 3, 1, 12, 0)


def rows(ds, *pairs):
    return [{"datastream": ds, "t": t, "v": v} for t, v in pairs]


@time_machine.travel(NOW, tick=False)
def test_valid_rows_are_stored_and_counted(station):
    result = services.ingest(rows(station.pm25, ("2026-03-01T10:00:00Z", 20), ("2026-03-01T10:01:00Z", 21.5)),
                             with_ids=True)
    assert (result.accepted, result.duplicates, result.rejected) == (2, 0, 0)
    stored = list(Observation.objects.order_by("phenomenon_time").values_list("phenomenon_time", "result"))
    assert stored == [(utc(2026, 3, 1, 10, 0), 20.0), (utc(2026, 3, 1, 10, 1), 21.5)]
    assert sorted(result.ids) == sorted(Observation.objects.values_list("pk", flat=True))


@time_machine.travel(NOW, tick=False)
def test_the_same_rows_twice_store_nothing_the_second_time(station):
    batch = rows(station.pm25, ("2026-03-01T10:00:00Z", 20), ("2026-03-01T10:01:00Z", 21.5))
    services.ingest(batch)
    again = services.ingest(batch + rows(station.pm25, ("2026-03-01T10:02:00Z", 22)))
    assert (again.accepted, again.duplicates, again.rejected) == (1, 2, 0)
    assert Observation.objects.count() == 3


@time_machine.travel(NOW, tick=False)
def test_a_repeat_inside_one_batch_is_a_duplicate_and_the_first_wins(station):
    result = services.ingest(rows(station.pm25, ("2026-03-01T10:00:00Z", 20), ("2026-03-01T10:00:00+00:00", 99)))
    assert (result.accepted, result.duplicates) == (1, 1)
    assert Observation.objects.get().result == 20


@time_machine.travel(NOW, tick=False)
def test_refused_rows_become_dead_letters_with_the_reason_and_the_rest_is_stored(station):
    ObservedProperty.objects.filter(datastreams=station.pm25).update(plausible_min=0, plausible_max=1000)
    batch = [
        {"datastream": station.pm25, "t": "2026-03-01T10:00:00Z", "v": 20},                # fine
        {"datastream": 987654, "t": "2026-03-01T10:00:00Z", "v": 20},                      # unknown datastream
        {"datastream": station.pm25, "t": "2026-03-01T10:01:00Z", "v": "hai mươi"},        # not a number
        {"datastream": station.pm25, "t": "2026-03-01T10:02:00Z", "v": -5},                # implausible
        {"datastream": station.pm25, "t": "2026-03-01T12:11:00Z", "v": 20},                # 11 min ahead
        {"datastream": station.pm25, "t": "2026-03-01T10:03:00", "v": 20},                 # no time zone
        {"datastream": station.pm25, "t": "2026-03-01T10:04:00Z"},                         # no result
        {"t": "2026-03-01T10:05:00Z", "v": 1},                                             # no datastream
        "garbage",
        {"datastream": station.pm25, "t": "2026-03-01T12:09:00Z", "v": 20},                # 9 min ahead: fine
    ]
    result = services.ingest(batch, source="mqtt")
    assert (result.accepted, result.duplicates, result.rejected) == (2, 0, 8)
    reasons = dict(result.errors)
    assert reasons[1] == "unknown datastream 987654"
    assert "must be a number" in reasons[2]
    assert "outside the plausible range [0.0, 1000.0] of PM2.5" in reasons[3]
    assert "in the future" in reasons[4]
    assert "without a time zone" in reasons[5]
    assert reasons[6] == "result is missing"
    assert reasons[7] == "the row names no datastream"
    assert "must be an object or an array" in reasons[8]
    letters = list(DeadLetter.objects.order_by("id").values_list("source", "datastream_id", "payload", "reason"))
    assert len(letters) == 8
    assert letters[0] == ("mqtt", 987654, batch[1], "unknown datastream 987654")
    assert letters[1][1] == station.pm25 and letters[1][2] == batch[2]
    assert letters[7][2] == "garbage"


@time_machine.travel(NOW, tick=False)
def test_other_row_shapes_are_read(station):
    epoch = int(utc(2026, 3, 1, 9, 0).timestamp())
    result = services.ingest([
        [station.pm25, "2026-03-01T08:00:00+07:00", 11],                                  # the MQTT gateway array
        {"datastream": station.pm25, "t": epoch, "v": 12},                               # epoch seconds
        {"datastream": station.pm25, "t": epoch * 1000 + 60_000, "v": 13},               # epoch milliseconds
        {"Datastream": {"@iot.id": station.pm25}, "phenomenonTime": "2026-03-01T09:02:00Z", "result": 14,
         "resultTime": "2026-03-01T09:02:05Z", "parameters": {"battery": 3.7}},          # a SensorThings body
    ])
    assert result.accepted == 4
    assert list(Observation.objects.order_by("phenomenon_time").values_list("phenomenon_time", "result")) == [
        (utc(2026, 3, 1, 1, 0), 11.0), (utc(2026, 3, 1, 9, 0), 12.0), (utc(2026, 3, 1, 9, 1), 13.0),
        (utc(2026, 3, 1, 9, 2), 14.0)]
    assert Observation.objects.get(result=14).parameters == {"battery": 3.7}


@time_machine.travel(NOW, tick=False)
def test_results_must_fit_the_observation_type(api, station):
    count = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CountObservation"
    truth = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_TruthObservation"
    anything = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Observation"
    Datastream.objects.filter(pk=station.pm25).update(observation_type=count)
    Datastream.objects.filter(pk=station.temperature).update(observation_type=truth)
    result = services.ingest(rows(station.pm25, ("2026-03-01T10:00:00Z", 3), ("2026-03-01T10:01:00Z", 3.5),
                                  ("2026-03-01T10:02:00Z", True))
                             + rows(station.temperature, ("2026-03-01T10:00:00Z", False), ("2026-03-01T10:01:00Z", 1)))
    assert (result.accepted, result.rejected) == (2, 3)
    assert api.json(f"/Datastreams({station.pm25})/Observations")["value"][0]["result"] == 3  # an integer
    assert api.json(f"/Datastreams({station.temperature})/Observations")["value"][0]["result"] is False
    Datastream.objects.filter(pk=station.temperature).update(observation_type=anything)
    services.ingest([{"datastream": station.temperature, "t": "2026-03-01T11:00:00Z", "v": {"state": "ok"}}])
    assert api.json(f"/Datastreams({station.temperature})/Observations",
                    {"$filter": "phenomenonTime eq 2026-03-01T11:00:00Z"})["value"][0]["result"] == {"state": "ok"}


@time_machine.travel(NOW, tick=False)
def test_latest_values_follow_the_newest_reading_not_the_last_received(station):
    services.ingest(rows(station.pm25, ("2026-03-01T10:05:00Z", 30), ("2026-03-01T10:00:00Z", 20)))
    services.ingest(rows(station.pm25, ("2026-03-01T09:00:00Z", 5)))  # late data does not go back in time
    latest = services.latest_values(datastream_ids=[station.pm25]).get()
    assert (latest.phenomenon_time, latest.value) == (utc(2026, 3, 1, 10, 5), 30.0)
    services.ingest(rows(station.pm25, ("2026-03-01T10:10:00Z", 31)))
    assert LatestObservation.objects.get(datastream_id=station.pm25).result == 31.0
    assert LatestObservation.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_readings_without_a_feature_share_the_one_made_from_the_location(station):
    services.ingest(rows(station.pm25, ("2026-03-01T10:00:00Z", 1)) + rows(station.temperature,
                                                                         ("2026-03-01T10:00:00Z", 2)))
    services.ingest(rows(station.pm25, ("2026-03-01T10:01:00Z", 1)))
    assert FeatureOfInterest.objects.count() == 1
    assert Observation.objects.values("feature_of_interest").distinct().count() == 1


@time_machine.travel(NOW, tick=False)
def test_the_http_batch_endpoint_answers_the_counts(client, station, gateway_key):
    gateway = Api(client, gateway_key)
    batch = rows(station.pm25, ("2026-03-01T10:00:00Z", 20), ("2026-03-01T10:01:00Z", "x"))
    response = gateway.post("/ingest", batch)
    assert response.status_code == 200
    assert response.json() == {"accepted": 1, "duplicates": 0, "rejected": 1,
                               "errors": [{"index": 1, "reason": "result must be a number for OM_Measurement, "
                                                                 "not 'x'"}]}
    assert gateway.post("/ingest", batch).json()["duplicates"] == 1
    assert gateway.post("/ingest", {"not": "a list"}).status_code == 400


@time_machine.travel(NOW, tick=False)
def test_the_http_batch_endpoint_refuses_oversized_batches(client, station, gateway_key, settings):
    settings.SENSING_INGEST_MAX_ROWS = 2
    response = Api(client, gateway_key).post("/ingest", rows(station.pm25, *[(f"2026-03-01T10:0{i}:00Z", i)
                                                                           for i in range(3)]))
    assert response.status_code == 400 and "At most 2 rows" in response.json()["message"]
    assert Observation.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_create_observations_answers_a_link_or_error_per_line(client, station, gateway_key):
    payload = [
        {"Datastream": {"@iot.id": station.pm25}, "components": ["phenomenonTime", "result"],
         "dataArray@iot.count": 3,
         "dataArray": [["2026-03-01T01:20:00-0700", 20], ["2026-03-01T10:21:00Z", "abc"], ["2026-03-01T10:22:00Z"]]},
        {"Datastream": {"@iot.id": station.temperature}, "components": ["phenomenonTime", "result", "resultTime"],
         "dataArray": [["2026-03-01T10:20:00Z", 30.5, "2026-03-01T10:20:01Z"]]},
    ]
    response = Api(client, gateway_key).post("/CreateObservations", payload)
    assert response.status_code == 201
    links = response.json()
    assert links[1:3] == ["error", "error"]
    first = Observation.objects.get(datastream_id=station.pm25)
    assert links[0] == f"http://testserver/sta/v1.1/Observations({first.pk})"
    assert first.phenomenon_time == utc(2026, 3, 1, 8, 20)
    assert links[3].startswith("http://testserver/sta/v1.1/Observations(")
    assert DeadLetter.objects.filter(source="create-observations").count() == 2
    # sent again: the same links (nothing new stored), the bad lines still errors
    again = Api(client, gateway_key).post("/CreateObservations", payload).json()
    assert again == links and Observation.objects.count() == 2


@time_machine.travel(NOW, tick=False)
def test_create_observations_with_a_feature_of_interest_component(api, station):
    services.ingest(rows(station.pm25, ("2026-03-01T10:00:00Z", 1)))
    foi = FeatureOfInterest.objects.get().pk
    links = api.post("/CreateObservations", [{"Datastream": {"@iot.id": station.temperature},
                                              "components": ["result", "phenomenonTime", "FeatureOfInterest/id"],
                                              "dataArray": [[25, "2026-03-01T10:00:00Z", foi],
                                                            [26, "2026-03-01T10:01:00Z", 999999]]}]).json()
    assert links[1] == "error" and links[0] != "error"
    assert Observation.objects.get(datastream_id=station.temperature).feature_of_interest_id == foi


@pytest.mark.parametrize(("payload", "needle"), [
    ({"Datastream": {"@iot.id": 1}}, "JSON array"),
    ([{"components": ["result"], "dataArray": []}], "Datastream"),
    ([{"Datastream": {"@iot.id": 1}, "components": ["colour"], "dataArray": []}], "unknown colour"),
    ([{"Datastream": {"@iot.id": 1}, "components": ["result"], "dataArray": 5}], "dataArray must be"),
])
def test_create_observations_with_a_malformed_envelope_is_400(api, payload, needle):
    response = api.post("/CreateObservations", payload)
    assert response.status_code == 400 and needle in response.json()["message"]



@time_machine.travel(NOW, tick=False)
def test_json_results_and_qualities_come_back_as_they_were_sent(station):
    """Non-numeric results, resultQuality and parameters travel as jsonb (binary COPY on PostgreSQL): text stays
    text, not a quoted JSON string, and Vietnamese letters survive."""
    anything = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Observation"
    Datastream.objects.filter(pk=station.pm25).update(observation_type=anything)
    sent = [
        {"Datastream": {"@iot.id": station.pm25}, "phenomenonTime": "2026-03-01T09:00:00Z", "result": "mưa to",
         "resultQuality": {"mức": "tốt"}, "parameters": {"pin": 3.7, "ghi chú": "đã hiệu chuẩn"}},
        {"Datastream": {"@iot.id": station.pm25}, "phenomenonTime": "2026-03-01T09:01:00Z", "result": True,
         "resultQuality": "đạt"},
        {"Datastream": {"@iot.id": station.pm25}, "phenomenonTime": "2026-03-01T09:02:00Z",
         "result": {"hướng": "Đông Bắc", "tốc độ": [1, 2.5]}},
    ]
    assert services.ingest(sent).accepted == 3
    stored = list(Observation.objects.order_by("phenomenon_time")
                  .values_list("result", "result_json", "result_quality", "parameters"))
    assert stored == [
        (None, "mưa to", {"mức": "tốt"}, {"pin": 3.7, "ghi chú": "đã hiệu chuẩn"}),
        (None, True, "đạt", None),
        (None, {"hướng": "Đông Bắc", "tốc độ": [1, 2.5]}, None, None),
    ]


@time_machine.travel(NOW, tick=False)
def test_a_row_with_a_nul_character_is_refused_and_kept_as_a_dead_letter_without_it(station):
    """MQTT payloads do not pass the HTTP middleware: the ingest refuses a NUL itself (PostgreSQL cannot store it)."""
    result = services.ingest([{"datastream": station.pm25, "t": "2026-03-01T10:00:00Z", "v": 20,
                               "parameters": {"note": "a\x00b"}},
                              *rows(station.pm25, ("2026-03-01T10:01:00Z", 21))])
    assert (result.accepted, result.rejected) == (1, 1)
    assert "NUL" in result.errors[0][1]
    letter = DeadLetter.objects.get()
    assert "\x00" not in str(letter.payload) and "\\x00" in str(letter.payload)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("datastream", [99999999999999999999999, "9" * 5000, "\u00b2", {"@iot.id": 2**64}])
def test_a_datastream_id_beyond_a_database_integer_is_a_refused_row_not_an_overflow(station, datastream):
    result = services.ingest([{"datastream": datastream, "t": "2026-03-01T10:00:00Z", "v": 1},
                              *rows(station.pm25, ("2026-03-01T10:01:00Z", 21))])
    assert (result.accepted, result.rejected) == (1, 1)
    assert "at most 19 digits" in result.errors[0][1]

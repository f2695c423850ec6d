"""The MQTT ingest consumer against a real broker: batches stored once, bad payloads kept as dead letters, nothing
lost or duplicated when a consumer dies before acknowledging, when the database fails or the connection drops.

The broker tests need one (Mosquitto or any MQTT v5 broker): SMARTCITY_TEST_MQTT_URL=mqtt://127.0.0.1:1883 (or
MQTT_URL). Each test uses topics and client ids of its own, so runs sharing a broker do not see each other's
messages. The consumer commits from its own thread, hence ``transactional_db``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import paho.mqtt.client as paho
import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from smartcity.sensing import mqtt, services
from smartcity.sensing.models import DeadLetter, Observation, ObservedProperty

BROKER = os.environ.get("SMARTCITY_TEST_MQTT_URL") or os.environ.get("MQTT_URL") or ""
needs_broker = pytest.mark.skipif(
    not BROKER, reason="needs an MQTT broker: set SMARTCITY_TEST_MQTT_URL=mqtt://127.0.0.1:1883 (e.g. Mosquitto)")


# ------------------------------------------------------------------------------------------------ decoding (no broker)


def test_a_single_observation_takes_its_datastream_from_the_topic():
    out = mqtt.decode("v1.1/Datastreams(12)/Observations", b'{"phenomenonTime": "2026-03-01T08:00:00Z", "result": 41.5}',
                      prefix="smartcity")
    assert out.rows == [{"phenomenonTime": "2026-03-01T08:00:00Z", "result": 41.5, "Datastream": {"@iot.id": 12}}]
    assert out.dead == []


def test_an_observation_under_a_feature_of_interest_or_the_collection_names_its_datastream_in_the_body():
    body = b'{"Datastream": {"@iot.id": 3}, "result": 1}'
    assert mqtt.decode("v1.1/FeaturesOfInterest(7)/Observations", body, prefix="smartcity").rows == [
        {"Datastream": {"@iot.id": 3}, "result": 1, "FeatureOfInterest": {"@iot.id": 7}}]
    assert mqtt.decode("v1.1/Observations", body, prefix="smartcity").rows == [{"Datastream": {"@iot.id": 3},
                                                                               "result": 1}]


def test_a_gateway_batch_is_passed_on_row_by_row_in_any_shape_the_ingest_reads():
    batch = [{"datastream": 1, "t": "2026-03-01T08:00:00Z", "v": 1}, [2, "2026-03-01T08:00:00Z", 2], "junk"]
    out = mqtt.decode("hn/gateways/gw-07/observations", json.dumps(batch).encode(), prefix="hn")
    assert out.rows == batch and out.dead == []


@pytest.mark.parametrize(("topic", "payload", "reason"), [
    ("v1.1/Datastreams(1)/Observations", b"{not json", "the payload is not valid JSON"),
    ("v1.1/Datastreams(1)/Observations", b"\xff\xfe", "the payload is not UTF-8"),
    ("v1.1/Datastreams(1)/Observations", b"[1, 2]", "an Observation must be a JSON object"),
    ("v1.1/Things(1)/Observations", b"{}", "Observations are created under Datastreams(id)"),
    ("v1.1/Datastreams(1)/Observations", b'{"Datastream": {"@iot.id": 2}, "result": 1}',
     "the body links Datastream 2, the topic 1"),
    ("smartcity/gateways/gw/observations", b'"text"', "a gateway batch must be a JSON array"),
    ("smartcity/observations", b"[]", "not an ingest topic"),
])
def test_what_cannot_be_read_becomes_a_dead_letter_with_the_reason(topic, payload, reason):
    out = mqtt.decode(topic, payload, prefix="smartcity")
    assert out.rows == []
    assert len(out.dead) == 1 and reason in out.dead[0][1] and topic in out.dead[0][1]


def test_topics_can_be_shared_and_rooted():
    assert mqtt.topics(prefix="hn", share="ingest", sta_root="x/v1.1") == [
        "$share/ingest/x/v1.1/Observations", "$share/ingest/x/v1.1/+/Observations",
        "$share/ingest/hn/gateways/+/observations"]


# ------------------------------------------------------------------------------------------------ with a broker


class Run:
    """Topics, client ids and a publisher of one test."""

    def __init__(self) -> None:
        self.tag = f"t{uuid.uuid4().hex[:10]}"
        self.prefix = f"{self.tag}/smartcity"
        self.sta_root = f"{self.tag}/v1.1"
        self.client_id = f"smartcity-test-{self.tag}"
        self.publisher = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"{self.client_id}-pub",
                                     protocol=paho.MQTTv5)
        endpoint = mqtt.parse_url(BROKER)
        try:
            self.publisher.connect(endpoint.host, endpoint.port)
        except OSError as exc:
            pytest.fail(f"SMARTCITY_TEST_MQTT_URL={BROKER} does not answer: {exc}")
        self.publisher.loop_start()

    def consumer(self, **options: Any) -> mqtt.Consumer:
        options = {"batch": 50, "flush_ms": 100, **options}
        return mqtt.Consumer(url=BROKER, client_id=self.client_id, prefix=self.prefix, sta_root=self.sta_root,
                             session_expiry=60, **options)

    def publish(self, topic: str, payload: Any) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.publisher.publish(topic, data, qos=1).wait_for_publish(5)

    def single(self, datastream: int, at: dt.datetime, value: Any) -> None:
        self.publish(f"{self.sta_root}/Datastreams({datastream})/Observations",
                     {"phenomenonTime": at.isoformat(), "result": value})

    def gateway(self, rows: list[Any], gateway: str = "gw-hoan-kiem") -> None:
        self.publish(f"{self.prefix}/gateways/{gateway}/observations", rows)

    def close(self, *consumers: mqtt.Consumer) -> None:
        self.publisher.disconnect()
        self.publisher.loop_stop()
        # End the sessions this test left on the broker.
        cleaner = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=paho.MQTTv5)
        endpoint = mqtt.parse_url(BROKER)
        with contextlib.suppress(OSError):
            cleaner.connect(endpoint.host, endpoint.port, clean_start=True)
            cleaner.disconnect()


@pytest.fixture
def run() -> Iterator[Run]:
    the_run = Run()
    yield the_run
    the_run.close()


@contextlib.contextmanager
def running(consumer: mqtt.Consumer) -> Iterator[mqtt.Consumer]:
    """``consumer.run()`` in a thread (as `smartcity ingest` runs it), stopped gracefully at the end."""
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        assert consumer.subscribed.wait(5), "the consumer did not subscribe within 5 s"
        yield consumer
    finally:
        consumer.stop()
        thread.join(10)
        assert not thread.is_alive(), "the consumer did not stop within 10 s"


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def crash(consumer: mqtt.Consumer) -> None:
    """What a killed process does: the connection drops without DISCONNECT, nothing more is acknowledged."""
    client = consumer._client
    client.loop_stop()
    sock = client.socket()
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


def left_on_broker(run: Run) -> int:
    """How many messages the broker still holds for the consumers' session (sent again on reconnect)."""
    consumer = run.consumer(flush_ms=60_000, batch=10**6)
    consumer.start()
    try:
        assert consumer.subscribed.wait(5)
        time.sleep(0.5)
        return consumer.stats.messages
    finally:
        crash(consumer)


def readings(count: int, *, start: int = 0) -> list[tuple[dt.datetime, float]]:
    base = timezone.now().replace(microsecond=0) - dt.timedelta(hours=3)
    return [(base + dt.timedelta(minutes=i), round(10 + i * 0.5, 1)) for i in range(start, start + count)]


def stored(datastream: int) -> list[tuple[dt.datetime, float]]:
    return list(Observation.objects.filter(datastream_id=datastream).order_by("phenomenon_time")
                .values_list("phenomenon_time", "result"))


@needs_broker
def test_single_observations_and_gateway_batches_are_stored_once_and_bad_payloads_become_dead_letters(
        transactional_db, station, run):
    ObservedProperty.objects.filter(datastreams=station.pm25).update(plausible_min=0, plausible_max=1000)
    pm = readings(60)
    temperature = readings(20)
    with running(run.consumer()) as consumer:
        for at, value in pm[:20]:
            run.single(station.pm25, at, value)
        for lo in range(20, 60, 10):  # compact objects, and arrays for the last batch
            run.gateway([{"datastream": station.pm25, "t": at.isoformat(), "v": v} if lo < 50
                         else [station.pm25, at.isoformat(), v] for at, v in pm[lo:lo + 10]])
        run.gateway([{"datastream": station.temperature, "t": at.isoformat(), "v": v} for at, v in temperature],
                    gateway="gw-2")
        # Duplicates: five singles and one whole batch sent again (a gateway retrying after a lost PUBACK).
        for at, value in pm[:5]:
            run.single(station.pm25, at, value)
        run.gateway([{"datastream": station.pm25, "t": at.isoformat(), "v": v} for at, v in pm[20:30]])
        # Bad payloads: unreadable messages, and rows the ingest refuses inside an otherwise good batch.
        run.publish(f"{run.sta_root}/Datastreams({station.pm25})/Observations", b"{\"result\": 1,")
        run.publish(f"{run.sta_root}/Datastreams({station.pm25})/Observations", b"\xc3\x28")
        run.publish(f"{run.sta_root}/Things({station.thing})/Observations", {"result": 1})
        future = timezone.now() + dt.timedelta(days=2)
        run.gateway([
            {"datastream": 987654, "t": pm[0][0].isoformat(), "v": 1},             # unknown datastream
            {"datastream": station.pm25, "t": pm[0][0].isoformat(), "v": "cao"},   # not a number
            {"datastream": station.pm25, "t": pm[1][0].isoformat(), "v": 12000},   # implausible
            {"datastream": station.pm25, "t": future.isoformat(), "v": 30},        # far in the future
        ])
        wait_for(lambda: consumer.stats.messages == 35 and consumer.stats.acked == 35, "35 messages acknowledged")
    assert stored(station.pm25) == pm
    assert stored(station.temperature) == temperature
    letters = list(DeadLetter.objects.values_list("source", "reason"))
    assert len(letters) == 7 and {source for source, _ in letters} == {"mqtt"}
    reasons = " | ".join(reason for _, reason in letters)
    for expected in ("not valid JSON", "not UTF-8", "Observations are created under Datastreams(id)",
                     "unknown datastream 987654", "must be a number", "outside the plausible range",
                     "in the future"):
        assert expected in reasons
    stats = consumer.stats
    assert (stats.accepted, stats.duplicates, stats.rejected) == (80, 15, 7)
    assert left_on_broker(run) == 0


@needs_broker
@pytest.mark.parametrize("share", ["", "ingest"], ids=["own-subscription", "shared-subscription"])
def test_a_consumer_killed_before_acknowledging_loses_nothing_and_its_successor_duplicates_nothing(
        transactional_db, station, run, share):
    values = readings(80)
    first = run.consumer(share=share, batch=10**6, flush_ms=60_000)  # flushed by hand below
    first.start()
    assert first.subscribed.wait(5)

    def send(lo: int, hi: int) -> None:
        run.gateway([{"datastream": station.pm25, "t": at.isoformat(), "v": v} for at, v in values[lo:hi]])

    for lo in range(0, 30, 10):  # committed and acknowledged
        send(lo, lo + 10)
    wait_for(lambda: first.stats.messages == 3, "3 messages")
    first.flush()
    for lo in range(30, 50, 10):  # committed, then the process dies before acknowledging
        send(lo, lo + 10)
    wait_for(lambda: first.stats.messages == 5, "5 messages")
    first._acknowledge = lambda messages: None
    first.flush()
    for lo in range(50, 70, 10):  # received, never committed
        send(lo, lo + 10)
    wait_for(lambda: first.stats.messages == 7, "7 messages")
    assert len(stored(station.pm25)) == 50
    crash(first)
    send(70, 80)  # published while no consumer runs: the session keeps it

    with running(run.consumer(share=share)) as second:
        wait_for(lambda: second.stats.messages == 5 and second.stats.acked == 5, "5 messages acknowledged")
    assert second.stats.redelivered == 4  # the two committed and the two uncommitted ones, marked DUP
    assert (second.stats.accepted, second.stats.duplicates) == (30, 20)
    assert stored(station.pm25) == values
    assert not DeadLetter.objects.exists()
    assert left_on_broker(run) == 0


@needs_broker
def test_a_database_error_during_a_flush_is_retried_and_nothing_is_lost(transactional_db, station, run, monkeypatch):
    real_ingest = services.ingest
    calls = []

    def flaky(rows, **kwargs):
        calls.append(len(rows))
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_ingest(rows, **kwargs)

    monkeypatch.setattr(services, "ingest", flaky)
    values = readings(30)
    with running(run.consumer(batch=30, flush_ms=5_000)) as consumer:
        run.gateway([{"datastream": station.pm25, "t": at.isoformat(), "v": v} for at, v in values[:15]])
        run.gateway([{"datastream": station.pm25, "t": at.isoformat(), "v": v} for at, v in values[15:]])
        wait_for(lambda: consumer.stats.acked == 2, "2 messages acknowledged")
    assert calls == [30, 30]  # the same batch, tried again after the back-off
    assert consumer.stats.retries == 1
    assert stored(station.pm25) == values
    assert left_on_broker(run) == 0


@needs_broker
def test_during_a_database_outage_the_buffer_stays_bounded_and_everything_arrives_afterwards(
        transactional_db, station, run, monkeypatch):
    real_ingest = services.ingest
    calls = []

    def down_for_a_while(rows, **kwargs):
        calls.append(len(rows))
        if len(calls) <= 4:
            raise OperationalError("the database system is shutting down")
        return real_ingest(rows, **kwargs)

    monkeypatch.setattr(services, "ingest", down_for_a_while)
    values = readings(60)
    with running(run.consumer(batch=10, flush_ms=100, max_buffered=20, max_backoff=0.4)) as consumer:
        for lo in range(0, 60, 5):
            run.gateway([{"datastream": station.pm25, "t": at.isoformat(), "v": v} for at, v in values[lo:lo + 5]])
        wait_for(lambda: consumer.stats.acked == 12, "12 messages acknowledged", seconds=8)
    assert consumer.stats.retries == 4
    assert consumer.stats.peak_buffered < 20 + 5  # the network thread waited instead of buffering more
    assert stored(station.pm25) == values


@needs_broker
@pytest.mark.postgres
def test_a_database_connection_killed_between_batches_is_reopened_and_nothing_is_lost(transactional_db, station,
                                                                                       run):
    values = readings(20)
    with running(run.consumer(batch=5, flush_ms=100, max_backoff=0.5)) as consumer:
        for lo in range(0, 10, 5):
            run.gateway([{"datastream": station.pm25, "t": at.isoformat(), "v": v} for at, v in values[lo:lo + 5]])
        wait_for(lambda: consumer.stats.acked == 2, "2 messages acknowledged")
        with connection.cursor() as cursor:  # what a database restart does to the consumer's session
            cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            assert cursor.fetchone()[0] >= 1  # the consumer's (and any connection an earlier test left open)
        for lo in range(10, 20, 5):
            run.gateway([{"datastream": station.pm25, "t": at.isoformat(), "v": v} for at, v in values[lo:lo + 5]])
        wait_for(lambda: consumer.stats.acked == 4, "4 messages acknowledged")
    assert consumer.stats.retries == 1
    assert stored(station.pm25) == values


@needs_broker
def test_messages_buffered_when_the_broker_connection_drops_are_redelivered_after_the_reconnect(
        transactional_db, station, run):
    values = readings(20)
    with running(run.consumer(batch=10**6, flush_ms=1_500)) as consumer:
        for at, value in values:
            run.single(station.pm25, at, value)
        wait_for(lambda: consumer.stats.messages == 20, "20 messages")
        consumer._client.socket().shutdown(socket.SHUT_RDWR)  # the broker is gone, as far as we can tell
        wait_for(lambda: consumer.stats.connects == 2 and consumer.stats.acked == 20, "a reconnect and 20 acks",
                 seconds=8)
    assert consumer.stats.redelivered == 20
    assert stored(station.pm25) == values


@needs_broker
def test_batches_hold_whole_messages_up_to_the_batch_size(transactional_db, station, run):
    values = readings(30)
    with running(run.consumer(batch=7, flush_ms=100)) as consumer:
        for lo in range(0, 30, 3):
            run.gateway([{"datastream": station.pm25, "t": at.isoformat(), "v": v} for at, v in values[lo:lo + 3]])
        wait_for(lambda: consumer.stats.acked == 10, "10 messages acknowledged")
    assert consumer.stats.largest_batch <= 7 and consumer.stats.batches >= 5  # 30 rows in whole messages of 3
    assert stored(station.pm25) == values


@needs_broker
def test_a_stop_writes_and_acknowledges_what_is_buffered(transactional_db, station, run):
    values = readings(10)
    with running(run.consumer(batch=10**6, flush_ms=60_000)) as consumer:
        for at, value in values:
            run.single(station.pm25, at, value)
        wait_for(lambda: consumer.stats.messages == 10, "10 messages")
        assert not Observation.objects.exists()
    assert consumer.stats.acked == 10
    assert stored(station.pm25) == values
    assert left_on_broker(run) == 0

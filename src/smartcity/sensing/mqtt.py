"""The MQTT ingest consumer: readings from a broker into ``services.ingest``, acknowledged only once committed.

Topics (``docs/design/sensing-ingest.md``):

* the SensorThings MQTT extension (OGC 18-088, 14.2.1): one Observation as JSON published to
  ``v1.1/Datastreams(<id>)/Observations``, ``v1.1/FeaturesOfInterest(<id>)/Observations`` (the body names its
  Datastream) or ``v1.1/Observations`` (likewise);
* gateway batches: ``<prefix>/gateways/<gateway>/observations`` carrying a JSON array of rows in any shape the
  bulk ingest reads, normally the compact ``{"datastream": 12, "t": "2026-03-01T08:00:00Z", "v": 41.5}`` or
  ``[12, "2026-03-01T08:00:00Z", 41.5]``.

Delivery: the consumer subscribes at QoS 1 with MQTT v5, a fixed client id, ``clean_start=False`` and a session
expiry, so the broker keeps its subscriptions and unacknowledged messages while it is away; ``--share GROUP``
subscribes through ``$share/GROUP/…`` so several consumers split the stream. Messages are buffered and written in
one transaction per batch (``batch`` rows or every ``flush_ms``); their PUBACKs are sent (manual ack) only after the
commit, in the order they arrived. A crash before the commit means the broker redelivers; the unique key
(datastream, phenomenon time) makes the redelivered rows duplicates that change nothing.

Failures:

* a payload that is not UTF-8 JSON, a topic that names no Datastream, and every row the ingest refuses (unknown
  datastream, non-numeric, implausible, far-future …) become dead letters, and the message is acknowledged;
* the database goes away (``OperationalError``/``InterfaceError``): the batch stays unacknowledged and is retried
  with exponential back-off until it commits; the broker stops sending once our receive window is full;
* any other error storing a batch: its messages are stored one by one, and a message that still fails is kept as a
  dead letter with the error, so one poison message never blocks the stream;
* the broker goes away: paho reconnects with back-off; buffered messages of the lost connection are dropped
  without acknowledgement (their message ids mean nothing on the new connection) and the session redelivers them.

Broker settings matter: the consumer asks for a receive window of 65,535 messages (v5 Receive Maximum), without
which Mosquitto sends 20 at a time; and Mosquitto drops QoS 1 messages beyond ``max_queued_messages`` (1,000 by
default) queued for a slow or offline client, so production brokers need ``max_queued_messages 0`` (or large) and
``persistence true``.
"""

from __future__ import annotations

import collections
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as paho
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from smartcity.sensing import services

log = logging.getLogger(__name__)

SOURCE = "mqtt"
RECEIVE_MAXIMUM = 65_535  # the largest MQTT v5 allows: the broker may have this many unacknowledged messages out
RAW_KEEP = 16_384  # characters of an unreadable payload kept in its dead letter
RETRYABLE = (OperationalError, InterfaceError)  # the database is away or busy: try the same batch again later
STA = "v1.1"  # the root of the SensorThings MQTT topics: the version of the HTTP API at /sta/v1.1
_STA_LINK = re.compile(r"^(Datastreams|FeaturesOfInterest)\((\d+)\)$")


def topics(*, prefix: str, share: str = "", sta_root: str = STA) -> list[str]:
    """The subscriptions: the SensorThings MQTT create topics and the gateway batch topic, optionally shared.
    ``sta_root`` is "v1.1" unless a broker shared with other systems needs the SensorThings topics under a root
    of their own (e.g. "hanoi/v1.1")."""
    names = [f"{sta_root}/Observations", f"{sta_root}/+/Observations", f"{prefix}/gateways/+/observations"]
    return [f"$share/{share}/{name}" for name in names] if share else names


# ------------------------------------------------------------------------------------------------ messages


@dataclass
class Decoded:
    """What one MQTT message carries: rows for the ingest, and dead letters for what could not be read at all."""

    rows: list[Any] = field(default_factory=list)
    dead: list[tuple[Any, str, int | None]] = field(default_factory=list)  # (payload, reason, datastream id)


def decode(topic: str, payload: bytes, *, prefix: str, sta_root: str = STA) -> Decoded:
    """Turn a message into ingest rows; never raises."""
    out = Decoded()
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        out.dead.append((payload[:RAW_KEEP].decode("utf-8", "replace"), f"MQTT {topic}: the payload is not UTF-8",
                         None))
        return out
    try:
        body = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        out.dead.append((text[:RAW_KEEP], f"MQTT {topic}: the payload is not valid JSON ({exc})", None))
        return out
    head = f"{prefix}/gateways/"
    gateway = topic.removeprefix(head).split("/") if topic.startswith(head) else []
    if len(gateway) == 2 and gateway[0] and gateway[1] == "observations":
        if isinstance(body, list):
            out.rows.extend(body)
        elif isinstance(body, dict):
            out.rows.append(body)
        else:
            out.dead.append((body, f"MQTT {topic}: a gateway batch must be a JSON array of rows", None))
        return out
    levels = topic.removeprefix(f"{sta_root}/").split("/") if topic.startswith(f"{sta_root}/") else []
    if levels and levels[-1] == "Observations" and len(levels) in (1, 2):
        if not isinstance(body, dict):
            out.dead.append((body, f"MQTT {topic}: an Observation must be a JSON object", None))
            return out
        if len(levels) == 1:
            out.rows.append(body)
            return out
        link = _STA_LINK.match(levels[0])
        if link is None:
            out.dead.append((body, f"MQTT {topic}: Observations are created under Datastreams(id) or "
                                   "FeaturesOfInterest(id)", None))
            return out
        entity, pk = ("Datastream" if link[1] == "Datastreams" else "FeatureOfInterest"), int(link[2])
        named = body.get(entity)
        if isinstance(named, dict) and "@iot.id" in named and str(named["@iot.id"]) != str(pk):
            out.dead.append((body, f"MQTT {topic}: the body links {entity} {named['@iot.id']}, the topic {pk}",
                             pk if entity == "Datastream" else None))
            return out
        out.rows.append({**body, entity: {"@iot.id": pk}})
        return out
    out.dead.append((body, f"MQTT {topic}: not an ingest topic", None))
    return out


# ------------------------------------------------------------------------------------------------ consumer


@dataclass
class Stats:
    messages: int = 0  # received
    redelivered: int = 0  # of which the broker marked DUP (sent before, never acknowledged)
    rows: int = 0
    batches: int = 0  # committed
    largest_batch: int = 0  # rows
    peak_buffered: int = 0  # rows waiting at once
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0  # rows refused by the ingest and unreadable messages, all kept as dead letters
    acked: int = 0
    unacked_after_reconnect: int = 0  # committed, but their connection was gone: the broker will redeliver them
    retries: int = 0  # database attempts that failed and were tried again
    isolated: int = 0  # batches stored message by message after an unexpected error
    connects: int = 0


@dataclass
class _Message:
    mid: int
    qos: int
    generation: int  # the connection it came on; its mid only means something there
    decoded: Decoded
    arrived: float  # time.monotonic()

    @property
    def size(self) -> int:
        return len(self.decoded.rows) + len(self.decoded.dead)


@dataclass
class Endpoint:
    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None

    def __str__(self) -> str:  # for logs: never the password
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


def parse_url(url: str) -> Endpoint:
    """``mqtt://[user:password@]host[:port]`` or ``mqtts://…`` (TLS, port 8883 by default)."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not parts.hostname:
        raise ValueError(f"not an MQTT URL: {url!r} (expected mqtt://host:1883 or mqtts://host:8883)")
    tls = parts.scheme in ("mqtts", "ssl")
    return Endpoint(parts.hostname, parts.port or (8883 if tls else 1883), tls,
                    unquote(parts.username) if parts.username else None,
                    unquote(parts.password) if parts.password else None)


class Consumer:
    """One ingest consumer. ``run()`` blocks until ``stop()`` (safe from a signal handler) and returns the stats.

    The network thread (paho's) only decodes messages into the buffer; the thread that called ``run()`` writes
    batches and acknowledges them, so a slow database slows the broker down instead of piling up memory."""

    def __init__(self, *, url: str, client_id: str, share: str = "", batch: int = 5000, flush_ms: int = 500,
                 prefix: str | None = None, sta_root: str | None = None, session_expiry: int | None = None,
                 keepalive: int = 60, max_backoff: float | None = None, max_buffered: int | None = None,
                 ingest: Callable[..., services.IngestResult] | None = None) -> None:
        if batch < 1 or flush_ms < 1:
            raise ValueError("batch and flush_ms must be positive")
        self.endpoint = parse_url(url)
        self.client_id = client_id
        self.share = share
        self.batch = batch
        self.flush_ms = flush_ms
        self.prefix = prefix if prefix is not None else getattr(settings, "MQTT_TOPIC_PREFIX", "smartcity")
        self.sta_root = sta_root if sta_root is not None else getattr(settings, "MQTT_STA_ROOT", STA)
        self.session_expiry = (session_expiry if session_expiry is not None
                               else getattr(settings, "MQTT_SESSION_EXPIRY", 7 * 86_400))
        self.keepalive = keepalive
        self.max_backoff = max_backoff if max_backoff is not None else getattr(settings, "MQTT_INGEST_MAX_BACKOFF", 30)
        # Beyond this many buffered rows the network thread waits (the broker then waits on TCP), so a long database
        # outage cannot fill the memory with the 65,535 messages the receive window allows.
        self.max_buffered = max_buffered or max(10 * batch, 50_000)
        self._ingest = ingest  # None: services.ingest, looked up at each call
        self.stats = Stats()
        self.subscribed = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._buffer: collections.deque[_Message] = collections.deque()
        self._buffered_rows = 0
        self._generation = 0
        self.topics = topics(prefix=self.prefix, share=self.share, sta_root=self.sta_root)
        self._client = self._make_client()

    # ---------------------------------------------------------------------------------------- connection

    def _make_client(self) -> paho.Client:
        client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=paho.MQTTv5)
        client.manual_ack_set(True)
        client.reconnect_delay_set(min_delay=1, max_delay=max(1, int(self.max_backoff)))
        if self.endpoint.username is not None:
            client.username_pw_set(self.endpoint.username, self.endpoint.password)
        if self.endpoint.tls:
            client.tls_set()
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        return client

    def _connect_properties(self) -> Properties:
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = self.session_expiry
        props.ReceiveMaximum = RECEIVE_MAXIMUM
        return props

    def _on_connect(self, client: paho.Client, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        if reason.is_failure:
            log.error("MQTT %s refused the connection: %s", self.endpoint, reason)
            return
        self.stats.connects += 1
        log.info("connected to %s as %s (session %s)", self.endpoint, self.client_id,
                 "resumed" if getattr(flags, "session_present", False) else "new")
        # Subscribing again on a resumed session is harmless, and needed when the session had expired.
        client.subscribe([(t, SubscribeOptions(qos=1)) for t in self.topics])

    def _on_subscribe(self, client: paho.Client, userdata: Any, mid: int, reasons: Any, properties: Any) -> None:
        failed = [str(r) for r in reasons if r.is_failure]
        if failed:
            log.error("MQTT %s refused subscriptions (%s); shared subscriptions need an MQTT v5 broker",
                      self.endpoint, ", ".join(failed))
            return
        log.info("subscribed: %s", ", ".join(self.topics))
        self.subscribed.set()

    def _on_disconnect(self, client: paho.Client, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        with self._lock:
            self._generation += 1
            dropped = len(self._buffer)
            self._buffer.clear()
            self._buffered_rows = 0
        self.subscribed.clear()
        if not self._stop.is_set():
            log.warning("lost the MQTT connection (%s); %d buffered messages will be redelivered; reconnecting",
                        reason, dropped)

    def _on_message(self, client: paho.Client, userdata: Any, message: paho.MQTTMessage) -> None:
        decoded = decode(message.topic, message.payload, prefix=self.prefix, sta_root=self.sta_root)
        with self._lock:
            while self._buffered_rows >= self.max_buffered and not self._stop.is_set():
                self._wake.wait(0.5)
            self.stats.messages += 1
            self.stats.redelivered += bool(message.dup)
            item = _Message(message.mid, message.qos, self._generation, decoded, time.monotonic())
            self._buffer.append(item)
            self._buffered_rows += item.size
            self.stats.peak_buffered = max(self.stats.peak_buffered, self._buffered_rows)
            if self._buffered_rows >= self.batch:
                self._wake.notify_all()

    # ---------------------------------------------------------------------------------------- running

    def start(self) -> None:
        """Connect in the background (retrying until the broker answers) and start paho's network thread."""
        self._client.connect_async(self.endpoint.host, self.endpoint.port, keepalive=self.keepalive,
                                   clean_start=False, properties=self._connect_properties())
        self._client.loop_start()

    def stop(self) -> None:
        """Ask ``run()`` to flush, acknowledge, disconnect and return. Only sets a flag: safe in a signal handler."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self) -> Stats:
        self.start()
        try:
            while not self._stop.is_set():
                self._wait_for_batch()
                self.flush()
            while self._buffer and self.flush():  # what arrived before the stop, unless the database is away
                pass
        finally:
            self._client.disconnect()
            self._client.loop_stop()
            self._reset_connection()  # this thread's database connection, which nothing else would close
        return self.stats

    def _wait_for_batch(self) -> None:
        with self._lock:
            while not self._stop.is_set():
                if self._buffered_rows >= self.batch:
                    return
                if self._buffer:
                    left = self._buffer[0].arrived + self.flush_ms / 1000 - time.monotonic()
                    if left <= 0:
                        return
                else:
                    left = 0.1
                self._wake.wait(min(left, 0.1))  # short: a stop set from a signal handler cannot notify us

    # ---------------------------------------------------------------------------------------- writing

    def flush(self) -> bool:
        """Write the oldest buffered messages, about ``batch`` rows (whole messages, at least one), in one
        transaction and acknowledge them. False when nothing could be committed because the consumer was stopped
        while the database was away (the messages stay unacknowledged)."""
        messages: list[_Message] = []
        with self._lock:
            rows = 0
            while self._buffer and (not messages or rows + self._buffer[0].size <= self.batch):
                messages.append(self._buffer.popleft())
                rows += messages[-1].size
            self._buffered_rows -= rows
            self._wake.notify_all()  # room in the buffer for a waiting network thread
        if not messages:
            return True
        if not self._store_with_retry(messages):
            return False
        self.stats.batches += 1
        self.stats.largest_batch = max(self.stats.largest_batch, sum(m.size for m in messages))
        self._acknowledge(messages)
        return True

    def _store_with_retry(self, messages: list[_Message]) -> bool:
        delay = 0.5
        while True:
            try:
                self._store(messages)
                return True
            except RETRYABLE as exc:
                self.stats.retries += 1
                self._reset_connection()
                if self._stop.is_set():
                    log.warning("stopping with the database unavailable (%s): %d messages left unacknowledged "
                                "for redelivery", exc, len(messages))
                    return False
                log.warning("database unavailable (%s); %d messages kept unacknowledged, retrying in %.1f s",
                            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                            len(messages), delay)
                self._stop.wait(delay)
                delay = min(delay * 2, self.max_backoff)
            except Exception:
                log.exception("storing a batch of %d messages failed; storing them one by one", len(messages))
                self._reset_connection()
                self.stats.isolated += 1
                try:
                    self._store_one_by_one(messages)
                    return True
                except Exception:  # the database went away meanwhile, or even a dead letter failed: again later
                    log.exception("storing message by message failed too; retrying in %.1f s", delay)
                    self.stats.retries += 1
                    self._reset_connection()
                    if self._stop.is_set():
                        return False
                    self._stop.wait(delay)
                    delay = min(delay * 2, self.max_backoff)

    def _store(self, messages: Sequence[_Message]) -> None:
        rows = [row for m in messages for row in m.decoded.rows]
        dead = [item for m in messages for item in m.decoded.dead]
        now = timezone.now()
        ingest = self._ingest or services.ingest
        limit = max(1, settings.SENSING_INGEST_MAX_ROWS)
        accepted = duplicates = rejected = 0
        with transaction.atomic():
            if dead:
                services.record_dead_letters(dead, source=SOURCE, now=now)
            for start in range(0, len(rows), limit):
                result = ingest(rows[start:start + limit], source=SOURCE, now=now)
                accepted += result.accepted
                duplicates += result.duplicates
                rejected += result.rejected
        self.stats.rows += len(rows)
        self.stats.accepted += accepted
        self.stats.duplicates += duplicates
        self.stats.rejected += rejected + len(dead)

    def _store_one_by_one(self, messages: Sequence[_Message]) -> None:
        for message in messages:
            try:
                self._store([message])
            except RETRYABLE:
                raise
            except Exception as exc:
                log.exception("a message could not be stored; kept as a dead letter")
                self._reset_connection()
                reason = f"MQTT: the message could not be stored ({type(exc).__name__}: {exc})"[:2000]
                with transaction.atomic():
                    services.record_dead_letters([({"rows": message.decoded.rows}, reason, None)], source=SOURCE,
                                           now=timezone.now())
                self.stats.rejected += len(message.decoded.rows)

    def _reset_connection(self) -> None:
        """After a database error, start the next attempt on a fresh connection."""
        try:
            connection.close()
        except Exception:  # the connection is already broken; Django forgets it either way
            log.debug("closing the broken database connection failed", exc_info=True)

    def _acknowledge(self, messages: Sequence[_Message]) -> None:
        # Under the lock: a disconnect (which bumps the generation) cannot slip between the check and the PUBACKs,
        # so no acknowledgement of an old connection's message id reaches a new connection.
        with self._lock:
            for m in messages:
                if m.generation != self._generation:
                    self.stats.unacked_after_reconnect += 1
                elif m.qos > 0:
                    self._client.ack(m.mid, m.qos)
                    self.stats.acked += 1


"""The live feed as server-sent events: the events after the last id the browser saw (``Last-Event-ID`` on a
reconnect), a summary event when a newer summary exists, heartbeat comments while nothing happens, and an end after
``IOC_STREAM_SECONDS`` so that a single-threaded server is never held forever."""

from __future__ import annotations

import json

import pytest

from smartcity.ioc import services


@pytest.fixture(autouse=True)
def short_streams(settings):
    settings.IOC_STREAM_SECONDS = 0  # one pass over the table, then the end
    settings.IOC_STREAM_POLL_MS = 1
    settings.IOC_STREAM_HEARTBEAT_SECONDS = 10


def read(response) -> list[str]:
    return [chunk.decode() if isinstance(chunk, bytes) else chunk for chunk in response.streaming_content]


def messages(chunks: list[str]) -> list[tuple[str | None, str, dict]]:
    out = []
    for chunk in chunks:
        fields = dict(line.split(": ", 1) for line in chunk.strip().split("\n") if ": " in line
                      and not line.startswith(":"))
        if "event" in fields:
            out.append((fields.get("id"), fields["event"], json.loads(fields["data"])))
    return out


def test_the_stream_sends_the_events_after_the_given_id_then_ends_asking_for_a_reconnect(client, leader):
    first, _ = services.append_event(source_key="a", kind="test", title="Cảnh báo ngập", severity="critical")
    second, _ = services.append_event(source_key="b", kind="test", title="Hồ sơ quá hạn", severity="warn")
    summary = services.refresh_summary()
    client.force_login(leader)
    response = client.get(f"/ioc/su-kien/?after=0&summary={summary.pk}")
    assert response["Content-Type"] == "text/event-stream; charset=utf-8"
    assert response["Cache-Control"] == "no-store, max-age=0, no-cache, must-revalidate, private"
    chunks = read(response)
    assert chunks[0] == "retry: 2000\n\n"
    assert [(i, name, data["title"], data["severity"]) for i, name, data in messages(chunks)] == [
        (str(first.id), "feed", "Cảnh báo ngập", "critical"), (str(second.id), "feed", "Hồ sơ quá hạn", "warn")]
    assert chunks[-1] == ": end of stream, reconnect\n\n"


def test_a_reconnecting_browser_resumes_after_its_last_event_id(client, leader):
    first, _ = services.append_event(source_key="a", kind="test", title="Một")
    services.append_event(source_key="b", kind="test", title="Hai")
    client.force_login(leader)
    chunks = read(client.get("/ioc/su-kien/", headers={"Last-Event-ID": str(first.id)}))
    assert [data["title"] for _i, name, data in messages(chunks) if name == "feed"] == ["Hai"]


def test_a_newer_summary_is_sent_with_the_tiles_as_written_on_the_screen(client, leader):
    old = services.refresh_summary()
    new = services.refresh_summary()
    client.force_login(leader)
    chunks = read(client.get(f"/ioc/su-kien/?summary={old.pk}"))
    [(_i, _name, data)] = [m for m in messages(chunks) if m[1] == "summary"]
    assert data["summary"] == new.pk
    reports = next(t for t in data["tiles"] if t["key"] == "reports_open")
    assert (reports["available"], reports["display"]) == (True, "0")  # citizen reports: none open


def test_silence_is_kept_alive_by_heartbeat_comments(client, leader, settings):
    settings.IOC_STREAM_SECONDS = 0.05
    settings.IOC_STREAM_HEARTBEAT_SECONDS = 0
    summary = services.refresh_summary()
    client.force_login(leader)
    chunks = read(client.get(f"/ioc/su-kien/?summary={summary.pk}"))
    assert ": heartbeat\n\n" in chunks and messages(chunks) == []


def test_a_bad_last_event_id_starts_from_the_beginning(client, leader):
    services.append_event(source_key="a", kind="test", title="Một")
    client.force_login(leader)
    chunks = read(client.get("/ioc/su-kien/", headers={"Last-Event-ID": "abc"}))
    assert [data["title"] for _i, name, data in messages(chunks) if name == "feed"] == ["Một"]

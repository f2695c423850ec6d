"""The summary tiles, computed from the apps' services: dossiers received today, the month's on-time rate, overdue
dossiers by agency; a tile no provider answers reads "chưa có dữ liệu"; the summary row is reused while fresh."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from smartcity.dossiers.models import Dossier, Status
from smartcity.dossiers.tests.test_lifecycle import submit
from smartcity.dossiers.tests.test_workbench import copies
from smartcity.ioc import services, sources
from smartcity.ioc.models import Summary

NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)  # 10:00 in Hà Nội


@pytest.fixture(autouse=True)
def media(db, settings, tmp_path):
    from smartcity.procedures.services import load_catalogue

    settings.MEDIA_ROOT = tmp_path
    load_catalogue()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def tile(tiles, key):
    return next(t for t in tiles if t.key == key)


def test_the_dossier_tiles_count_today_the_months_on_time_rate_and_overdue_by_agency(an, clock):
    original = submit(an)
    today = NOW - dt.timedelta(hours=2)
    copies(original, 3, status=Status.PROCESSING, received_at=today, appointment_at=NOW + dt.timedelta(days=3))
    copies(original, 2, start=10, status=Status.PROCESSING, received_at=NOW - dt.timedelta(days=9),
           appointment_at=NOW - dt.timedelta(days=1))  # overdue
    copies(original, 3, start=20, status=Status.RETURNED, received_at=NOW - dt.timedelta(days=12),
           appointment_at=NOW - dt.timedelta(days=2), finished_at=NOW - dt.timedelta(days=3))  # on time
    copies(original, 1, start=30, status=Status.RETURNED, received_at=NOW - dt.timedelta(days=12),
           appointment_at=NOW - dt.timedelta(days=4), finished_at=NOW - dt.timedelta(days=3))  # late
    copies(original, 1, start=40, status=Status.RETURNED, received_at=NOW - dt.timedelta(days=40),
           appointment_at=NOW - dt.timedelta(days=30), finished_at=NOW - dt.timedelta(days=31))  # last month
    tiles = services.tiles_for_display(services.refresh_summary())
    received = tile(tiles, "dossiers_received_today")
    assert (received.value, received.display) == (3, "3")
    on_time = tile(tiles, "dossiers_on_time_month")
    assert (on_time.value, on_time.display, on_time.note, on_time.tone) == (0.75, "75,0%", "4 hồ sơ đã xử lý", "warn")
    overdue = tile(tiles, "dossiers_overdue")
    assert (overdue.value, overdue.breakdown, overdue.tone) == (2, [("Ủy ban nhân dân Phường Ba Đình", 2)], "late")
    assert Dossier.objects.count() == 11


def test_the_report_tiles_and_layer_read_no_data_without_the_reports_provider(db, monkeypatch):
    monkeypatch.delitem(sources._providers, "reports")  # a city that runs the centre without citizen reports
    tiles = services.tiles_for_display(services.refresh_summary())
    assert (tile(tiles, "reports_open").available, tile(tiles, "reports_open").display) == (False, "chưa có dữ liệu")
    assert [(layer.key, layer.available) for layer in services.map_layers(wanted=["reports"])] == [("reports", False)]


def test_citizen_reports_fill_their_tiles_layer_and_feed(db, settings, tmp_path, an):
    from smartcity.feedback.catalogue import seed_categories
    from smartcity.feedback.tests.test_services import submit as report
    from smartcity.ioc.models import Event

    settings.MEDIA_ROOT = str(tmp_path / "media")
    seed_categories()
    first = report(an)
    report(an, emergency=True)
    tiles = services.tiles_for_display(services.refresh_summary())
    assert (tile(tiles, "reports_open").display, tile(tiles, "reports_overdue").display) == ("2", "0")
    [layer] = services.map_layers(wanted=["reports"])
    assert layer.available and len(layer.points) == 2
    assert any(p.href == f"/phan-anh/{first.pk}/" for p in layer.points)
    services.collect_events()
    feed = sorted(Event.objects.filter(kind="report").values_list("title", flat=True))
    assert feed == [f"Phản ánh: #{n} Ổ gà, hư hỏng mặt đường — {step}" for n in (first.pk, first.pk + 1)
                    for step in ("Chuyển đến cơ quan có thẩm quyền", "Gửi phản ánh")]
    services.collect_events()  # a second sight of the same steps appends nothing
    assert Event.objects.filter(kind="report").count() == 4


def test_a_fresh_summary_row_is_reused_and_an_old_one_recomputed(db, clock, settings):
    settings.IOC_SUMMARY_MAX_AGE_SECONDS = 60
    first = services.current_summary()
    clock.shift(dt.timedelta(seconds=59))
    assert services.current_summary().pk == first.pk
    clock.shift(dt.timedelta(seconds=2))
    assert services.current_summary().pk != first.pk
    assert Summary.objects.count() == 2


def test_a_hidden_tile_is_left_out_and_the_administrators_order_kept(db):
    from smartcity.ioc.models import Tile

    services.ensure_catalogue()
    Tile.objects.filter(key="sensors_offline").update(is_enabled=False)
    Tile.objects.filter(key="incidents_open").update(position=0)
    keys = [t.key for t in services.tiles_for_display(services.refresh_summary())]
    assert "sensors_offline" not in keys and keys[:2] == ["incidents_open", "dossiers_received_today"]


def test_the_overdue_tile_drills_down_to_its_agencies(an, clock):
    original = submit(an)
    copies(original, 2, status=Status.RECEIVED, received_at=NOW - dt.timedelta(days=9),
           appointment_at=NOW - dt.timedelta(days=1))
    spec, rows, available = services.drill_down("dossiers_overdue")
    assert available and [r.cells for r in rows] == [["Ủy ban nhân dân Phường Ba Đình", "2"]]
    assert services.drill_down("reports_open")[1:] == ([], True)  # the reports provider answers: no open report

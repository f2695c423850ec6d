"""The national portal connector against a local server that speaks the contract: dossiers and their status
changes go out through the outbox, once each, in order, retried on errors and timeouts without duplicates; a
rejected message fails visibly; the procedure catalogue comes in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from smartcity.dossiers import services as dossiers
from smartcity.interop.models import DossierSync, Outbox, SyncState
from smartcity.interop.national import sync
from smartcity.interop.tests.fake_portal import FakePortal
from smartcity.procedures.models import Procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(settings):
    with FakePortal() as fake:
        settings.NATIONAL_PORTAL_URL = fake.url
        settings.NATIONAL_PORTAL_TIMEOUT = 1
        yield fake


def later(minutes: int = 120) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def test_a_dossier_goes_out_once_then_its_status_changes(portal, dossier_of_an, officer_ba_dinh):
    assert sync.queue_changes() == 1
    assert sync.queue_changes() == 0  # queuing twice queues once
    assert sync.deliver_due().sent == 1
    message = portal.records[f"{dossier_of_an.code}:dossier"]
    assert (message["path"], message["MaHoSo"], message["MaTTHC"], message["TrangThaiHoSo"],
            message["KenhThucHien"]) == ("/dong-bo/ho-so", dossier_of_an.code, "1.001193", "1", "1")
    assert [e["SangTrangThai"] for e in message["QuaTrinhXuLy"]] == ["1"]
    assert DossierSync.objects.get().state == SyncState.SYNCED

    dossiers.apply_operation(user=officer_ba_dinh, code=dossier_of_an.code, operation="receive")
    assert sync.queue_changes() == 1
    assert DossierSync.objects.get().state == SyncState.PENDING
    assert sync.deliver_due().sent == 1
    status = [m for k, m in portal.records.items() if ":status:" in k]
    assert [(m["path"], m["TuTrangThai"], m["TrangThaiHoSo"]) for m in status] == [("/dong-bo/trang-thai", "1", "2")]
    assert DossierSync.objects.get().state == SyncState.SYNCED
    assert sync.sync_rate() == 1.0


def test_errors_are_retried_with_back_off_and_never_duplicated(portal, dossier_of_an):
    portal.script = ["503", "slow", "lost"]
    sync.queue_changes()
    first = sync.deliver_due()
    item = Outbox.objects.get()
    assert (first.retrying, item.attempts, item.state) == (1, 1, SyncState.PENDING)
    assert "503" in item.last_error
    assert item.next_attempt_at > timezone.now()
    assert sync.deliver_due().sent == 0  # not due yet: the back-off holds
    sync.deliver_due(now=later())  # timeout
    item.refresh_from_db()
    assert (item.attempts, item.state) == (2, SyncState.PENDING)
    assert "timed out" in item.last_error
    sync.deliver_due(now=later(240))  # the portal records it, but its answer is lost (500)
    sync.deliver_due(now=later(480))  # the retry is a 409 "already have it": delivered
    item.refresh_from_db()
    assert (item.attempts, item.state) == (4, SyncState.SYNCED)
    assert len(portal.records) == 1
    assert [k for _, k in portal.requests] == [f"{dossier_of_an.code}:dossier"] * 4
    assert DossierSync.objects.get().state == SyncState.SYNCED


def test_a_rejected_message_fails_visibly_and_holds_the_later_ones(portal, dossier_of_an, officer_ba_dinh):
    portal.script = ["400"]
    sync.queue_changes()
    assert sync.deliver_due().failed == 1
    state = DossierSync.objects.get()
    assert state.state == SyncState.FAILED
    assert "MaTTHC không tồn tại" in state.last_error
    dossiers.apply_operation(user=officer_ba_dinh, code=dossier_of_an.code, operation="receive")
    sync.queue_changes()
    assert sync.deliver_due().waiting == 1  # the status change waits for the dossier itself
    assert sync.requeue_failed() == 1
    assert sync.deliver_due().sent == 2
    assert len(portal.records) == 2
    assert sync.sync_rate() == 1.0


def test_an_unreachable_portal_gives_up_after_the_last_attempt_keeping_the_message(settings, dossier_of_an):
    settings.NATIONAL_PORTAL_URL = "http://127.0.0.1:9"  # nothing listens
    settings.NATIONAL_PORTAL_MAX_ATTEMPTS = 2
    sync.queue_changes()
    sync.deliver_due()
    sync.deliver_due(now=later())
    item = Outbox.objects.get()
    assert (item.state, item.attempts) == (SyncState.FAILED, 2)
    assert sync.sync_rate() == 0.0


def test_sync_rate_is_not_measured_without_dossiers(db):
    assert sync.sync_rate() is None


def test_the_catalogue_pull_updates_known_and_adds_new_procedures_unpublished(portal, dossier_of_an):
    portal.catalogue = {"DanhSach": [
        {"MaTTHC": "1.001193", "TenTTHC": "Thủ tục đăng ký khai sinh", "LinhVuc": "Hộ tịch",
         "CoQuanThucHien": "UBND cấp xã", "KetQua": "Giấy khai sinh", "MucDo": "full", "CapThucHien": ["commune"]},
        {"MaTTHC": "2.999001", "TenTTHC": "Thủ tục mới của Trung ương", "LinhVuc": "Hộ tịch",
         "CoQuanThucHien": "UBND cấp xã", "KetQua": "Quyết định", "MucDo": "partial", "CapThucHien": ["commune"]},
        {"MaTTHC": "<script>", "TenTTHC": "x"},
    ]}
    counts = sync.pull_catalogue()
    assert counts == {"created": 1, "updated": 1, "unchanged": 0, "invalid": 1}
    new = Procedure.objects.get(code="2.999001")
    assert (new.name, new.is_active, new.online_level) == ("Thủ tục mới của Trung ương", False, "partial")
    assert Procedure.objects.get(code="1.001193").name == "Thủ tục đăng ký khai sinh"
    assert sync.pull_catalogue() == {"created": 0, "updated": 0, "unchanged": 2, "invalid": 1}


def test_the_scorecard_measures_the_sync_rate_once_the_portal_is_connected(portal, dossier_of_an, officer_ba_dinh,
                                                                            settings):
    from smartcity.dossiers import scorecard

    dossiers.apply_operation(user=officer_ba_dinh, code=dossier_of_an.code, operation="receive")
    start, end = timezone.now() - dt.timedelta(days=1), timezone.now() + dt.timedelta(days=1)

    def indicator(card):
        return next(i for i in card["indicators"] if i["code"] == "1.4")

    assert (indicator(scorecard.compute(start, end, group="city")[0])["numerator"]) == 0
    sync.queue_changes()
    sync.deliver_due()
    measured = indicator(scorecard.compute(start, end, group="city")[0])
    assert (measured["numerator"], measured["denominator"], measured["rate"]) == (1, 1, 1.0)
    settings.NATIONAL_PORTAL_URL = ""
    unmeasured = indicator(scorecard.compute(start, end, group="city")[0])
    assert unmeasured["score"] is None and "Cổng Dịch vụ công quốc gia" in unmeasured["not_measured"]

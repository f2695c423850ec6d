"""Official documents between two agencies on one platform as signed edXML packages, with their tracking
statuses; a package with a broken signature is refused with the reason, nothing half-stored."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from smartcity.agencies.services import commune_committee
from smartcity.interop.edxml import exchange, package
from smartcity.interop.models import EdocMessage, EdocStatus
from smartcity.lib.errors import Conflict, Forbidden, Invalid

pytestmark = pytest.mark.django_db
ISSUED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def pki(settings, tmp_path_factory, monkeypatch, officer_ba_dinh, officer_hoan_kiem):
    from smartcity.signing import services
    from smartcity.signing.models import Kind

    settings.SMARTCITY_SIGNING_DIR = tmp_path_factory.mktemp("signing")
    settings.SMARTCITY_SIGNING_DEMO_CA = True
    settings.SMARTCITY_TSA_URL = ""
    lasting = (dt.datetime.now(dt.UTC) - ISSUED).days + 730
    for kind in (Kind.ROOT, Kind.SEAL, Kind.OFFICER):
        monkeypatch.setitem(services.DAYS, kind, max(services.DAYS[kind], lasting))
    with time_machine.travel(ISSUED, tick=True):
        services.ensure_demo_pki()


def codes(ba_dinh, hoan_kiem):
    return commune_committee(ba_dinh).code, commune_committee(hoan_kiem).code


def send(officer_ba_dinh, ba_dinh, hoan_kiem, **changes):
    sender, receiver = codes(ba_dinh, hoan_kiem)
    return exchange.send_document(user=officer_ba_dinh, from_code=sender, to_code=receiver,
                                  notation="125/UBND-VP", subject="Về việc phối hợp xác minh nơi cư trú",
                                  text="Đề nghị Ủy ban nhân dân phường Hoàn Kiếm phối hợp…",
                                  attachments=[("cong-van.pdf", b"%PDF-1.7 demo")], **changes)


def test_a_document_goes_from_one_ward_to_another_and_its_statuses_come_back(
        officer_ba_dinh, officer_hoan_kiem, ba_dinh, hoan_kiem):
    sent = send(officer_ba_dinh, ba_dinh, hoan_kiem)
    assert (sent.direction, sent.status, sent.last_error) == ("out", EdocStatus.RECEIVED, "")
    got = EdocMessage.objects.get(direction="in")
    assert (got.document_id, got.notation, got.agency.code) == (sent.document_id, "125/UBND-VP",
                                                                 codes(ba_dinh, hoan_kiem)[1])
    doc = package.read(bytes(got.package))
    assert doc.attachments == [("cong-van.pdf", b"%PDF-1.7 demo")]
    exchange.report_status(user=officer_hoan_kiem, message_id=got.pk, status=EdocStatus.PROCESSING)
    exchange.report_status(user=officer_hoan_kiem, message_id=got.pk, status=EdocStatus.DONE)
    sent.refresh_from_db()
    assert sent.status == EdocStatus.DONE
    assert list(sent.events.values_list("status", flat=True)) == ["sent", "received", "processing", "done"]


def test_a_returned_document_needs_a_reason_and_reports_it(officer_ba_dinh, officer_hoan_kiem, ba_dinh, hoan_kiem):
    send(officer_ba_dinh, ba_dinh, hoan_kiem)
    got = EdocMessage.objects.get(direction="in")
    with pytest.raises(Invalid):
        exchange.report_status(user=officer_hoan_kiem, message_id=got.pk, status=EdocStatus.RETURNED)
    exchange.report_status(user=officer_hoan_kiem, message_id=got.pk, status=EdocStatus.RETURNED,
                           note="Không thuộc thẩm quyền")
    sent = EdocMessage.objects.get(direction="out")
    assert (sent.status, sent.events.last().note) == (EdocStatus.RETURNED, "Không thuộc thẩm quyền")
    with pytest.raises(Conflict):
        exchange.report_status(user=officer_hoan_kiem, message_id=got.pk, status=EdocStatus.DONE)


def test_only_the_agencies_own_staff_send_and_report(officer_ba_dinh, officer_hoan_kiem, ba_dinh, hoan_kiem):
    with pytest.raises(Forbidden):
        send(officer_hoan_kiem, ba_dinh, hoan_kiem)
    send(officer_ba_dinh, ba_dinh, hoan_kiem)
    got = EdocMessage.objects.get(direction="in")
    with pytest.raises(Forbidden):
        exchange.report_status(user=officer_ba_dinh, message_id=got.pk, status=EdocStatus.PROCESSING)


def test_a_package_with_a_broken_signature_is_refused_and_nothing_is_stored(
        officer_ba_dinh, ba_dinh, hoan_kiem):
    send(officer_ba_dinh, ba_dinh, hoan_kiem)
    raw = bytes(EdocMessage.objects.get(direction="out").package)
    EdocMessage.objects.filter(direction="in").delete()
    tampered = raw.replace(b"125/UBND-VP", b"999/UBND-VP")
    with pytest.raises(Invalid) as err:
        exchange.receive_package(tampered)
    assert "không khớp" in err.value.message
    garbled = raw.replace(b"<edXML:Signature type=\"cms-detached\">", b"<edXML:Signature type=\"cms-detached\">AA")
    with pytest.raises(Invalid):
        exchange.receive_package(garbled)
    assert not EdocMessage.objects.filter(direction="in").exists()


def test_a_package_received_twice_is_kept_once(officer_ba_dinh, ba_dinh, hoan_kiem):
    send(officer_ba_dinh, ba_dinh, hoan_kiem)
    raw = bytes(EdocMessage.objects.get(direction="out").package)
    again = exchange.receive_package(raw)
    assert EdocMessage.objects.filter(direction="in").count() == 1
    assert again.status == EdocStatus.RECEIVED


def test_unsigned_or_not_edxml_is_refused(db):
    with pytest.raises(Invalid):
        package.read(b"<x/>")
    with pytest.raises(Invalid):
        package.read(b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>")

"""Incidents: an operator opens one of a type and gets its procedure's steps with their deadlines; steps are ticked
with time and actor; the timeline keeps every move; a closed incident takes no more changes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from smartcity.ioc import services
from smartcity.ioc.models import Event, Incident, IncidentStep, TimelineEntry
from smartcity.lib.errors import Conflict, Forbidden, Invalid

NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_an_operator_opens_an_incident_and_gets_the_procedure_steps_with_their_deadlines(operator, flood_type):
    incident = services.open_incident(user=operator, type_code="ngap-ung", title="Ngập phố Nguyễn Khuyến")
    steps = list(incident.steps.order_by("position").values_list("position", "due_at", "agency__name"))
    assert steps == [
        (1, NOW + dt.timedelta(minutes=15), None),
        (2, NOW + dt.timedelta(minutes=30), "Sở Xây dựng"),
        (3, NOW + dt.timedelta(minutes=60), "Sở Xây dựng"),
        (4, NOW + dt.timedelta(minutes=120), None),
        (5, NOW + dt.timedelta(minutes=30), "Văn phòng Ủy ban nhân dân Thành phố"),
    ]
    assert incident.state == "open" and incident.source == "operator" and incident.opened_by == operator
    assert list(TimelineEntry.objects.filter(incident=incident).values_list("text", "actor_label")) == [
        ("Mở sự cố (Điều hành viên): Ngập phố Nguyễn Khuyến", "Phạm Văn Minh")]
    assert Event.objects.get(source_key=f"incident:{incident.pk}:opened").title == "Sự cố mới: Ngập phố Nguyễn Khuyến"


def test_a_step_is_ticked_with_its_time_and_actor_and_a_late_one_says_so(operator, flood_type, clock):
    incident = services.open_incident(user=operator, type_code="ngap-ung", title="Ngập")
    clock.move_to(NOW + dt.timedelta(minutes=10))
    services.complete_step(user=operator, incident_id=incident.pk, position=1, note="Ngập 30 cm")
    clock.move_to(NOW + dt.timedelta(minutes=45))
    services.complete_step(user=operator, incident_id=incident.pk, position=2)
    done = {s.position: (s.done_at, s.done_by_id, s.note) for s in IncidentStep.objects.filter(incident=incident)}
    assert done[1] == (NOW + dt.timedelta(minutes=10), operator.pk, "Ngập 30 cm")
    assert done[2] == (NOW + dt.timedelta(minutes=45), operator.pk, "")
    assert done[3] == (None, None, "")
    assert list(incident.timeline.values_list("text", flat=True))[1:] == [
        "Hoàn thành bước 1: Xác minh hiện trường, báo cáo mức ngập. Ngập 30 cm",
        "Hoàn thành bước 2: Cắm biển cảnh báo, phân luồng giao thông (quá hạn)",
    ]
    with pytest.raises(Conflict):
        services.complete_step(user=operator, incident_id=incident.pk, position=1)


def test_closing_keeps_the_timeline_and_a_closed_incident_takes_no_more_steps(operator, flood_type):
    incident = services.open_incident(user=operator, type_code="ngap-ung", title="Ngập")
    services.add_note(user=operator, incident_id=incident.pk, text="Đã điều xe bơm")
    services.close_incident(user=operator, incident_id=incident.pk, note="Nước đã rút")
    incident.refresh_from_db()
    assert (incident.state, incident.closed_by, incident.close_note) == ("closed", operator, "Nước đã rút")
    assert list(incident.timeline.values_list("text", flat=True)) == [
        "Mở sự cố (Điều hành viên): Ngập", "Đã điều xe bơm", "Đóng sự cố: Nước đã rút"]
    with pytest.raises(Conflict):
        services.complete_step(user=operator, incident_id=incident.pk, position=1)
    with pytest.raises(Conflict):
        services.close_incident(user=operator, incident_id=incident.pk, note="again")


def test_a_leader_reads_but_cannot_open_or_tick(leader, operator, flood_type):
    with pytest.raises(Forbidden):
        services.open_incident(user=leader, type_code="ngap-ung", title="Ngập")
    incident = services.open_incident(user=operator, type_code="ngap-ung", title="Ngập")
    with pytest.raises(Forbidden):
        services.complete_step(user=leader, incident_id=incident.pk, position=1)
    assert IncidentStep.objects.filter(incident=incident, done_at__isnull=False).count() == 0


def test_bad_input_is_refused_and_nothing_is_written(operator, flood_type):
    with pytest.raises(Invalid) as blank:
        services.open_incident(user=operator, type_code="ngap-ung", title="   ")
    with pytest.raises(Invalid) as unknown:
        services.open_incident(user=operator, type_code="khong-co", title="Ngập")
    assert (blank.value.field, unknown.value.field) == ("title", "type")
    assert Incident.objects.count() == 0 and TimelineEntry.objects.count() == 0


def test_a_new_warning_opens_one_incident_of_the_type_naming_its_parameter(flood_type, monkeypatch):
    from smartcity.ioc import sources

    class Warnings:
        key = "test-warnings"

        def events(self, since, now):
            return [sources.EventIn("warning:7:opened", "warning_opened", "Cảnh báo Lũ vượt báo động I — Trạm Long Biên",
                                    timezone.now(), severity="critical", opens="warning:flood_level", ref="warning:7")]

    monkeypatch.setitem(sources._providers, "test-warnings", Warnings())
    first = services.collect_events()
    second = services.collect_events()
    assert [i.incident_type.code for i in first.incidents] == ["ngap-ung"]
    assert (second.appended, second.incidents) == (0, [])
    incident = Incident.objects.get()
    assert (incident.source, incident.source_ref, incident.opened_by) == ("warning", "warning:7", None)
    assert incident.steps.count() == 5
    assert incident.timeline.get().actor_label == "Hệ thống"
    assert Event.objects.filter(source_key="warning:7:opened").count() == 1

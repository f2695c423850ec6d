"""Warnings open and close by their rules, record what triggered them, and queue the subscribers' notifications."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command

from smartcity.audit.models import Entry
from smartcity.conftest import commune
from smartcity.environment import services
from smartcity.environment.models import Subscription, WarningEvent, WarningRule
from smartcity.notifications.models import Message

from .conftest import HA_DONG, NOW, feed, make_river

HOUR = dt.timedelta(hours=1)


def subscriber(**fields) -> Subscription:
    return Subscription.objects.create(token=f"t-{Subscription.objects.count()}", confirmed_at=NOW, **fields)


def test_a_flood_warning_opens_with_its_trigger_and_notifies_the_subscribers_of_the_area(river, hoan_kiem):
    station, _ = river
    bo_de = commune("Phường Bồ Đề")
    assert station.unit == bo_de  # placed in the ward whose centre is nearest
    rule = WarningRule.objects.create(name="Lũ vượt báo động II", parameter="flood_level", threshold=2)
    city = subscriber(email="dan@example.vn")
    ward = subscriber(phone="0912000111", unit=bo_de, parameters=["water_level"])
    subscriber(email="o-hoan-kiem@example.vn", unit=hoan_kiem)  # another ward
    subscriber(email="khong-quan-tam@example.vn", parameters=["air"])  # wants only air warnings
    Subscription.objects.create(email="chua-xac-nhan@example.vn", token="pending")  # never confirmed

    result = services.evaluate_warnings(NOW)

    assert [e.rule for e in result.opened] == [rule]
    event = WarningEvent.objects.get()
    assert event.is_open and event.opened_at == NOW and event.station == station
    assert event.first_value == event.peak_value == 2
    assert event.trigger == [{"time": NOW.isoformat(), "value": 2.0}]
    assert "Lũ vượt báo động II tại trạm Trạm thủy văn Long Biên (Phường Bồ Đề) lúc 12:30 02/03/2026" \
        in event.message
    sent = Message.objects.order_by("pk")
    assert [m.recipient for m in sent] == [city.email, ward.phone]
    assert all(station.code in m.body and "Ngừng nhận cảnh báo" in m.body for m in sent)
    assert event.notified == 2 == result.notified
    assert Entry.objects.filter(subject_type="environment.warningevent", subject_id=str(event.pk)).count() == 1

    # Still above level II an hour later: the same warning goes on, nobody is told twice.
    assert services.evaluate_warnings(NOW + dt.timedelta(minutes=5)).updated == [event]
    assert WarningEvent.objects.count() == 1 and Message.objects.count() == 2


def test_a_warning_closes_when_the_value_falls_back_and_the_history_stays(river):
    station, distance = river
    WarningRule.objects.create(name="Lũ vượt báo động II", parameter="flood_level", threshold=2)
    services.evaluate_warnings(NOW)
    later = NOW + dt.timedelta(minutes=20)
    feed(distance, [(NOW + dt.timedelta(minutes=10), 5.6)], now=later)  # 9.4 m: below level I
    result = services.evaluate_warnings(later)
    event = WarningEvent.objects.get()
    assert result.closed == [event]
    assert event.closed_at == later and event.close_reason == "Giá trị trở lại dưới ngưỡng"
    assert services.open_warnings().count() == 0
    assert Entry.objects.filter(subject_type="environment.warningevent", action="state").count() == 1


def test_the_minimum_duration_waits_for_enough_hours_above_the_threshold(air):
    # The hourly AQI (aqi.py, see test_values) is 163, 166 and 169 in the three hours up to 05:00 UTC.
    rule = WarningRule.objects.create(name="AQI trên 163 hai giờ liền", parameter="aqi", threshold=164,
                                      min_duration_hours=1)
    longer = WarningRule.objects.create(name="AQI trên 163 ba giờ liền", parameter="aqi", threshold=164,
                                        min_duration_hours=2)
    aqi = [v for _, v in services.current_status(air, now=NOW).series["aqi"]]
    assert aqi[-3:] == [163, 166, 169]
    result = services.evaluate_warnings(NOW)
    assert [e.rule for e in result.opened] == [rule]
    assert [t["value"] for t in result.opened[0].trigger] == aqi[-2:]
    assert not WarningEvent.objects.filter(rule=longer).exists()


def test_a_rising_trend_rule_opens_only_while_the_value_rises(db):
    rising, _ = make_river("Trạm nước lên", distances=[(NOW - 90 * dt.timedelta(minutes=1), 5.0),
                                                          (NOW - dt.timedelta(minutes=5), 4.5)])
    falling, _ = make_river("Trạm nước xuống", where=HA_DONG,
                            distances=[(NOW - 90 * dt.timedelta(minutes=1), 4.0),
                                       (NOW - dt.timedelta(minutes=5), 4.5)])
    WarningRule.objects.create(name="Nước lên trên 10 m", parameter="water_level", threshold=10, rising=True)
    result = services.evaluate_warnings(NOW)
    assert [e.station for e in result.opened] == [rising]
    assert result.opened[0].trigger == [{"time": (NOW - HOUR).replace(minute=0).isoformat(), "value": 10.0},
                                        {"time": (NOW - dt.timedelta(minutes=5)).isoformat(), "value": 10.5}]
    assert falling.warnings.count() == 0


def test_a_rule_for_one_ward_ignores_stations_elsewhere(river, ba_dinh):
    WarningRule.objects.create(name="Lũ Ba Đình", parameter="flood_level", threshold=1, unit=ba_dinh)
    assert services.evaluate_warnings(NOW).opened == []


def test_the_warning_strip_says_each_open_warning_in_one_plain_sentence_on_the_home_page(client, river):
    WarningRule.objects.create(name="Lũ vượt báo động II", parameter="flood_level", threshold=2)
    assert 'class="strip"' not in client.get("/").content.decode()
    services.evaluate_warnings(NOW)
    event = WarningEvent.objects.get()
    page = client.get("/").content.decode()
    assert 'class="strip"' in page and f'data-dismiss-key="smartcity.warning.{event.pk}"' in page
    assert ("Nước sông tại Trạm thủy văn Long Biên vượt báo động II — tránh xa bờ sông và vùng trũng."
            in page)
    assert f'href="/moi-truong/tram/{river[0].code}/"' in page


def test_the_command_checks_warnings(river, capsys):
    services.ensure_default_rules()
    call_command("environment", "check-warnings", "--now", NOW.isoformat())
    out = capsys.readouterr().out
    assert "Cảnh báo mở mới: 2" in out  # alarm levels I and II
    assert set(WarningEvent.objects.values_list("rule__name", flat=True)) == {"Lũ vượt báo động I",
                                                                             "Lũ vượt báo động II"}

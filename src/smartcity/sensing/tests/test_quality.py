"""Quality control (suspect readings flagged, not refused) and maintenance alerts for sensors that stop reporting."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from smartcity.sensing import services
from smartcity.sensing.models import MaintenanceAlert, Observation, QualityFlag
from smartcity.sensing.tests.conftest import utc

pytestmark = pytest.mark.django_db
NOW = utc(2026, 3, 1, 12, 0)


def at(minute):
    return f"2026-03-01T10:{minute:02d}:00Z"


@pytest.fixture
def checked(api, station):
    """PM2.5 expected in [0, 300] µg/m³, changing at most 20 µg/m³ a minute, reporting every minute."""
    response = api.patch(f"/Datastreams({station.pm25})", {"properties": {
        "expectedRange": [0, 300], "maxRateOfChange": 20, "reportingInterval": 60}})
    assert response.status_code == 200
    return station


def flags():
    return {o.phenomenon_time.minute: QualityFlag.names(o.quality_flags)
            for o in Observation.objects.order_by("phenomenon_time")}


@time_machine.travel(NOW, tick=False)
def test_out_of_range_and_too_fast_readings_are_kept_and_flagged(api, checked):
    result = services.ingest([{"datastream": checked.pm25, "t": at(m), "v": v}
                              for m, v in [(0, 40), (1, 45), (2, 400), (3, 50), (4, 55), (6, 90)]])
    assert (result.accepted, result.rejected) == (6, 0)
    # 400 is out of range and a jump of 355/min; the reading after a spike compares with the last good one (45);
    # +35 over two minutes is 17.5/min: fine
    assert flags() == {0: [], 1: [], 2: ["range", "rate"], 3: [], 4: [], 6: []}
    spike = api.json("/Observations", {"$filter": "result eq 400"})["value"][0]
    assert spike["resultQuality"] == {"qualityFlags": ["range", "rate"]}


@time_machine.travel(NOW, tick=False)
def test_rate_of_change_compares_with_the_latest_stored_reading(checked):
    services.ingest([{"datastream": checked.pm25, "t": at(0), "v": 40}])
    services.ingest([{"datastream": checked.pm25, "t": at(1), "v": 100}])
    assert flags()[1] == ["rate"]


@time_machine.travel(NOW, tick=False)
def test_a_step_change_is_flagged_twice_then_accepted_as_the_new_level(checked):
    services.ingest([{"datastream": checked.pm25, "t": at(m), "v": v}
                     for m, v in [(0, 40), (1, 100), (2, 101), (3, 102)]])
    assert flags() == {0: [], 1: ["rate"], 2: ["rate"], 3: []}


@time_machine.travel(NOW, tick=False)
def test_a_client_result_quality_is_kept_as_sent(api, checked):
    api.create("/Observations", {"Datastream": {"@iot.id": checked.pm25}, "phenomenonTime": at(0), "result": 999,
                                 "resultQuality": {"dq": "manual"}})
    obs = Observation.objects.get()
    assert obs.quality_flags == QualityFlag.RANGE and obs.result_quality == {"dq": "manual"}


def test_a_silent_datastream_opens_one_alert_and_closes_it_when_data_returns(checked):
    with time_machine.travel(NOW, tick=False):
        services.ingest([{"datastream": checked.pm25, "t": "2026-03-01T11:59:00Z", "v": 40}])
        assert services.check_stale().opened == []
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        opened = services.check_stale().opened
        assert [a.datastream_id for a in opened] == [checked.pm25]
        assert "không có dữ liệu từ 18:59 01/03/2026" in opened[0].detail  # shown in Hà Nội time
        assert services.check_stale().opened == []  # still one open alert
        assert MaintenanceAlert.objects.filter(closed_at__isnull=True).count() == 1
    with time_machine.travel(NOW + dt.timedelta(minutes=10), tick=False):
        services.ingest([{"datastream": checked.pm25, "t": "2026-03-01T12:09:30Z", "v": 41}])
        alert = MaintenanceAlert.objects.get()
        assert alert.closed_at == NOW + dt.timedelta(minutes=10)
        assert alert.last_seen == utc(2026, 3, 1, 12, 9, 30)


def test_late_backfill_does_not_close_an_alert(checked):
    with time_machine.travel(NOW, tick=False):
        services.ingest([{"datastream": checked.pm25, "t": "2026-03-01T11:00:00Z", "v": 40}])
        services.check_stale()
        services.ingest([{"datastream": checked.pm25, "t": "2026-03-01T11:01:00Z", "v": 40}])
        assert MaintenanceAlert.objects.get().closed_at is None
        services.ingest([{"datastream": checked.pm25, "t": "2026-03-01T11:58:00Z", "v": 40}])
        assert services.check_stale().closed == [] and MaintenanceAlert.objects.get().closed_at is not None


def test_a_datastream_that_never_reported_is_stale_after_its_window_and_others_never(checked):
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=4), tick=False):
        result = services.check_stale()
    assert [a.datastream_id for a in result.opened] == [checked.pm25]  # temperature has no reportingInterval
    assert "chưa từng gửi dữ liệu" in result.opened[0].detail


def test_the_check_stale_command(checked):
    out = StringIO()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1), tick=False):
        call_command("sensors", "check-stale", stdout=out)
    assert "Cảnh báo mở mới: 1, đã đóng: 0" in out.getvalue()
    assert services.open_alerts().get().datastream_id == checked.pm25

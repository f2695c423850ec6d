"""Storage: roll-ups, retention, and on PostgreSQL the monthly partitions and the COPY path."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from smartcity.sensing import services, storage
from smartcity.sensing.models import (
    DeadLetter,
    LatestObservation,
    Observation,
    ObservationDaily,
    ObservationHourly,
)
from smartcity.sensing.tests.conftest import utc

pytestmark = pytest.mark.django_db


def ingest(ds, *readings):
    result = services.ingest([{"datastream": ds, "t": t.isoformat(), "v": v} for t, v in readings],
                             now=utc(2026, 12, 31), with_ids=True)
    assert result.rejected == 0, result.errors
    return result


def test_hourly_and_daily_rollups_hold_count_min_max_and_mean(station):
    # 16:30 and 17:10 UTC on 1 March are 23:30 on 1 March and 00:10 on 2 March in Hà Nội
    ingest(station.pm25, (utc(2026, 3, 1, 16, 10), 10), (utc(2026, 3, 1, 16, 30), 20),
           (utc(2026, 3, 1, 17, 10), 30), (utc(2026, 3, 1, 17, 20), 50), (utc(2026, 3, 1, 17, 40), 70))
    result = services.rollup(utc(2026, 3, 1, 16), utc(2026, 3, 1, 18))
    assert (result.hourly, result.daily) == (2, 2)
    hourly = list(services.hourly_series(datastream_ids=[station.pm25], start=utc(2026, 3, 1),
                                         end=utc(2026, 3, 3)).values_list("bucket", "count", "minimum", "maximum",
                                                                          "mean"))
    assert hourly == [(utc(2026, 3, 1, 16), 2, 10, 20, 15), (utc(2026, 3, 1, 17), 3, 30, 70, 50)]
    daily = list(services.daily_series(datastream_ids=[station.pm25], start=utc(2026, 2, 1),
                                       end=utc(2026, 4, 1)).values_list("bucket", "count", "minimum", "maximum",
                                                                        "mean"))
    # local days start at 17:00 UTC the day before
    assert daily == [(utc(2026, 2, 28, 17), 2, 10, 20, 15), (utc(2026, 3, 1, 17), 3, 30, 70, 50)]


def test_rollups_are_recomputed_not_added_to(station):
    ingest(station.pm25, (utc(2026, 3, 1, 5, 0), 10))
    services.rollup(utc(2026, 3, 1), utc(2026, 3, 2))
    ingest(station.pm25, (utc(2026, 3, 1, 5, 30), 30))
    services.rollup(utc(2026, 3, 1), utc(2026, 3, 2))
    services.rollup(utc(2026, 3, 1), utc(2026, 3, 2))
    assert list(ObservationHourly.objects.values_list("count", "mean")) == [(2, 20)]
    assert list(ObservationDaily.objects.values_list("count", "mean")) == [(2, 20)]


def test_non_numeric_results_are_left_out_of_rollups(station):
    from smartcity.sensing.models import Datastream, ObservationType

    Datastream.objects.filter(pk=station.temperature).update(observation_type=ObservationType.CATEGORY)
    ingest(station.temperature, (utc(2026, 3, 1, 5, 0), "nắng"))
    services.rollup(utc(2026, 3, 1), utc(2026, 3, 2))
    assert ObservationHourly.objects.count() == 0


def test_retention_deletes_old_raw_data_but_keeps_rollups_and_latest(station, settings):
    settings.SENSING_RETENTION_DAYS = 30
    ingest(station.pm25, (utc(2026, 1, 10), 10), (utc(2026, 3, 10), 20))
    services.rollup(utc(2026, 1, 1), utc(2026, 3, 31))
    DeadLetter.objects.create(received_at=utc(2026, 1, 1), source="http", payload={}, reason="x")
    result = services.apply_retention(now=utc(2026, 3, 20))
    assert result.cutoff == utc(2026, 2, 18)
    assert list(Observation.objects.values_list("result", flat=True)) == [20]
    assert ObservationDaily.objects.count() == 2
    assert LatestObservation.objects.get().result == 20
    assert result.deleted_dead_letters == 1


def test_retention_zero_keeps_everything(station, settings):
    settings.SENSING_RETENTION_DAYS = 0
    ingest(station.pm25, (utc(2020, 1, 10), 10))
    assert services.apply_retention().cutoff is None and Observation.objects.count() == 1


def test_the_maintenance_commands_run(station):
    ingest(station.pm25, (utc(2026, 3, 1, 5), 10))
    out = StringIO()
    call_command("sensors", "rollup", "--since", "2026-03-01T00:00:00Z", "--until", "2026-03-02T00:00:00Z",
                 stdout=out)
    assert "1 dòng theo giờ" in out.getvalue()
    with time_machine.travel(utc(2026, 3, 1, 6), tick=False):
        call_command("sensors", "maintain", stdout=out)
    call_command("sensors", "issue-key", "--name", "Gateway Cầu Giấy", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    assert services.authenticate_key(secret).name == "Gateway Cầu Giấy"
    call_command("sensors", "revoke-key", secret.split("_")[1], stdout=out)
    assert services.authenticate_key(secret) is None


# ------------------------------------------------------------------------------------------------ PostgreSQL


def _partition_of(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM sensing_observation WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.postgres
def test_observations_are_partitioned_by_month_with_a_default_partition():
    with connection.cursor() as cursor:
        cursor.execute("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'sensing_observation'::regclass")
        assert cursor.fetchone() == ("r",)
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'sensing_observation'")
        indexes = " | ".join(row[0] for row in cursor.fetchall())
    assert "USING brin (phenomenon_time)" in indexes
    assert "UNIQUE INDEX sensing_observation_once ON ONLY public.sensing_observation USING btree " \
           "(datastream_id, phenomenon_time DESC)" in indexes
    assert "(id, phenomenon_time)" in indexes  # the primary key includes the partition key
    names = [name for name, _ in storage.partitions()]
    this_month = storage.month_start(dt.datetime.now(dt.UTC))
    assert f"sensing_observation_p{this_month:%Y%m}" in names


@pytest.mark.postgres
def test_ensure_partitions_creates_months_and_moves_waiting_rows_out_of_the_default(station):
    early = ingest(station.pm25, (utc(2024, 5, 3), 1), (utc(2024, 6, 3), 2))
    first = early.ids[0]
    assert _partition_of(first) == "sensing_observation_default"
    created = services.ensure_partitions(months_ahead=1, now=utc(2024, 5, 20))
    assert created == ["sensing_observation_p202405", "sensing_observation_p202406"]
    assert _partition_of(first) == "sensing_observation_p202405"
    assert _partition_of(early.ids[1]) == "sensing_observation_p202406"
    assert services.ensure_partitions(months_ahead=1, now=utc(2024, 5, 20)) == []  # idempotent
    # the idempotency key still holds across partitions
    assert ingest(station.pm25, (utc(2024, 5, 3), 1)).duplicates == 1
    assert Observation.objects.count() == 2


@pytest.mark.postgres
def test_retention_drops_whole_old_partitions(station, settings):
    settings.SENSING_RETENTION_DAYS = 30
    services.ensure_partitions(months_ahead=2, now=utc(2024, 1, 1))
    ingest(station.pm25, (utc(2024, 1, 10), 1), (utc(2024, 2, 10), 2), (utc(2024, 3, 10), 3))
    result = services.apply_retention(now=utc(2024, 3, 15))  # cutoff 14 February
    assert "sensing_observation_p202401" in result.dropped_partitions
    assert "sensing_observation_p202402" not in result.dropped_partitions
    assert sorted(Observation.objects.values_list("result", flat=True)) == [3]
    assert "sensing_observation_p202401" not in [name for name, _ in storage.partitions()]


@pytest.mark.postgres
def test_the_bulk_path_copies_through_a_staging_table(station):
    with connection.cursor() as cursor:
        result = ingest(station.pm25, *[(utc(2026, 3, 1) + dt.timedelta(minutes=i), i) for i in range(2500)])
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname = 'sensing_stage' AND relpersistence = 't'")
        assert cursor.fetchone() == (1,)
    assert result.accepted == 2500
    latest = LatestObservation.objects.get(datastream_id=station.pm25)
    assert (latest.result, latest.phenomenon_time) == (2499, utc(2026, 3, 1) + dt.timedelta(minutes=2499))


def test_the_staging_table_holds_the_input_order_then_every_stored_column():
    """The binary COPY into the stage and the INSERT from it both rely on this order."""
    assert storage._STAGE_COLUMNS[0] == ("ord", "integer")
    assert tuple(name for name, _ in storage._STAGE_COLUMNS[1:]) == storage.COLUMNS

"""The SQL behind observation storage, one function per job, PostgreSQL and SQLite side by side.

* ``insert`` writes a batch of validated rows and, in the same statement on PostgreSQL (a data-modifying CTE),
  upserts ``LatestObservation`` and widens the datastreams' phenomenon/result time envelopes. PostgreSQL: COPY into
  a temporary staging table, then ``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING``. SQLite: multi-row
  ``INSERT … ON CONFLICT DO NOTHING RETURNING`` (what ``bulk_create(ignore_conflicts=True)`` emits, plus RETURNING,
  so we learn which rows were new without a second query), then one upsert of the latest values.
* ``widen_observed_areas`` grows the datastreams' observedArea by the features of newly stored readings.
* ``rollup`` recomputes hourly and daily buckets with ``INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE``.
* ``ensure_partitions`` / ``drop_partitions_before`` manage the monthly partitions (PostgreSQL only).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Max, Min, Value
from django.db.models.functions import Coalesce, Greatest, Least
from psycopg.types.json import Jsonb

from smartcity.sensing import geo
from smartcity.sensing.models import (
    Datastream,
    FeatureOfInterest,
    LatestObservation,
    Observation,
    ObservationDaily,
    ObservationHourly,
)

UTC = dt.UTC
OBS = Observation._meta.db_table
LATEST = LatestObservation._meta.db_table
DATASTREAM = Datastream._meta.db_table
HOURLY = ObservationHourly._meta.db_table
DAILY = ObservationDaily._meta.db_table
DEFAULT_PARTITION = f"{OBS}_default"
PARTITION_NAME = re.compile(rf"^{OBS}_p(\d{{4}})(\d{{2}})$")

COLUMNS = ("datastream_id", "phenomenon_time", "phenomenon_time_end", "result_time", "result", "result_json",
           "result_quality", "valid_time_start", "valid_time_end", "parameters", "feature_of_interest_id",
           "quality_flags")
JSON_COLUMNS = frozenset({"result_json", "result_quality", "parameters"})


@dataclass(slots=True)
class Row:
    """A validated observation, ready to store."""

    datastream_id: int
    phenomenon_time: dt.datetime
    feature_of_interest_id: int
    result: float | None = None
    result_json: Any = None
    phenomenon_time_end: dt.datetime | None = None
    result_time: dt.datetime | None = None
    result_quality: Any = None
    valid_time_start: dt.datetime | None = None
    valid_time_end: dt.datetime | None = None
    parameters: Any = None
    quality_flags: int = 0

    @property
    def key(self) -> tuple[int, int]:
        return self.datastream_id, time_key(self.phenomenon_time)


def time_key(moment: dt.datetime) -> int:
    """Microseconds since the epoch: the same instant compares equal however the database hands it back."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - dt.datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _read_time(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return dt.datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# ------------------------------------------------------------------------------------------------ insert


@dataclass
class Inserted:
    count: int  # rows stored (the others were duplicates)
    keys: dict[tuple[int, int], int] | None  # new ids by (datastream_id, time_key), when asked for


def insert(rows: Sequence[Row], *, with_keys: bool = True) -> Inserted:
    """Store ``rows`` (duplicates of stored rows, and repeats within the batch, are skipped). Must run inside a
    transaction. ``with_keys=False`` lets PostgreSQL answer only a count (no per-row answer to read back)."""
    if not rows:
        return Inserted(0, {} if with_keys else None)
    if not connection.in_atomic_block:
        raise RuntimeError("storage.insert must run inside transaction.atomic()")
    if is_postgres():
        return _insert_postgres(rows, with_keys)
    keys = _insert_sqlite(rows)
    return Inserted(len(keys), keys)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, allow_nan=False)


# The staging table's columns: the input order, then COLUMNS. One list makes both the table and the binary COPY's
# types, which must agree column by column.
_STAGE_COLUMNS = (("ord", "integer"), ("datastream_id", "bigint"), ("phenomenon_time", "timestamptz"),
                  ("phenomenon_time_end", "timestamptz"), ("result_time", "timestamptz"),
                  ("result", "double precision"), ("result_json", "jsonb"), ("result_quality", "jsonb"),
                  ("valid_time_start", "timestamptz"), ("valid_time_end", "timestamptz"), ("parameters", "jsonb"),
                  ("feature_of_interest_id", "bigint"), ("quality_flags", "smallint"))
_STAGE_TYPES = tuple(kind for _, kind in _STAGE_COLUMNS)
_STAGE = (f"CREATE TEMP TABLE IF NOT EXISTS sensing_stage ({', '.join(f'{n} {k}' for n, k in _STAGE_COLUMNS)}) "
          "ON COMMIT DELETE ROWS")

_COLS = ", ".join(COLUMNS)
_INSERT_FROM_STAGE = f"""
WITH ins AS (
    INSERT INTO {OBS} ({_COLS})
    SELECT {_COLS} FROM sensing_stage ORDER BY ord
    ON CONFLICT DO NOTHING
    RETURNING id, datastream_id, phenomenon_time, phenomenon_time_end, result_time, result, result_json,
              quality_flags
), newest AS (
    SELECT DISTINCT ON (datastream_id) * FROM ins ORDER BY datastream_id, phenomenon_time DESC
), latest AS (
    INSERT INTO {LATEST} AS l (datastream_id, observation_id, phenomenon_time, result_time, result, result_json,
                               quality_flags)
    SELECT datastream_id, id, phenomenon_time, result_time, result, result_json, quality_flags FROM newest
    ON CONFLICT (datastream_id) DO UPDATE SET
        observation_id = EXCLUDED.observation_id, phenomenon_time = EXCLUDED.phenomenon_time,
        result_time = EXCLUDED.result_time, result = EXCLUDED.result, result_json = EXCLUDED.result_json,
        quality_flags = EXCLUDED.quality_flags
    WHERE l.phenomenon_time <= EXCLUDED.phenomenon_time
    RETURNING 1
), envelope AS (
    UPDATE {DATASTREAM} AS d SET
        phenomenon_time_start = LEAST(d.phenomenon_time_start, a.p0),
        phenomenon_time_end = GREATEST(d.phenomenon_time_end, a.p1),
        result_time_start = LEAST(d.result_time_start, a.r0),
        result_time_end = GREATEST(d.result_time_end, a.r1)
    FROM (SELECT datastream_id, min(phenomenon_time) AS p0,
                 max(coalesce(phenomenon_time_end, phenomenon_time)) AS p1,
                 min(result_time) AS r0, max(result_time) AS r1
          FROM ins GROUP BY datastream_id) AS a
    WHERE d.id = a.datastream_id
    RETURNING 1
)
"""
_RETURN_KEYS = "SELECT id, datastream_id, phenomenon_time FROM ins"
_RETURN_COUNT = "SELECT count(*) FROM ins"


def _jsonb(value: Any) -> Any:
    """A JSON value for a jsonb column of a binary COPY, dumped by ``_json`` (NaN refused, Vietnamese kept as is)."""
    return None if value is None else Jsonb(value, dumps=_json)


def _insert_postgres(rows: Sequence[Row], with_keys: bool) -> Inserted:
    datastream_ids = sorted({r.datastream_id for r in rows})
    with connection.cursor() as cursor:
        # Lock the datastreams in id order first, so concurrent batches widening the same envelopes queue up
        # instead of deadlocking.
        cursor.execute(f"SELECT id FROM {DATASTREAM} WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE",
                       [datastream_ids])
        cursor.execute(_STAGE)
        cursor.execute("TRUNCATE sensing_stage")
        # The binary format: no date-times written out and parsed back as text, on either side (about 2.5×
        # cheaper per row than text COPY, measured).
        with cursor.cursor.copy(f"COPY sensing_stage ({', '.join(n for n, _ in _STAGE_COLUMNS)}) FROM STDIN "
                                "(FORMAT BINARY)") as copy:
            copy.set_types(_STAGE_TYPES)
            for i, r in enumerate(rows):
                copy.write_row((i, r.datastream_id, r.phenomenon_time, r.phenomenon_time_end, r.result_time,
                                r.result, _jsonb(r.result_json), _jsonb(r.result_quality), r.valid_time_start,
                                r.valid_time_end, _jsonb(r.parameters), r.feature_of_interest_id, r.quality_flags))
        cursor.execute(_INSERT_FROM_STAGE + (_RETURN_KEYS if with_keys else _RETURN_COUNT))
        if not with_keys:
            return Inserted(cursor.fetchone()[0], None)
        keys = {(ds, time_key(t)): pk for pk, ds, t in cursor.fetchall()}
        return Inserted(len(keys), keys)


_SQLITE_CHUNK = 1000  # 12 columns a row: well under SQLite's 32,766 variables


def _insert_sqlite(rows: Sequence[Row]) -> dict[tuple[int, int], int]:
    fields = {c: Observation._meta.get_field(c.removesuffix("_id")) for c in COLUMNS}
    inserted: dict[tuple[int, int], int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _SQLITE_CHUNK):
            chunk = rows[start:start + _SQLITE_CHUNK]
            params: list[Any] = []
            for r in chunk:
                for column in COLUMNS:
                    value = getattr(r, column)
                    if column in JSON_COLUMNS:
                        params.append(_json(value))
                    else:
                        params.append(fields[column].get_db_prep_save(value, connection))
            one = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
            cursor.execute(
                f"INSERT INTO {OBS} ({_COLS}) VALUES {', '.join([one] * len(chunk))} "
                f"ON CONFLICT DO NOTHING RETURNING id, datastream_id, phenomenon_time",
                params,
            )
            for pk, ds, t in cursor.fetchall():
                inserted[(ds, time_key(_read_time(t)))] = pk
    _after_insert_sqlite(rows, inserted)
    return inserted


def _after_insert_sqlite(rows: Sequence[Row], inserted: dict[tuple[int, int], int]) -> None:
    """Latest values (one upsert) and time envelopes, for the rows that were new."""
    new = [r for r in rows if inserted.get(r.key) is not None]
    newest: dict[int, Row] = {}
    for r in new:
        best = newest.get(r.datastream_id)
        if best is None or r.phenomenon_time > best.phenomenon_time:
            newest[r.datastream_id] = r
    upsert_latest([(inserted[r.key], r) for r in newest.values()])
    envelopes: dict[int, list[Any]] = {}
    for r in new:
        end = r.phenomenon_time_end or r.phenomenon_time
        env = envelopes.setdefault(r.datastream_id, [r.phenomenon_time, end, r.result_time, r.result_time])
        env[0], env[1] = min(env[0], r.phenomenon_time), max(env[1], end)
        if r.result_time is not None:
            env[2] = r.result_time if env[2] is None else min(env[2], r.result_time)
            env[3] = r.result_time if env[3] is None else max(env[3], r.result_time)
    for ds, (p0, p1, r0, r1) in envelopes.items():
        changes: dict[str, Any] = {
            "phenomenon_time_start": Coalesce(Least("phenomenon_time_start", Value(p0)), Value(p0)),
            "phenomenon_time_end": Coalesce(Greatest("phenomenon_time_end", Value(p1)), Value(p1)),
        }
        if r0 is not None:
            changes["result_time_start"] = Coalesce(Least("result_time_start", Value(r0)), Value(r0))
            changes["result_time_end"] = Coalesce(Greatest("result_time_end", Value(r1)), Value(r1))
        Datastream.objects.filter(pk=ds).update(**changes)


def upsert_latest(items: Sequence[tuple[int, Row]]) -> None:
    """Newer readings replace the latest value of their datastream (one statement, any number of datastreams)."""
    if not items:
        return
    fields = {f.column: f for f in LatestObservation._meta.concrete_fields}
    cols = ("datastream_id", "observation_id", "phenomenon_time", "result_time", "result", "result_json",
            "quality_flags")
    params: list[Any] = []
    for pk, r in items:
        values = (r.datastream_id, pk, r.phenomenon_time, r.result_time, r.result, r.result_json, r.quality_flags)
        for column, value in zip(cols, values, strict=True):
            params.append(_json(value) if column == "result_json" else
                          fields[column].get_db_prep_save(value, connection))
    one = "(" + ", ".join(["%s"] * len(cols)) + ")"
    updates = ", ".join(f"{c} = excluded.{c}" for c in cols[1:])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {LATEST} ({', '.join(cols)}) VALUES {', '.join([one] * len(items))} "
            f"ON CONFLICT (datastream_id) DO UPDATE SET {updates} "
            f"WHERE excluded.phenomenon_time >= {LATEST}.phenomenon_time",
            params,
        )


def refresh_latest(datastream_ids: Sequence[int]) -> None:
    """Recompute the latest values of some datastreams from the stored observations (after an edit or deletion)."""
    for ds in datastream_ids:
        newest = (Observation.objects.filter(datastream_id=ds).order_by("-phenomenon_time")
                  .values("id", "phenomenon_time", "result_time", "result", "result_json", "quality_flags").first())
        if newest is None:
            LatestObservation.objects.filter(datastream_id=ds).delete()
            continue
        LatestObservation.objects.update_or_create(
            datastream_id=ds,
            defaults={"observation_id": newest["id"], "phenomenon_time": newest["phenomenon_time"],
                      "result_time": newest["result_time"], "result": newest["result"],
                      "result_json": newest["result_json"], "quality_flags": newest["quality_flags"]},
        )


def recompute_envelope(datastream_id: int) -> None:
    """The datastream's phenomenon/result time envelopes from its observations (after edits and deletions)."""
    agg = Observation.objects.filter(datastream_id=datastream_id).aggregate(
        p0=Min("phenomenon_time"), p1=Max(Coalesce("phenomenon_time_end", "phenomenon_time")),
        r0=Min("result_time"), r1=Max("result_time"))
    Datastream.objects.filter(pk=datastream_id).update(
        phenomenon_time_start=agg["p0"], phenomenon_time_end=agg["p1"],
        result_time_start=agg["r0"], result_time_end=agg["r1"])


def widen_observed_areas(rows: Sequence[Row], inserted: dict[tuple[int, int], int] | None) -> None:
    """What a batch of new observations changes beyond their table: the datastreams' observedArea. With
    ``inserted`` None (counts only), every row counts: at worst a duplicate widens the area by its feature."""
    pairs: dict[int, set[int]] = {}
    for r in rows:
        if inserted is None or r.key in inserted:
            pairs.setdefault(r.datastream_id, set()).add(r.feature_of_interest_id)
    if not pairs:
        return
    feature_ids = set().union(*pairs.values())
    boxes = {pk: (x0, y0, x1, y1) for pk, x0, y0, x1, y1 in FeatureOfInterest.objects.filter(
        pk__in=feature_ids, min_x__isnull=False).values_list("pk", "min_x", "min_y", "max_x", "max_y")}
    for ds in Datastream.objects.filter(pk__in=pairs).only("pk", "observed_area"):
        found = [boxes[f] for f in pairs[ds.pk] if f in boxes]
        if not found:
            continue
        current = geo.bbox(ds.observed_area) if ds.observed_area else None
        area = geo.envelope([*found, *([current] if current else [])])
        if area != ds.observed_area:
            Datastream.objects.filter(pk=ds.pk).update(observed_area=area)


def existing_ids(keys: Sequence[tuple[int, dt.datetime]]) -> dict[tuple[int, int], int]:
    """Ids of stored observations by (datastream_id, phenomenon_time) — for answering duplicates with a link."""
    by_ds: dict[int, list[dt.datetime]] = {}
    for ds, t in keys:
        by_ds.setdefault(ds, []).append(t)
    found: dict[tuple[int, int], int] = {}
    for ds, times in by_ds.items():
        for start in range(0, len(times), 500):
            part = times[start:start + 500]
            for pk, t in Observation.objects.filter(datastream_id=ds, phenomenon_time__in=part).values_list(
                    "id", "phenomenon_time"):
                found[(ds, time_key(t))] = pk
    return found


# ------------------------------------------------------------------------------------------------ roll-ups


def _offset_minutes(zone: str, at: dt.datetime) -> int:
    offset = at.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset() or dt.timedelta()
    return int(offset.total_seconds() // 60)


def rollup(since: dt.datetime, until: dt.datetime, zone: str) -> tuple[int, int]:
    """Recompute hourly buckets in [since, until) and daily buckets (local days of ``zone``) from the hourly ones.
    ``since``/``until`` must be whole local days. Returns the numbers of hourly and daily rows written."""
    hourly_cols = "datastream_id, bucket, count, minimum, maximum, mean"
    updates = "count = excluded.count, minimum = excluded.minimum, maximum = excluded.maximum, mean = excluded.mean"
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(
                f"""INSERT INTO {HOURLY} ({hourly_cols})
                    SELECT datastream_id, date_trunc('hour', phenomenon_time AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
                           count(*), min(result), max(result), avg(result)
                    FROM {OBS}
                    WHERE phenomenon_time >= %s AND phenomenon_time < %s AND result IS NOT NULL
                    GROUP BY 1, 2
                    ON CONFLICT (datastream_id, bucket) DO UPDATE SET {updates}""",
                [since, until])
            hourly = cursor.rowcount
            cursor.execute(
                f"""INSERT INTO {DAILY} ({hourly_cols})
                    SELECT datastream_id, date_trunc('day', bucket AT TIME ZONE %s) AT TIME ZONE %s,
                           sum(count), min(minimum), max(maximum), sum(mean * count) / sum(count)
                    FROM {HOURLY} WHERE bucket >= %s AND bucket < %s
                    GROUP BY 1, 2
                    ON CONFLICT (datastream_id, bucket) DO UPDATE SET {updates}""",
                [zone, zone, since, until])
            return hourly, cursor.rowcount
        field = Observation._meta.get_field("phenomenon_time")
        lo, hi = (field.get_db_prep_value(v, connection) for v in (since, until))
        cursor.execute(
            f"""INSERT INTO {HOURLY} ({hourly_cols})
                SELECT datastream_id, strftime('%%Y-%%m-%%d %%H:00:00', phenomenon_time),
                       count(*), min(result), max(result), avg(result)
                FROM {OBS}
                WHERE phenomenon_time >= %s AND phenomenon_time < %s AND result IS NOT NULL
                GROUP BY 1, 2
                ON CONFLICT (datastream_id, bucket) DO UPDATE SET {updates}""",
            [lo, hi])
        hourly = cursor.rowcount
        shift = _offset_minutes(zone, since)
        cursor.execute(
            f"""INSERT INTO {DAILY} ({hourly_cols})
                SELECT datastream_id,
                       datetime(strftime('%%Y-%%m-%%d 00:00:00', bucket, '{shift:+d} minutes'), '{-shift:+d} minutes'),
                       sum(count), min(minimum), max(maximum), sum(mean * count) / sum(count)
                FROM {HOURLY} WHERE bucket >= %s AND bucket < %s
                GROUP BY 1, 2
                ON CONFLICT (datastream_id, bucket) DO UPDATE SET {updates}""",
            [lo, hi])
        return hourly, cursor.rowcount


# ------------------------------------------------------------------------------------------------ partitions


def month_start(moment: dt.datetime) -> dt.datetime:
    moment = moment.astimezone(UTC)
    return dt.datetime(moment.year, moment.month, 1, tzinfo=UTC)


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    index = moment.year * 12 + moment.month - 1 + months
    return moment.replace(year=index // 12, month=index % 12 + 1, day=1)


def partitions() -> list[tuple[str, dt.datetime]]:
    """The monthly partitions of the observation table: (name, first instant), oldest first."""
    if not is_postgres():
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                       "WHERE i.inhparent = %s::regclass", [OBS])
        names = [name for (name,) in cursor.fetchall()]
    found = []
    for name in names:
        m = PARTITION_NAME.match(name)
        if m:
            found.append((name, dt.datetime(int(m.group(1)), int(m.group(2)), 1, tzinfo=UTC)))
    return sorted(found, key=lambda item: item[1])


def ensure_partitions(first: dt.datetime, months: int) -> list[str]:
    """Create the monthly partitions from ``first``'s month for ``months`` months (PostgreSQL); rows already waiting
    in the default partition for such a month move into it. Returns the names created."""
    if not is_postgres():
        return []
    existing = {name for name, _ in partitions()}
    created = []
    start = month_start(first)
    with connection.cursor() as cursor:
        # DDL refuses tables with deferred foreign-key checks pending (rows written earlier in this transaction)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for i in range(months):
            lo, hi = add_months(start, i), add_months(start, i + 1)
            name = f"{OBS}_p{lo:%Y%m}"
            if name in existing:
                continue
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} "
                           f"WHERE phenomenon_time >= %s AND phenomenon_time < %s)", [lo, hi])
            (waiting,) = cursor.fetchone()
            if not waiting:
                cursor.execute(f"CREATE TABLE {name} PARTITION OF {OBS} FOR VALUES FROM (%s) TO (%s)", [lo, hi])
            else:
                cursor.execute(f"CREATE TABLE {name} (LIKE {OBS} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
                cursor.execute(
                    f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE phenomenon_time >= %s "
                    f"AND phenomenon_time < %s RETURNING *) INSERT INTO {name} SELECT * FROM moved", [lo, hi])
                cursor.execute(f"ALTER TABLE {OBS} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", [lo, hi])
            created.append(name)
    return created


def drop_partitions_before(cutoff: dt.datetime) -> list[str]:
    """Drop the monthly partitions that hold only readings older than ``cutoff`` (PostgreSQL)."""
    dropped = []
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # see ensure_partitions
        for name, first in partitions():
            if add_months(first, 1) <= cutoff:
                cursor.execute(f"DROP TABLE {name}")
                dropped.append(name)
    return dropped


def latest_observation_times(datastream_ids: Sequence[int]) -> dict[int, Any]:
    return dict(LatestObservation.objects.filter(datastream_id__in=datastream_ids)
                .values_list("datastream_id", "phenomenon_time"))


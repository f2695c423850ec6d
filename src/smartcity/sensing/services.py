"""Use cases of sensing — the only entry other apps call.

Writing readings
    ``ingest(rows, source=…)`` — the bulk path of HTTP batches, CreateObservations and (later) the MQTT consumer:
    validates each row, keeps refused ones as dead letters with the reason, stores the rest in one transaction
    (COPY + ``INSERT … ON CONFLICT DO NOTHING`` on PostgreSQL), updates latest values, and answers counts of
    accepted, duplicate and rejected rows. Idempotent: the same rows twice store nothing the second time.
    ``create_observations(principal=…, payload=…)`` — the SensorThings dataArray action on top of it.

Reading
    ``latest_values``, ``observations``, ``hourly_series``, ``daily_series``, ``datastreams``.

Maintenance (``smartcity sensors …``)
    ``rollup(since, until)``, ``apply_retention()``, ``ensure_partitions()``, ``check_stale()``.

SensorThings entity writes, and who may write
    ``create_entity`` / ``update_entity`` / ``delete_entity``; ``principal_for`` + ``require_writer``;
    ``issue_ingest_key`` / ``revoke_ingest_key`` / ``authenticate_key``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from smartcity.agencies import services as agencies
from smartcity.audit import services as audit
from smartcity.audit.models import Action
from smartcity.lib.errors import Forbidden, Invalid, NotFound
from smartcity.lib.principal import Principal as UserPrincipal  # sensing's own Principal is a writer
from smartcity.sensing import ingest as reading
from smartcity.sensing import storage
from smartcity.sensing.models import (
    Datastream,
    DeadLetter,
    IngestKey,
    LatestObservation,
    MaintenanceAlert,
    Observation,
    ObservationDaily,
    ObservationHourly,
)
from smartcity.sensing.sta.entities import TYPES, EntityType
from smartcity.sensing.sta.writes import Writer

UTC = dt.UTC


# ------------------------------------------------------------------------------------------------ who writes


@dataclass(frozen=True)
class Principal:
    """Who is writing: a staff member with a write role, or an ingest key."""

    user: UserPrincipal | None = None
    key: IngestKey | None = None

    @property
    def label(self) -> str:
        if self.key is not None:
            return f"Khóa gửi dữ liệu «{self.key.name}»"
        return getattr(self.user, "get_full_name", lambda: "")() or getattr(self.user, "username", "")

    def actor(self) -> audit.Actor:
        if self.key is not None:
            return audit.Actor(user=None, label=self.label, role="Khóa gửi dữ liệu (ingest key)")
        return agencies.actor_for(self.user)


def principal_for(*, user: UserPrincipal | None = None, key: IngestKey | None = None) -> Principal | None:
    """The principal for an authenticated request, or None when it carries no credentials at all."""
    if key is not None:
        return Principal(key=key)
    if user is not None and getattr(user, "is_authenticated", False):
        return Principal(user=user)
    return None


def require_writer(principal: Principal | None, *, scope: str) -> Principal:
    """``Forbidden`` unless the principal may write ``scope`` ("observations" or "all"): an ingest key of that scope
    (an "all" key covers observations), or a staff member with one of ``SENSING_WRITE_ROLES``."""
    if principal is None:
        raise Forbidden("Writing needs authentication: a staff session or an ingest key "
                        "(Authorization: Bearer <key>, X-Api-Key, or HTTP Basic with the key as password)")
    if principal.key is not None:
        if principal.key.scope == IngestKey.Scope.ALL or scope == IngestKey.Scope.OBSERVATIONS:
            return principal
        raise Forbidden(f"The ingest key «{principal.key.name}» may only send observations")
    user = principal.user
    if not getattr(user, "is_staff", False) or not agencies.scope_of(user, settings.SENSING_WRITE_ROLES).memberships:
        raise Forbidden("Only staff with one of the roles " + ", ".join(settings.SENSING_WRITE_ROLES)
                        + " may write sensor data (Chỉ cán bộ quản trị mới được ghi dữ liệu cảm biến)")
    return principal


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def issue_ingest_key(*, name: str, scope: str = IngestKey.Scope.OBSERVATIONS,
                     actor: UserPrincipal | None = None) -> tuple[IngestKey, str]:
    """A new key, returned once in clear (``sk_<prefix>_<secret>``); only its hash is stored. ``actor`` is the staff
    member issuing it (a city or agency administrator) or None for the operator's command line."""
    name = " ".join((name or "").split())
    if not name:
        raise Invalid("A key needs a name (the gateway or integration that uses it)", field="name")
    if scope not in IngestKey.Scope.values:
        raise Invalid(f"scope must be one of {', '.join(IngestKey.Scope.values)}", field="scope")
    if actor is not None:
        require_writer(Principal(user=actor), scope=IngestKey.Scope.ALL)
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = IngestKey.objects.create(name=name, prefix=prefix, secret_hash=_hash(secret), scope=scope,
                                   created_by=actor if actor is not None else None)
    audit.record(actor=agencies.actor_for(actor) if actor is not None else None, action=Action.CREATE,
                 subject_type="sensing.ingestkey", subject_id=key.pk, detail={"name": name, "scope": scope})
    return key, f"sk_{prefix}_{secret}"


@transaction.atomic
def revoke_ingest_key(*, prefix: str, actor: UserPrincipal | None = None) -> IngestKey:
    if actor is not None:
        require_writer(Principal(user=actor), scope=IngestKey.Scope.ALL)
    key = IngestKey.objects.filter(prefix=prefix.removeprefix("sk_").split("_")[0]).first()
    if key is None:
        raise NotFound("No ingest key with this prefix", field="prefix")
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit.record(actor=agencies.actor_for(actor) if actor is not None else None, action=Action.DELETE,
                     subject_type="sensing.ingestkey", subject_id=key.pk, detail={"name": key.name})
    return key


def authenticate_key(raw: str) -> IngestKey | None:
    """The active key ``raw`` is, or None. Constant-time comparison of hashes."""
    parts = (raw or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "sk":
        return None
    key = IngestKey.objects.filter(prefix=parts[1], revoked_at__isnull=True).first()
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(parts[2])):
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > dt.timedelta(minutes=5):
        IngestKey.objects.filter(pk=key.pk).update(last_used_at=now)  # at most one write per key per 5 minutes
    return key


# ------------------------------------------------------------------------------------------------ ingest


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    # per input row: the stored observation's id (new, or the one it duplicates when ids were asked for), else None
    ids: list[int | None] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (index in the input, reason)

    def as_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected,
                "errors": [{"index": i, "reason": r} for i, r in self.errors]}


def record_dead_letters(items: Iterable[tuple[Any, str, int | None]], *, source: str, now: dt.datetime) -> None:
    """Keep what could not be stored — (payload as it arrived, reason, datastream id if known) — for review."""
    DeadLetter.objects.bulk_create(
        [DeadLetter(received_at=now, source=source, payload=reading.check_json_or_text(payload),
                    reason=reason.replace("\x00", "\\x00"),
                    datastream_id=ds) for payload, reason, ds in items], batch_size=1000)


def ingest(rows: Sequence[Any], *, source: str = "http", now: dt.datetime | None = None,
           with_ids: bool = False) -> IngestResult:
    """Validate and store observation rows (shapes in ``smartcity.sensing.ingest``) in one transaction.

    Rows refused go to ``DeadLetter`` with the reason; rows already stored (same datastream and phenomenon time)
    count as duplicates and change nothing. ``with_ids`` fills ``result.ids`` (the stored id per input row, also
    for duplicates); without it PostgreSQL answers counts only, which keeps the hot path lean. Callers are trusted
    transports that authenticated their source (the HTTP views check the principal with ``require_writer``)."""
    now = now or timezone.now()
    rows = list(rows)
    if len(rows) > settings.SENSING_INGEST_MAX_ROWS:
        raise Invalid(f"At most {settings.SENSING_INGEST_MAX_ROWS} rows per request; send smaller batches")
    result = IngestResult(ids=[None] * len(rows))
    with transaction.atomic():
        prepared = reading.prepare(rows, now=now)
        record_dead_letters(((r.payload, r.reason, r.datastream_id) for r in prepared.rejections), source=source,
                            now=now)
        valid = [row for _, row in prepared.rows]
        inserted: dict[tuple[int, int], int] | None = {}
        chunk = max(1, settings.SENSING_INGEST_CHUNK)
        for start in range(0, len(valid), chunk):
            done = storage.insert(valid[start:start + chunk], with_keys=with_ids)
            result.accepted += done.count
            if done.keys is None:
                inserted = None
            elif inserted is not None:
                inserted.update(done.keys)
        storage.widen_observed_areas(valid, inserted)
        _close_stale_alerts(valid, inserted, now)
        result.duplicates = len(valid) - result.accepted
        seen: set[tuple[int, int]] = set()
        duplicates: list[int] = []
        for index, row in prepared.rows if inserted is not None else ():
            if row.key in inserted and row.key not in seen:
                result.ids[index] = inserted[row.key]
            else:
                duplicates.append(index)
            seen.add(row.key)
        if with_ids and duplicates:
            by_index = dict(prepared.rows)
            found = storage.existing_ids([(by_index[i].datastream_id, by_index[i].phenomenon_time)
                                          for i in duplicates])
            for i in duplicates:
                result.ids[i] = found.get(by_index[i].key)
    result.rejected = len(prepared.rejections)
    result.errors = [(r.index, r.reason) for r in prepared.rejections]
    return result


def _close_stale_alerts(rows: Sequence[storage.Row], inserted: dict[tuple[int, int], int] | None,
                        now: dt.datetime) -> None:
    """Data is back: close the stale alerts of datastreams with a fresh reading (``inserted`` None: all rows)."""
    newest: dict[int, dt.datetime] = {}
    for r in rows:
        if (inserted is None or r.key in inserted) and (r.datastream_id not in newest or r.phenomenon_time > newest[r.datastream_id]):
            newest[r.datastream_id] = r.phenomenon_time
    if not newest:
        return
    alerts = MaintenanceAlert.objects.filter(datastream_id__in=newest, kind=MaintenanceAlert.Kind.STALE,
                                             closed_at__isnull=True).select_related("datastream")
    for alert in alerts:
        window = dt.timedelta(seconds=(alert.datastream.reporting_interval or 0) * settings.SENSING_STALE_INTERVALS)
        if newest[alert.datastream_id] >= now - window:
            alert.closed_at, alert.last_seen = now, newest[alert.datastream_id]
            alert.save(update_fields=["closed_at", "last_seen"])


DATA_ARRAY_COMPONENTS = {"phenomenonTime", "result", "resultTime", "resultQuality", "validTime", "parameters",
                         "FeatureOfInterest/id", "id"}


def create_observations(*, principal: Principal | None, payload: Any,
                        now: dt.datetime | None = None) -> list[int | None]:
    """The CreateObservations action (OGC 18-088, 14.4): groups of ``{"Datastream": {"@iot.id": n}, "components":
    [...], "dataArray": [[...], …]}``. Answers, per line in order, the observation id (the existing one for a
    duplicate) or None when the line was refused (kept as a dead letter)."""
    require_writer(principal, scope=IngestKey.Scope.OBSERVATIONS)
    now = now or timezone.now()
    if not isinstance(payload, list):
        raise Invalid("CreateObservations expects a JSON array of {Datastream, components, dataArray} objects")
    rows: list[Any] = []
    positions: list[int | None] = []  # for each answer line: its index in ``rows``, or None when malformed
    malformed: list[tuple[Any, str, int | None]] = []
    for g, group in enumerate(payload):
        where = f"[{g}]"
        if not isinstance(group, dict):
            raise Invalid(f"{where} must be an object", field=where)
        link = group.get("Datastream")
        if not isinstance(link, dict) or "@iot.id" not in link:
            raise Invalid(f"{where}.Datastream must be {{\"@iot.id\": …}}", field=f"{where}.Datastream")
        components = group.get("components")
        if not isinstance(components, list) or not all(isinstance(c, str) for c in components):
            raise Invalid(f"{where}.components must be an array of property names", field=f"{where}.components")
        unknown = [c for c in components if c not in DATA_ARRAY_COMPONENTS]
        if unknown:
            raise Invalid(f"{where}.components: unknown {', '.join(unknown)} (allowed: "
                          f"{', '.join(sorted(DATA_ARRAY_COMPONENTS))})", field=f"{where}.components")
        lines = group.get("dataArray")
        if not isinstance(lines, list):
            raise Invalid(f"{where}.dataArray must be an array of arrays", field=f"{where}.dataArray")
        for line in lines:
            if not isinstance(line, list) or len(line) != len(components):
                positions.append(None)
                malformed.append(({"Datastream": link, "components": components, "line": line},
                                  f"the line must be an array of {len(components)} values (one per component)",
                                  link.get("@iot.id") if isinstance(link.get("@iot.id"), int) else None))
                continue
            row: dict[str, Any] = {"Datastream": link}
            for name, value in zip(components, line, strict=True):
                if name == "FeatureOfInterest/id":
                    row["FeatureOfInterest"] = {"@iot.id": value}
                elif name != "id":
                    row[name] = value
            positions.append(len(rows))
            rows.append(row)
    with transaction.atomic():
        if malformed:
            record_dead_letters(malformed, source="create-observations", now=now)
        result = ingest(rows, source="create-observations", now=now, with_ids=True)
    return [None if pos is None else result.ids[pos] for pos in positions]


# ------------------------------------------------------------------------------------------------ entity writes


def _audit_entity(principal: Principal, action: str, etype: EntityType, pk: Any) -> None:
    if etype.name == "Observation":
        return  # readings are not audited one by one: they are data, not decisions
    audit.record(actor=principal.actor(), action=action, subject_type=etype.subject_type, subject_id=pk)


def entity_type(name: str) -> EntityType:
    try:
        return TYPES[name]
    except KeyError:
        raise NotFound(f"No SensorThings entity type {name}") from None


@transaction.atomic
def create_entity(*, principal: Principal | None, entity_type_name: str, body: Any,
                  now: dt.datetime | None = None) -> models.Model:
    """Create an entity with its inline related entities (deep insert), as POST /v1.1/<EntitySet> does."""
    etype = entity_type(entity_type_name)
    principal = require_writer(principal, scope="observations" if etype.name == "Observation" else "all")
    obj = Writer(now=now or timezone.now()).create(etype, body)
    _audit_entity(principal, Action.CREATE, etype, obj.pk)
    return obj


@transaction.atomic
def update_entity(*, principal: Principal | None, entity_type_name: str, obj: models.Model, body: Any,
                  mode: str = "merge", now: dt.datetime | None = None) -> models.Model:
    """PATCH (``mode="merge"``), PUT (``"replace"``) or JSON Patch (``"json-patch"``) of one entity."""
    etype = entity_type(entity_type_name)
    principal = require_writer(principal, scope="all")
    writer = Writer(now=now or timezone.now())
    if mode == "json-patch":
        writer.json_patch(etype, obj, body)
    else:
        writer.update(etype, obj, body, full=mode == "replace")
    _audit_entity(principal, Action.UPDATE, etype, obj.pk)
    return obj


@transaction.atomic
def delete_entity(*, principal: Principal | None, entity_type_name: str, obj: models.Model) -> None:
    etype = entity_type(entity_type_name)
    principal = require_writer(principal, scope="all")
    pk = obj.pk
    Writer(now=timezone.now()).delete(etype, obj)
    _audit_entity(principal, Action.DELETE, etype, pk)


# ------------------------------------------------------------------------------------------------ reading


def latest_values(*, datastream_ids: Iterable[int] | None = None) -> QuerySet[LatestObservation]:
    """The newest reading of each datastream (one small table; never scans observations)."""
    return LatestObservation.objects.for_datastreams(datastream_ids)


def observations(*, datastream_id: int, start: dt.datetime | None = None,
                 end: dt.datetime | None = None) -> QuerySet[Observation]:
    """One datastream's readings with start <= phenomenonTime < end, oldest first."""
    return Observation.objects.of_datastream(datastream_id, start, end)


def hourly_series(*, datastream_ids: Iterable[int], start: dt.datetime,
                  end: dt.datetime) -> QuerySet[ObservationHourly]:
    return ObservationHourly.objects.filter(datastream_id__in=list(datastream_ids), bucket__gte=start,
                                            bucket__lt=end).order_by("datastream_id", "bucket")


def daily_series(*, datastream_ids: Iterable[int], start: dt.datetime,
                 end: dt.datetime) -> QuerySet[ObservationDaily]:
    return ObservationDaily.objects.filter(datastream_id__in=list(datastream_ids), bucket__gte=start,
                                           bucket__lt=end).order_by("datastream_id", "bucket")


def datastreams(*, observed_property: str | None = None, thing_id: int | None = None) -> QuerySet[Datastream]:
    """Datastreams, optionally of one ObservedProperty (by name or definition URI) or one Thing."""
    qs = Datastream.objects.select_related("thing", "sensor", "observed_property")
    if observed_property:
        qs = qs.filter(models.Q(observed_property__name=observed_property)
                       | models.Q(observed_property__definition=observed_property))
    if thing_id is not None:
        qs = qs.filter(thing_id=thing_id)
    return qs.order_by("pk")


# ------------------------------------------------------------------------------------------------ maintenance


@dataclass
class RollupResult:
    since: dt.datetime
    until: dt.datetime
    hourly: int
    daily: int


def _local_day(moment: dt.datetime, zone: zoneinfo.ZoneInfo, *, up: bool) -> dt.datetime:
    local = moment.astimezone(zone)
    day = dt.datetime.combine(local.date(), dt.time(), tzinfo=zone)
    if up and day < local:
        day = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return day.astimezone(UTC)


def rollup(since: dt.datetime, until: dt.datetime | None = None) -> RollupResult:
    """Recompute the hourly and daily roll-ups (count, min, max, mean of numeric results) for the local days of
    ``SENSING_ROLLUP_TIME_ZONE`` that overlap [since, until). Set-based SQL; safe to repeat."""
    zone = zoneinfo.ZoneInfo(settings.SENSING_ROLLUP_TIME_ZONE)
    until = until or timezone.now()
    lo, hi = _local_day(since, zone, up=False), _local_day(until, zone, up=True)
    if hi <= lo:
        raise Invalid("until must be after since", field="until")
    with transaction.atomic():
        hourly, daily = storage.rollup(lo, hi, settings.SENSING_ROLLUP_TIME_ZONE)
    return RollupResult(lo, hi, hourly, daily)


@dataclass
class RetentionResult:
    cutoff: dt.datetime | None
    dropped_partitions: list[str]
    deleted_observations: int
    deleted_dead_letters: int


def apply_retention(*, now: dt.datetime | None = None) -> RetentionResult:
    """Delete raw observations older than ``SENSING_RETENTION_DAYS`` (PostgreSQL: whole monthly partitions are
    dropped first) and dead letters older than ``SENSING_DEAD_LETTER_DAYS``. Roll-ups and latest values stay."""
    now = now or timezone.now()
    cutoff, dropped, deleted = None, [], 0
    with transaction.atomic():
        if settings.SENSING_RETENTION_DAYS > 0:
            cutoff = now - dt.timedelta(days=settings.SENSING_RETENTION_DAYS)
            if storage.is_postgres():
                dropped = storage.drop_partitions_before(cutoff)
            deleted, _ = Observation.objects.filter(phenomenon_time__lt=cutoff).delete()
        letters = 0
        if settings.SENSING_DEAD_LETTER_DAYS > 0:
            letters, _ = DeadLetter.objects.filter(
                received_at__lt=now - dt.timedelta(days=settings.SENSING_DEAD_LETTER_DAYS)).delete()
    return RetentionResult(cutoff, dropped, deleted, letters)


def ensure_partitions(*, months_ahead: int | None = None, now: dt.datetime | None = None) -> list[str]:
    """PostgreSQL: create the monthly observation partitions from this month to ``months_ahead`` months ahead
    (``SENSING_PARTITION_MONTHS_AHEAD``); readings waiting in the default partition move in. No-op on SQLite."""
    months = settings.SENSING_PARTITION_MONTHS_AHEAD if months_ahead is None else months_ahead
    with transaction.atomic():
        return storage.ensure_partitions(now or timezone.now(), months + 1)


@dataclass
class StaleResult:
    opened: list[MaintenanceAlert]
    closed: list[MaintenanceAlert]


def check_stale(*, now: dt.datetime | None = None) -> StaleResult:
    """Open a maintenance alert for each datastream with a ``reportingInterval`` that has sent nothing for
    ``SENSING_STALE_INTERVALS`` intervals (counted from its creation when it never reported); close the alerts of
    datastreams that report again."""
    now = now or timezone.now()
    factor = settings.SENSING_STALE_INTERVALS
    opened: list[MaintenanceAlert] = []
    closed: list[MaintenanceAlert] = []
    with transaction.atomic():
        open_alerts = {a.datastream_id: a for a in MaintenanceAlert.objects.select_for_update().filter(
            kind=MaintenanceAlert.Kind.STALE, closed_at__isnull=True)}
        rows = Datastream.objects.filter(reporting_interval__isnull=False).values_list(
            "pk", "name", "reporting_interval", "created_at", "latest__phenomenon_time")
        for pk, name, interval, created_at, last_seen in rows:
            window = dt.timedelta(seconds=interval * factor)
            stale = (last_seen or created_at) < now - window
            alert = open_alerts.get(pk)
            if stale and alert is None:
                since = timezone.localtime(last_seen).strftime("%H:%M %d/%m/%Y") if last_seen else None
                detail = (f"«{name}» không có dữ liệu từ {since}" if since else f"«{name}» chưa từng gửi dữ liệu")
                opened.append(MaintenanceAlert(datastream_id=pk, kind=MaintenanceAlert.Kind.STALE, opened_at=now,
                                               last_seen=last_seen,
                                               detail=f"{detail} (chu kỳ gửi {interval} giây, quá {factor} chu kỳ)"))
            elif not stale and alert is not None:
                alert.closed_at, alert.last_seen = now, last_seen
                closed.append(alert)
        MaintenanceAlert.objects.bulk_create(opened)
        MaintenanceAlert.objects.bulk_update(closed, ["closed_at", "last_seen"])
    return StaleResult(opened, closed)


def open_alerts() -> QuerySet[MaintenanceAlert]:
    return MaintenanceAlert.objects.filter(closed_at__isnull=True).select_related("datastream__thing")

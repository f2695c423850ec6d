"""The national portal connector: queue what changed, deliver the outbox, pull the procedure catalogue.

``queue_changes`` reads the dossiers' history (``dossiers.Event``) past each dossier's watermark: a dossier not yet
known to the portal gets one "dossier" message (with its whole history, fee and result link), later history rows
one "status" message each. Every message has an idempotency key made of the dossier code and the event id, unique
in the outbox, so queuing twice queues once, and sent as ``Idempotency-Key`` so a retry after a lost answer is not
a second record at the portal (it answers 200 or 409 "already have it", both taken as delivered).
``deliver_due`` sends what is due, in order per dossier, under a row lock (skip locked: two workers never send the
same message); a timeout or 5xx is retried with exponential back-off up to NATIONAL_PORTAL_MAX_ATTEMPTS, a 4xx
fails the message at once with the portal's words kept in ``last_error``. Nothing is deleted: a failed message stays
for an operator to see and re-queue (``requeue_failed``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone
from pydantic import BaseModel, Field, ValidationError

from smartcity.dossiers.models import Dossier, Event
from smartcity.dossiers.services import tracking_url
from smartcity.interop.models import DossierSync, Outbox, SyncState
from smartcity.interop.national import client, contract
from smartcity.procedures import services as procedures


def _result_url(dossier: Dossier) -> str | None:
    return tracking_url(dossier) if dossier.result else None


@transaction.atomic
def queue_changes(*, limit: int = 2000) -> int:
    """Outbox messages for the history rows not yet queued (at most ``limit`` rows a run); returns messages made."""
    watermark = DossierSync.objects.filter(dossier_code=OuterRef("dossier__code")).values("last_event_id")[:1]
    pending = list(Event.objects.annotate(mark=Subquery(watermark))
                   .filter(Q(mark__isnull=True) | Q(id__gt=F("mark"))).order_by("id")[:limit])
    now = timezone.now()
    made = 0
    by_dossier: dict[int, list[Event]] = {}
    for event in pending:
        by_dossier.setdefault(event.dossier_id, []).append(event)
    for dossier_id, new_events in by_dossier.items():
        dossier = (Dossier.objects.select_related("procedure", "agency").get(pk=dossier_id))
        sync = DossierSync.objects.select_for_update().filter(dossier_code=dossier.code).first()
        if sync is None:
            history = list(Event.objects.filter(dossier=dossier).select_related("actor_agency")
                           .filter(pk__lte=new_events[-1].pk).order_by("at", "id"))
            message = contract.dossier_message(dossier, events=history, result_url=_result_url(dossier))
            made += _put(f"{dossier.code}:dossier", dossier.code, "dossier", message, now)
            sync = DossierSync(dossier_code=dossier.code)
        else:
            for event in new_events:
                made += _put(f"{dossier.code}:status:{event.pk}", dossier.code, "status",
                             contract.status_message(dossier, event), now)
        sync.last_event_id = new_events[-1].pk
        sync.state = SyncState.PENDING
        sync.save()
    return made


def _put(key: str, code: str, kind: str, payload: dict[str, object], now: dt.datetime) -> int:
    _, created = Outbox.objects.get_or_create(idempotency_key=key, defaults={
        "dossier_code": code, "kind": kind, "payload": payload, "next_attempt_at": now, "created_at": now})
    return int(created)


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1, 2, 4, 8… minutes, at most an hour."""
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


@dataclass
class Delivery:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: int = 0


def deliver_due(*, batch: int = 100, now: dt.datetime | None = None) -> Delivery:
    """Send each due message once (see the module docstring); returns what happened."""
    result = Delivery()
    ids = list(Outbox.objects.filter(state=SyncState.PENDING, next_attempt_at__lte=now or timezone.now())
               .order_by("pk").values_list("pk", flat=True)[:batch])
    for pk in ids:
        with transaction.atomic():
            item = Outbox.objects.select_for_update(skip_locked=True).filter(pk=pk, state=SyncState.PENDING).first()
            if item is None:
                continue
            if Outbox.objects.filter(dossier_code=item.dossier_code, pk__lt=item.pk).exclude(
                    state=SyncState.SYNCED).exists():
                result.waiting += 1  # an earlier message of this dossier is not delivered yet: order matters
                continue
            _send(item, result, now or timezone.now())
    return result


def _send(item: Outbox, result: Delivery, now: dt.datetime) -> None:
    path = contract.DOSSIER_PATH if item.kind == "dossier" else contract.STATUS_PATH
    item.attempts += 1
    try:
        client.post(path, item.payload, key=item.idempotency_key)
    except client.Rejected as exc:
        item.state, item.last_error = SyncState.FAILED, str(exc)[:300]
        result.failed += 1
    except client.Retryable as exc:
        item.last_error = str(exc)[:300]
        if item.attempts >= settings.NATIONAL_PORTAL_MAX_ATTEMPTS:
            item.state = SyncState.FAILED
            result.failed += 1
        else:
            item.next_attempt_at = now + backoff(item.attempts)
            result.retrying += 1
    else:
        item.state, item.sent_at, item.last_error = SyncState.SYNCED, now, ""
        result.sent += 1
    item.save(update_fields=["attempts", "state", "last_error", "next_attempt_at", "sent_at"])
    _update_dossier_state(item.dossier_code, now)


def _update_dossier_state(code: str, now: dt.datetime) -> None:
    states = set(Outbox.objects.filter(dossier_code=code).values_list("state", flat=True))
    sync = DossierSync.objects.filter(dossier_code=code).first()
    if sync is None:
        return
    if SyncState.FAILED in states:
        sync.state = SyncState.FAILED
        sync.last_error = (Outbox.objects.filter(dossier_code=code, state=SyncState.FAILED)
                           .values_list("last_error", flat=True).first() or "")
    elif SyncState.PENDING in states:
        sync.state = SyncState.PENDING
    else:
        sync.state, sync.synced_at, sync.last_error = SyncState.SYNCED, now, ""
    sync.save(update_fields=["state", "synced_at", "last_error"])


def requeue_failed(*, dossier_code: str = "") -> int:
    """Give failed messages another round (after the portal or our data was fixed)."""
    items = Outbox.objects.filter(state=SyncState.FAILED)
    if dossier_code:
        items = items.filter(dossier_code=dossier_code)
    return items.update(state=SyncState.PENDING, attempts=0, next_attempt_at=timezone.now())


def sync_rate() -> float | None:
    """Share of dossiers the national portal has in their current state: synced / all dossiers; None (not
    measured) when there are no dossiers. The scorecard's "đồng bộ lên Cổng DVC quốc gia" indicator."""
    total = Dossier.objects.count()
    if not total:
        return None
    return DossierSync.objects.filter(state=SyncState.SYNCED).count() / total


def scorecard_synced(*, start: dt.datetime, end: dt.datetime, key: str) -> dict[str, int] | None:
    """For the scorecard's indicator 1.4 (SCORECARD_NATIONAL_SYNC): dossiers received in [start, end) whose sync
    state is "synced", per ``key`` (a dossier field path such as ``agency__code``); None while no national portal
    is configured (the indicator then reads "not measured", not a zero)."""
    if not settings.NATIONAL_PORTAL_URL:
        return None
    synced = DossierSync.objects.filter(state=SyncState.SYNCED).values("dossier_code")
    rows = (Dossier.objects.filter(received_at__gte=start, received_at__lt=end, code__in=synced)
            .values(key).annotate(n=Count("id")))
    return {row[key]: row["n"] for row in rows}


class _CatalogueEntry(BaseModel):
    MaTTHC: str = Field(min_length=3, max_length=20, pattern=r"^[0-9A-Za-z.\-]+$")
    TenTTHC: str = Field(min_length=3, max_length=400)
    LinhVuc: str = Field(min_length=2, max_length=120)
    CoQuanThucHien: str = Field(max_length=300, default="")
    KetQua: str = Field(max_length=400, default="")
    MucDo: str = Field(default="none", pattern=r"^(full|partial|none)$")
    CapThucHien: list[str] = Field(default_factory=list, max_length=4)


_CATALOGUE_MAX = 5000


def pull_catalogue() -> dict[str, int]:
    """GET the national procedure catalogue and merge it into ``procedures``; an entry that does not match the
    contract is skipped and counted (``invalid``), never half-written."""
    answer = client.get(contract.CATALOGUE_PATH)
    raw = answer.get("DanhSach", []) if isinstance(answer, dict) else []
    entries, invalid = [], 0
    for item in raw[:_CATALOGUE_MAX]:
        try:
            e = _CatalogueEntry.model_validate(item)
        except ValidationError:
            invalid += 1
            continue
        entries.append({"code": e.MaTTHC, "name": e.TenTTHC, "field": e.LinhVuc, "agency": e.CoQuanThucHien,
                        "result": e.KetQua, "online_level": e.MucDo, "levels": e.CapThucHien})
    counts = procedures.merge_national_catalogue(entries)
    return {**counts, "invalid": invalid}

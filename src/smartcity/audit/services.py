"""Writing and verifying the audit log. ``record`` is the only way an entry is written.

Entries are appended under a lock (PostgreSQL advisory lock; SQLite serialises writers) so the chain never forks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from smartcity.audit.context import current
from smartcity.audit.models import GENESIS, Action, Entry
from smartcity.lib.principal import Principal

_LOCK_KEY = 0x5C_A0D17  # any constant: the advisory lock that serialises appends on PostgreSQL


@dataclass(frozen=True)
class Actor:
    """Who acts, as the audit log shows it: the user, and for staff their role and agency."""

    user: Principal | None
    label: str = ""
    role: str = ""
    agency: str = ""
    person_id: int | None = None


def record(
    *,
    actor: Actor | None,
    action: Action | str,
    subject_type: str,
    subject_id: str | int = "",
    person_id: int | None = None,
    purpose: str = "",
    detail: dict[str, object] | None = None,
) -> Entry:
    """Append one entry to the chain (inside the caller's transaction, if any: no savepoint of its own, so a
    failure here fails the caller's whole transaction, as it must)."""
    ctx = current.get()
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        last = Entry.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
        user = actor.user if actor and actor.user is not None and actor.user.is_authenticated else None
        entry = Entry(
            seq=seq,
            at=timezone.now(),
            actor=user,
            actor_label=actor.label if actor else "",
            actor_role=actor.role if actor else "",
            actor_agency=actor.agency if actor else "",
            actor_person_id=actor.person_id if actor else None,
            action=action,
            subject_type=subject_type,
            subject_id=str(subject_id),
            person_id=person_id,
            purpose=purpose,
            detail=detail or {},
            ip=ctx.ip if ctx else None,
            prev_hash=prev_hash,
        )
        entry.hash = entry.compute_hash()
        entry.save(force_insert=True)
    return entry


@dataclass(frozen=True)
class Problem:
    seq: int
    reason: str


def verify(batch_size: int = 5000) -> Iterator[Problem]:
    """Walk the chain in order and yield every entry that was edited, and every gap where entries were deleted."""
    expected_seq, prev_hash = 1, GENESIS
    last_seq = 0
    qs = Entry.objects.order_by("seq")
    while True:
        chunk = list(qs.filter(seq__gt=last_seq)[:batch_size])
        if not chunk:
            return
        for entry in chunk:
            if entry.seq != expected_seq:
                missing = (
                    f"#{expected_seq}" if entry.seq == expected_seq + 1 else f"#{expected_seq}–#{entry.seq - 1}"
                )
                yield Problem(expected_seq, f"bản ghi {missing} đã bị xóa (deleted)")
                prev_hash = entry.prev_hash  # resume the walk after the gap
            if entry.prev_hash != prev_hash:
                yield Problem(entry.seq, f"bản ghi #{entry.seq}: liên kết với bản ghi trước bị sai (chain broken)")
            if entry.compute_hash() != entry.hash:
                yield Problem(entry.seq, f"bản ghi #{entry.seq} đã bị sửa (edited)")
            prev_hash, expected_seq, last_seq = entry.hash, entry.seq + 1, entry.seq


def reads_of_person(person_id: int) -> list[Entry]:
    return list(Entry.objects.reads_of_person(person_id))

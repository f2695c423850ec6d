"""Writing and verifying the audit log. ``record`` is the only way an entry is written.

Entries are appended under a lock (PostgreSQL advisory lock; SQLite serialises writers) so the chain never forks.
Each entry's chain value is keyed (``chain``); ``write_checkpoint`` anchors the head outside the database
(``checkpoints``), which is what shows a cut tail; ``verify`` checks both; ``rekey_chain`` converts a chain made
before the key existed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.utils import timezone

from smartcity.audit import chain, checkpoints
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
        ring = chain.keys()
        user = actor.user if actor and actor.user is not None and actor.user.is_authenticated else None
        entry = Entry(
            seq=seq,
            at=timezone.now(),
            actor_id=user.pk if user is not None else None,
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
            key_id=ring.current,
        )
        entry.hash = chain.keyed_value(ring.secrets[ring.current], prev_hash, chain.payload(entry))
        entry.save(force_insert=True)
    return entry


@dataclass(frozen=True)
class Problem:
    seq: int
    reason: str
    checkpoint: str = ""  # the checkpoint file that failed, for problems a checkpoint found


@dataclass
class Verification:
    """What ``verify_all`` found: the problems (none: intact), and what could not be checked (``notes``)."""

    entries: int
    checkpoints: int
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(batch_size: int = 5000) -> Iterator[Problem]:
    """Every problem of the log: entries edited or signed with a key not configured, gaps where entries were
    deleted, and what the checkpoints outside the database disagree with (a cut tail, a re-computed chain)."""
    yield from verify_all(batch_size=batch_size).problems


def verify_chain(batch_size: int = 5000) -> Iterator[Problem]:
    """Walk the chain in order and yield every entry that was edited, and every gap where entries were deleted."""
    for seq, reason in chain.walk(Entry.objects.all(), batch_size=batch_size):
        yield Problem(seq, reason)


def verify_all(batch_size: int = 5000) -> Verification:
    """The chain walk, then every checkpoint file: its own checks (HMAC, link, signature and timestamp), then the
    log against what it recorded, and the latest one against the end of the log. What could not be checked is a
    note, not a problem: checkpoints missing or HMAC-only (an HMAC-only one after sealed ones is named)."""
    result = Verification(entries=Entry.objects.count(), checkpoints=0)
    result.problems.extend(verify_chain(batch_size))
    try:
        loaded = list(checkpoints.load_all())
    except checkpoints.NotConfigured as exc:
        result.notes.append(f"không kiểm tra điểm kiểm tra: {exc} (no checkpoints checked)")
        return result
    result.checkpoints = len(loaded)
    if not loaded:
        result.notes.append("chưa có điểm kiểm tra nào: một đoạn cuối bị cắt sẽ không được phát hiện "
                            "(no checkpoint yet: a cut tail would not show)")
    unsigned, sealed, downgraded = 0, False, []
    for item in loaded:
        for reason in item.problems:
            result.problems.append(Problem(item.head.last_seq if item.head else 0,
                                           f"điểm kiểm tra {item.name}: {reason}", item.name))
        unsigned += item.unsigned
        sealed = sealed or (not item.unsigned and not item.problems)
        if sealed and item.unsigned:  # a signer was failing then, or someone who holds the chain key wrote it
            downgraded.append(item.name)
        result.notes.extend(f"điểm kiểm tra {item.name}: {note}" for note in item.notes)
        if item.head is not None and not item.problems:
            result.problems.extend(_against_checkpoint(item.name, item.head))
    if unsigned:
        result.notes.append(f"{unsigned} điểm kiểm tra chỉ có HMAC, không có chữ ký số và dấu thời gian "
                            "(HMAC-only checkpoints: configure a signer, see docs/audit.md)")
    if downgraded:
        result.notes.append(f"{len(downgraded)} điểm kiểm tra chỉ có HMAC sau điểm đã đóng dấu, xem trường `unsigned` "
                            f"của chúng (HMAC-only after sealed ones): {', '.join(downgraded[:10])}")
    trusted = [item for item in loaded if item.head is not None and not item.problems]
    if trusted:
        latest = trusted[-1]
        head = latest.head
        assert head is not None  # kept by the filter above
        last = Entry.objects.aggregate(last=Max("seq"))["last"] or 0
        if last < head.last_seq or result.entries < head.count:
            result.problems.append(Problem(
                head.last_seq,
                f"nhật ký bị cắt: điểm kiểm tra {latest.name} ghi {head.count} bản ghi đến "
                f"#{head.last_seq}, nay còn {result.entries} bản ghi đến #{last} (log cut below a checkpoint)",
                latest.name,
            ))
    return result


def _against_checkpoint(name: str, head: checkpoints.Head) -> list[Problem]:
    """The entry a checkpoint names must still carry the value it saw, and as many entries up to it."""
    if head.last_seq == 0:
        return []
    found = Entry.objects.filter(seq=head.last_seq).values_list("hash", flat=True).first()
    if found is None:
        return [Problem(head.last_seq, f"điểm kiểm tra {name}: bản ghi #{head.last_seq} không còn "
                                       "(entry missing: log cut or renumbered)", name)]
    problems = []
    if found != head.head:
        problems.append(Problem(head.last_seq, f"điểm kiểm tra {name}: bản ghi #{head.last_seq} không còn giá trị "
                                               "chuỗi đã ghi (chain re-computed since the checkpoint)", name))
    count = Entry.objects.filter(seq__lte=head.last_seq).count()
    if count != head.count:
        problems.append(Problem(head.last_seq, f"điểm kiểm tra {name}: có {count} bản ghi đến #{head.last_seq}, "
                                               f"điểm kiểm tra ghi {head.count} (entries deleted or added)", name))
    return problems


def write_checkpoint(*, now: dt.datetime | None = None) -> checkpoints.Written:
    """Anchor the chain's head outside the database: a new read-only file in AUDIT_CHECKPOINT_DIR with the count,
    the last sequence number, its chain value and the time, under the chain key's HMAC and, when a signer can,
    the city's seal and an RFC 3161 timestamp. Meant to run periodically (and after ``rekey_chain``).
    ``checkpoints.NotConfigured`` without a directory."""
    checkpoints.directory()  # fail before reading anything when there is nowhere to write
    # One statement, so the count and the last number are of the same moment; the entry at that number never
    # changes afterwards, so no lock is held while the checkpoint is signed and timestamped.
    figures = Entry.objects.aggregate(count=Count("id"), last=Max("seq"))
    last = figures["last"] or 0
    head = Entry.objects.filter(seq=last).values_list("hash", flat=True).first() or GENESIS
    return checkpoints.write(checkpoints.Head(figures["count"], last, head, now or timezone.now()))


class RekeyRefused(Exception):
    """The chain cannot be converted: the old chain has problems, or checkpoints already cover it."""


@dataclass(frozen=True)
class Rekeyed:
    converted: int
    old_head: str
    new_head: str


def rekey_chain(*, batch_size: int = 5000) -> Rekeyed:
    """Convert the entries made before the chain was keyed (``key_id`` empty) to the keyed rule, after checking
    the whole chain under the old rule, and record the conversion (old and new head) as an entry. Refused when the
    old chain has problems (they stay as evidence; ``verify`` keeps naming them) and when checkpoints exist (they
    hold the old values). Migration 0004 does the same on upgrade when it can."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        if not Entry.objects.filter(key_id="").exists():
            return Rekeyed(0, "", "")
        try:
            existing = checkpoints.names(checkpoints.directory())
        except checkpoints.NotConfigured:
            existing = []
        if existing:
            raise RekeyRefused(f"{len(existing)} điểm kiểm tra đã ghi giá trị chuỗi hiện tại: không chuyển đổi "
                               "(checkpoints exist)")
        outcome = chain.rechain(Entry.objects.all(), batch_size=batch_size)
        if outcome.problems:
            raise RekeyRefused("chuỗi cũ không toàn vẹn, không chuyển đổi (old chain not intact): "
                               + "; ".join(reason for _, reason in outcome.problems[:20]))
        record(actor=Actor(user=None, label="Quản trị hệ thống (dòng lệnh)"), action=Action.UPDATE,
               subject_type="audit.chain", detail={"operation": "rekey", "converted": outcome.converted,
                                                   "old_head": outcome.old_head, "new_head": outcome.new_head,
                                                   "key": chain.keys().current})
    return Rekeyed(outcome.converted, outcome.old_head, outcome.new_head)


def reads_of_person(person_id: int) -> list[Entry]:
    return list(Entry.objects.reads_of_person(person_id))


@dataclass(frozen=True)
class ReadGroup:
    """One line of "who accessed my data": an agency's reads for one purpose on one Hà Nội day."""

    agency: str
    purpose: str
    day: dt.date
    count: int
    last_at: dt.datetime


READ_GROUPS_PER_PAGE = 50


def grouped_reads_of_person(person_id: int, *, page: int = 1,
                            per_page: int = READ_GROUPS_PER_PAGE) -> tuple[list[ReadGroup], bool]:
    """The reads of a citizen's data grouped by agency, purpose and Hà Nội day, newest day first, with their count;
    one page of groups and whether another follows. Grouped by the database, not by looping over entries."""
    page = max(1, int(page))
    rows = (Entry.objects.reads_of_person(person_id)
            .annotate(day=TruncDate("at", tzinfo=ZoneInfo(settings.TIME_ZONE)))
            .values("actor_agency", "purpose", "day")
            .annotate(count=Count("id"), last_at=Max("at"))
            .order_by("-day", "-last_at", "actor_agency", "purpose"))
    start = (page - 1) * per_page
    chunk = list(rows[start:start + per_page + 1])
    groups = [ReadGroup(r["actor_agency"], r["purpose"], r["day"], r["count"], r["last_at"])
              for r in chunk[:per_page]]
    return groups, len(chunk) > per_page

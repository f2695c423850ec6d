"""The rule of the audit chain, model-free: the keys, an entry's canonical content, and its chain value.

An entry's chain value is ``HMAC-SHA256(key, prev ‖ canonical JSON of the entry)``, the key kept outside the
database: whoever can write the table but has not the key can neither re-compute the chain after an edit nor
re-number it after a deletion. (Until this rule, the value was a plain ``SHA-256(prev ‖ content)``, which anyone
with write access could re-compute; ``legacy_value`` keeps that rule to convert old chains, see ``rechain``.)

The keys come from ``AUDIT_CHAIN_KEYS`` (env ``SMARTCITY_AUDIT_KEYS``): comma-separated ``id:key``, the key 32 or
more bytes in URL-safe base64; the first makes new entries, every one listed verifies the entries that name it
(each entry records its key's id, and is covered by it). A key listed later is older: once an entry is made with a
key, no later entry may use one listed after it, so a leaked retired key cannot extend or rewrite the chain past
the rotation. Without keys (the demo only: production settings refuse to start), one key is derived from
``SECRET_KEY`` (HKDF-SHA256), and one more from each ``SECRET_KEY_FALLBACKS`` entry, named ``sk-`` and eight hex
digits of its fingerprint, so a change of SECRET_KEY the Django way keeps old entries verifying.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

GENESIS = "0" * 64
KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
MIN_KEY_BYTES = 32


@dataclass(frozen=True)
class Keys:
    """The configured keys, newest first: ``current`` makes new entries."""

    ids: tuple[str, ...]
    secrets: Mapping[str, bytes]

    @property
    def current(self) -> str:
        return self.ids[0]

    def rank(self, key_id: str) -> int:
        """0 for the newest key, 1 for the one before it…; ``KeyError`` for a key not configured."""
        if key_id not in self.secrets:
            raise KeyError(key_id)
        return self.ids.index(key_id)


def parse_keys(values: list[str]) -> list[tuple[str, bytes]]:
    """``[(id, secret), …]`` from ``id:key`` strings; ``ValueError`` naming the first one that is malformed."""
    parsed: list[tuple[str, bytes]] = []
    for number, value in enumerate(values, start=1):
        key_id, colon, encoded = value.partition(":")
        if not colon or not KEY_ID.match(key_id):
            raise ValueError(f"SMARTCITY_AUDIT_KEYS: key {number} must be id:key, the id of letters, digits, '_.-'")
        try:
            secret = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            secret = b""
        if len(secret) < MIN_KEY_BYTES:
            raise ValueError(f"SMARTCITY_AUDIT_KEYS: key {number} ({key_id}) must be at least {MIN_KEY_BYTES} "
                             "bytes in URL-safe base64")
        if key_id in dict(parsed):
            raise ValueError(f"SMARTCITY_AUDIT_KEYS: key id {key_id} appears twice")
        parsed.append((key_id, secret))
    return parsed


def check_keys(values: list[str]) -> None:
    """Raise ``ValueError`` for a malformed key list (the settings call it, so a bad key stops the start)."""
    parse_keys(values)


def new_key(key_id: str) -> str:
    """A fresh ``id:key`` entry for SMARTCITY_AUDIT_KEYS."""
    import secrets

    if not KEY_ID.match(key_id):
        raise ValueError("the key id is letters, digits, '_', '.', '-' (at most 40)")
    return f"{key_id}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip('=')}"


def _derived(secret_key: str) -> tuple[str, bytes]:
    secret = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                  info=b"smartcity audit chain").derive(secret_key.encode())
    return "sk-" + hashlib.sha256(b"key id|" + secret).hexdigest()[:8], secret


@cache
def _keys(values: tuple[str, ...], secret_keys: tuple[str, ...]) -> Keys:
    pairs = parse_keys(list(values)) if values else [_derived(key) for key in secret_keys]
    return Keys(ids=tuple(key_id for key_id, _ in pairs), secrets=dict(pairs))


def keys() -> Keys:
    return _keys(tuple(settings.AUDIT_CHAIN_KEYS),
                 (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())))


def payload(entry: Any) -> dict[str, object]:
    """The content an entry's chain value covers. Works on the model and on a migration's historical model.
    A keyed entry's content names its key, so an entry cannot be moved under another key."""
    content: dict[str, object] = {
        "seq": entry.seq,
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "actor_role": entry.actor_role,
        "actor_agency": entry.actor_agency,
        "actor_person_id": entry.actor_person_id,
        "action": entry.action,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "person_id": entry.person_id,
        "purpose": entry.purpose,
        "detail": entry.detail,
        "ip": entry.ip,
    }
    if entry.key_id:
        content["key"] = entry.key_id
    return content


def canonical(content: Mapping[str, object]) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def keyed_value(secret: bytes, prev: str, content: Mapping[str, object]) -> str:
    return hmac.new(secret, prev.encode() + canonical(content), hashlib.sha256).hexdigest()


def legacy_value(prev: str, content: Mapping[str, object]) -> str:
    """The rule before the chain was keyed: plain SHA-256, which anyone with the table can re-compute."""
    return hashlib.sha256(prev.encode() + canonical(content)).hexdigest()


def value_of(entry: Any, prev: str | None = None) -> str:
    """The chain value ``entry`` must carry (after ``prev``, by default its own ``prev_hash``), under the rule
    it names: its key, or the legacy rule when it names none. ``KeyError`` for a key not configured."""
    prev = entry.prev_hash if prev is None else prev
    if not entry.key_id:
        return legacy_value(prev, payload(entry))
    return keyed_value(keys().secrets[entry.key_id], prev, payload(entry))


def mac(key_id: str, data: bytes) -> str:
    """HMAC of a checkpoint's body under a chain key (``KeyError`` for a key not configured)."""
    return hmac.new(keys().secrets[key_id], b"smartcity audit checkpoint|" + data, hashlib.sha256).hexdigest()


def walk(queryset: Any, *, legacy_ok: bool = False, batch_size: int = 5000) -> Iterator[tuple[int, str]]:
    """Walk ``queryset`` (the entries, model or historical model) in ``seq`` order and yield ``(seq, reason)`` for
    every entry edited, every gap where entries were deleted, every broken link, every key not configured or used
    out of rotation order; and, unless ``legacy_ok``, one line for the entries still under the unkeyed rule."""
    ring = keys()
    expected, prev, last = 1, GENESIS, 0
    newest: int | None = None  # the rank of the newest key seen so far
    legacy: list[int] = []
    while True:
        batch = list(queryset.filter(seq__gt=last).order_by("seq")[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.seq != expected:
                missing = f"#{expected}" if entry.seq == expected + 1 else f"#{expected}–#{entry.seq - 1}"
                yield expected, f"bản ghi {missing} đã bị xóa (deleted)"
                prev = entry.prev_hash  # resume the walk after the gap
            if entry.prev_hash != prev:
                yield entry.seq, f"bản ghi #{entry.seq}: liên kết với bản ghi trước bị sai (chain broken)"
            value: str | None = None
            if not entry.key_id:
                if newest is not None:
                    yield entry.seq, (f"bản ghi #{entry.seq}: không có khóa, sau các bản ghi có khóa "
                                      "(unkeyed entry after keyed ones)")
                elif not legacy_ok:
                    legacy.append(entry.seq)
                value = legacy_value(entry.prev_hash, payload(entry))
            else:
                try:
                    rank = ring.rank(entry.key_id)
                except KeyError:
                    yield entry.seq, (f"bản ghi #{entry.seq}: khóa {entry.key_id} không có trong "
                                      "SMARTCITY_AUDIT_KEYS (unknown chain key)")
                else:
                    if newest is not None and rank > newest:
                        yield entry.seq, (f"bản ghi #{entry.seq}: dùng khóa cũ {entry.key_id} sau khóa mới hơn "
                                          f"{ring.ids[newest]} (retired key used after rotation)")
                    newest = rank if newest is None else min(newest, rank)
                    value = keyed_value(ring.secrets[entry.key_id], entry.prev_hash, payload(entry))
            if value is not None and value != entry.hash:
                yield entry.seq, f"bản ghi #{entry.seq} đã bị sửa (edited)"
            prev, expected, last = entry.hash, entry.seq + 1, entry.seq
    if legacy:
        yield legacy[0], (f"{len(legacy)} bản ghi (#{legacy[0]}–#{legacy[-1]}) còn theo chuỗi cũ không khóa: chạy "
                          "`smartcity audit rekey` (legacy unkeyed entries)")


@dataclass(frozen=True)
class Rechained:
    problems: list[tuple[int, str]]  # the old chain's problems: nothing was converted
    converted: int
    old_head: str
    new_head: str


def rechain(queryset: Any, *, batch_size: int = 5000) -> Rechained:
    """Convert a chain that still holds unkeyed entries to the keyed rule, after checking every entry under the
    rule it was made with: nothing changes if the check finds a problem (the problems are returned, so that the
    evidence stays as it was). Unkeyed entries get the current key; every value after them is re-computed."""
    head = queryset.order_by("-seq").values_list("hash", flat=True).first() or GENESIS
    if not queryset.filter(key_id="").exists():
        return Rechained([], 0, head, head)
    problems = list(walk(queryset, legacy_ok=True, batch_size=batch_size))
    if problems:
        return Rechained(problems, 0, head, head)
    ring = keys()
    prev, last, converted = GENESIS, 0, 0
    while True:
        batch = list(queryset.filter(seq__gt=last).order_by("seq")[:batch_size])
        if not batch:
            break
        changed = []
        for entry in batch:
            before = entry.hash
            entry.key_id = entry.key_id or ring.current
            entry.prev_hash = prev
            entry.hash = keyed_value(ring.secrets[entry.key_id], prev, payload(entry))
            if entry.hash != before:
                changed.append(entry)
            prev, last = entry.hash, entry.seq
        queryset.bulk_update(changed, ["key_id", "prev_hash", "hash"], batch_size=1000)
        converted += len(changed)
    return Rechained([], converted, head, prev)

"""Checkpoints of the audit chain kept outside the database, so a cut tail or a re-computed chain shows.

A checkpoint says "the log had ``count`` entries, the last one ``#last_seq`` with chain value ``head``, at ``at``".
It is one JSON file in ``AUDIT_CHECKPOINT_DIR`` (storage the database role cannot write: write-once or separately
permissioned, see docs/audit.md), named ``ckpt-<UTC time>-<last seq>.json`` so the names sort in time order,
created with ``O_EXCL`` and left read-only: nothing here ever rewrites one. Each names the SHA-256 of the file
before it (``previous``), so a checkpoint removed from the middle shows too.

Each carries an HMAC under the chain key (``mac``) and, when a signer is configured and can sign, a signature
(``signature``): the signing app's seal signer makes a CMS signature with the city's seal certificate and an
RFC 3161 timestamp. ``audit`` sits below ``signing`` in the layers, so it never imports it: a signer is any object
with the ``CheckpointSigner`` methods, named by dotted path in ``AUDIT_CHECKPOINT_SIGNER``. Without one, or when it
cannot sign (no seal certificate yet), the checkpoint has the HMAC only and says why (``unsigned``).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from smartcity.audit import chain

FORMAT = "smartcity-audit-checkpoint/1"
PREFIX, SUFFIX = "ckpt-", ".json"
MAX_BYTES = 1 << 20  # a checkpoint is a few kilobytes; anything bigger is not one of ours


class NotConfigured(RuntimeError):
    """No checkpoint directory is configured (``AUDIT_CHECKPOINT_DIR``)."""


class SignerUnavailable(Exception):
    """The signer cannot sign now (no seal certificate, key unreachable, timestamp authority down): the
    checkpoint is written with the HMAC only, and the reason in it."""


@dataclass(frozen=True)
class SignatureCheck:
    """A signer's verdict on a checkpoint's signature."""

    valid: bool
    signer: str = ""  # who signed, as people read it
    timestamp: dt.datetime | None = None  # the time of the RFC 3161 token, if any
    reasons: list[str] = field(default_factory=list)


class CheckpointSigner(Protocol):
    def sign(self, data: bytes) -> dict[str, object]:
        """A JSON-able signature over ``data``; ``SignerUnavailable`` when it cannot sign now."""
        ...

    def verify(self, data: bytes, signature: Mapping[str, Any], *, at: dt.datetime) -> SignatureCheck:
        """Check ``signature`` over ``data`` as of ``at``, the time the checkpoint claims."""
        ...


@cache
def _signer(path: str) -> CheckpointSigner:
    return import_string(path)()


def signer() -> CheckpointSigner | None:
    path = getattr(settings, "AUDIT_CHECKPOINT_SIGNER", "")
    return _signer(path) if path else None


def directory() -> Path:
    path = getattr(settings, "AUDIT_CHECKPOINT_DIR", "")
    if not path:
        raise NotConfigured("AUDIT_CHECKPOINT_DIR (SMARTCITY_AUDIT_CHECKPOINT_DIR) is not set")
    return Path(path)


@dataclass(frozen=True)
class Head:
    count: int
    last_seq: int
    head: str
    at: dt.datetime


def body(head: Head, *, key: str, previous: str) -> bytes:
    """The bytes the HMAC and the signature cover."""
    return chain.canonical({"format": FORMAT, "count": head.count, "last_seq": head.last_seq, "head": head.head,
                            "at": head.at.astimezone(dt.UTC).isoformat(timespec="microseconds"), "key": key,
                            "previous": previous})


def _name(head: Head) -> str:
    return f"{PREFIX}{head.at.astimezone(dt.UTC):%Y%m%dT%H%M%S%fZ}-{head.last_seq:012d}{SUFFIX}"


def names(path: Path) -> list[str]:
    if not path.is_dir():
        return []
    return sorted(n for n in os.listdir(path) if n.startswith(PREFIX) and n.endswith(SUFFIX))


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One writer at a time (two would both name the same file as ``previous``)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Written:
    path: Path
    head: Head
    signed: bool
    unsigned_reason: str = ""


def write(head: Head) -> Written:
    """Write the checkpoint of ``head`` as a new read-only file (never over an existing one)."""
    path = directory()
    path.mkdir(parents=True, exist_ok=True, mode=0o750)
    with _locked(path):
        existing = names(path)
        name = _name(head)
        if existing and name <= existing[-1]:
            raise RuntimeError(f"checkpoint {name} would not sort after {existing[-1]}: is the clock behind?")
        previous = hashlib.sha256((path / existing[-1]).read_bytes()).hexdigest() if existing else ""
        key = chain.keys().current
        data = body(head, key=key, previous=previous)
        document: dict[str, object] = json.loads(data)
        document["mac"] = chain.mac(key, data)
        unsigned = ""
        active = signer()
        if active is None:
            unsigned = "no signer configured (AUDIT_CHECKPOINT_SIGNER)"
        else:
            try:
                document["signature"] = active.sign(data)
            except SignerUnavailable as exc:
                unsigned = str(exc) or exc.__class__.__name__
        if unsigned:
            document["unsigned"] = unsigned
        text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True).encode() + b"\n"
        fd = os.open(path / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        try:
            os.write(fd, text)
            os.fsync(fd)
        finally:
            os.close(fd)
        folder = os.open(path, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    return Written(path / name, head, signed=not unsigned, unsigned_reason=unsigned)


@dataclass
class Loaded:
    """One checkpoint file as verification reads it: its claims (``head``) are trusted only if ``problems`` is
    empty; ``notes`` say what could not be checked (no signature)."""

    name: str
    head: Head | None = None
    unsigned: bool = False  # HMAC only: no signature, no timestamp
    signed_by: str = ""
    timestamp: dt.datetime | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


TIMESTAMP_SKEW = dt.timedelta(minutes=10)


def _parse(raw: bytes) -> tuple[Head, dict[str, Any]]:
    document = json.loads(raw)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError("not a checkpoint")
    count, last_seq, head = document["count"], document["last_seq"], document["head"]
    if not (isinstance(count, int) and isinstance(last_seq, int) and isinstance(head, str)):
        raise ValueError("bad fields")
    at = dt.datetime.fromisoformat(document["at"])
    if at.tzinfo is None:
        raise ValueError("time without a zone")
    for name in ("key", "previous", "mac"):
        if not isinstance(document[name], str):
            raise ValueError(f"bad {name}")
    return Head(count, last_seq, head, at), document


def load_all() -> Iterator[Loaded]:
    """Every checkpoint in the directory, oldest first, with its file-level checks done: readable, the link to
    the one before it, its HMAC, its signature and timestamp."""
    path = directory()
    previous = ""
    active = signer()
    for name in names(path):
        loaded = Loaded(name)
        try:
            raw = (path / name).read_bytes()[:MAX_BYTES + 1]
        except OSError as exc:
            loaded.problems.append(f"không đọc được tệp (unreadable): {exc.strerror}")
            previous = ""
            yield loaded
            continue
        expected_previous, previous = previous, hashlib.sha256(raw).hexdigest()
        try:
            if len(raw) > MAX_BYTES:
                raise ValueError("too large")
            head, document = _parse(raw)
        except (ValueError, KeyError, TypeError) as exc:
            loaded.problems.append(f"không phải điểm kiểm tra hợp lệ (malformed checkpoint: {exc})")
            yield loaded
            continue
        data = body(head, key=document["key"], previous=document["previous"])
        try:
            good_mac = hmac.compare_digest(chain.mac(document["key"], data), document["mac"])
        except KeyError:
            loaded.problems.append(f"khóa {document['key']} không có trong SMARTCITY_AUDIT_KEYS (unknown key)")
            yield loaded
            continue
        if not good_mac:
            loaded.problems.append("nội dung đã bị sửa, mã HMAC không khớp (tampered checkpoint)")
            yield loaded
            continue
        if document["previous"] != expected_previous:
            loaded.problems.append("điểm kiểm tra trước nó đã bị xóa hoặc sửa (previous checkpoint missing or "
                                   "changed)")
        signature = document.get("signature")
        if signature is None:
            loaded.unsigned = True
        elif active is None:
            loaded.notes.append("có chữ ký số nhưng không có bộ kiểm tra chữ ký (no AUDIT_CHECKPOINT_SIGNER)")
        else:
            check = active.verify(data, signature, at=head.at)
            loaded.signed_by, loaded.timestamp = check.signer, check.timestamp
            if not check.valid:
                loaded.problems.append("chữ ký số không hợp lệ (invalid signature): " + "; ".join(check.reasons))
            elif check.timestamp is None:
                loaded.notes.append("chữ ký số không có dấu thời gian (signature without a timestamp)")
            elif abs(check.timestamp - head.at) > TIMESTAMP_SKEW:
                loaded.problems.append(f"dấu thời gian {check.timestamp.isoformat()} khác thời điểm ghi "
                                       f"{head.at.isoformat()} (timestamp does not match)")
        loaded.head = head
        yield loaded

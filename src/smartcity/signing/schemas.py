"""Shapes of the signing API: the verification report."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class SignerOut(Schema):
    name: str
    organization: str
    agency_code: str
    serial: str
    issuer: str
    not_before: dt.datetime
    not_after: dt.datetime
    fingerprint: str
    kind: str


class TimestampOut(Schema):
    present: bool
    valid: bool
    trusted: bool
    time: dt.datetime | None
    authority: str


class SignatureOut(Schema):
    field: str
    status: str  # valid, modified, invalid, revoked, untrusted, expired, indeterminate
    valid: bool
    signer: SignerOut
    signing_time: dt.datetime | None
    timestamp: TimestampOut
    reason: str
    location: str
    intact: bool
    covers_whole_document: bool
    modified_after_signing: bool
    trusted: bool
    trust_anchor: str
    revoked: bool
    revoked_at: dt.datetime | None
    revocation_reason: str
    reasons: list[str]


class VerificationOut(Schema):
    sha256: str
    size: int
    verdict: str  # valid, unsigned, or the worst signature status
    valid: bool
    summary: str
    signatures: list[SignatureOut]

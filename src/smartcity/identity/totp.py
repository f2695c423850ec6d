"""Time-based one-time passwords (RFC 6238) for staff, with pyotp: which time step a code belongs to.

A code is accepted for the current 30-second step and one step either side (phone clocks drift), and the caller
accepts it only for a step later than the last one used, so a code seen over a shoulder cannot be used again.
The enrolment QR code is an inline SVG (``smartcity.lib.svg.qr_code``, made by segno): no image service, no CDN.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hmac

import pyotp
from django.utils import timezone

from smartcity.lib import svg

ISSUER = "Cổng dịch vụ công Hà Nội"
DRIFT_STEPS = 1
MIN_SECRET_BYTES = 10  # 80 bits, RFC 4226 §4 R6 (pyotp's random secrets have 160)


def new_secret() -> str:
    return pyotp.random_base32()


def is_valid_secret(secret: str) -> bool:
    try:
        raw = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8), casefold=True)
    except (binascii.Error, ValueError):
        return False
    return len(raw) >= MIN_SECRET_BYTES


def matching_step(secret: str, code: str, *, at: dt.datetime | None = None) -> int | None:
    """The time step ``code`` is valid for (within the drift window), or None."""
    code = (code or "").strip().replace(" ", "")
    totp = pyotp.TOTP(secret)
    if len(code) != totp.digits or not code.isdigit():
        return None
    current = totp.timecode(at or timezone.now())
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def provisioning_uri(secret: str, account_name: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline ``<svg>`` element, ready to drop into a page."""
    return svg.qr_code(uri, scale=5, border=2, dark="#1a1a1a", light="#ffffff")

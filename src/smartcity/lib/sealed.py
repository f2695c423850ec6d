"""Secrets kept in the database encrypted (a staff member's TOTP key): a dump of the tables does not give them away.

``SealedTextField`` stores Fernet tokens (AES-128-CBC + HMAC-SHA256, from ``cryptography``) and hands the code the
plain text. The keys come from ``SMARTCITY_FIELD_KEYS`` (comma-separated Fernet keys, the first seals, all open: add
a new key in front to rotate, re-save, then drop the old one); without it, one key is derived from ``SECRET_KEY``
(HKDF-SHA256), so changing ``SECRET_KEY`` then makes the sealed values unreadable: set the keys in production.
The fallback keys of Django's ``SECRET_KEY_FALLBACKS`` open too, so rotating ``SECRET_KEY`` the Django way keeps
the values readable. The keys are checked when the settings load (``check_keys``), not at the first read.
A value no key opens reads as empty (``Unopened``, which remembers the token and writes it back unchanged, so a
save of the row does not destroy it once the right key is back) and is logged without the value: for a TOTP key
that means "enrolled but no key", which refuses the sign-in until an administrator resets the second factor —
never a silent re-enrolment. Sealed values cannot be searched or compared in SQL.
"""

from __future__ import annotations

import base64
import logging
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

log = logging.getLogger(__name__)


def _derived(secret_key: str) -> str:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"smartcity sealed fields").derive(secret_key.encode())
    return base64.urlsafe_b64encode(key).decode()


@cache
def _fernet(keys: tuple[str, ...], secret_keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys or tuple(_derived(k) for k in secret_keys)])


def check_keys(keys: list[str]) -> None:
    """Raise ``ValueError`` naming the first of ``keys`` that is not a Fernet key (32 bytes, URL-safe base64)."""
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ValueError(f"SMARTCITY_FIELD_KEYS: key {number} is not a Fernet key (32 bytes, URL-safe base64)")\
                from None


def _current() -> MultiFernet:
    return _fernet(tuple(settings.SMARTCITY_FIELD_KEYS),
                   (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())))


class Unopened(str):
    """A sealed value no configured key opens: empty to the code, its token kept to be written back as it was."""

    token: str

    def __new__(cls, token: str) -> Unopened:
        value = super().__new__(cls, "")
        value.token = token
        return value


def seal(text: str) -> str:
    return _current().encrypt(text.encode()).decode()


def unseal(token: str) -> str:
    """The plain text of ``token``; raises ``InvalidToken`` when no key opens it."""
    return _current().decrypt(token.encode()).decode()


class SealedTextField(models.TextField):
    """Text encrypted at rest; empty stays empty (so ``blank`` means "none")."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str:
        if not value:
            return ""
        try:
            return unseal(value)
        except InvalidToken:
            log.error("a sealed %s.%s value could not be opened with the configured keys",
                      self.model._meta.label, self.name)
            return Unopened(value)

    def get_prep_value(self, value: Any) -> str:
        if isinstance(value, Unopened):
            return value.token
        value = super().get_prep_value(value)
        return seal(value) if value else ""

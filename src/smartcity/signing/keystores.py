"""Where signing keys live, behind one small interface chosen by ``Certificate.key_backend``.

* ``pkcs12`` (``contrib/pkcs12.py``): a PKCS#12 file. The demo CA writes one per key under ``SMARTCITY_SIGNING_DIR``
  with a passphrase derived from SECRET_KEY (``key_secret = "derived"``); production registers the files a CA issued,
  their passphrase in an environment variable (``key_secret = "env:NAME"``).
* ``pkcs11`` (``contrib/pkcs11.py``): a key inside an HSM or token, reached through the PKCS#11 module
  ``SMARTCITY_PKCS11_MODULE``; the PIN in an environment variable. Needs the optional ``python-pkcs11`` package.

A key store hands out a pyHanko ``Signer`` for the length of one signature (a PKCS#11 session is closed after it).

This module is the interface and the registry only, so dependencies point one way: each ``contrib`` module imports
it and registers its store (``@register``), and ``SigningConfig.ready`` imports the contrib modules, so every store
is known before the first signature. A new back-end is a contrib module plus its import there.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager

from django.conf import settings
from pyhanko.sign.signers import Signer

from smartcity.signing.models import Certificate, KeyBackend


class KeyUnavailable(Exception):
    """The key cannot be reached (missing file, wrong passphrase, token absent): an operator must act."""


class KeyStore:
    name = ""

    def signer(self, certificate: Certificate) -> AbstractContextManager[Signer]:
        raise NotImplementedError


def secret(certificate: Certificate) -> bytes:
    """The passphrase or PIN named by ``certificate.key_secret``."""
    source = certificate.key_secret
    if source == "derived":
        from smartcity.signing import pki

        return pki.derived_passphrase(settings.SECRET_KEY, certificate.fingerprint)
    if source.startswith("env:"):
        value = os.environ.get(source[4:])
        if value is None:
            raise KeyUnavailable(f"environment variable {source[4:]} (passphrase/PIN) is not set")
        return value.encode()
    if source == "":
        raise KeyUnavailable("no passphrase source configured for this key")
    raise KeyUnavailable(f"unknown passphrase source {source!r}")


REGISTRY: dict[str, KeyStore] = {}


def register(store: type[KeyStore]) -> type[KeyStore]:
    """Class decorator: make ``store`` the key store of certificates whose ``key_backend`` is ``store.name``."""
    if not store.name or store.name in REGISTRY:
        raise ValueError(f"key store name {store.name!r} is empty or taken")
    REGISTRY[store.name] = store()
    return store


def get(backend: str) -> KeyStore:
    try:
        return REGISTRY[backend]
    except KeyError:
        raise KeyUnavailable(f"no key store {backend!r}") from None


def signer(certificate: Certificate) -> AbstractContextManager[Signer]:
    if certificate.key_backend == KeyBackend.NONE:
        raise KeyUnavailable("the platform holds no key for this certificate")
    return get(certificate.key_backend).signer(certificate)

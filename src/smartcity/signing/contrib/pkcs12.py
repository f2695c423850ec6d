"""Keys in PKCS#12 files, opened with pyHanko's ``SimpleSigner.load_pkcs12``.

An opened signer is kept per process (keyed by the certificate's fingerprint and the file's path and mtime), so a
busy desk does not pay the file's decryption on every signature; revocation is checked in the database before each
use, never cached.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from pyhanko.sign.signers import SimpleSigner

from smartcity.signing import keystores, pki
from smartcity.signing.models import Certificate

_cache: dict[tuple[str, str, int], SimpleSigner] = {}
_keys: dict[tuple[str, str, int], tuple[pki.PrivateKey, list]] = {}
_lock = threading.Lock()


def path_of(certificate: Certificate) -> Path:
    """``key_location`` is a path, relative to SMARTCITY_SIGNING_DIR unless absolute."""
    path = Path(certificate.key_location)
    return path if path.is_absolute() else Path(settings.SMARTCITY_SIGNING_DIR) / path


def load(certificate: Certificate) -> SimpleSigner:
    path = path_of(certificate)
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        raise keystores.KeyUnavailable(f"key file {path} is missing") from None
    cache_key = (certificate.fingerprint, str(path), mtime)
    with _lock:
        cached = _cache.get(cache_key)
    if cached is not None:
        return cached
    signer = SimpleSigner.load_pkcs12(str(path), passphrase=keystores.secret(certificate), prefer_pss=False)
    if signer is None:  # pyHanko logs the cause (a wrong passphrase, a damaged file) and returns None
        raise keystores.KeyUnavailable(f"cannot open key file {path} (wrong passphrase or damaged file)")
    if signer.signing_cert.sha256.hex() != certificate.fingerprint:
        raise keystores.KeyUnavailable(f"key file {path} holds another certificate")
    with _lock:
        _cache[cache_key] = signer
    return signer


def private_key(certificate: Certificate) -> tuple[pki.PrivateKey, list]:
    """The key itself (the demo CA signs certificates and CRLs with it), cached like the signers."""
    path = path_of(certificate)
    try:
        cache_key = (certificate.fingerprint, str(path), path.stat().st_mtime_ns)
        with _lock:
            cached = _keys.get(cache_key)
        if cached is not None:
            return cached
        key, cert, chain = pki.read_pkcs12(path.read_bytes(), keystores.secret(certificate))
    except OSError:
        raise keystores.KeyUnavailable(f"key file {path} is missing") from None
    except ValueError:
        raise keystores.KeyUnavailable(f"cannot open key file {path} (wrong passphrase or damaged file)") from None
    if pki.fingerprint(cert) != certificate.fingerprint:
        raise keystores.KeyUnavailable(f"key file {path} holds another certificate")
    with _lock:
        _keys[cache_key] = (key, chain)
    return key, chain


@keystores.register
class Pkcs12Store(keystores.KeyStore):
    name = "pkcs12"

    @contextmanager
    def signer(self, certificate: Certificate) -> Iterator[SimpleSigner]:
        yield load(certificate)

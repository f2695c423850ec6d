"""The key-store registry: the contrib back-ends register themselves by name; an unknown name is refused."""

from __future__ import annotations

import pytest

from smartcity.signing import keystores
from smartcity.signing.contrib.pkcs11 import Pkcs11Store
from smartcity.signing.contrib.pkcs12 import Pkcs12Store
from smartcity.signing.models import KeyBackend


def test_every_key_backend_has_its_registered_store():
    assert isinstance(keystores.get(KeyBackend.PKCS12), Pkcs12Store)
    assert isinstance(keystores.get(KeyBackend.PKCS11), Pkcs11Store)


def test_an_unknown_store_is_unavailable():
    with pytest.raises(keystores.KeyUnavailable, match="no key store 'vault'"):
        keystores.get("vault")


def test_a_name_cannot_be_registered_twice():
    with pytest.raises(ValueError, match="taken"):
        keystores.register(type("Again", (keystores.KeyStore,), {"name": "pkcs12"}))
    assert isinstance(keystores.get("pkcs12"), Pkcs12Store)

"""Keys inside an HSM or token, through pyHanko's PKCS#11 signer (``pyhanko.sign.pkcs11``).

``key_location`` reads ``token=<token label>;key=<key label>`` (optionally ``;slot=<n>``, and ``;raw=0`` to use
the token's hash-and-sign mechanisms rather than raw ECDSA/RSA over our digest); the PIN comes from the
environment variable in ``key_secret`` (``env:NAME``); the module is ``SMARTCITY_PKCS11_MODULE``. The certificate is
the one in our database (so the token needs to hold only the key). A session is opened for each signature and
closed after it: sessions are not shared between threads or forked workers.

``python-pkcs11`` is optional (``pip install python-pkcs11``): without it, using such a certificate raises
``KeyUnavailable`` with the install hint.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from pyhanko.sign.signers import Signer

from smartcity.signing import keystores, pki
from smartcity.signing.models import Certificate


def parse_location(location: str) -> dict[str, str]:
    parts = dict(item.split("=", 1) for item in location.split(";") if "=" in item)
    if not parts.get("token") or not parts.get("key"):
        raise keystores.KeyUnavailable("PKCS#11 key location must read token=<label>;key=<label>")
    return parts


def location(*, token: str, key: str, slot: int | None = None, raw: bool = True) -> str:
    for value in (token, key):
        if not value or ";" in value or "=" in value:
            raise ValueError("token and key labels must be non-empty and contain no ';' or '='")
    return f"token={token};key={key}" + (f";slot={slot}" if slot is not None else "") + ("" if raw else ";raw=0")


def _module() -> str:
    module = settings.SMARTCITY_PKCS11_MODULE
    if not module:
        raise keystores.KeyUnavailable("SMARTCITY_PKCS11_MODULE (the PKCS#11 .so of the HSM/token) is not set")
    return module


def open_session(where: dict[str, str], pin: bytes | None):
    try:
        from pkcs11 import PKCS11Error
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign.pkcs11 import open_pkcs11_session
    except ImportError:
        raise keystores.KeyUnavailable("PKCS#11 needs the python-pkcs11 package: pip install python-pkcs11") from None
    try:
        return open_pkcs11_session(_module(), slot_no=int(where["slot"]) if where.get("slot") else None,
                                   token_criteria=TokenCriteria(label=where["token"]),
                                   user_pin=pin.decode() if pin is not None else None)
    except (PKCS11Error, OSError) as exc:  # a missing module, an absent token, a wrong PIN
        raise keystores.KeyUnavailable(f"PKCS#11: {exc.__class__.__name__} {exc}".strip()) from None


def read_certificate(*, token: str, label: str, pin: bytes | None, slot: int | None = None):
    """The X.509 certificate stored on the token under ``label`` (production tokens hold theirs)."""
    from pkcs11 import Attribute, ObjectClass
    from pyhanko.sign.pkcs11 import PKCS11Error as PyHankoPKCS11Error

    where = {"token": token, "key": label, **({"slot": str(slot)} if slot is not None else {})}
    session = open_session(where, pin)
    try:
        found = list(session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.LABEL: label}))
        if len(found) != 1:
            raise keystores.KeyUnavailable(f"the token holds {len(found)} certificates labelled {label!r}")
        from cryptography import x509

        return x509.load_der_x509_certificate(found[0][Attribute.VALUE])
    except PyHankoPKCS11Error as exc:
        raise keystores.KeyUnavailable(str(exc)) from None
    finally:
        session.close()


@keystores.register
class Pkcs11Store(keystores.KeyStore):
    name = "pkcs11"

    @contextmanager
    def signer(self, certificate: Certificate) -> Iterator[Signer]:
        from pyhanko.sign.pkcs11 import PKCS11Signer

        where = parse_location(certificate.key_location)
        pin = keystores.secret(certificate) if certificate.key_secret else None
        session = open_session(where, pin)
        chain = []
        issuer = certificate.issuer_certificate
        if issuer is not None:
            chain.append(pki.to_asn1(pki.load_pem(issuer.pem)))
        try:
            # Raw mechanisms (CKM_ECDSA, CKM_RSA_PKCS over a digest we compute) work on every token we know of,
            # SoftHSM included; ";raw=0" in the location asks for the token's hash-and-sign mechanisms instead.
            yield PKCS11Signer(session, key_label=where["key"], signing_cert=pki.to_asn1(pki.load_pem(certificate.pem)),
                               ca_chain=chain, other_certs_to_pull=(), use_raw_mechanism=where.get("raw", "1") != "0")
        finally:
            session.close()

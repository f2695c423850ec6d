"""RFC 3161 timestamps: the client our signatures use, and the demo CA's own timestamp authority.

``SMARTCITY_TSA_URL`` chooses: empty — no timestamp (the signing time is the signer's claim); ``demo`` — the demo
CA's timestamp authority, in process; an ``http(s)://`` URL — an RFC 3161 server over HTTP (the demo's is at
``/chu-ky-so/tsa/``). A configured authority that does not answer makes signing fail rather than silently sign
without a timestamp.

The demo authority answers with pyHanko's ``DummyTimeStamper`` (it signs every request with the certificate it is
given; RSA only), using the demo CA's TSA certificate and key.
"""

from __future__ import annotations

import threading

from asn1crypto import tsp
from django.conf import settings
from pyhanko.sign.timestamps import DummyTimeStamper, TimeStamper
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from smartcity.signing import pki
from smartcity.signing.contrib import pkcs12
from smartcity.signing.models import Certificate, Kind

_demo: dict[str, DummyTimeStamper] = {}
_http: dict[tuple[str, int], RequestsHTTPTimeStamper] = {}
_lock = threading.Lock()


class NoAuthority(Exception):
    """The demo timestamp authority is asked for, but the demo CA is off or has no TSA certificate."""


def demo_authority() -> DummyTimeStamper:
    if not settings.SMARTCITY_SIGNING_DEMO_CA:
        raise NoAuthority("the demo CA is disabled (SMARTCITY_SIGNING_DEMO_CA)")
    cert = Certificate.objects.filter(kind=Kind.TSA).usable().select_related("issuer_certificate").first()
    if cert is None:
        raise NoAuthority("the demo CA has no timestamp authority certificate: run `smartcity signing demo-ca`")
    with _lock:
        stamper = _demo.get(cert.fingerprint)
    if stamper is None:
        key, _chain = pkcs12.private_key(cert)
        chain = [pki.to_asn1(pki.load_pem(cert.issuer_certificate.pem))] if cert.issuer_certificate else []
        stamper = DummyTimeStamper(tsa_cert=pki.to_asn1(pki.load_pem(cert.pem)), tsa_key=pki.key_to_asn1(key),
                                   certs_to_embed=SimpleCertificateStore.from_certs(chain))
        with _lock:
            _demo[cert.fingerprint] = stamper
    return stamper


def timestamper() -> TimeStamper | None:
    url = settings.SMARTCITY_TSA_URL
    if not url:
        return None
    if url == "demo":
        return demo_authority()
    key = (url, settings.SMARTCITY_TSA_TIMEOUT)
    with _lock:
        # Kept per URL: pyHanko sizes the signature with one "dummy" request per client and caches the answer.
        if key not in _http:
            _http[key] = RequestsHTTPTimeStamper(url, timeout=settings.SMARTCITY_TSA_TIMEOUT)
        return _http[key]


def respond(request_der: bytes, authority: DummyTimeStamper | None = None) -> bytes:
    """The demo authority's DER ``TimeStampResp`` to a DER ``TimeStampReq``; ``ValueError`` for a malformed one."""
    try:
        request = tsp.TimeStampReq.load(request_der)
        request.native  # noqa: B018 — parses the whole structure, so a malformed request fails here
        if request["version"].native != "v1":
            raise ValueError("unsupported TimeStampReq version")
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"malformed timestamp request: {exc}") from None
    return (authority or demo_authority()).request_tsa_response(request).dump()

"""Helpers of the sign-in tests: a browser's view of forms, and JWTs read or signed for tampering."""

from __future__ import annotations

import base64
import json
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.adapters
from django.conf import settings
from joserfc import jwt
from joserfc.jwk import RSAKey
from requests.structures import CaseInsensitiveDict

IDP_PASSWORD = "vneid-demo-2026"  # what the demo loader gives the demo citizens


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            named = dict(attrs)
            if named.get("name") and named.get("type") not in {"submit", "button"}:
                self.values[str(named["name"])] = named.get("value") or ""


def form_inputs(html: str) -> dict[str, str]:
    """The named inputs of a page (hidden fields and the CSRF token among them), as a browser would post them."""
    parser = _Inputs()
    parser.feed(html)
    return parser.values


def sign_in_at_idp(browser: requests.Session, page: requests.Response, *, id_number: str,
                   password: str = IDP_PASSWORD, follow: bool = True) -> requests.Response:
    """Fill in the provider's sign-in page the browser is on, and submit it."""
    assert "/idp/login/" in page.url, page.url
    fields = form_inputs(page.text) | {"id_number": id_number, "password": password}
    return browser.post(page.url, data=fields, allow_redirects=follow, timeout=10)


def _b64json(part: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and the claims of a JWT, read without checking anything (to tamper with them)."""
    header, payload, _signature = token.split(".")
    return _b64json(header), _b64json(payload)


def provider_key() -> RSAKey:
    """The development provider's signing key."""
    return RSAKey.import_key(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"])


def sign(claims: dict[str, Any], key: RSAKey, *, kid: str | None = None) -> str:
    return jwt.encode({"alg": "RS256", "typ": "JWT", "kid": kid or key.thumbprint()}, claims, key)


class DjangoTransport(requests.adapters.BaseAdapter):
    """A ``requests`` transport that hands requests to the Django app in this thread (``django.test.Client``).

    The portal's back-channel calls (discovery, JWKS, token, userinfo) then reach the development provider without
    a server or a socket, inside the test's own transaction.
    """

    def __init__(self) -> None:
        super().__init__()
        from django.test import Client

        self.client = Client()

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = urlsplit(request.url or "")
        headers = {
            "HTTP_" + name.upper().replace("-", "_"): value
            for name, value in request.headers.items()
            if name.lower() not in {"content-type", "content-length", "host"}
        }
        body = request.body or b""
        answer = self.client.generic(
            request.method or "GET", f"{url.path}?{url.query}" if url.query else url.path,
            data=body.encode() if isinstance(body, str) else body,
            content_type=request.headers.get("Content-Type", ""), **headers,
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = CaseInsensitiveDict(dict(answer.items()))
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass

"""Fixtures of the sign-in tests: the development identity provider on a live server, and token tampering.

Live-server tests run in transactions that are emptied afterwards (the server thread must see committed rows); the
shared conftest reloads Hà Nội's units and agencies when a previous test emptied them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import requests.adapters
from authlib.integrations.requests_client import OAuth2Session
from django.core.cache import cache

from smartcity.identity import services
from smartcity.identity.tests.helpers import DjangoTransport, unverified


@pytest.fixture(autouse=True)
def _database(db: None) -> None:
    """Every sign-in test uses the database."""


@dataclass(frozen=True)
class Idp:
    url: str  # the live server
    issuer: str

    def discovery(self) -> dict[str, Any]:
        return requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=10).json()


@pytest.fixture
def idp(live_server: Any, settings: Any) -> Iterator[Idp]:
    """The development provider on a live server, with the portal registered there and pointed at it."""
    if not settings.OAUTH2_PROVIDER.get("OIDC_RSA_PRIVATE_KEY"):
        pytest.skip("the development identity provider has no signing key (DEV_IDP_ENABLED is off)")
    settings.OIDC_ISSUER = f"{live_server.url}/idp"
    services.ensure_demo_client(live_server.url)
    cache.clear()  # discovery documents and JWKS the portal cached
    yield Idp(url=live_server.url, issuer=f"{live_server.url}/idp")
    cache.clear()


@pytest.fixture
def browser() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture
def tampered_id_token(monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable[[dict[str, Any], str], str]], None]:
    """Make the token response the portal receives carry another ID token.

    ``install(change)``: ``change(claims, kid)`` gets the genuine ID token's claims and key id and returns the token
    to put in its place. Everything else — state, code, PKCE, the provider's token endpoint — stays real.
    """

    def install(change: Callable[[dict[str, Any], str], str]) -> None:
        genuine_fetch_token = OAuth2Session.fetch_token

        def fetch_token(self: OAuth2Session, *args: Any, **kwargs: Any) -> Any:
            token = genuine_fetch_token(self, *args, **kwargs)
            header, claims = unverified(token["id_token"])
            token["id_token"] = change(claims, header["kid"])
            return token

        monkeypatch.setattr(OAuth2Session, "fetch_token", fetch_token)

    return install


@pytest.fixture
def idp_in_process(settings: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """The development provider reached in-process at http://testserver/idp (no live server, no transaction flush).

    The portal is registered for http://testserver and pointed at the provider; its HTTP calls to testserver go
    through ``DjangoTransport``. Returns the issuer.
    """
    if not settings.OAUTH2_PROVIDER.get("OIDC_RSA_PRIVATE_KEY"):
        pytest.skip("the development identity provider has no signing key (DEV_IDP_ENABLED is off)")
    settings.OIDC_ISSUER = "http://testserver/idp"
    services.ensure_demo_client("http://testserver")
    transport = DjangoTransport()
    genuine_get_adapter = requests.Session.get_adapter

    def get_adapter(self: requests.Session, url: str) -> requests.adapters.BaseAdapter:
        return transport if url.startswith("http://testserver/") else genuine_get_adapter(self, url)

    monkeypatch.setattr(requests.Session, "get_adapter", get_adapter)
    cache.clear()
    return "http://testserver/idp"

"""The portal as an OpenID Connect relying party: how it talks to VNeID (or the bundled development provider).

Authorization code flow with PKCE (S256), a fresh ``state`` and ``nonce`` per sign-in, through authlib's
``OAuth2Session``. The ID token is verified as OpenID Connect Core 1.0 §3.1.3.7 asks — RS256 signature against the
provider's JWKS, ``iss`` equal to the configured issuer, ``aud`` our client id, ``exp``/``iat``, ``nonce``,
``at_hash`` — with joserfc, the JOSE library authlib itself uses. Nothing here writes to the database: what a verified
identity means for accounts is decided in ``services.py``.

The discovery document and the JWKS are cached for a few minutes (an unknown ``kid`` refreshes the JWKS at once, so
a key rotation at the provider is picked up on the next sign-in).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

HTTP_TIMEOUT = 10  # seconds, for every call to the provider
CACHE_SECONDS = 300
CLOCK_LEEWAY = 60  # seconds of clock skew tolerated on exp/iat
SIGNING_ALGORITHMS = ["RS256"]  # what VNeID and the development provider sign with; never "none" or HS256
SCOPE = "openid profile id_number"


class ProviderError(Exception):
    """The sign-in cannot go on: ``reason`` is a short code for the audit log, ``message`` is for the citizen."""

    def __init__(self, reason: str, message: str, *, status: int = 400) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    id_number_claim: str

    @classmethod
    def from_settings(cls) -> Provider:
        return cls(
            issuer=settings.OIDC_ISSUER.rstrip("/"),
            client_id=settings.OIDC_CLIENT_ID,
            client_secret=settings.OIDC_CLIENT_SECRET,
            id_number_claim=settings.OIDC_ID_NUMBER_CLAIM,
        )

    def session(self, redirect_uri: str | None = None, token: dict[str, Any] | None = None) -> OAuth2Session:
        return OAuth2Session(
            client_id=self.client_id,
            client_secret=self.client_secret,
            scope=SCOPE,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic",
            token=token,
        )


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str
    state: str
    nonce: str
    code_verifier: str


def _cache_key(kind: str, issuer: str) -> str:
    return f"identity:oidc:{kind}:{hashlib.sha256(issuer.encode()).hexdigest()[:32]}"


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        body = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderError(
            "provider_unreachable", _("Không kết nối được với nhà cung cấp định danh. Vui lòng thử lại sau."), status=502
        ) from exc
    if not isinstance(body, dict):
        raise ProviderError("provider_unreachable", _("Nhà cung cấp định danh trả lời không hợp lệ."), status=502)
    return body


def metadata(provider: Provider) -> dict[str, Any]:
    """The provider's discovery document; its ``issuer`` must be the configured one (OIDC Discovery §4.3)."""
    key = _cache_key("metadata", provider.issuer)
    document = cache.get(key)
    if document is None:
        document = _get_json(f"{provider.issuer}/.well-known/openid-configuration")
        if document.get("issuer", "").rstrip("/") != provider.issuer:
            raise ProviderError("issuer_mismatch", _("Cấu hình nhà cung cấp định danh không khớp."), status=502)
        cache.set(key, document, CACHE_SECONDS)
    return document


def _key_set(provider: Provider, *, refresh: bool = False) -> KeySet:
    key = _cache_key("jwks", provider.issuer)
    jwks = None if refresh else cache.get(key)
    if jwks is None:
        jwks = _get_json(metadata(provider)["jwks_uri"])
        cache.set(key, jwks, CACHE_SECONDS)
    return KeySet.import_key_set(jwks)  # type: ignore[arg-type]  # a JWKS document from the provider


def authorization_request(provider: Provider, redirect_uri: str) -> AuthorizationRequest:
    """Where to send the browser, with a fresh state, nonce and PKCE verifier to keep until the callback."""
    endpoint = metadata(provider)["authorization_endpoint"]
    code_verifier, nonce = generate_token(48), generate_token(24)
    url, state = provider.session(redirect_uri).create_authorization_url(
        endpoint, code_verifier=code_verifier, nonce=nonce
    )
    return AuthorizationRequest(url=url, state=state, nonce=nonce, code_verifier=code_verifier)


def exchange_code(provider: Provider, *, code: str, code_verifier: str, redirect_uri: str) -> dict[str, Any]:
    """The token response for an authorization code (back channel, client authenticated, PKCE verifier sent)."""
    endpoint = metadata(provider)["token_endpoint"]
    try:
        token = provider.session(redirect_uri).fetch_token(
            endpoint, grant_type="authorization_code", code=code, code_verifier=code_verifier, timeout=HTTP_TIMEOUT
        )
    except OAuthError as exc:
        raise ProviderError("token_refused", _("Nhà cung cấp định danh từ chối mã xác thực. Vui lòng đăng nhập lại.")) from exc
    except requests.RequestException as exc:
        raise ProviderError(
            "provider_unreachable", _("Không kết nối được với nhà cung cấp định danh. Vui lòng thử lại sau."), status=502
        ) from exc
    if not token.get("id_token"):
        raise ProviderError("no_id_token", _("Nhà cung cấp định danh không trả về thẻ định danh (ID token)."))
    return dict(token)


def verify_id_token(provider: Provider, id_token: str, *, nonce: str, access_token: str | None) -> dict[str, Any]:
    """The ID token's claims once its signature and every required claim check out; ``ProviderError`` otherwise."""
    try:
        try:
            decoded = jwt.decode(id_token, _key_set(provider), algorithms=SIGNING_ALGORITHMS)
        except InvalidKeyIdError:
            decoded = jwt.decode(id_token, _key_set(provider, refresh=True), algorithms=SIGNING_ALGORITHMS)
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            options={
                "iss": {"essential": True, "value": provider.issuer},
                "aud": {"essential": True, "value": provider.client_id},
                "sub": {"essential": True},
            },
            params={"nonce": nonce, "client_id": provider.client_id, "access_token": access_token},
        )
        claims.validate(leeway=CLOCK_LEEWAY)
    except JoseError as exc:
        if isinstance(exc, ExpiredTokenError):
            raise ProviderError("id_token_expired", _("Phiên xác thực đã hết hạn. Vui lòng đăng nhập lại.")) from exc
        raise ProviderError(
            "id_token_invalid",
            _("Thẻ định danh (ID token) không hợp lệ: chữ ký hoặc thông tin xác thực không đúng."),
        ) from exc
    return dict(claims)


def userinfo(provider: Provider, access_token: str) -> dict[str, Any]:
    """The UserInfo response (for providers that release the ID number there rather than in the ID token)."""
    endpoint = metadata(provider).get("userinfo_endpoint")
    if not endpoint:
        return {}
    try:
        response = provider.session(token={"access_token": access_token, "token_type": "Bearer"}).get(
            endpoint, timeout=HTTP_TIMEOUT
        )
        response.raise_for_status()
        body = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderError(
            "provider_unreachable", _("Không kết nối được với nhà cung cấp định danh. Vui lòng thử lại sau."), status=502
        ) from exc
    return body if isinstance(body, dict) else {}

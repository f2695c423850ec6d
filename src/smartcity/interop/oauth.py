"""The gateway's OAuth 2.0 authorization server: the client credentials grant (RFC 6749 §4.4) only.

Why a small one of our own rather than django-oauth-toolkit's token endpoint: the toolkit's server class is one
global setting, which the development identity provider (``identity/idp.py``, mounted only with DEV_IDP_ENABLED)
narrows to authorization code + PKCE on purpose; the toolkit has no private_key_jwt client authentication; and
this server must run in production whatever DEV_IDP_ENABLED says. What it needs is ~150 lines: check the client,
mint a short-lived opaque token, store only its SHA-256, answer RFC 6749 §5.1/§5.2 bodies.

Client authentication (RFC 8414 ``token_endpoint_auth_methods_supported``): ``client_secret_basic``,
``client_secret_post`` and ``private_key_jwt`` (RFC 7523 §2.2: an assertion signed with the client's registered
key, ``aud`` the token endpoint, ``exp`` within INTEROP_ASSERTION_MAX_SECONDS, a ``jti`` used once — a replayed
assertion is refused). Tokens live INTEROP_TOKEN_SECONDS (default 300 s); an expired or revoked token is refused.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from jwcrypto import jwk, jws, jwt

from smartcity.interop.models import AccessToken, AuthMethod, ClientSystem, UsedAssertion

#: The scope of the data-sharing gateway; ``api.read``/``api.write`` are the e-government API (``middleware``).
GATEWAY_SCOPE = "interop"
API_READ, API_WRITE = "api.read", "api.write"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class OAuthError(Exception):
    """An RFC 6749 §5.2 error: ``error`` code, description, HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


@dataclass(frozen=True)
class Issued:
    access_token: str
    expires_in: int
    scopes: list[str]


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_endpoint_url() -> str:
    return f"{settings.INTEROP_ISSUER}/interop/oauth/token"


def metadata() -> dict[str, object]:
    """RFC 8414 authorization server metadata."""
    issuer = settings.INTEROP_ISSUER
    return {
        "issuer": issuer,
        "token_endpoint": token_endpoint_url(),
        "revocation_endpoint": f"{issuer}/interop/oauth/revoke",
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": [m.value for m in AuthMethod],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256", "PS256"],
        "revocation_endpoint_auth_methods_supported": [m.value for m in AuthMethod],
        "scopes_supported": [GATEWAY_SCOPE, API_READ, API_WRITE],
        "response_types_supported": [],
        "service_documentation": f"{issuer}/api/v1/docs#/interop",
    }


def allowed_scopes(client: ClientSystem) -> list[str]:
    return [GATEWAY_SCOPE, *[s for s in client.api_scopes if s in (API_READ, API_WRITE)]]


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def secret_digest(secret: str) -> str:
    # Secrets are 256 random bits we generate, so a plain SHA-256 is enough (no password stretching needed).
    return digest(secret)


def _client(client_id: str) -> ClientSystem:
    client = ClientSystem.objects.filter(client_id=client_id[:80], is_active=True).first()
    if client is None:
        raise OAuthError("invalid_client", "Ứng dụng không tồn tại hoặc đã bị khóa (unknown or disabled client)", 401)
    return client


def _basic(header: str) -> tuple[str, str] | None:
    if not header.startswith("Basic "):
        return None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        raise OAuthError("invalid_client", "Tiêu đề Authorization không đọc được (malformed Basic header)", 401) from None
    client_id, _, secret = raw.partition(":")
    from urllib.parse import unquote_plus

    return unquote_plus(client_id), unquote_plus(secret)


def _check_secret(client: ClientSystem, secret: str, method: str) -> None:
    if client.auth_method != method or not client.secret_hash or not hmac.compare_digest(
        client.secret_hash, secret_digest(secret)
    ):
        raise OAuthError("invalid_client", "Sai thông tin xác thực ứng dụng (client authentication failed)", 401)


def _check_assertion(assertion: str, client_id: str | None) -> ClientSystem:
    """RFC 7523 §3: signature by the client's key, iss = sub = client_id, aud = our token endpoint, not expired, jti
    once."""
    if len(assertion) > 8000:
        raise OAuthError("invalid_client", "client_assertion quá dài (too long)", 401)
    try:
        token = jws.JWS()
        token.deserialize(assertion)
        claims = json.loads(base64.urlsafe_b64decode(assertion.split(".")[1] + "==").decode())
    except Exception:  # noqa: BLE001 — any unreadable assertion is the client's fault
        raise OAuthError("invalid_client", "client_assertion không đọc được (malformed assertion)", 401) from None
    iss = str(claims.get("iss", ""))
    if client_id and client_id != iss:
        raise OAuthError("invalid_client", "client_id khác iss của client_assertion (client_id mismatch)", 401)
    client = _client(iss)
    if client.auth_method != AuthMethod.PRIVATE_KEY_JWT or not client.jwks:
        raise OAuthError("invalid_client", "Ứng dụng không đăng ký private_key_jwt (method not allowed)", 401)
    try:
        keys = jwk.JWKSet.from_json(json.dumps(client.jwks))
        verified = jwt.JWT(jwt=assertion, key=keys, algs=["RS256", "ES256", "PS256"],
                           check_claims={"iss": client.client_id, "sub": client.client_id,
                                         "aud": token_endpoint_url(), "exp": None, "jti": None})
        claims = json.loads(verified.claims)
    except Exception:  # noqa: BLE001 — bad signature, wrong audience, expired: all invalid_client
        raise OAuthError("invalid_client", "client_assertion sai chữ ký, sai đối tượng nhận hoặc đã hết hạn "
                         "(bad signature, audience or expired assertion)", 401) from None
    now = timezone.now()
    exp = dt.datetime.fromtimestamp(int(claims["exp"]), tz=dt.UTC)
    if exp - now > dt.timedelta(seconds=settings.INTEROP_ASSERTION_MAX_SECONDS):
        raise OAuthError("invalid_client", "client_assertion có hạn quá xa (exp too far ahead)", 401)
    try:
        with transaction.atomic():
            UsedAssertion.objects.create(client=client, jti=str(claims["jti"])[:200], expires_at=exp)
    except IntegrityError:
        raise OAuthError("invalid_client", "client_assertion đã được dùng (replayed assertion: jti seen)", 401) from None
    return client


def authenticate_client(form: dict[str, str], authorization: str) -> ClientSystem:
    basic = _basic(authorization or "")
    if basic is not None:
        client = _client(basic[0])
        _check_secret(client, basic[1], AuthMethod.SECRET_BASIC)
        return client
    if form.get("client_assertion_type") == JWT_BEARER and form.get("client_assertion"):
        return _check_assertion(form["client_assertion"], form.get("client_id") or None)
    if form.get("client_id") and form.get("client_secret"):
        client = _client(form["client_id"])
        _check_secret(client, form["client_secret"], AuthMethod.SECRET_POST)
        return client
    raise OAuthError("invalid_client", "Thiếu thông tin xác thực ứng dụng (no client authentication)", 401)


def issue_token(form: dict[str, str], authorization: str) -> Issued:
    if form.get("grant_type") != "client_credentials":
        raise OAuthError("unsupported_grant_type", "Chỉ hỗ trợ grant_type=client_credentials")
    client = authenticate_client(form, authorization)
    allowed = allowed_scopes(client)
    asked = (form.get("scope") or "").split()
    if any(s not in allowed for s in asked):
        raise OAuthError("invalid_scope", f"Phạm vi không được cấp cho ứng dụng này (allowed: {' '.join(allowed)})")
    scopes = asked or allowed
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    lifetime = settings.INTEROP_TOKEN_SECONDS
    AccessToken.objects.create(token_hash=digest(token), client=client, scopes=scopes, issued_at=now,
                               expires_at=now + dt.timedelta(seconds=lifetime))
    return Issued(token, lifetime, scopes)


def revoke_token(form: dict[str, str], authorization: str) -> None:
    """RFC 7009: the client's own token stops working at once; an unknown token is not an error."""
    client = authenticate_client(form, authorization)
    AccessToken.objects.filter(token_hash=digest(form.get("token", "")), client=client,
                               revoked_at__isnull=True).update(revoked_at=timezone.now())


@dataclass(frozen=True)
class Bearer:
    client: ClientSystem
    scopes: list[str]


class TokenRefused(Exception):
    pass


def check_bearer(header: str) -> Bearer:
    """The client behind ``Authorization: Bearer …``; ``TokenRefused`` for a missing, unknown, expired or revoked
    token or a disabled client."""
    if not header.startswith("Bearer ") or len(header) > 300:
        raise TokenRefused("Thiếu mã truy cập Bearer (missing bearer token)")
    row = (AccessToken.objects.select_related("client").filter(token_hash=digest(header[7:].strip())).first())
    if row is None:
        raise TokenRefused("Mã truy cập không hợp lệ (unknown token)")
    if row.revoked_at is not None:
        raise TokenRefused("Mã truy cập đã bị thu hồi (revoked token)")
    if row.expires_at <= timezone.now():
        raise TokenRefused("Mã truy cập đã hết hạn (expired token)")
    if not row.client.is_active:
        raise TokenRefused("Ứng dụng đã bị khóa (client disabled)")
    return Bearer(row.client, list(row.scopes))


def purge_expired() -> int:
    """Expired tokens and assertion jtis past their expiry (a replay after it fails on ``exp`` anyway)."""
    now = timezone.now()
    tokens, _ = AccessToken.objects.filter(expires_at__lt=now - dt.timedelta(days=1)).delete()
    used, _ = UsedAssertion.objects.filter(expires_at__lt=now).delete()
    return tokens + used

"""Rate limits on what a caller can do without an account, and on guessing at sign-in, kept in the cache.

Counting is django-ratelimit's (``get_usage``): fixed windows in the shared cache (Redis in production, the file
cache in the demo), one counter per limit name and key. Each limit is a setting, ``RATE_LIMITS[name]``, in
django-ratelimit's notation (``"20/15m"``: twenty per fifteen minutes; an empty value switches the limit off), so a
city and the tests can tune them (docs/configuration.md, "Rate limits").

Two ways to count:

* ``limit(request, name)`` counts one request and raises ``RateLimited`` (429) past the limit: tracking, share
  links, signature verification, subscriptions — whatever an anonymous caller may repeat.
* ``exceeded(name, key)`` / ``count_failure(name, key)`` count only failures (a wrong password): the limit refuses
  further attempts once ``count`` failures are in the window; successes cost nothing.

The client address is ``REMOTE_ADDR``; ``X-Forwarded-For`` is believed only from a proxy listed in
``TRUSTED_PROXIES`` (never blindly: any client can send the header).

Anonymous callers must not grow the audit log at will: a refusal by a limit is audited once per window
(``first_refusal``), never per request.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django_ratelimit.core import get_usage
from ninja.decorators import decorate_view

from smartcity.lib.errors import ServiceError

F = TypeVar("F", bound=Callable[..., Any])

MESSAGE = "Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn. Vui lòng thử lại sau %(n)d giây."


class RateLimited(ServiceError):
    """Too many requests (or failures) from one caller: 429 with ``Retry-After``."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str | None = None, *, retry_after: int, field: str | None = None) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(message or MESSAGE % {"n": self.retry_after}, field=field)


# ------------------------------------------------------------------------------------------------ the caller


def client_address(request: HttpRequest) -> str:
    """The caller's address as the limits count it: ``REMOTE_ADDR``, or behind a proxy in ``TRUSTED_PROXIES`` the
    right-most address of ``X-Forwarded-For`` that is not one of those proxies (each proxy appends the address it
    saw). An IPv6 address counts by its /64 (``RATELIMIT_IPV6_MASK``), the prefix one subscriber gets: otherwise one
    machine would have 2^64 addresses to spread its guesses over."""
    remote = (request.META.get("REMOTE_ADDR") or "").strip()
    trusted = _trusted_networks()
    if trusted and _is_trusted(remote, trusted):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        for candidate in reversed(forwarded):
            if not _is_trusted(candidate, trusted):
                if _valid_ip(candidate):
                    remote = candidate
                break
    return _bucket(remote) if remote else "unknown"


def _bucket(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped:  # ::ffff:1.2.3.4 on a dual-stack socket is the IPv4 client
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        mask = int(getattr(settings, "RATELIMIT_IPV6_MASK", 64))
        return f"{ipaddress.ip_network(f'{ip}/{mask}', strict=False).network_address}/{mask}"
    return str(ip)


def _trusted_networks() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return _parse_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


@functools.lru_cache(maxsize=8)
def _parse_networks(items: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in items)


def _valid_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_trusted(value: str, networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    return any(address in network for network in networks)


# ------------------------------------------------------------------------------------------------ counting


def _rate(name: str) -> str | None:
    rate = (getattr(settings, "RATE_LIMITS", {}) or {}).get(name)
    return str(rate) if rate else None


def _usage(name: str, key: str, *, increment: bool, rate: str | None = None) -> dict[str, int] | None:
    rate = rate or _rate(name)
    if rate is None:
        return None
    digest = hashlib.sha256(key.encode()).hexdigest()  # keys may name accounts or e-mail addresses
    return get_usage(None, group=f"smartcity:{name}", key=lambda _group, _request: digest, rate=rate,
                     increment=increment)


def limit(request: HttpRequest, name: str, *, key: str | None = None) -> None:
    """Count one request of the caller (its address, or ``key``) against ``name``; ``RateLimited`` past the limit."""
    usage = _usage(name, key if key is not None else client_address(request), increment=True)
    if usage is not None and usage["should_limit"]:
        raise RateLimited(retry_after=usage["time_left"])


def exceeded(name: str, key: str, *, rate: str | None = None) -> int | None:
    """Seconds until ``key`` may try again if its failures have reached the limit ``name``; None if it may now.

    ``rate`` overrides ``RATE_LIMITS[name]`` (the sign-in limits come from their own settings)."""
    usage = _usage(name, key, increment=False, rate=rate)
    if usage is None or usage["count"] < usage["limit"]:
        return None
    return max(1, usage["time_left"])


def count_failure(name: str, key: str, *, rate: str | None = None) -> int | None:
    """One more failure (or other counted event: a message sent) of ``key``; the seconds the key is now held back if
    this one reached the limit, else None."""
    usage = _usage(name, key, increment=True, rate=rate)
    if usage is None or usage["count"] < usage["limit"]:
        return None
    return max(1, usage["time_left"])


def first_refusal(name: str, key: str, retry_after: int) -> bool:
    """Whether this is the first refusal of ``key`` by ``name`` in its window (audit that one, not every request)."""
    digest = hashlib.sha256(f"{name}:{key}".encode()).hexdigest()
    return bool(cache.add(f"smartcity:ratelimit:refused:{digest}", 1, timeout=max(1, retry_after)))


# ------------------------------------------------------------------------------------------------ answering


def rate_limited_response(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    """429 with ``Retry-After``: the API's JSON error body under /api/, a short Vietnamese page elsewhere."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(exc.as_dict(), status=429)
    else:
        response = HttpResponse(
            "<!doctype html><html lang=vi><meta charset=utf-8><meta name=viewport content='width=device-width'>"
            f"<title>Quá nhiều yêu cầu</title><h1>Quá nhiều yêu cầu</h1><p>{escape(exc.message)}</p>"
            "<p><a href='/'>Về trang chủ</a></p></html>", status=429)
    response["Retry-After"] = str(exc.retry_after)
    response["Cache-Control"] = "no-store"
    return response


def rate_limit(name: str, *, methods: tuple[str, ...] | None = None,
               when: Callable[[HttpRequest], bool] | None = None) -> Callable[[F], F]:
    """Limit a view or API operation per client address: ``methods`` (all when None) and ``when`` choose which
    requests count. A limited request gets ``rate_limited_response``; the view does not run."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if (methods is None or request.method in methods) and (when is None or when(request)):
                try:
                    limit(request, name)
                except RateLimited as exc:
                    return rate_limited_response(request, exc)
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def limit_operation(name: str) -> Callable[[F], F]:
    """``rate_limit`` for a django-ninja operation (put it under the route decorator). It wraps the operation's run,
    not the function, so ninja still reads the function's own signature and annotations."""
    return decorate_view(rate_limit(name))

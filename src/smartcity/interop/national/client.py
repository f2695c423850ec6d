"""HTTP to the national portal: one POST per outbox message (with its Idempotency-Key), one GET for the catalogue.
Timeouts and 5xx are ``Retryable``; other 4xx are ``Rejected`` (retrying cannot help)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings


class Retryable(Exception):
    pass


class Rejected(Exception):
    pass


def _request(method: str, path: str, body: dict[str, Any] | None = None, key: str = "") -> Any:
    """The answer's JSON; a 409 to a keyed POST means the portal has the message already, which is success."""
    base = settings.NATIONAL_PORTAL_URL.rstrip("/")
    if not base:
        raise Retryable("NATIONAL_PORTAL_URL chưa cấu hình (not configured)")
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json; charset=utf-8"
    if key:
        headers["Idempotency-Key"] = key
    if settings.NATIONAL_PORTAL_TOKEN:
        headers["Authorization"] = f"Bearer {settings.NATIONAL_PORTAL_TOKEN}"
    req = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=settings.NATIONAL_PORTAL_TIMEOUT) as resp:  # noqa: S310 — configured URL
            raw = resp.read(5_000_000)
    except urllib.error.HTTPError as exc:
        text = exc.read(300).decode("utf-8", "replace")
        if exc.code == 409 and key:
            return {"duplicate": True}  # the portal already has this Idempotency-Key: delivered before
        if exc.code >= 500 or exc.code in (408, 429):
            raise Retryable(f"HTTP {exc.code}: {text}") from None
        raise Rejected(f"HTTP {exc.code}: {text}") from None
    except (TimeoutError, urllib.error.URLError, OSError) as exc:
        raise Retryable(f"không kết nối được / hết thời gian chờ (unreachable or timed out): {exc}") from None
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        raise Retryable("trả lời không phải JSON (answer is not JSON)") from None


def post(path: str, body: dict[str, Any], *, key: str) -> Any:
    return _request("POST", path, body, key)


def get(path: str) -> Any:
    return _request("GET", path)

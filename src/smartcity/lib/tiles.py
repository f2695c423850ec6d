"""The city's map tile server, as configured (``SMARTCITY_MAP_TILE_URL``): checked once when the settings load, and
turned into the Content-Security-Policy source that lets the pages' ``<img>`` tiles through (``lib.headers``).

A tile URL is a Leaflet URL template: ``https://tiles.example/{z}/{x}/{y}.png``, optionally with a subdomain
placeholder as the host's first label (``https://{s}.tiles.example/{z}/{x}/{y}.png``, which becomes
``https://*.tiles.example`` in the policy) and ``{r}`` for retina tiles. Nothing else may vary in the host, and
nothing in the URL may break out of a policy directive (spaces, quotes, ``;`` or ``,``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_HOST = re.compile(r"^(\{s\}\.)?[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::[0-9]{1,5})?$")
_UNSAFE = re.compile(r"[\s'\";,\\<>]")


def tile_source(url: str) -> str:
    """The policy source (``scheme://host[:port]``) of the tile URL template ``url``; ``""`` for no tile server.
    A malformed template raises ``ValueError`` saying what is wrong."""
    url = url.strip()
    if not url:
        return ""
    if _UNSAFE.search(url):
        raise ValueError(f"map tile URL {url!r} contains a space, quote, comma, semicolon or backslash")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise ValueError(f"map tile URL {url!r} must start with https:// (or http://)")
    if parts.username or parts.password or not _HOST.match(parts.netloc):
        raise ValueError(f"map tile URL {url!r}: the host must be a plain name, optionally starting with {{s}}.")
    missing = [p for p in ("{z}", "{x}", "{y}") if p not in url]
    if missing:
        raise ValueError(f"map tile URL {url!r} lacks {', '.join(missing)}")
    host = parts.netloc.replace("{s}.", "*.", 1)
    return f"{parts.scheme}://{host}"


def with_image_source(policy: str, source: str) -> str:
    """``policy`` with ``source`` added to its ``img-src`` directive (created from ``default-src`` when absent)."""
    if not source:
        return policy
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    names = [d.split()[0].lower() for d in directives]
    if "img-src" in names:
        i = names.index("img-src")
        if source not in directives[i].split()[1:]:
            directives[i] = f"{directives[i]} {source}"
    else:
        default = directives[names.index("default-src")].split()[1:] if "default-src" in names else ["'self'"]
        directives.append(" ".join(["img-src", *[s for s in default if s != "'none'"], source]))
    return "; ".join(directives)

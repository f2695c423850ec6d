"""What every page's shell needs: the city's name, emblem and footer (settings), and what the menu offers the user.

``city()`` reads settings only, so the 500 page renders it without a request, a database or a user."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from smartcity.environment import services as environment


def city() -> dict[str, Any]:
    return {
        "name": settings.SMARTCITY_CITY_NAME,
        "government": settings.SMARTCITY_GOVERNMENT_NAME,
        "emblem": settings.SMARTCITY_CITY_EMBLEM,
        "emblem_is_url": settings.SMARTCITY_CITY_EMBLEM.startswith(("/", "http://", "https://")),
        "hotline": settings.SMARTCITY_HOTLINE,
        "addresses": settings.SMARTCITY_ONE_STOP_ADDRESSES,
        "source_url": settings.SMARTCITY_SOURCE_URL,
    }


# The warning strip is for everyone on these pages: the home page and the environment's public pages.
STRIP_PAGES = frozenset({"portal:home", "environment:index", "environment:station", "environment:warnings"})
# Never on these, not even for a subscriber: where people fill in a form, sign in or pay.
QUIET_NAMESPACES = frozenset({"identity", "payments", "admin", "idp", "oauth2_provider"})
QUIET_PAGES = frozenset({"dossiers:submit", "dossiers:desk", "dossiers:evaluate", "dossiers:operate",
                         "environment:subscribe", "vault:share"})


def show_environment_strip(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    if match.view_name in STRIP_PAGES:
        return True
    if match.namespace.split(":")[0] in QUIET_NAMESPACES or match.view_name in QUIET_PAGES:
        return False
    # A citizen who subscribed to warnings sees them on every other page too.
    return environment.has_subscription(getattr(request, "user", None))


def shell(request: HttpRequest) -> dict[str, Any]:
    return {"portal_city": city(), "show_environment_strip": SimpleLazyObject(lambda: show_environment_strip(request))}

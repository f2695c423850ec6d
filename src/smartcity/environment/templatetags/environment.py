"""``{% environment_warnings as w %}``: the open environmental warnings, for the site-wide banner."""

from __future__ import annotations

import logging
from typing import Any

from django import template

from smartcity.environment import services

register = template.Library()
log = logging.getLogger("smartcity.environment")


@register.simple_tag
def environment_warnings() -> list[dict[str, Any]]:
    # The banner is on every page: a failure to read warnings must not take the page down with it.
    try:
        return services.banner_warnings()
    except Exception:  # noqa: BLE001
        log.exception("could not read the open environmental warnings")
        return []

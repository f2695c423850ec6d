"""``{% environment_warnings as w %}``: the open environmental warnings for the warning strip, each with its
plain-language ``sentence`` and the ``key`` under which the browser remembers that the visitor closed it."""

from __future__ import annotations

import logging
from typing import Any

from django import template

from smartcity.environment import services
from smartcity.lib.svg.base import text_colour

register = template.Library()
log = logging.getLogger("smartcity.environment")


@register.simple_tag
def environment_warnings() -> list[dict[str, Any]]:
    # The strip sits on busy pages: a failure to read warnings must not take the page down with it.
    try:
        return [{**item, "sentence": services.strip_sentence(item), "key": f"smartcity.warning.{item['id']}"}
                for item in services.banner_warnings()]
    except Exception:  # noqa: BLE001
        log.exception("could not read the open environmental warnings")
        return []


@register.filter
def text_on(colour: str) -> str:
    """Black or white, whichever reads on a band's colour (a badge's text: WCAG contrast)."""
    return text_colour(colour or "")

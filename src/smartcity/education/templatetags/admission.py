"""``points``: a score kept in hundredths of a point, shown as Vietnamese people write it (38,25)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from smartcity.lib import formats

register = template.Library()


@register.filter
def points(value: int | None) -> str:
    return "—" if value is None else formats.number(Decimal(value) / 100, 2)

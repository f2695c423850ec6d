"""``{{ amount|vnd }}`` → "1.250.000 đ" (Vietnamese thousands separator)."""

from __future__ import annotations

from django import template

from smartcity.lib import formats

register = template.Library()


@register.filter
def vnd(amount: int | None) -> str:
    if amount is None or amount == "":
        return "—"
    return formats.money(int(amount))

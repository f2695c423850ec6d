"""``{% load vn_formats %}``: ``lib.formats`` as template filters, so a page never formats a date, a time or an
amount by hand: ``{{ d|vn_date }}`` → 07/12/2026, ``{{ t|vn_moment }}`` → 14:05 07/12/2026 (Hà Nội time),
``{{ n|vn_number }}`` → 1.234, ``{{ a|vn_money }}`` → 8.000 đ."""

from __future__ import annotations

from typing import Any

from django import template

from smartcity.lib import formats

register = template.Library()


@register.filter
def vn_date(value: Any) -> str:
    return formats.date(value or None)


@register.filter
def vn_moment(value: Any) -> str:
    return formats.moment(value or None)


@register.filter
def vn_number(value: Any) -> str:
    return "" if value is None or value == "" else formats.number(value)


@register.filter
def vn_money(value: Any) -> str:
    return "" if value is None or value == "" else formats.money(value)

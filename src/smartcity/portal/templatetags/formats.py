"""``{% load formats %}``: the Vietnamese formats of ``smartcity.lib.formats`` as template filters, for every page.

``{{ d|vndate }}`` 07/12/2026 · ``{{ t|vnmoment }}`` 14:05 07/12/2026 (Hà Nội time) · ``{{ n|vnnumber }}`` 1.234
(``{{ x|vnnumber:1 }}`` 4,3) · ``{{ x|vnscore }}`` 6 or 1,33 (at most two places) · ``{{ amount|vnmoney }}`` 8.000 đ · ``{{ share|vnpercent }}`` 83% (``:1`` 83,4%).
A missing value shows as an empty string (``vnpercent``: "—"); use ``|default:"—"`` where a dash reads better."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template

from smartcity.lib import formats

register = template.Library()


@register.filter
def vndate(value: dt.date | dt.datetime | None) -> str:
    return formats.date(value) if value not in ("", None) else ""


@register.filter
def vnmoment(value: dt.datetime | None) -> str:
    return formats.moment(value) if value not in ("", None) else ""


@register.filter
def vnnumber(value: int | float | Decimal | None, decimals: int = 0) -> str:
    return formats.number(value, int(decimals)) if value not in ("", None) else ""


@register.filter
def vnscore(value: int | float | Decimal | None, decimals: int = 2) -> str:
    """At most ``decimals`` places, trailing zeros dropped: ``6`` for 6.0, ``1,33`` for 1.3333."""
    return formats.number(value, int(decimals), trim=True) if value not in ("", None) else ""


@register.filter
def vnmoney(value: int | Decimal | None) -> str:
    return formats.money(value) if value not in ("", None) else ""


@register.filter
def vnpercent(value: float | Decimal | None, decimals: int = 0) -> str:
    return formats.percent(value if value != "" else None, int(decimals))

"""QR codes as inline SVG, made by segno: no image service, no CDN. Error correction level M (15 % of the code may
be damaged or covered), what phones read reliably from a screen or a printed page."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_code(data: str, *, scale: int, border: int | None = None, dark: str | None = None,
            light: str | None = None) -> SafeString:
    """The QR code of ``data``: ``scale`` pixels a module; ``border`` (modules of quiet zone), ``dark`` and
    ``light`` are segno's defaults when not given."""
    options = {name: value for name, value in (("border", border), ("dark", dark), ("light", light))
               if value is not None}
    return mark_safe(segno.make(data, error="m").svg_inline(scale=scale, **options))  # noqa: S308 - made by segno

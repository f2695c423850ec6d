"""The public pages' pictures as inline SVG drawn on the server: no script, no map tiles, no CDN.

* ``station_map``: the province drawn from its wards — each 2025 ward or commune a disc of its own area at its
  centre (the package has centres and areas, not boundaries), which together give the city's shape — and the
  stations as dots in the colour of their current level, each a link to its page with a text label. A title and
  description name the picture; the legend is text; the page has the same data as a table.
* ``bar_chart``: one bar per hour or day, each coloured (by AQI band, flood level…), with reference lines (flood
  alarm levels, noise limits) and a title/description for screen readers.

Like ``smartcity.lib.charts``, numbers stay in the table next to the picture; the picture shows their shape.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Dot:
    lon: float
    lat: float
    colour: str
    label: str  # short text on the dot (the AQI, the level)
    title: str  # full text for the tooltip and screen readers
    href: str


@dataclass(frozen=True)
class Disc:
    lon: float
    lat: float
    area_km2: float
    name: str


def _text_colour(hex_colour: str) -> str:
    """Black or white, whichever reads better on the colour (WCAG relative luminance)."""
    h = hex_colour.lstrip("#")
    if len(h) != 6:
        return "#000"
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000" if luminance > 0.179 else "#fff"


def station_map(discs: Sequence[Disc], dots: Sequence[Dot], *, title: str, description: str,
                legend: Sequence[tuple[str, str]], width: int = 760, ident: str = "map") -> SafeString:
    """The map. Equirectangular projection scaled by cos(latitude), framed on the wards and the stations."""
    if not discs and not dots:
        return mark_safe("")  # noqa: S308 - constant
    ky = 110.57  # km per degree of latitude
    kx = 111.32 * math.cos(math.radians(sum(d.lat for d in [*discs, *dots]) / (len(discs) + len(dots))))
    radius = {id(d): math.sqrt(max(d.area_km2, 0.5) / math.pi) for d in discs}  # km
    lons = [x for d in discs for x in (d.lon - radius[id(d)] / kx, d.lon + radius[id(d)] / kx)]
    lats = [y for d in discs for y in (d.lat - radius[id(d)] / ky, d.lat + radius[id(d)] / ky)]
    lons += [d.lon for d in dots]
    lats += [d.lat for d in dots]
    span_x = max((max(lons) - min(lons)) * kx, 1.0)
    span_y = max((max(lats) - min(lats)) * ky, 1.0)
    margin, legend_h = 24, 26 * ((len(legend) + 2) // 3) + 10
    scale = (width - 2 * margin) / span_x  # px per km
    height = int(span_y * scale + 2 * margin + legend_h)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return margin + (lon - min(lons)) * kx * scale, margin + (max(lats) - lat) * ky * scale

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="env-map" role="group" viewBox="0 0 {width} {height}" '
             f'width="100%" aria-labelledby="{ident}-title {ident}-desc">'
             f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(description)}</desc>'
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#F5F7FA"/>'
             '<g fill="#DDE3EA" stroke="#C3CCD6" stroke-width="0.6" aria-hidden="true">']
    for d in discs:
        x, y = xy(d.lon, d.lat)
        r = max(radius[id(d)] * scale, 2.0)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"><title>{escape(d.name)}</title></circle>')
    parts.append("</g>")
    for d in dots:
        x, y = xy(d.lon, d.lat)
        fg = _text_colour(d.colour)
        parts.append(f'<a href="{escape(d.href)}" aria-label="{escape(d.title)}">'
                     f'<title>{escape(d.title)}</title>'
                     f'<circle cx="{x:.1f}" cy="{y:.1f}" r="13" fill="{d.colour}" stroke="#263238" '
                     f'stroke-width="1.5"/>'
                     f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="11" font-weight="700" text-anchor="middle" '
                     f'fill="{fg}" aria-hidden="true">{escape(d.label)}</text></a>')
    top = height - legend_h + 8
    for i, (colour, text) in enumerate(legend):
        col, row = i % 3, i // 3
        x, y = margin + col * (width - 2 * margin) / 3, top + row * 26
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="16" height="16" fill="{colour}" stroke="#263238" '
                     f'stroke-width="0.8"/><text x="{x + 22:.1f}" y="{y + 13}" font-size="13">{escape(text)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


@dataclass(frozen=True)
class Bar:
    label: str  # axis label ("14h", "03/03")
    value: float | None
    colour: str
    title: str  # tooltip and description text


def bar_chart(bars: Sequence[Bar], *, title: str, description: str, unit: str = "",
              lines: Sequence[tuple[float, str, str]] = (), width: int = 760, height: int = 240,
              ident: str = "chart", floor: float | None = 0.0) -> SafeString:
    """Vertical bars with reference lines ``(value, label, colour)``. Missing values leave a gap marked "—"."""
    values = [b.value for b in bars if b.value is not None] + [v for v, _, _ in lines]
    if not bars:
        return mark_safe("")  # noqa: S308 - constant
    top = max(values, default=1.0)
    bottom = min(values, default=0.0) if floor is None else min(floor, min(values, default=floor))
    if top - bottom < 1e-9:
        top = bottom + 1
    top += (top - bottom) * 0.08
    left, right, upper, lower = 48, 12, 16, 34
    plot_w, plot_h = width - left - right, height - upper - lower
    step = plot_w / len(bars)

    def y(v: float) -> float:
        return upper + plot_h * (1 - (v - bottom) / (top - bottom))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
             f'width="100%" aria-labelledby="{ident}-title {ident}-desc"><title id="{ident}-title">{escape(title)}'
             f'</title><desc id="{ident}-desc">{escape(description)}</desc>']
    decimals = 0 if top - bottom >= 20 else 1 if top - bottom >= 2 else 2
    for k in range(5):  # grid and axis labels
        v = bottom + (top - bottom) * k / 4
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#E0E0E0"/>'
                     f'<text x="{left - 6}" y="{y(v) + 4:.1f}" font-size="11" text-anchor="end">{v:.{decimals}f}</text>')
    if unit:
        parts.append(f'<text x="4" y="12" font-size="11">{escape(unit)}</text>')
    every = max(1, math.ceil(len(bars) / 12))
    base = y(max(bottom, 0.0)) if bottom <= 0 <= top else y(bottom)
    for i, b in enumerate(bars):
        x = left + i * step
        if b.value is None:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{base - 3:.1f}" font-size="10" text-anchor="middle" '
                         f'fill="#9E9E9E"><title>{escape(b.title)}</title>—</text>')
        else:
            y0, y1 = sorted((base, y(b.value)))
            parts.append(f'<rect x="{x + step * 0.1:.1f}" y="{y0:.1f}" width="{step * 0.8:.1f}" '
                         f'height="{max(y1 - y0, 1):.1f}" fill="{b.colour}" stroke="#546E7A" stroke-width="0.4">'
                         f'<title>{escape(b.title)}</title></rect>')
        if i % every == 0:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{height - lower + 16}" font-size="11" '
                         f'text-anchor="middle">{escape(b.label)}</text>')
    for value, text, colour in lines:
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                     f'stroke="{colour}" stroke-width="2" stroke-dasharray="6 4"/>'
                     f'<text x="{width - right - 4}" y="{y(value) - 4:.1f}" font-size="11" text-anchor="end" '
                     f'fill="#263238">{escape(text)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


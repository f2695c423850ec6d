"""The schematic map as inline SVG drawn on the server: no script, no map tiles, no CDN — the fallback wherever the
Leaflet map cannot load, and the printable picture.

The city is drawn from its wards: each ward or commune a ``Disc`` of its own area at its centre (the
administrative-unit packages have centres and areas, not boundaries), which together give the city's shape. Over
them, ``Point``s in a colour of the caller's choosing (a station's current level, a report's state), each with a
short label and, when it has an ``href``, a link to its page. A title and description name the picture; the legend
is text; the page shows the same data as a table. The drawer knows nothing of stations or reports: it takes plain
data, so the environment pages, the operations centre and the citizen reports draw their maps alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from smartcity.lib.svg.base import INK, LAND, LAND_EDGE, PAPER, esc, frame, text_colour, tip


@dataclass(frozen=True)
class Point:
    lon: float
    lat: float
    colour: str
    label: str  # short text on the point (the AQI, the level)
    title: str  # full text for the tooltip and screen readers
    href: str = ""  # its page; "" draws the point without a link


@dataclass(frozen=True)
class Disc:
    lon: float
    lat: float
    area_km2: float
    name: str


def schematic_map(discs: Sequence[Disc], points: Sequence[Point], *, title: str, description: str,
                  legend: Sequence[tuple[str, str]], width: int = 760, ident: str = "map",
                  css_class: str = "map") -> SafeString:
    """The map. Equirectangular projection scaled by cos(latitude), framed on the discs and the points;
    ``legend`` is ``(colour, text)`` pairs in rows of three under the map."""
    if not discs and not points:
        return mark_safe("")  # noqa: S308 - constant
    ky = 110.57  # km per degree of latitude
    kx = 111.32 * math.cos(math.radians(sum([*(d.lat for d in discs), *(p.lat for p in points)])
                                        / (len(discs) + len(points))))
    radius = {id(d): math.sqrt(max(d.area_km2, 0.5) / math.pi) for d in discs}  # km
    lons = [x for d in discs for x in (d.lon - radius[id(d)] / kx, d.lon + radius[id(d)] / kx)]
    lats = [y for d in discs for y in (d.lat - radius[id(d)] / ky, d.lat + radius[id(d)] / ky)]
    lons += [p.lon for p in points]
    lats += [p.lat for p in points]
    span_x = max((max(lons) - min(lons)) * kx, 1.0)
    span_y = max((max(lats) - min(lats)) * ky, 1.0)
    margin, legend_h = 24, 26 * ((len(legend) + 2) // 3) + 10
    scale = (width - 2 * margin) / span_x  # px per km
    height = int(span_y * scale + 2 * margin + legend_h)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return margin + (lon - min(lons)) * kx * scale, margin + (max(lats) - lat) * ky * scale

    parts = [frame(width=width, height=height, title=title, description=description, ident=ident,
                   css_class=css_class, role="group"),
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="{PAPER}"/>'
             f'<g fill="{LAND}" stroke="{LAND_EDGE}" stroke-width="0.6" aria-hidden="true">']
    for d in discs:
        x, y = xy(d.lon, d.lat)
        r = max(radius[id(d)] * scale, 2.0)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}">{tip(d.name)}</circle>')
    parts.append("</g>")
    for p in points:
        x, y = xy(p.lon, p.lat)
        mark = (f'{tip(p.title)}<circle cx="{x:.1f}" cy="{y:.1f}" r="13" fill="{p.colour}" stroke="{INK}" '
                f'stroke-width="1.5"/><text x="{x:.1f}" y="{y + 4:.1f}" font-size="11" font-weight="700" '
                f'text-anchor="middle" fill="{text_colour(p.colour)}" aria-hidden="true">{esc(p.label)}</text>')
        parts.append(f'<a href="{esc(p.href)}" aria-label="{esc(p.title)}">{mark}</a>' if p.href
                     else f'<g role="img" aria-label="{esc(p.title)}">{mark}</g>')
    top = height - legend_h + 8
    for i, (colour, text) in enumerate(legend):
        col, row = i % 3, i // 3
        x, y = margin + col * (width - 2 * margin) / 3, top + row * 26
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="16" height="16" fill="{colour}" stroke="{INK}" '
                     f'stroke-width="0.8"/><text x="{x + 22:.1f}" y="{y + 13}" font-size="13">{esc(text)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped

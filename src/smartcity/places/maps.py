"""The map component every page with a map uses (environment stations, the operations centre, citizen reports): the
caller hands it plain data — points (where, a short label, a full title, the colour of their level, a link) and,
optionally, areas (a unit's key with the colour of its worst level) — and ``places/map.html`` shows it.

Which map: with a tile server (``SMARTCITY_MAP_TILE_URL``) or imported ward boundaries (``smartcity places
import-boundaries``), a Leaflet map — our vendored copy, our own ``map/map.js``, its data in a ``json_script`` block, the
boundaries fetched from ``places:boundaries`` on our own origin — over the server-drawn schematic, which stays in the
page until the script replaces it (no script, a failed load: the schematic). With neither configured, the schematic
alone, as before. See docs/maps.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString

from smartcity.lib import svg
from smartcity.lib.svg.base import text_colour
from smartcity.lib.tiles import tile_source
from smartcity.places.models import Boundary, Structure, Unit

LEAFLET_VERSION = "1.9.4"


@dataclass(frozen=True)
class MapPoint:
    lat: float
    lon: float
    label: str  # short text on the marker (the AQI, a report's state)
    title: str  # full text: the tooltip, what a screen reader says
    colour: str  # the colour of its level, "#RRGGBB"
    href: str = ""  # its page; "" for a marker without a link


@dataclass(frozen=True)
class MapArea:
    key: str  # the unit's key, "2025:commune:00004" (``Unit.key``)
    colour: str  # the colour of the worst level in it
    title: str  # its name and level, for the tooltip


@dataclass
class Map:
    """What ``places/map.html`` needs: ``interactive`` picks Leaflet over the schematic (``schematic`` is drawn in
    both cases: it is the fallback inside the Leaflet container)."""

    ident: str
    title: str
    description: str
    legend: list[tuple[str, str]]
    schematic: SafeString
    interactive: bool
    data: dict[str, object] = field(default_factory=dict)

    @property
    def data_id(self) -> str:
        return f"{self.ident}-data"

    @property
    def leaflet(self) -> str:
        return LEAFLET_VERSION


def tile_url() -> str:
    """The configured tile URL template, or "" when none (or a malformed one) is configured."""
    try:
        return settings.MAP_TILE_URL if tile_source(settings.MAP_TILE_URL) else ""
    except ValueError:
        return ""


def has_boundaries(province_code: str) -> bool:
    """Whether any current commune of the province has an imported boundary."""
    return Boundary.objects.filter(unit__structure=Structure.Y2025, unit__province_code=province_code).exists()


def interactive_map(province_code: str | None = None) -> bool:
    """Whether ``build_map`` gives a Leaflet map (a tile server or the province's boundaries configured): a page that
    shows a map only then (a station's locator) asks this first."""
    return bool(tile_url()) or has_boundaries(province_code or settings.CITY_PROVINCE_CODE)


def _discs(province_code: str) -> list[svg.Disc]:
    rows = Unit.objects.current().communes().filter(province_code=province_code, latitude__isnull=False)
    return [svg.Disc(lon, lat, area or 5.0, name)  # a ward without a known area: a small disc
            for lon, lat, area, name in rows.values_list("longitude", "latitude", "area_km2", "name")
            if lon is not None and lat is not None]


def build_map(points: Sequence[MapPoint], areas: Sequence[MapArea] = (), *, title: str, description: str,
              legend: Sequence[tuple[str, str]], ident: str = "map", css_class: str = "map",
              province_code: str | None = None, fit: str = "all") -> Map:
    """The map of ``points`` (and ``areas``, coloured where boundaries were imported) over the province's wards
    (default: the city's). ``legend`` is ``(colour, text)`` pairs; ``ident`` must be unique in the page. ``fit``:
    ``"all"`` shows the whole province once its boundaries are loaded, ``"points"`` stays on the points (a
    station's or a report's own map)."""
    province_code = province_code or settings.CITY_PROVINCE_CODE
    discs = _discs(province_code)
    schematic = svg.schematic_map(
        discs, [svg.Point(p.lon, p.lat, p.colour, p.label, p.title, p.href) for p in points],
        title=title, description=description, legend=legend, ident=ident, css_class=css_class)
    tiles = tile_url()
    bounded = has_boundaries(province_code)
    result = Map(ident=ident, title=title, description=description, legend=list(legend), schematic=schematic,
                 interactive=bool(tiles) or bounded)
    if result.interactive:
        centre = ([sum(d.lat for d in discs) / len(discs), sum(d.lon for d in discs) / len(discs)] if discs
                  else [21.0285, 105.8542])  # no wards loaded: Hà Nội's centre
        result.data = {
            "title": title,
            "tiles": tiles,
            # Leaflet writes the attribution as HTML: the configured text is escaped so it shows as written.
            "attribution": escape(settings.MAP_TILE_ATTRIBUTION) if tiles else "",
            "boundaries": reverse("places:boundaries", args=[province_code]) if bounded else "",
            "centre": centre,
            "fit": "points" if fit == "points" else "all",
            "points": [{"lat": p.lat, "lon": p.lon, "label": p.label, "title": p.title, "colour": p.colour,
                        "ink": text_colour(p.colour), "href": p.href} for p in points],
            "areas": {a.key: {"colour": a.colour, "title": a.title} for a in areas},
        }
    return result

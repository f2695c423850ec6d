"""Planar geometry for the spatial functions of ``$filter`` (OGC 18-088, Table 23), without PostGIS.

Geometries are GeoJSON dictionaries (Point, LineString, Polygon and their Multi- forms, a Feature's geometry); the
literals of a filter are WKT (``geography'POINT(105.84 21.03)'``). Distances and lengths are in the coordinates'
own units (degrees for WGS 84), as the OData functions define them on a plane. The query layer narrows candidates
with the bounding boxes stored beside each geometry, then asks this module for the exact answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

EPS = 1e-12
# A sensor's Location or a FeatureOfInterest is a point or a modest area; every spatial filter walks the candidates'
# positions, so one huge geometry would slow every query (and a deep one would exhaust the stack). City-district
# boundaries fit well within these.
MAX_POSITIONS = 20_000
MAX_NESTING = 4  # Features and GeometryCollections inside one another
GEOJSON_ENCODINGS = ("application/geo+json", "application/vnd.geo+json")  # encodingTypes we can read

Point = tuple[float, float]
Ring = list[Point]


class GeometryError(ValueError):
    pass


@dataclass
class Shape:
    """A geometry decomposed into points, polylines and polygons (exterior ring first, then holes)."""

    points: list[Point] = field(default_factory=list)
    lines: list[list[Point]] = field(default_factory=list)
    polygons: list[list[Ring]] = field(default_factory=list)

    def vertices(self) -> list[Point]:
        out = list(self.points)
        for line in self.lines:
            out.extend(line)
        for poly in self.polygons:
            for ring in poly:
                out.extend(ring)
        return out

    def segments(self) -> list[tuple[Point, Point]]:
        segs = []
        for line in self.lines:
            segs.extend(zip(line, line[1:], strict=False))
        for poly in self.polygons:
            for ring in poly:
                segs.extend(zip(ring, ring[1:], strict=False))
        return segs

    def bbox(self) -> tuple[float, float, float, float]:
        vs = self.vertices()
        if not vs:
            raise GeometryError("empty geometry")
        xs, ys = [v[0] for v in vs], [v[1] for v in vs]
        return min(xs), min(ys), max(xs), max(ys)


# ------------------------------------------------------------------------------------------------ reading


def _pt(coords: Any) -> Point:
    if not isinstance(coords, list | tuple) or len(coords) < 2:
        raise GeometryError(f"a position needs two numbers, not {coords!r}")
    x, y = coords[0], coords[1]
    if isinstance(x, bool) or isinstance(y, bool) or not isinstance(x, int | float) or not isinstance(y, int | float):
        raise GeometryError(f"a position needs two numbers, not {coords!r}")
    return float(x), float(y)


def _ring(coords: Any) -> Ring:
    if not isinstance(coords, list) or len(coords) < 4:
        raise GeometryError("a polygon ring needs at least four positions")
    ring = [_pt(c) for c in coords]
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    return ring


def shape(geojson: Any, *, _depth: int = 0) -> Shape:
    """GeoJSON (a geometry or a Feature) → Shape; ``GeometryError`` for anything else, and for more than
    ``MAX_POSITIONS`` positions or ``MAX_NESTING`` levels of Features and collections."""
    if _depth > MAX_NESTING:
        raise GeometryError(f"the geometry nests deeper than {MAX_NESTING} levels of Features and collections")
    if not isinstance(geojson, dict):
        raise GeometryError("a GeoJSON geometry must be an object")
    kind = geojson.get("type")
    if kind == "Feature":
        return shape(geojson.get("geometry"), _depth=_depth + 1)
    coords = geojson.get("coordinates")
    out = Shape()
    try:
        if kind == "Point":
            out.points.append(_pt(coords))
        elif kind == "MultiPoint":
            out.points.extend(_pt(c) for c in coords)
        elif kind == "LineString":
            out.lines.append([_pt(c) for c in coords])
        elif kind == "MultiLineString":
            out.lines.extend([_pt(c) for c in line] for line in coords)
        elif kind == "Polygon":
            out.polygons.append([_ring(r) for r in coords])
        elif kind == "MultiPolygon":
            out.polygons.extend([_ring(r) for r in poly] for poly in coords)
        elif kind == "GeometryCollection":
            for part in geojson.get("geometries") or []:
                sub = shape(part, _depth=_depth + 1)
                out.points += sub.points
                out.lines += sub.lines
                out.polygons += sub.polygons
        else:
            raise GeometryError(f"unsupported GeoJSON type {kind!r}")
    except TypeError:
        raise GeometryError(f"malformed coordinates of a {kind}") from None
    if any(len(line) < 2 for line in out.lines):
        raise GeometryError("a line needs at least two positions")
    if _count(out) > MAX_POSITIONS:
        raise GeometryError(f"the geometry has more than {MAX_POSITIONS} positions")
    if not out.vertices():
        raise GeometryError("empty geometry")
    return out


def _count(s: Shape) -> int:
    return len(s.points) + sum(map(len, s.lines)) + sum(len(ring) for poly in s.polygons for ring in poly)


def bbox(geojson: Any) -> tuple[float, float, float, float] | None:
    """The envelope of a GeoJSON geometry, or None when it is not one we read."""
    try:
        return shape(geojson).bbox()
    except GeometryError:
        return None


_WKT_HEAD = re.compile(r"^\s*(?:SRID=\d+;)?\s*([A-Za-z]+)\s*(?:Z\s*)?(\(.*\))\s*$", re.S)


def _wkt_nested(text: str) -> Any:
    """'((1 2, 3 4), (5 6))' → nested lists of [x, y]."""
    pos = 0

    def parse() -> Any:
        nonlocal pos
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos < len(text) and text[pos] == "(":
            pos += 1
            items = []
            while True:
                items.append(parse())
                while pos < len(text) and text[pos].isspace():
                    pos += 1
                if pos >= len(text):
                    raise GeometryError("unbalanced parentheses in WKT")
                if text[pos] == ",":
                    pos += 1
                    continue
                if text[pos] == ")":
                    pos += 1
                    return items
                raise GeometryError(f"unexpected {text[pos]!r} in WKT")
        start = pos
        while pos < len(text) and text[pos] not in ",()":
            pos += 1
        numbers = text[start:pos].split()
        try:
            return [float(n) for n in numbers]
        except ValueError:
            raise GeometryError(f"not a coordinate: {text[start:pos].strip()!r}") from None

    value = parse()
    if text[pos:].strip():
        raise GeometryError("trailing text after WKT geometry")
    return value


def _unwrap_points(items: list) -> list:
    # MULTIPOINT((1 2), (3 4)) and MULTIPOINT(1 2, 3 4) are both valid WKT
    return [p[0] if len(p) == 1 and isinstance(p[0], list) else p for p in items]


def from_wkt(text: str) -> dict[str, Any]:
    """WKT (POINT, LINESTRING, POLYGON, MULTI…) → a GeoJSON geometry."""
    m = _WKT_HEAD.match(text)
    if not m:
        raise GeometryError(f"not a WKT geometry: {text!r}")
    kind, body = m.group(1).upper(), _wkt_nested(m.group(2))
    types = {"POINT": "Point", "LINESTRING": "LineString", "POLYGON": "Polygon", "MULTIPOINT": "MultiPoint",
             "MULTILINESTRING": "MultiLineString", "MULTIPOLYGON": "MultiPolygon"}
    if kind not in types:
        raise GeometryError(f"unsupported WKT type {kind}")
    if kind == "POINT":
        coords: Any = body[0]
    elif kind == "MULTIPOINT":
        coords = _unwrap_points(body)
    else:
        coords = body
    geometry = {"type": types[kind], "coordinates": coords}
    shape(geometry)  # validate
    return geometry


# ------------------------------------------------------------------------------------------------ predicates


def _orient(a: Point, b: Point, c: Point) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _on_segment(p: Point, a: Point, b: Point) -> bool:
    if abs(_orient(a, b, p)) > EPS * max(1.0, abs(b[0] - a[0]) + abs(b[1] - a[1])):
        return False
    return min(a[0], b[0]) - EPS <= p[0] <= max(a[0], b[0]) + EPS and \
        min(a[1], b[1]) - EPS <= p[1] <= max(a[1], b[1]) + EPS


def _segments_intersect(p1: Point, p2: Point, q1: Point, q2: Point) -> bool:
    d1, d2 = _orient(q1, q2, p1), _orient(q1, q2, p2)
    d3, d4 = _orient(p1, p2, q1), _orient(p1, p2, q2)
    if ((d1 > 0 > d2) or (d1 < 0 < d2)) and ((d3 > 0 > d4) or (d3 < 0 < d4)):
        return True
    return (_on_segment(p1, q1, q2) or _on_segment(p2, q1, q2) or _on_segment(q1, p1, p2)
            or _on_segment(q2, p1, p2))


def _segments_cross_properly(p1: Point, p2: Point, q1: Point, q2: Point) -> bool:
    d1, d2 = _orient(q1, q2, p1), _orient(q1, q2, p2)
    d3, d4 = _orient(p1, p2, q1), _orient(p1, p2, q2)
    return ((d1 > EPS and d2 < -EPS) or (d1 < -EPS and d2 > EPS)) and \
        ((d3 > EPS and d4 < -EPS) or (d3 < -EPS and d4 > EPS))


def _in_ring(p: Point, ring: Ring) -> bool:
    """Ray casting: strictly inside (boundary points are answered by the caller)."""
    inside = False
    for a, b in zip(ring, ring[1:], strict=False):
        if (a[1] > p[1]) != (b[1] > p[1]):
            x = a[0] + (p[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1])
            if p[0] < x:
                inside = not inside
    return inside


def _on_polygon_boundary(p: Point, poly: list[Ring]) -> bool:
    return any(_on_segment(p, a, b) for ring in poly for a, b in zip(ring, ring[1:], strict=False))


def _point_in_polygon(p: Point, poly: list[Ring], *, boundary: bool) -> bool:
    if _on_polygon_boundary(p, poly):
        return boundary
    return _in_ring(p, poly[0]) and not any(_in_ring(p, hole) for hole in poly[1:])


def _point_on_lines(p: Point, s: Shape) -> bool:
    return any(_on_segment(p, a, b) for line in s.lines for a, b in zip(line, line[1:], strict=False))


def _point_in_shape(p: Point, s: Shape, *, boundary: bool = True) -> bool:
    if any(abs(p[0] - q[0]) <= EPS and abs(p[1] - q[1]) <= EPS for q in s.points):
        return True
    if _point_on_lines(p, s):
        return True
    return any(_point_in_polygon(p, poly, boundary=boundary) for poly in s.polygons)


def intersects(a: Any, b: Any) -> bool:
    sa, sb = shape(a), shape(b)
    for p in sa.points:
        if _point_in_shape(p, sb):
            return True
    for p in sb.points:
        if _point_in_shape(p, sa):
            return True
    segs_a, segs_b = sa.segments(), sb.segments()
    for p1, p2 in segs_a:
        for q1, q2 in segs_b:
            if _segments_intersect(p1, p2, q1, q2):
                return True
    # a line or polygon wholly inside a polygon of the other
    for s_in, s_out in ((sa, sb), (sb, sa)):
        if s_out.polygons and any(_point_in_shape(v, s_out) for v in s_in.vertices()):
            return True
    return False


def within(a: Any, b: Any) -> bool:
    """OGC Within: every point of ``a`` lies in ``b`` and their interiors meet (a point on a polygon's boundary
    is not within it)."""
    sa, sb = shape(a), shape(b)
    if not sa.lines and not sa.polygons:
        # points: each in b, and at least one in b's interior (for polygons: strictly inside)
        if not all(_point_in_shape(p, sb) for p in sa.points):
            return False
        if sb.polygons:
            return any(_point_in_shape(p, sb, boundary=False) or _point_in_shape(p, Shape(points=sb.points))
                       for p in sa.points)
        return True
    if not sb.polygons:
        # a line within lines: every vertex and every midpoint on b's lines
        if sa.polygons or sb.points and not sb.lines:
            return False
        return all(_point_on_lines(p, sb) for p in sa.vertices()) and all(
            _point_on_lines(((p[0] + q[0]) / 2, (p[1] + q[1]) / 2), sb) for p, q in sa.segments())
    if not all(_point_in_shape(v, sb) for v in sa.vertices()):
        return False
    for p1, p2 in sa.segments():
        if not _point_in_shape(((p1[0] + p2[0]) / 2, (p1[1] + p2[1]) / 2), sb):
            return False
        for q1, q2 in sb.segments():
            if _segments_cross_properly(p1, p2, q1, q2):
                return False
    return True


def contains(a: Any, b: Any) -> bool:
    return within(b, a)


def equals(a: Any, b: Any) -> bool:
    sa, sb = shape(a), shape(b)
    if sa.points and not sa.lines and not sa.polygons:
        return set(sa.points) == set(sb.points) and not sb.lines and not sb.polygons
    return _covered(sa, sb) and _covered(sb, sa)


def _covered(sa: Shape, sb: Shape) -> bool:
    return all(_point_in_shape(v, sb) for v in sa.vertices()) and all(
        _point_in_shape(((p[0] + q[0]) / 2, (p[1] + q[1]) / 2), sb) for p, q in sa.segments())


def disjoint(a: Any, b: Any) -> bool:
    return not intersects(a, b)


# ------------------------------------------------------------------------------------------------ measures


def _dist_point_segment(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == 0 and dy == 0:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)))
    return math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy))


def distance(a: Any, b: Any) -> float:
    """Smallest planar distance between two geometries (0 when they intersect)."""
    if intersects(a, b):
        return 0.0
    sa, sb = shape(a), shape(b)
    best = math.inf
    segs_a, segs_b = sa.segments(), sb.segments()
    for p in sa.vertices():
        for q in sb.points:
            best = min(best, math.hypot(p[0] - q[0], p[1] - q[1]))
        for q1, q2 in segs_b:
            best = min(best, _dist_point_segment(p, q1, q2))
    for q in sb.vertices():
        for p1, p2 in segs_a:
            best = min(best, _dist_point_segment(q, p1, p2))
    return best


def length(a: Any) -> float:
    return sum(math.hypot(q[0] - p[0], q[1] - p[1]) for p, q in shape(a).segments())


def envelope(boxes: Iterable[tuple[float, float, float, float]]) -> dict[str, Any] | None:
    """The GeoJSON Polygon (or Point) enclosing the given boxes — a Datastream's observedArea."""
    boxes = list(boxes)
    if not boxes:
        return None
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    if x0 == x1 and y0 == y1:
        return {"type": "Point", "coordinates": [x0, y0]}
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}

"""The planar geometry behind the spatial $filter functions (no database)."""

from __future__ import annotations

import pytest

from smartcity.sensing import geo

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]}
HOLED = {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
                                            [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]]}
U_SHAPE = {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [7, 10], [7, 3], [3, 3], [3, 10],
                                               [0, 10], [0, 0]]]}


def point(x, y):
    return {"type": "Point", "coordinates": [x, y]}


def test_wkt_reads_into_geojson():
    assert geo.from_wkt("POINT(105.85 21.03)") == point(105.85, 21.03)
    assert geo.from_wkt("SRID=4326;POINT (1 2)") == point(1, 2)
    assert geo.from_wkt("LINESTRING(0 0, 1 1)")["coordinates"] == [[0, 0], [1, 1]]
    assert geo.from_wkt("POLYGON((0 0, 10 0, 10 10, 0 0))")["type"] == "Polygon"
    assert geo.from_wkt("MULTIPOINT((1 2), (3 4))")["coordinates"] == [[1, 2], [3, 4]]
    assert geo.from_wkt("MULTIPOINT(1 2, 3 4)")["coordinates"] == [[1, 2], [3, 4]]
    for bad in ("CIRCLE(1 2 3)", "POINT(1)", "POLYGON((0 0, 1 1))", "POINT(a b)", "POINT(1 2"):
        with pytest.raises(geo.GeometryError):
            geo.from_wkt(bad)


def test_points_and_polygons():
    assert geo.within(point(5, 5), SQUARE) and geo.intersects(point(5, 5), SQUARE)
    assert not geo.within(point(11, 5), SQUARE) and geo.disjoint(point(11, 5), SQUARE)
    assert geo.intersects(point(10, 5), SQUARE) and not geo.within(point(10, 5), SQUARE)  # on the boundary
    assert not geo.within(point(5, 5), HOLED) and geo.within(point(2, 2), HOLED)  # in the hole / in the ring
    assert geo.contains(SQUARE, point(1, 1))
    assert geo.equals(point(1, 2), point(1, 2)) and not geo.equals(point(1, 2), point(1, 3))


def test_polygons_within_and_intersecting_polygons():
    inner = {"type": "Polygon", "coordinates": [[[1, 1], [2, 1], [2, 2], [1, 2], [1, 1]]]}
    overlapping = {"type": "Polygon", "coordinates": [[[8, 8], [12, 8], [12, 12], [8, 12], [8, 8]]]}
    assert geo.within(inner, SQUARE) and not geo.within(SQUARE, inner)
    assert geo.intersects(overlapping, SQUARE) and not geo.within(overlapping, SQUARE)
    bridge = {"type": "Polygon", "coordinates": [[[1, 8], [9, 8], [9, 9], [1, 9], [1, 8]]]}
    assert not geo.within(bridge, U_SHAPE)  # its vertices are inside, its middle crosses the notch
    assert geo.equals(SQUARE, {"type": "Polygon", "coordinates": [[[10, 10], [0, 10], [0, 0], [10, 0], [10, 10]]]})


def test_lines():
    line = {"type": "LineString", "coordinates": [[-5, 5], [15, 5]]}
    assert geo.intersects(line, SQUARE) and not geo.within(line, SQUARE)
    assert geo.within({"type": "LineString", "coordinates": [[1, 1], [9, 9]]}, SQUARE)
    assert geo.length(line) == 20


def test_distances():
    assert geo.distance(point(0, 0), point(3, 4)) == 5
    assert geo.distance(point(13, 5), SQUARE) == 3
    assert geo.distance(point(5, 5), SQUARE) == 0
    assert geo.distance({"type": "LineString", "coordinates": [[20, 0], [20, 10]]}, SQUARE) == 10


def test_features_and_envelopes():
    feature = {"type": "Feature", "geometry": point(1, 2), "properties": {}}
    assert geo.bbox(feature) == (1, 2, 1, 2)
    assert geo.bbox({"type": "Nonsense"}) is None
    assert geo.envelope([(0, 0, 1, 1), (2, 3, 2, 3)]) == {
        "type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 3], [0, 3], [0, 0]]]}
    assert geo.envelope([(1, 2, 1, 2)]) == point(1, 2)

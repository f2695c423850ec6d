"""Reading a city's ward boundaries from a GeoJSON file (RFC 7946), bounded before and while it is parsed.

The file is refused, with a message naming what is wrong, when it is larger than ``SMARTCITY_MAP_BOUNDARY_MAX_MB``,
is not JSON (or is nested deeper than any GeoJSON), is not a FeatureCollection, has more than ``MAX_FEATURES``
features or more than ``MAX_POSITIONS`` positions in all, or when a feature's geometry is not a Polygon or
MultiPolygon of closed rings of [longitude, latitude] degrees (a file in VN-2000 metres fails here: GeoJSON is WGS 84).
Nothing is stored here: ``services.import_boundaries`` matches the features to units and writes them. The messages
are Vietnamese only, like the rest of the operators' command line (``smartcity places …``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from smartcity.lib.errors import Invalid
from smartcity.lib.formats import number

MAX_FEATURES = 2_000  # Hà Nội has 126 wards and communes; a country's worth of communes is ~3,300 in 34 files
MAX_POSITIONS = 2_000_000  # in the whole file
MAX_FEATURE_POSITIONS = 200_000  # in one ward: simplify anything finer (docs/maps.md)
DECIMALS = 6  # ~0.1 m: what is stored of each coordinate


@dataclass(frozen=True)
class BoundaryFeature:
    index: int  # 1-based, in file order, for messages
    properties: dict[str, Any]
    geometry: dict[str, Any]  # {"type": "Polygon"|"MultiPolygon", "coordinates": ...} with rounded coordinates
    positions: int


def _fail(message: str) -> Invalid:
    return Invalid(message, field="file")


def _position(value: Any, where: str) -> list[float]:
    if not isinstance(value, list) or len(value) < 2 or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value[:3]):
        raise _fail(f"{where}: mỗi điểm phải là [kinh độ, vĩ độ]")
    lon, lat = float(value[0]), float(value[1])
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise _fail(f"{where}: tọa độ {value[0]}, {value[1]} không phải độ WGS 84 (GeoJSON dùng kinh độ, vĩ độ; "
                    "hãy chuyển tệp VN-2000 sang WGS 84)")
    return [round(lon, DECIMALS), round(lat, DECIMALS)]


def _polygon(value: Any, where: str) -> list[list[list[float]]]:
    if not isinstance(value, list) or not value:
        raise _fail(f"{where}: vùng phải có ít nhất một vòng")
    rings = []
    for ring in value:
        if not isinstance(ring, list) or len(ring) < 4:
            raise _fail(f"{where}: mỗi vòng phải có ít nhất 4 điểm")
        points = [_position(p, where) for p in ring]
        if points[0] != points[-1]:
            raise _fail(f"{where}: vòng không khép kín (điểm đầu khác điểm cuối)")
        rings.append(points)
    return rings


def _geometry(value: Any, where: str) -> tuple[dict[str, Any], int]:
    if not isinstance(value, dict) or value.get("type") not in {"Polygon", "MultiPolygon"}:
        kind = value.get("type") if isinstance(value, dict) else None
        raise _fail(f"{where}: hình phải là Polygon hoặc MultiPolygon, không phải {kind or 'trống'}")
    coordinates = value.get("coordinates")
    if value["type"] == "Polygon":
        polygons = [_polygon(coordinates, where)]
    else:
        if not isinstance(coordinates, list) or not coordinates:
            raise _fail(f"{where}: MultiPolygon không có vùng nào")
        polygons = [_polygon(p, where) for p in coordinates]
    positions = sum(len(ring) for polygon in polygons for ring in polygon)
    if value["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": polygons[0]}, positions
    return {"type": "MultiPolygon", "coordinates": polygons}, positions


def _count_positions(value: Any, limit: int) -> int:
    """The arrays of numbers (positions) anywhere in ``value``, counted with a stack (no recursion), stopping once
    past ``limit``: a file with too many is refused before any feature is read."""
    stack, count = [value], 0
    while stack and count <= limit:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            if item and all(isinstance(v, int | float) for v in item):
                count += 1
            else:
                stack.extend(item)
    return count


def parse_feature_collection(data: bytes, *, max_bytes: int) -> list[BoundaryFeature]:
    """The Polygon/MultiPolygon features of the GeoJSON FeatureCollection ``data``; ``Invalid`` (field ``file``)
    saying what is wrong otherwise."""
    if len(data) > max_bytes:
        raise _fail(f"Tệp lớn hơn {max_bytes // (1024 * 1024)} MB")
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _fail("Tệp không phải văn bản UTF-8") from None
    except RecursionError:
        raise _fail("Tệp JSON lồng nhau quá sâu") from None
    except ValueError as exc:
        raise _fail(f"Tệp không phải JSON hợp lệ: {exc}") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise _fail("Tệp phải là một GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list):
        raise _fail("FeatureCollection không có danh sách features")
    if len(features) > MAX_FEATURES:
        raise _fail(f"Tệp có {number(len(features))} đối tượng, nhiều hơn giới hạn {number(MAX_FEATURES)}")
    if _count_positions(features, MAX_POSITIONS) > MAX_POSITIONS:
        raise _fail(f"Tệp có hơn {number(MAX_POSITIONS)} điểm; hãy đơn giản hóa ranh giới trước khi nhập")
    parsed = []
    for i, feature in enumerate(features, start=1):
        where = f"Đối tượng thứ {i}"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise _fail(f"{where} không phải một Feature")
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            raise _fail(f"{where}: properties phải là một đối tượng")
        geometry, positions = _geometry(feature.get("geometry"), where)
        if positions > MAX_FEATURE_POSITIONS:
            raise _fail(f"{where} có {number(positions)} điểm, nhiều hơn giới hạn {number(MAX_FEATURE_POSITIONS)}; "
                        "hãy đơn giản hóa ranh giới")
        parsed.append(BoundaryFeature(i, properties, geometry, positions))
    return parsed

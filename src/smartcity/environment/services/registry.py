"""Stations: a sensing Thing made a public monitoring station of one kind, placed in its ward; finding them.

A station is the environment app's view of a Thing: the Thing keeps the datastreams and readings (``sensing``), the
station adds what the public pages and the warnings need — its kind, code, ward, noise zone and flood alarm levels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.text import slugify

from smartcity.agencies import services as agencies
from smartcity.audit import services as audit
from smartcity.audit.models import Action
from smartcity.environment import noise_limits
from smartcity.environment.models import NoiseZone, Station
from smartcity.environment.parameters import Kind, kinds_measured, parameter_of
from smartcity.lib.errors import Invalid, NotFound
from smartcity.lib.principal import Principal
from smartcity.lib.text import fold
from smartcity.places import services as places
from smartcity.places.models import Level, Structure, Unit
from smartcity.sensing import services as sensing

# The cached statuses of every active station (``status.current_statuses``): registering a station drops them,
# evaluating the warnings refreshes them. Kept here, beside the stations, so that the status module can depend on
# this one without a cycle.
STATUS_CACHE_KEY = "environment:statuses:v1"
KIND_SLUG = {Kind.AIR: "kk", Kind.WATER: "cln", Kind.RAIN: "mua", Kind.WATER_LEVEL: "mn", Kind.NOISE: "on"}


def _point_of(thing: Any) -> tuple[float, float] | None:
    """(lon, lat) of the Thing's first Location: a GeoJSON Point, else the centre of its envelope."""
    for location in thing.locations.all():
        geometry = location.location if isinstance(location.location, dict) else {}
        if geometry.get("type") == "Feature":
            geometry = geometry.get("geometry") or {}
        coords = geometry.get("coordinates")
        if geometry.get("type") == "Point" and isinstance(coords, list) and len(coords) >= 2:
            return float(coords[0]), float(coords[1])
        if location.min_x is not None:
            return (location.min_x + location.max_x) / 2, (location.min_y + location.max_y) / 2
    return None


def communes() -> QuerySet[Unit]:
    """The city's 2025 wards and communes that have a centre: where stations are placed, what the map draws."""
    return Unit.objects.filter(structure=Structure.Y2025, level=Level.COMMUNE,
                               province_code=settings.ENVIRONMENT_PROVINCE_CODE, latitude__isnull=False)


def nearest_commune(lon: float, lat: float) -> Unit | None:
    """The 2025 commune/ward of the province whose centre is nearest (an approximation: the package has centres
    and areas of the 2025 units, not their boundaries). None when the point is farther than any ward's reach."""
    rows = list(communes().values_list("pk", "latitude", "longitude", "area_km2"))
    if not rows:
        return None
    pk, la, lo, area = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
    dy = (la - lat) * 111.32
    dx = (lo - lon) * 111.32 * math.cos(math.radians(lat))
    distance = np.hypot(dx, dy)
    best = int(np.argmin(distance))
    reach = 3 * math.sqrt(np.nan_to_num(area[best], nan=10.0) / math.pi) + 2  # km: well beyond the ward's radius
    return Unit.objects.get(pk=int(pk[best])) if distance[best] <= reach else None


def _unique_code(base: str) -> str:
    code, n = base[:80], 2
    while Station.objects.filter(code=code).exists():
        code = f"{base[:76]}-{n}"
        n += 1
    return code


@transaction.atomic
def register_station(*, thing_id: int, kind: str, name: str = "", code: str = "", unit_key: str = "",
                     noise_zone: str = NoiseZone.NORMAL, reference_elevation_m: float | None = None,
                     flood_levels: Sequence[float] | None = None, actor: Principal | None = None) -> Station:
    """Make a sensing Thing a public station of ``kind``. Its place is the Thing's Location (the ward: given, or
    the nearest), its parameters come from its datastreams, which must include what the kind needs."""
    thing = sensing.datastreams(thing_id=thing_id).first()
    if thing is None:
        raise NotFound("Thiết bị không tồn tại hoặc chưa có chuỗi dữ liệu (Datastream)", field="thing_id")
    thing = thing.thing
    if kind not in Kind.values:
        raise Invalid(f"Loại trạm phải là một trong {', '.join(Kind.values)}", field="kind")
    codes = {parameter_of(d.observed_property.name, d.observed_property.definition)
             for d in sensing.datastreams(thing_id=thing_id)}
    if kind not in kinds_measured({c for c in codes if c}):
        raise Invalid(f"Thiết bị «{thing.name}» không đo các thông số của trạm {Kind(kind).label.lower()}",
                      field="kind")
    known_zones = [code for code, _name in noise_limits.zones()]  # the NoiseLimit table's, the seeded two first
    if noise_zone not in known_zones:
        raise Invalid(f"Khu vực tiếng ồn phải là {' hoặc '.join(known_zones)}", field="noise_zone")
    levels = list(flood_levels) if flood_levels else [None, None, None]
    if flood_levels and (len(levels) != 3 or not levels[0] < levels[1] < levels[2]):
        raise Invalid("Ba mốc báo động lũ phải tăng dần: I < II < III", field="flood_levels")
    point = _point_of(thing)
    unit = places.get_unit(unit_key) if unit_key else (nearest_commune(*point) if point else None)
    name = " ".join((name or thing.name).split())
    code = slugify(code) if code else _unique_code(f"{slugify(fold(thing.name))[:60]}-{KIND_SLUG[kind]}")
    try:
        with transaction.atomic():
            station = Station.objects.create(
                thing=thing, kind=kind, code=code, name=name, unit=unit, noise_zone=noise_zone,
                longitude=point[0] if point else None, latitude=point[1] if point else None,
                address=str((thing.properties or {}).get("address") or ""),
                reference_elevation_m=reference_elevation_m, flood_level_i=levels[0], flood_level_ii=levels[1],
                flood_level_iii=levels[2])
    except IntegrityError:
        raise Invalid("Thiết bị đã là trạm loại này, hoặc mã trạm đã được dùng", field="code") from None
    audit.record(actor=None if actor is None else agencies.actor_for(actor), action=Action.CREATE,
                 subject_type="environment.station", subject_id=station.pk,
                 detail={"code": station.code, "kind": kind, "thing": thing.pk})
    cache.delete(STATUS_CACHE_KEY)
    return station


def stations(*, kind: str | None = None, unit: Unit | None = None) -> QuerySet[Station]:
    qs = Station.objects.active().in_area(unit)
    return qs.filter(kind=kind) if kind else qs


def get_station(code: str) -> Station:
    station = Station.objects.active().filter(code=code).first()
    if station is None:
        raise NotFound(f"Không có trạm quan trắc {code!r}", field="station")
    return station


def in_area(station: Station, unit: Unit | None) -> bool:
    """Whether the station lies in ``unit`` (a ward, or a province's ward; ``None``: the whole city) — the test
    of a warning rule's area and of a subscription's, on one station already loaded."""
    if unit is None:
        return True
    return station.unit_id == unit.pk or (station.unit is not None and station.unit.parent_id == unit.pk)

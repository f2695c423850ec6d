"""A public station for every sensing Thing that makes one and is not registered yet, from what the Thing says of
itself (its datastreams and ``properties``): what the demo loader and ``smartcity environment register-things`` (after
``smartcity sensors simulate``, or a batch of real Things) call. The demo's own defaults (the Red River's flood
levels for a gauge that states none) are the demo app's, passed in."""

from __future__ import annotations

from collections.abc import Sequence

from smartcity.environment.models import NoiseZone, Station
from smartcity.environment.parameters import Kind, kinds_measured, parameter_of
from smartcity.environment.services.registry import register_station
from smartcity.environment.services.warning_rules import ensure_default_rules
from smartcity.sensing import services as sensing


def register_things(*, default_flood_levels: Sequence[float] | None = None) -> list[Station]:
    """Register a Station for every sensing Thing (and every kind its datastreams make) not yet registered, and
    the default warning rules. Reads, from the Thing's ``properties``: ``referenceElevation`` (m, the water-level
    sensor's reference point), ``floodLevels`` ([I, II, III] m; else ``default_flood_levels``), ``noiseZone``
    ("special"/"normal"), ``address``. Idempotent; answers the stations created."""
    created: list[Station] = []
    done = set(Station.objects.values_list("thing_id", "kind"))
    by_thing: dict[int, set[str]] = {}
    for ds in sensing.datastreams():
        code = parameter_of(ds.observed_property.name, ds.observed_property.definition)
        if code:
            by_thing.setdefault(ds.thing_id, set()).add(code)
    for thing_id, codes in sorted(by_thing.items()):
        for kind in kinds_measured(codes):
            if (thing_id, kind) in done:
                continue
            props = sensing.datastreams(thing_id=thing_id).first().thing.properties or {}
            levels = props.get("floodLevels") if kind == Kind.WATER_LEVEL else None
            if kind == Kind.WATER_LEVEL and not levels:
                levels = default_flood_levels
            zone = props.get("noiseZone") if props.get("noiseZone") in NoiseZone.values else NoiseZone.NORMAL
            reference = props.get("referenceElevation") if kind == Kind.WATER_LEVEL else None
            created.append(register_station(
                thing_id=thing_id, kind=kind, noise_zone=zone,
                reference_elevation_m=float(reference) if isinstance(reference, int | float) else None,
                flood_levels=[float(x) for x in levels] if levels else None))
    ensure_default_rules()
    return created


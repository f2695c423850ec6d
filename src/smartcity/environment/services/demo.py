"""Demo only: a public station for every simulated sensing Thing, so the demo (``smartcity demo load``, or
``smartcity environment register-demo`` after ``smartcity sensors simulate``) shows a populated map.

A later step moves this module, with the rest of the demo code, into the top-level demo app.
"""

from __future__ import annotations

from smartcity.environment.models import NoiseZone, Station
from smartcity.environment.parameters import Kind, kinds_measured, parameter_of
from smartcity.environment.services.registry import register_station
from smartcity.environment.services.warning_rules import ensure_default_rules
from smartcity.sensing import services as sensing

# Decision 05/2020/QĐ-TTg: the alarm levels of the Red River at Hà Nội (Long Biên) station, used by the demo for a
# water-level Thing that does not state its own (properties.floodLevels).
DEMO_FLOOD_LEVELS = (9.5, 10.5, 11.5)


def ensure_demo_stations() -> list[Station]:
    """Register a Station for every sensing Thing (and every kind its datastreams make) not yet registered, and
    the default warning rules. Reads, from the Thing's ``properties``: ``referenceElevation`` (m, the water-level
    sensor's reference point), ``floodLevels`` ([I, II, III] m), ``noiseZone`` ("special"/"normal"), ``address``.
    Idempotent; answers the stations created."""
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
                levels = DEMO_FLOOD_LEVELS
            zone = props.get("noiseZone") if props.get("noiseZone") in NoiseZone.values else NoiseZone.NORMAL
            reference = props.get("referenceElevation") if kind == Kind.WATER_LEVEL else None
            created.append(register_station(
                thing_id=thing_id, kind=kind, noise_zone=zone,
                reference_elevation_m=float(reference) if isinstance(reference, int | float) else None,
                flood_levels=[float(x) for x in levels] if levels else None))
    ensure_default_rules()
    return created


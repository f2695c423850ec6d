"""The SensorThings entity types as the API shows them: names, properties, navigation, JSON form.

One ``EntityType`` per entity of OGC 18-088 clause 8, each listing its properties (with the model columns behind
them) and its navigation properties (with the lookups that join them). The query layer, the writers and the views
read these tables instead of hard-coding an entity each.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.db import models

from smartcity.sensing.models import (
    Datastream,
    FeatureOfInterest,
    HistoricalLocation,
    Location,
    Observation,
    ObservationType,
    ObservedProperty,
    QualityFlag,
    Sensor,
    Thing,
)


@dataclass(frozen=True)
class Prop:
    """A property. ``kind`` says how it is stored, filtered and shown:

    id · text · json (any JSON, keys reachable as ``properties/key``) · geo (GeoJSON) · datetime ·
    interval (two columns: start/end) · phenomenon (instant or interval: start column, optional end column) ·
    result (a double column, or JSON for non-numbers)
    """

    name: str
    kind: str
    columns: tuple[str, ...]
    required: bool = False
    writable: bool = True


@dataclass(frozen=True)
class Nav:
    name: str  # as in the URL: "Datastreams", "Thing"
    target: str  # entity type name
    many: bool
    lookup: str  # the Django lookup from source to target ("datastreams", "thing")
    reverse: str  # the lookup from target back to source ("thing", "datastreams")
    inverse: str  # the navigation property of the target that points back ("Thing", "Datastreams")
    required: bool = False


@dataclass(frozen=True)
class EntityType:
    name: str
    plural: str
    model: type[models.Model]
    props: tuple[Prop, ...]
    navs: tuple[Nav, ...]

    def prop(self, name: str) -> Prop | None:
        if name in ("id", "@iot.id"):
            return ID
        return next((p for p in self.props if p.name == name), None)

    def nav(self, name: str) -> Nav | None:
        return next((n for n in self.navs if n.name == name), None)

    @property
    def subject_type(self) -> str:
        return f"sensing.{self.model._meta.model_name}"


ID = Prop("id", "id", ("id",), writable=False)


def _common(*extra: Prop, encoding: bool = False) -> tuple[Prop, ...]:
    props = [Prop("name", "text", ("name",), required=True), Prop("description", "text", ("description",),
                                                                    required=True)]
    if encoding:
        props.append(Prop("encodingType", "text", ("encoding_type",), required=True))
    return (*props, *extra)


PROPS_JSON = Prop("properties", "json", ("properties",))

TYPES: dict[str, EntityType] = {
    "Thing": EntityType("Thing", "Things", Thing, _common(PROPS_JSON), (
        Nav("Locations", "Location", True, "locations", "things", "Things"),
        Nav("HistoricalLocations", "HistoricalLocation", True, "historical_locations", "thing", "Thing"),
        Nav("Datastreams", "Datastream", True, "datastreams", "thing", "Thing"),
    )),
    "Location": EntityType("Location", "Locations", Location, _common(
        Prop("location", "geo", ("location",), required=True), PROPS_JSON, encoding=True), (
        Nav("Things", "Thing", True, "things", "locations", "Locations"),
        Nav("HistoricalLocations", "HistoricalLocation", True, "historical_locations", "locations", "Locations"),
    )),
    "HistoricalLocation": EntityType("HistoricalLocation", "HistoricalLocations", HistoricalLocation, (
        Prop("time", "datetime", ("time",), required=True),
    ), (
        Nav("Thing", "Thing", False, "thing", "historical_locations", "HistoricalLocations", required=True),
        Nav("Locations", "Location", True, "locations", "historical_locations", "HistoricalLocations"),
    )),
    "Sensor": EntityType("Sensor", "Sensors", Sensor, _common(
        Prop("metadata", "json", ("metadata",), required=True), PROPS_JSON, encoding=True), (
        Nav("Datastreams", "Datastream", True, "datastreams", "sensor", "Sensor"),
    )),
    "ObservedProperty": EntityType("ObservedProperty", "ObservedProperties", ObservedProperty, (
        Prop("name", "text", ("name",), required=True),
        Prop("definition", "text", ("definition",), required=True),
        Prop("description", "text", ("description",), required=True),
        PROPS_JSON,
    ), (
        Nav("Datastreams", "Datastream", True, "datastreams", "observed_property", "ObservedProperty"),
    )),
    "Datastream": EntityType("Datastream", "Datastreams", Datastream, _common(
        Prop("unitOfMeasurement", "json", ("unit_of_measurement",), required=True),
        Prop("observationType", "text", ("observation_type",), required=True),
        Prop("observedArea", "geo", ("observed_area",)),
        Prop("phenomenonTime", "interval", ("phenomenon_time_start", "phenomenon_time_end"), writable=False),
        Prop("resultTime", "interval", ("result_time_start", "result_time_end"), writable=False),
        PROPS_JSON,
    ), (
        Nav("Thing", "Thing", False, "thing", "datastreams", "Datastreams", required=True),
        Nav("Sensor", "Sensor", False, "sensor", "datastreams", "Datastreams", required=True),
        Nav("ObservedProperty", "ObservedProperty", False, "observed_property", "datastreams", "Datastreams",
            required=True),
        Nav("Observations", "Observation", True, "observations", "datastream", "Datastream"),
    )),
    "Observation": EntityType("Observation", "Observations", Observation, (
        Prop("phenomenonTime", "phenomenon", ("phenomenon_time", "phenomenon_time_end")),
        Prop("resultTime", "datetime", ("result_time",)),
        Prop("result", "result", ("result", "result_json"), required=True),
        Prop("resultQuality", "json", ("result_quality",)),
        Prop("validTime", "interval", ("valid_time_start", "valid_time_end")),
        Prop("parameters", "json", ("parameters",)),
    ), (
        Nav("Datastream", "Datastream", False, "datastream", "observations", "Observations", required=True),
        Nav("FeatureOfInterest", "FeatureOfInterest", False, "feature_of_interest", "observations", "Observations"),
    )),
    "FeatureOfInterest": EntityType("FeatureOfInterest", "FeaturesOfInterest", FeatureOfInterest, _common(
        Prop("feature", "geo", ("feature",), required=True), PROPS_JSON, encoding=True), (
        Nav("Observations", "Observation", True, "observations", "feature_of_interest", "FeatureOfInterest"),
    )),
}
BY_PLURAL: dict[str, EntityType] = {t.plural: t for t in TYPES.values()}


# ------------------------------------------------------------------------------------------------ JSON form


def iso(value: dt.datetime | None) -> str | None:
    """UTC ISO 8601 with a Z, as SensorThings clients expect."""
    if value is None:
        return None
    text = value.astimezone(dt.UTC).isoformat()
    return text.replace("+00:00", "Z")


def interval(start: dt.datetime | None, end: dt.datetime | None) -> str | None:
    """A time period "start/end" (an instant is a period of no length)."""
    if start is None:
        return None
    return f"{iso(start)}/{iso(end or start)}"


def result_value(obj: Any, observation_type: str | None = None) -> Any:
    """An observation's result as sent: numbers from the double column (integers for counts), else the JSON."""
    if obj.result is not None:
        number = obj.result
        if observation_type == ObservationType.COUNT and math.isfinite(number) and number.is_integer():
            return int(number)
        return number
    return obj.result_json


def prop_value(etype: EntityType, prop: Prop, obj: Any) -> Any:
    if prop.kind == "id":
        return obj.pk
    if prop.kind == "interval":
        return interval(getattr(obj, prop.columns[0]), getattr(obj, prop.columns[1]))
    if prop.kind == "phenomenon":
        start, end = getattr(obj, prop.columns[0]), getattr(obj, prop.columns[1])
        return f"{iso(start)}/{iso(end)}" if end is not None else iso(start)
    if prop.kind == "datetime":
        return iso(getattr(obj, prop.columns[0]))
    if prop.kind == "result":
        return result_value(obj, getattr(obj, "sta_observation_type", None))
    if etype.name == "Observation" and prop.name == "resultQuality":
        quality = obj.result_quality
        if quality is None and obj.quality_flags:
            return {"qualityFlags": QualityFlag.names(obj.quality_flags)}
        return quality
    return getattr(obj, prop.columns[0])


# Properties left out of the JSON when empty (optional in OGC 18-088); mandatory ones are always shown.
OMIT_WHEN_NULL = {"properties", "observedArea", "phenomenonTime", "resultTime", "resultQuality", "validTime",
                  "parameters"}
ALWAYS_SHOWN = {("Observation", "resultTime"), ("Observation", "phenomenonTime")}


def entity_json(etype: EntityType, obj: Any, base: str, select: list[str] | None = None) -> dict[str, Any]:
    """An entity with its control information (``@iot.id``, ``@iot.selfLink``, ``…@iot.navigationLink``).

    With ``$select`` only what it names is returned (OGC 18-088, 9.3.3.1): ``id``/``@iot.id``, ``@iot.selfLink``, a
    property, or a navigation property (its ``@iot.navigationLink``) — no self link or navigation link unasked."""
    self_link = f"{base}/{etype.plural}({obj.pk})"
    out: dict[str, Any] = {}
    if select is None or "id" in select or "@iot.id" in select:
        out["@iot.id"] = obj.pk
    if select is None or "@iot.selfLink" in select:
        out["@iot.selfLink"] = self_link
    for prop in etype.props:
        if select is not None and prop.name not in select:
            continue
        value = prop_value(etype, prop, obj)
        if value is None and prop.name in OMIT_WHEN_NULL and (etype.name, prop.name) not in ALWAYS_SHOWN \
                and select is None:
            continue
        out[prop.name] = value
    for nav in etype.navs:
        if select is None or nav.name in select:
            out[f"{nav.name}@iot.navigationLink"] = f"{self_link}/{nav.name}"
    return out

"""Creating, updating and deleting SensorThings entities with the integrity rules of OGC 18-088, clause 10.

* Create (10.2): an entity with its related entities inline (deep insert) or linked by ``{"@iot.id": n}``; a
  Datastream needs its Thing, Sensor and ObservedProperty, an Observation its Datastream. Linking a Thing to
  Locations records a HistoricalLocation; linking a Location to a Thing makes it the Thing's current Location. An
  Observation without a FeatureOfInterest gets one made from the Thing's Location. Observations go through the same
  validation and storage as the bulk ingest.
* Update (10.3): PATCH with a JSON object (``application/json``) or a JSON Patch (``application/json-patch+json``);
  PUT replaces every writable property. Related entities can be re-linked by id, not created.
* Delete (10.4): a Thing takes its Datastreams (and their Observations) and HistoricalLocations with it; a
  Sensor, ObservedProperty or Datastream its Datastreams/Observations; a FeatureOfInterest its Observations; a
  Location its HistoricalLocations that are left with no Location.

Services call these inside one transaction; errors are ``smartcity.lib.errors`` exceptions naming the field.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
from typing import Any

from django.db import IntegrityError, models, transaction

from smartcity.lib.dbint import as_db_int
from smartcity.lib.errors import Conflict, Invalid
from smartcity.sensing import geo, ingest, storage
from smartcity.sensing.geo import GEOJSON_ENCODINGS
from smartcity.sensing.models import (
    Datastream,
    HistoricalLocation,
    Observation,
    ObservationType,
    QualityFlag,
    Thing,
)
from smartcity.sensing.sta.entities import TYPES, EntityType, Nav, entity_json

MISSING = object()
CONTROL = re.compile(r"^@iot\.|@iot\.(navigationLink|count|nextLink)$")
_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def _where(where: str, name: str) -> str:
    return f"{where}{name}"


def _obj(body: Any, where: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Invalid(f"{where.rstrip('.') or 'the body'} must be a JSON object", field=where.rstrip(".") or None)
    return body


def duration_seconds(value: Any, where: str) -> int:
    """Seconds from a number or an ISO 8601 duration ("PT5M")."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0:
        return max(1, round(value))
    if isinstance(value, str):
        m = _DURATION.match(value.strip())
        if m and any(m.groups()):
            d, h, mi, s = (float(g) if g else 0.0 for g in m.groups())
            seconds = round(d * 86400 + h * 3600 + mi * 60 + s)
            if seconds > 0:
                return seconds
    raise Invalid(f"{where} must be a positive number of seconds or an ISO 8601 duration like PT5M", field=where)


def _range(value: Any, where: str) -> tuple[float, float]:
    if (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value)
            and value[0] <= value[1]):
        return float(value[0]), float(value[1])
    raise Invalid(f"{where} must be [min, max] with min <= max", field=where)


class Writer:
    def __init__(self, *, now: dt.datetime) -> None:
        self.now = now

    # -------------------------------------------------------------------------------------------- create

    def create(self, etype: EntityType, body: Any, where: str = "") -> models.Model:
        data = _obj(body, where)
        self._check_keys(etype, data, where)
        if etype.name == "Observation":
            return self._create_observation(data, where)
        obj = etype.model()
        self._set_props(etype, obj, data, where, full=True)
        for nav in etype.navs:
            if nav.many:
                continue
            value = data.get(nav.name)
            if value is None:
                if nav.required:
                    raise Invalid(f"{_where(where, nav.name)} is required: link one with {{\"@iot.id\": …}} or give "
                                  "it inline", field=_where(where, nav.name))
                continue
            setattr(obj, nav.lookup, self.link_or_create(TYPES[nav.target], value, f"{where}{nav.name}."))
        obj.save()
        if etype.name == "HistoricalLocation" and not data.get("Locations"):
            raise Invalid(f"{_where(where, 'Locations')} is required: a HistoricalLocation needs at least one "
                          "Location", field=_where(where, "Locations"))
        for nav in etype.navs:
            if nav.many and data.get(nav.name) is not None:
                self._attach_many(etype, obj, nav, data[nav.name], where, creating=True)
        return obj

    def link_or_create(self, etype: EntityType, value: Any, where: str) -> models.Model:
        data = _obj(value, where)
        if "@iot.id" in data:
            return self.get(etype, data["@iot.id"], where)
        return self.create(etype, data, where)

    def get(self, etype: EntityType, pk: Any, where: str) -> models.Model:
        field = where.rstrip(".")
        number = as_db_int(pk) if isinstance(pk, int | str) else None
        if number is None:
            raise Invalid(f"{field}: @iot.id must be an integer of at most 19 digits, not {str(pk)[:40]!r}",
                          field=field)
        pk = number
        obj = etype.model.objects.filter(pk=pk).first()
        if obj is None:
            raise Invalid(f"{field}: there is no {etype.name} with @iot.id {pk}", field=field)
        return obj

    def _check_keys(self, etype: EntityType, data: dict[str, Any], where: str) -> None:
        names = {p.name for p in etype.props} | {n.name for n in etype.navs}
        for key in data:
            if key in names or CONTROL.search(key):
                continue
            known = ", ".join(sorted(names))
            raise Invalid(f"{_where(where, key)}: {etype.name} has no property {key!r} (known: {known})",
                          field=_where(where, key))

    def _set_props(self, etype: EntityType, obj: models.Model, data: dict[str, Any], where: str, *,
                   full: bool) -> None:
        """Copy the writable properties in ``data`` onto ``obj``; ``full`` (create, PUT) requires the mandatory
        ones and resets the optional ones that are absent."""
        for prop in etype.props:
            if not prop.writable:
                continue
            field = _where(where, prop.name)
            value = data.get(prop.name, MISSING)
            if value is MISSING or (value is None and prop.required):
                if full and prop.required:
                    raise Invalid(f"{field} is required", field=field)
                if full and value is MISSING:
                    setattr(obj, prop.columns[0], None)
                if value is MISSING:
                    continue
            column = prop.columns[0]
            if prop.kind == "text":
                if not isinstance(value, str):
                    raise Invalid(f"{field} must be text", field=field)
                max_length = getattr(obj._meta.get_field(column), "max_length", None)
                if max_length and len(value) > max_length:
                    raise Invalid(f"{field} is longer than {max_length} characters", field=field)
            elif prop.kind == "datetime":
                try:
                    value = ingest.parse_instant(value, field)
                except ingest.Refused as exc:
                    raise Invalid(str(exc), field=field) from None
            elif prop.kind == "geo":
                if value is not None and (not isinstance(value, dict) or "type" not in value):
                    raise Invalid(f"{field} must be a GeoJSON object", field=field)
            elif prop.name in ("properties", "parameters") and value is not None and not isinstance(value, dict):
                raise Invalid(f"{field} must be a JSON object", field=field)
            elif prop.name == "unitOfMeasurement" and not isinstance(value, dict):
                raise Invalid(f"{field} must be an object with name, symbol and definition", field=field)
            setattr(obj, column, value)
        self._derived(etype, obj, where)

    def _derived(self, etype: EntityType, obj: Any, where: str) -> None:
        """Checks across properties, and the columns mirrored from them (bounding boxes, QC settings)."""
        if etype.name in ("Location", "FeatureOfInterest"):
            column = "location" if etype.name == "Location" else "feature"
            field = _where(where, column)
            box = None
            if obj.encoding_type in GEOJSON_ENCODINGS:
                try:
                    box = geo.shape(getattr(obj, column)).bbox()
                except geo.GeometryError as exc:
                    raise Invalid(f"{field} is not valid GeoJSON: {exc}", field=field) from None
            obj.min_x, obj.min_y, obj.max_x, obj.max_y = box or (None, None, None, None)
        if etype.name == "Datastream":
            if obj.observation_type not in ObservationType.values:
                field = _where(where, "observationType")
                raise Invalid(f"{field} must be one of {', '.join(ObservationType.values)}", field=field)
            if obj.observed_area is not None:
                try:
                    geo.shape(obj.observed_area)
                except geo.GeometryError as exc:
                    field = _where(where, "observedArea")
                    raise Invalid(f"{field} is not valid GeoJSON: {exc}", field=field) from None
            props = obj.properties or {}
            base = _where(where, "properties/")
            obj.expected_min, obj.expected_max = (
                _range(props["expectedRange"], base + "expectedRange") if "expectedRange" in props else (None, None))
            rate = props.get("maxRateOfChange")
            if rate is not None and not (isinstance(rate, int | float) and not isinstance(rate, bool)
                                         and math.isfinite(rate) and rate > 0):
                raise Invalid(f"{base}maxRateOfChange must be a positive number (units per minute)",
                              field=base + "maxRateOfChange")
            obj.max_rate_per_minute = rate
            interval = props.get("reportingInterval")
            obj.reporting_interval = None if interval is None else duration_seconds(
                interval, base + "reportingInterval")
        if etype.name == "ObservedProperty":
            props = obj.properties or {}
            field = _where(where, "properties/plausibleRange")
            obj.plausible_min, obj.plausible_max = (
                _range(props["plausibleRange"], field) if "plausibleRange" in props else (None, None))

    def _attach_many(self, etype: EntityType, obj: Any, nav: Nav, value: Any, where: str, *,
                     creating: bool) -> None:
        field = _where(where, nav.name)
        if not isinstance(value, list):
            raise Invalid(f"{field} must be a JSON array", field=field)
        target = TYPES[nav.target]
        pair = (etype.name, nav.name)
        if pair in (("Thing", "Locations"), ("HistoricalLocation", "Locations"), ("Location", "Things")):
            related = [self.link_or_create(target, item, f"{field}[{i}].") if creating else
                       self._link_only(target, item, f"{field}[{i}].") for i, item in enumerate(value)]
            if pair == ("Thing", "Locations"):
                self.move_thing(obj, related)
            elif pair == ("Location", "Things"):
                for thing in related:
                    self.move_thing(thing, [obj])
            else:
                obj.locations.add(*related) if creating else obj.locations.set(related)
            return
        if pair == ("Location", "HistoricalLocations"):
            for i, item in enumerate(value):
                item = _obj(item, f"{field}[{i}].")
                if "@iot.id" in item:
                    self.get(target, item["@iot.id"], f"{field}[{i}].").locations.add(obj)
                elif creating:
                    self.create(target, {**item, "Locations": [{"@iot.id": obj.pk}]}, f"{field}[{i}].")
                else:
                    raise Invalid(f"{field}: an update may link entities by @iot.id, not create them", field=field)
            return
        # the target points back with a foreign key: inline children get the link, linked ones are moved
        for i, item in enumerate(value):
            item = _obj(item, f"{field}[{i}].")
            if "@iot.id" in item:
                child = self.get(target, item["@iot.id"], f"{field}[{i}].")
                if target.name == "Observation":
                    self.update(target, child, {nav.inverse: {"@iot.id": obj.pk}}, f"{field}[{i}].")
                else:
                    setattr(child, TYPES[nav.target].nav(nav.inverse).lookup, obj)  # type: ignore[union-attr]
                    child.save()
            elif creating:
                self.create(target, {**item, nav.inverse: {"@iot.id": obj.pk}}, f"{field}[{i}].")
            else:
                raise Invalid(f"{field}: an update may link entities by @iot.id, not create them", field=field)

    def _link_only(self, etype: EntityType, value: Any, where: str) -> models.Model:
        data = _obj(value, where)
        if "@iot.id" not in data:
            raise Invalid(f"{where.rstrip('.')}: an update may link entities by @iot.id, not create them",
                          field=where.rstrip("."))
        return self.get(etype, data["@iot.id"], where)

    def move_thing(self, thing: Thing, locations: list[Any]) -> None:
        """The Thing is now at ``locations``: they replace its current ones and a HistoricalLocation records it."""
        if not locations:
            thing.locations.clear()
            return
        thing.locations.set(locations)
        history = HistoricalLocation.objects.create(thing=thing, time=self.now)
        history.locations.set(locations)

    # -------------------------------------------------------------------------------------------- observations

    def _create_observation(self, data: dict[str, Any], where: str) -> Observation:
        datastream_value = data.get("Datastream")
        if datastream_value is None:
            field = _where(where, "Datastream")
            raise Invalid(f"{field} is required: link one with {{\"@iot.id\": …}}", field=field)
        datastream = self.link_or_create(TYPES["Datastream"], datastream_value, f"{where}Datastream.")
        row: dict[str, Any] = {k: data[k] for k in ("phenomenonTime", "resultTime", "result", "resultQuality",
                                                    "validTime", "parameters") if k in data}
        row["Datastream"] = {"@iot.id": datastream.pk}
        if data.get("FeatureOfInterest") is not None:
            feature = self.link_or_create(TYPES["FeatureOfInterest"], data["FeatureOfInterest"],
                                          f"{where}FeatureOfInterest.")
            row["FeatureOfInterest"] = {"@iot.id": feature.pk}
        prepared = ingest.prepare([row], now=self.now)
        if prepared.rejections:
            reason = prepared.rejections[0].reason
            name = reason.split(" ", 1)[0].rstrip(":")
            field = _where(where, name) if name in {p.name for p in TYPES["Observation"].props} else where.rstrip(
                ".") or None
            raise Invalid(reason, field=field)
        rows = [r for _, r in prepared.rows]
        inserted = storage.insert(rows).keys or {}
        if not inserted:
            existing = storage.existing_ids([(r.datastream_id, r.phenomenon_time) for r in rows])
            pk = next(iter(existing.values()), None)
            raise Conflict(f"Datastream {datastream.pk} already has an Observation at this phenomenonTime"
                           + (f": Observations({pk})" if pk else ""), field=_where(where, "phenomenonTime"))
        storage.widen_observed_areas(rows, inserted)
        return Observation.objects.get(pk=next(iter(inserted.values())))

    def _update_observation(self, obj: Observation, data: dict[str, Any], where: str, *, full: bool) -> None:
        old_ds, old_time = obj.datastream_id, obj.phenomenon_time
        datastream = obj.datastream
        if data.get("Datastream") is not None:
            datastream = self._link_only(TYPES["Datastream"], data["Datastream"], f"{where}Datastream.")
            obj.datastream = datastream
        if data.get("FeatureOfInterest") is not None:
            obj.feature_of_interest = self._link_only(TYPES["FeatureOfInterest"], data["FeatureOfInterest"],
                                                      f"{where}FeatureOfInterest.")
        try:
            if "phenomenonTime" in data or full:
                value = data.get("phenomenonTime")
                obj.phenomenon_time, obj.phenomenon_time_end = (
                    ingest.parse_time(value) if value is not None else (self.now, None))
            if "result" in data or full:
                obj.result, obj.result_json = ingest.split_result(datastream, data.get("result"))
                # a corrected value is checked against the expected range again (the rate check needs the
                # series in order, and is left to ingest)
                out_of_range = obj.result is not None and (
                    (datastream.expected_min is not None and obj.result < datastream.expected_min)
                    or (datastream.expected_max is not None and obj.result > datastream.expected_max))
                obj.quality_flags = QualityFlag.RANGE if out_of_range else 0
            if "resultTime" in data or full:
                value = data.get("resultTime")
                obj.result_time = None if value is None else ingest.parse_instant(value, "resultTime")
            if "validTime" in data or full:
                obj.valid_time_start, obj.valid_time_end = ingest.parse_interval(data.get("validTime"), "validTime")
            for name, column in (("resultQuality", "result_quality"), ("parameters", "parameters")):
                if name in data or full:
                    setattr(obj, column, ingest.check_json(data.get(name), name))
        except ingest.Refused as exc:
            name = str(exc).split(" ", 1)[0].rstrip(":")
            raise Invalid(str(exc), field=_where(where, name)) from None
        if obj.parameters is not None and not isinstance(obj.parameters, dict):
            raise Invalid("parameters must be a JSON object", field=_where(where, "parameters"))
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError:
            raise Conflict(f"Datastream {obj.datastream_id} already has an Observation at this phenomenonTime",
                           field=_where(where, "phenomenonTime")) from None
        storage.refresh_latest(sorted({old_ds, obj.datastream_id}))
        if old_ds != obj.datastream_id or old_time != obj.phenomenon_time or "resultTime" in data:
            for ds in {old_ds, obj.datastream_id}:
                storage.recompute_envelope(ds)

    # -------------------------------------------------------------------------------------------- update

    def update(self, etype: EntityType, obj: Any, body: Any, where: str = "", *, full: bool = False) -> None:
        data = _obj(body, where)
        self._check_keys(etype, data, where)
        if etype.name == "Observation":
            self._update_observation(obj, data, where, full=full)
            return
        self._set_props(etype, obj, data, where, full=full)
        for nav in etype.navs:
            if not nav.many and data.get(nav.name) is not None:
                setattr(obj, nav.lookup, self._link_only(TYPES[nav.target], data[nav.name], f"{where}{nav.name}."))
        obj.save()
        for nav in etype.navs:
            if nav.many and data.get(nav.name) is not None:
                self._attach_many(etype, obj, nav, data[nav.name], where, creating=False)

    def json_patch(self, etype: EntityType, obj: Any, operations: Any) -> None:
        """Apply a JSON Patch (RFC 6902) to the entity's properties, then update with what changed."""
        if not isinstance(operations, list):
            raise Invalid("a JSON Patch must be an array of operations")
        current = {k: v for k, v in entity_json(etype, obj, "").items() if not k.startswith("@iot.")
                   and "@iot." not in k}
        document = apply_json_patch(copy.deepcopy(current), operations)
        changes = {k: v for k, v in document.items() if current.get(k, MISSING) != v}
        for removed in set(current) - set(document):
            changes[removed] = None
        writable = {p.name for p in etype.props if p.writable}
        for key in changes:
            if key not in writable:
                raise Invalid(f"{key} cannot be changed", field=key)
        self.update(etype, obj, changes)

    # -------------------------------------------------------------------------------------------- delete

    def delete(self, etype: EntityType, obj: Any) -> None:
        if etype.name == "Observation":
            ds, at_edge = obj.datastream_id, _at_envelope_edge(obj)
            obj.delete()
            storage.refresh_latest([ds])
            if at_edge:
                storage.recompute_envelope(ds)
            return
        if etype.name == "Location":
            history = list(obj.historical_locations.values_list("pk", flat=True))
            obj.delete()
            HistoricalLocation.objects.filter(pk__in=history, locations__isnull=True).delete()
            return
        if etype.name == "FeatureOfInterest":
            affected = sorted(set(Observation.objects.filter(feature_of_interest=obj)
                                  .values_list("datastream_id", flat=True).distinct()))
            obj.delete()
            storage.refresh_latest(affected)
            for ds in affected:
                storage.recompute_envelope(ds)
            return
        obj.delete()


def _at_envelope_edge(obj: Observation) -> bool:
    ds = Datastream.objects.filter(pk=obj.datastream_id).values(
        "phenomenon_time_start", "phenomenon_time_end", "result_time_start", "result_time_end").first() or {}
    end = obj.phenomenon_time_end or obj.phenomenon_time
    return (obj.phenomenon_time == ds.get("phenomenon_time_start") or end == ds.get("phenomenon_time_end")
            or (obj.result_time is not None and obj.result_time in (ds.get("result_time_start"),
                                                                    ds.get("result_time_end"))))


# ------------------------------------------------------------------------------------------------ JSON Patch


def _pointer(path: Any) -> list[str]:
    if not isinstance(path, str) or (path and not path.startswith("/")):
        raise Invalid(f"JSON Patch path must be a JSON Pointer like /name, not {path!r}", field="path")
    return [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]]


def _index(part: str) -> int | None:
    """A JSON Pointer array index (RFC 6901 §4: ASCII digits), bounded."""
    return as_db_int(part, minimum=0) if part.isascii() else None


def _parent(doc: Any, parts: list[str]) -> tuple[Any, str]:
    if not parts:
        raise Invalid("JSON Patch cannot replace the whole entity", field="path")
    node = doc
    for part in parts[:-1]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and _index(part) is not None and int(part) < len(node):
            node = node[int(part)]
        else:
            raise Invalid(f"JSON Patch path /{'/'.join(parts)} does not exist", field="path")
    return node, parts[-1]


def _get(doc: Any, parts: list[str]) -> Any:
    node, key = _parent(doc, parts)
    if isinstance(node, dict) and key in node:
        return node[key]
    if isinstance(node, list) and _index(key) is not None and int(key) < len(node):
        return node[int(key)]
    raise Invalid(f"JSON Patch path /{'/'.join(parts)} does not exist", field="path")


def _put(doc: Any, parts: list[str], value: Any, *, insert: bool) -> None:
    node, key = _parent(doc, parts)
    if isinstance(node, dict):
        node[key] = value
    elif isinstance(node, list):
        if key == "-":
            node.append(value)
        elif _index(key) is not None and int(key) <= len(node):
            if insert:
                node.insert(int(key), value)
            else:
                node[int(key)] = value
        else:
            raise Invalid(f"JSON Patch index {key} is out of range", field="path")
    else:
        raise Invalid(f"JSON Patch path /{'/'.join(parts)} does not exist", field="path")


def _remove(doc: Any, parts: list[str]) -> Any:
    value = _get(doc, parts)
    node, key = _parent(doc, parts)
    if isinstance(node, dict):
        del node[key]
    else:
        del node[int(key)]
    return value


def apply_json_patch(doc: dict[str, Any], operations: list[Any]) -> dict[str, Any]:
    for i, op in enumerate(operations):
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise Invalid(f"JSON Patch operation {i} needs op and path", field=f"[{i}]")
        parts = _pointer(op["path"])
        kind = op["op"]
        if kind in ("add", "replace", "test") and "value" not in op:
            raise Invalid(f"JSON Patch operation {i} ({kind}) needs a value", field=f"[{i}]")
        if kind == "add":
            _put(doc, parts, op["value"], insert=True)
        elif kind == "replace":
            _get(doc, parts)
            _put(doc, parts, op["value"], insert=False)
        elif kind == "remove":
            _remove(doc, parts)
        elif kind == "test":
            if _get(doc, parts) != op["value"]:
                raise Conflict(f"JSON Patch test failed at {op['path']}", field=op["path"])
        elif kind in ("move", "copy"):
            source = _pointer(op.get("from"))
            value = _remove(doc, source) if kind == "move" else copy.deepcopy(_get(doc, source))
            _put(doc, parts, value, insert=True)
        else:
            raise Invalid(f"JSON Patch operation {i}: unknown op {kind!r}", field=f"[{i}]")
    return doc


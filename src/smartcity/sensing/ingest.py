"""Reading, validating and quality-checking observation rows before they are stored.

Rows arrive in three shapes, all accepted by ``prepare``:

* compact, from gateways: ``{"datastream": 12, "t": "2026-03-01T08:00:00Z", "v": 41.5}`` (``t`` may also be epoch
  seconds, or milliseconds when above 10^11);
* an array ``[datastream_id, phenomenon_time, result]`` (the MQTT gateway batch of ``docs/design/sensing-ingest.md``);
* a SensorThings Observation with its datastream: ``{"Datastream": {"@iot.id": 12}, "phenomenonTime": …,
  "result": …, "resultTime": …, "resultQuality": …, "validTime": …, "parameters": …,
  "FeatureOfInterest": {"@iot.id": 3}}``.

A row is refused (and later kept as a dead letter) for: an unknown datastream; a time that is not ISO 8601 with a
zone, or more than ``SENSING_MAX_FUTURE_SECONDS`` ahead; a result of the wrong type for the datastream's
observationType (a number for OM_Measurement, an integer for OM_CountObservation, a boolean for
OM_TruthObservation, text for OM_CategoryObservation); a number outside the ObservedProperty's plausible range; no
FeatureOfInterest and no Location of the Thing to make one from (OGC 18-088, 10.2.1.1). Quality control then flags,
without refusing, readings outside the datastream's expected range or changing faster than its maximum rate.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from smartcity.lib.dbint import as_db_int
from smartcity.lib.nul import contains_nul
from smartcity.sensing import geo
from smartcity.sensing.geo import GEOJSON_ENCODINGS
from smartcity.sensing.isotime import parse_datetime
from smartcity.sensing.models import (
    Datastream,
    FeatureOfInterest,
    LatestObservation,
    Location,
    ObservationType,
    QualityFlag,
    Thing,
)
from smartcity.sensing.storage import Row

UTC = dt.UTC
MISSING = object()


class Refused(ValueError):
    """A row that cannot be stored; the message is the reason kept with the dead letter."""


@dataclass
class Rejection:
    index: int
    reason: str
    payload: Any
    datastream_id: int | None


@dataclass
class Prepared:
    rows: list[tuple[int, Row]] = field(default_factory=list)  # (index in the input, row)
    rejections: list[Rejection] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------ values


def parse_instant(value: Any, what: str = "phenomenonTime") -> dt.datetime:
    if isinstance(value, bool):
        raise Refused(f"{what} must be an ISO 8601 date-time, not {value!r}")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise Refused(f"{what} must be a finite number of seconds")
        seconds = value / 1000 if abs(value) > 1e11 else value
        try:
            return dt.datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise Refused(f"{what} is out of range: {value!r}") from None
    if isinstance(value, str):
        try:
            return parse_datetime(value)
        except ValueError as exc:
            raise Refused(f"{what}: {exc}") from None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise Refused(f"{what} has no time zone")
        return value.astimezone(UTC)
    raise Refused(f"{what} must be an ISO 8601 date-time, not {type(value).__name__}")


def parse_time(value: Any, what: str = "phenomenonTime") -> tuple[dt.datetime, dt.datetime | None]:
    """An instant, or an interval "start/end"."""
    if isinstance(value, str) and "/" in value:
        start_text, _, end_text = value.partition("/")
        start, end = parse_instant(start_text, what), parse_instant(end_text, what)
        if end < start:
            raise Refused(f"{what}: the interval ends before it starts")
        return start, end
    return parse_instant(value, what), None


def parse_interval(value: Any, what: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    if value is None:
        return None, None
    start, end = parse_time(value, what)
    return start, end or start


def check_json(value: Any, what: str) -> Any:
    if value is None or isinstance(value, str | int | bool):
        return value
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise Refused(f"{what} is not valid JSON (NaN and Infinity are not allowed)") from None
    return value


def check_json_or_text(value: Any) -> Any:
    """``value`` if it is storable JSON, else its repr: a dead letter keeps whatever arrived (a NUL, which
    PostgreSQL cannot store, only as its repr)."""
    if contains_nul(value):
        return repr(value)
    try:
        json.dumps(value, allow_nan=False)
        return value
    except (TypeError, ValueError):
        return repr(value)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def split_result(datastream: Datastream, value: Any) -> tuple[float | None, Any]:
    """(double, JSON) columns for ``value`` under the datastream's observationType, or ``Refused``."""
    kind = datastream.observation_type
    if value is None:
        raise Refused("result is missing (null)")
    if kind in (ObservationType.MEASUREMENT, ObservationType.COUNT):
        if not is_number(value):
            raise Refused(f"result must be a number for {kind.rsplit('/', 1)[-1]}, not {value!r}")
        if not math.isfinite(value):
            raise Refused("result must be a finite number")
        if kind == ObservationType.COUNT and not float(value).is_integer():
            raise Refused(f"result must be an integer for OM_CountObservation, not {value!r}")
        return float(value), None
    if kind == ObservationType.TRUTH:
        if not isinstance(value, bool):
            raise Refused(f"result must be true or false for OM_TruthObservation, not {value!r}")
        return None, value
    if kind == ObservationType.CATEGORY:
        if not isinstance(value, str):
            raise Refused(f"result must be text (a category) for OM_CategoryObservation, not {value!r}")
        return None, value
    if is_number(value):
        if not math.isfinite(value):
            raise Refused("result must be a finite number")
        return float(value), None
    return None, check_json(value, "result")


def _link_id(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("@iot.id", MISSING)
        if value is MISSING:
            raise Refused(f"{what} must name an existing entity as {{\"@iot.id\": …}}")
    number = as_db_int(value) if isinstance(value, int | str) else None
    if number is None:
        raise Refused(f"{what} id must be an integer of at most 19 digits, not {str(value)[:40]!r}")
    return number


def _first(raw: dict[str, Any], *names: str) -> Any:
    for name in names:
        if name in raw:
            return raw[name]
    return MISSING


@dataclass
class Fields:
    datastream: Any
    time: Any = MISSING
    result: Any = MISSING
    result_time: Any = None
    result_quality: Any = None
    valid_time: Any = None
    parameters: Any = None
    feature: Any = None


def read_fields(raw: Any) -> Fields:
    if contains_nul(raw):  # PostgreSQL cannot store U+0000; an MQTT payload is not filtered by the HTTP middleware
        raise Refused("the row contains a NUL character (\\u0000)")
    if isinstance(raw, list | tuple):
        if len(raw) != 3:
            raise Refused("a row given as an array must be [datastream, phenomenonTime, result]")
        return Fields(datastream=raw[0], time=raw[1], result=raw[2])
    if not isinstance(raw, dict):
        raise Refused("a row must be an object or an array [datastream, phenomenonTime, result]")
    if len(raw) == 3 and "datastream" in raw and "t" in raw and "v" in raw:  # the compact form, fast
        return Fields(datastream=raw["datastream"], time=raw["t"], result=raw["v"])
    out = Fields(datastream=_first(raw, "datastream", "datastream_id", "Datastream"))
    out.time = _first(raw, "t", "phenomenonTime", "phenomenon_time")
    out.result = _first(raw, "v", "result", "value")
    for attr, names in (("result_time", ("resultTime", "result_time")),
                        ("result_quality", ("resultQuality", "result_quality")),
                        ("valid_time", ("validTime", "valid_time")),
                        ("parameters", ("parameters",)),
                        ("feature", ("FeatureOfInterest", "foi", "feature_of_interest"))):
        value = _first(raw, *names)
        if value is not MISSING:
            setattr(out, attr, value)
    return out


# ------------------------------------------------------------------------------------------------ features


def default_features(datastreams: Sequence[Datastream]) -> dict[int, int | None]:
    """The FeatureOfInterest of readings that name none: made from the Thing's Location (OGC 18-088, 10.2.1.1),
    reused while that Location keeps its geometry. One query per step for the whole batch."""
    thing_ids = {d.thing_id for d in datastreams}
    through = Thing.locations.through
    first_location: dict[int, int] = {}
    for thing_id, location_id in (through.objects.filter(thing_id__in=thing_ids)
                                  .order_by("thing_id", "location_id").values_list("thing_id", "location_id")):
        first_location.setdefault(thing_id, location_id)
    locations = {loc.pk: loc for loc in Location.objects.filter(pk__in=set(first_location.values()))}
    reusable: dict[int, int] = {}
    for foi in (FeatureOfInterest.objects.filter(source_location_id__in=locations)
                .order_by("-id").only("id", "source_location_id", "feature")):
        loc = locations[foi.source_location_id]
        if foi.source_location_id not in reusable and foi.feature == loc.location:
            reusable[foi.source_location_id] = foi.pk
    features: dict[int, int | None] = {}
    for d in datastreams:
        loc_id = first_location.get(d.thing_id)
        if loc_id is None:
            features[d.pk] = None
            continue
        if loc_id not in reusable:
            loc = locations[loc_id]
            box = geo.bbox(loc.location) if loc.encoding_type in GEOJSON_ENCODINGS else None
            foi = FeatureOfInterest.objects.create(
                name=loc.name, description=loc.description, encoding_type=loc.encoding_type,
                feature=loc.location, source_location=loc,
                **(dict(zip(("min_x", "min_y", "max_x", "max_y"), box, strict=True)) if box else {}))
            reusable[loc_id] = foi.pk
        features[d.pk] = reusable[loc_id]
    return features


# ------------------------------------------------------------------------------------------------ prepare


def prepare(raw_rows: Sequence[Any], *, now: dt.datetime) -> Prepared:
    """Validate and quality-check ``raw_rows``; nothing is written except auto-generated FeaturesOfInterest."""
    out = Prepared()
    fields: list[tuple[int, Fields]] = []
    for index, raw in enumerate(raw_rows):
        try:
            fields.append((index, read_fields(raw)))
        except Refused as exc:
            out.rejections.append(Rejection(index, str(exc), raw, None))
    ids = set()
    for _, f in fields:
        ds_id = _safe_link(f.datastream)
        if ds_id is not None:
            ids.add(ds_id)
    datastreams = {d.pk: d for d in Datastream.objects.filter(pk__in=ids).select_related("observed_property")}
    named_features = {_safe_link(f.feature) for _, f in fields} - {None}
    known_features = set(FeatureOfInterest.objects.filter(pk__in=named_features).values_list("pk", flat=True))
    latest_future = settings.SENSING_MAX_FUTURE_SECONDS
    limit = now + dt.timedelta(seconds=latest_future)
    parsed_times: dict[str, tuple[dt.datetime, dt.datetime | None]] = {}

    def times(value: Any) -> tuple[dt.datetime, dt.datetime | None]:
        """``parse_time``, once per distinct text: a gateway's sensors share their reading times."""
        if type(value) is not str:
            return parse_time(value, "phenomenonTime")
        if value not in parsed_times:
            parsed_times[value] = parse_time(value, "phenomenonTime")
        return parsed_times[value]

    needs_default: set[int] = set()
    staged: list[tuple[int, Row, Any]] = []
    raws = list(raw_rows)
    for index, f in fields:
        raw = raws[index]
        ds_id = None
        try:
            if f.datastream is MISSING or f.datastream is None:
                raise Refused("the row names no datastream")
            ds_id = _link_id(f.datastream, "Datastream")
            ds = datastreams.get(ds_id)
            if ds is None:
                raise Refused(f"unknown datastream {ds_id}")
            start, end = times(f.time) if f.time is not MISSING else (now, None)
            if start > limit or (end is not None and end > limit):
                raise Refused(f"phenomenonTime {start.isoformat()} is more than {latest_future} s in the future")
            if f.result is MISSING:
                raise Refused("result is missing")
            number, other = split_result(ds, f.result)
            prop = ds.observed_property
            if number is not None and (
                    (prop.plausible_min is not None and number < prop.plausible_min)
                    or (prop.plausible_max is not None and number > prop.plausible_max)):
                raise Refused(f"result {f.result} is outside the plausible range [{prop.plausible_min}, "
                              f"{prop.plausible_max}] of {prop.name}")
            result_time = parse_instant(f.result_time, "resultTime") if f.result_time is not None else None
            valid_start, valid_end = parse_interval(f.valid_time, "validTime")
            foi_id = _link_id(f.feature, "FeatureOfInterest")
            if foi_id is not None and foi_id not in known_features:
                raise Refused(f"unknown FeatureOfInterest {foi_id}")
            if f.parameters is not None and not isinstance(f.parameters, dict):
                raise Refused("parameters must be an object")
            row = Row(datastream_id=ds_id, phenomenon_time=start, phenomenon_time_end=end,
                      feature_of_interest_id=foi_id or 0, result=number, result_json=other,
                      result_time=result_time, result_quality=check_json(f.result_quality, "resultQuality"),
                      valid_time_start=valid_start, valid_time_end=valid_end,
                      parameters=check_json(f.parameters, "parameters"))
        except Refused as exc:
            out.rejections.append(Rejection(index, str(exc), raw, ds_id))
            continue
        if foi_id is None:
            needs_default.add(ds_id)
        staged.append((index, row, raw))
    defaults = default_features([datastreams[i] for i in sorted(needs_default)]) if needs_default else {}
    for index, row, raw in staged:
        if not row.feature_of_interest_id:
            foi_id = defaults.get(row.datastream_id)
            if foi_id is None:
                out.rejections.append(Rejection(
                    index, "no FeatureOfInterest given and the datastream's Thing has no Location to make one from",
                    raw, row.datastream_id))
                continue
            row.feature_of_interest_id = foi_id
        out.rows.append((index, row))
    quality_control(out.rows, datastreams)
    out.rejections.sort(key=lambda r: r.index)
    return out


def _safe_link(value: Any) -> int | None:
    if value is MISSING:
        return None
    try:
        return _link_id(value, "entity")
    except Refused:
        return None


def quality_control(rows: list[tuple[int, Row]], datastreams: dict[int, Datastream]) -> None:
    """Flag readings outside the expected range, or changing faster than the maximum rate from the previous
    reading. A spike flags one reading: the next is compared with the last unflagged one."""
    checked = [ds for ds in datastreams.values()
               if ds.expected_min is not None or ds.expected_max is not None or ds.max_rate_per_minute]
    if not checked:
        return
    ids = {ds.pk for ds in checked}
    previous = {lo.datastream_id: (lo.phenomenon_time, lo.result, lo.quality_flags)
                for lo in LatestObservation.objects.filter(datastream_id__in=ids)}
    by_ds: dict[int, list[Row]] = {}
    for _, row in rows:
        if row.datastream_id in ids and row.result is not None:
            by_ds.setdefault(row.datastream_id, []).append(row)
    range_flag, rate_flag = int(QualityFlag.RANGE), int(QualityFlag.RATE)  # plain ints: IntFlag arithmetic is slow
    for ds_id, mine in by_ds.items():
        ds = datastreams[ds_id]
        mine.sort(key=lambda r: r.phenomenon_time)
        prev = previous.get(ds_id)
        for row in mine:
            value = row.result
            assert value is not None
            if (ds.expected_min is not None and value < ds.expected_min) or (
                    ds.expected_max is not None and value > ds.expected_max):
                row.quality_flags |= range_flag
            if ds.max_rate_per_minute and prev is not None and prev[1] is not None \
                    and row.phenomenon_time > prev[0]:
                minutes = (row.phenomenon_time - prev[0]).total_seconds() / 60
                if abs(value - prev[1]) / minutes > ds.max_rate_per_minute:
                    row.quality_flags |= rate_flag
            if prev is None or row.phenomenon_time > prev[0]:
                rate_flagged = bool(row.quality_flags & rate_flag)
                if not rate_flagged or (prev is not None and prev[2] & rate_flag):
                    prev = (row.phenomenon_time, value, row.quality_flags)
                elif prev is not None:
                    prev = (prev[0], prev[1], prev[2] | rate_flag)

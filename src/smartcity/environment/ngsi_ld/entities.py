"""A read-only FIWARE NGSI-LD view of the stations' latest state (ETSI GS CIM 009), in the Smart Data Models.

Each station is one entity, typed by its kind:

=============  ========================  ===================================================================
kind           type                      attributes (Smart Data Models)
=============  ========================  ===================================================================
air            AirQualityObserved        pm25, pm10, o3, no2, so2, co (µg/m³, unitCode GQ), airQualityIndex and
                                         airQualityLevel (VN_AQI, with referenceSpecification)
water          WaterQualityObserved      pH, O2, bod, cod, NH4, NO3, PO4, turbidity, conductivity, temperature
rain           WeatherObserved           precipitation (mm over the last hour, MMT), temperature, relativeHumidity
water_level    FloodMonitoring           currentLevel, measuredDistance, referenceLevel, alertLevel (level I),
                                         dangerLevel (level III), floodLevelStatus, observationDateTime
noise          NoiseLevelObserved        LAeq (last complete hour, 2N = dB), dateObservedFrom/To
=============  ========================  ===================================================================

plus ``name``, ``location`` (GeoProperty, GeoJSON Point), ``address``/``areaServed`` (the ward), ``dateObserved``
(a DateTime), ``source`` and ``dataProvider``. Measured values carry ``observedAt`` and ``unitCode``.

The id is ``urn:ngsi-ld:<type>:<station code>``. ``@context`` is our context document (served beside the API at
``…/ngsi-ld/v1/context.jsonld`` by ``views.context``), which maps the terms to their Smart Data Models IRIs and includes the NGSI-LD core
context; a response is ``application/ld+json`` with the ``@context`` in the body when the client accepts it, else
``application/json`` with the context in a ``Link`` header (clause 6.3.5).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from smartcity.environment import services
from smartcity.environment.parameters import BY_CODE, Kind

CORE_CONTEXT = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
TYPES: dict[str, str] = {Kind.AIR: "AirQualityObserved", Kind.WATER: "WaterQualityObserved",
                         Kind.RAIN: "WeatherObserved", Kind.WATER_LEVEL: "FloodMonitoring",
                         Kind.NOISE: "NoiseLevelObserved"}
KIND_OF_TYPE = {t: k for k, t in TYPES.items()}
_MODEL = {"AirQualityObserved": "dataModel.Environment", "WaterQualityObserved": "dataModel.WaterQuality",
          "WeatherObserved": "dataModel.Weather", "FloodMonitoring": "dataModel.Environment",
          "NoiseLevelObserved": "dataModel.Environment"}
_COMMON = ("name", "description", "location", "address", "areaServed", "dateObserved", "source", "dataProvider",
           "refDevice", "observedAt", "unitCode", "referenceSpecification")
_TERMS = {
    "AirQualityObserved": ("pm25", "pm10", "o3", "no2", "so2", "co", "airQualityIndex", "airQualityLevel",
                           "temperature", "relativeHumidity", "precipitation"),
    "WaterQualityObserved": ("pH", "O2", "bod", "cod", "NH4", "NO3", "PO4", "turbidity", "conductivity",
                             "temperature"),
    "WeatherObserved": ("precipitation", "temperature", "relativeHumidity"),
    "FloodMonitoring": ("currentLevel", "measuredDistance", "referenceLevel", "alertLevel", "dangerLevel",
                        "floodLevelStatus", "observationDateTime", "stationID"),
    "NoiseLevelObserved": ("LAeq", "dateObservedFrom", "dateObservedTo"),
}
DATA_PROVIDER = "Sở Nông nghiệp và Môi trường Hà Nội"
VN_AQI = "Quyết định 1459/QĐ-TCMT (VN_AQI)"
# VN_AQI bands (Table 1) in the Smart Data Models' recommended camel-case terms; the six bands and their colours
# are those of the US EPA scale the model's examples name.
AQI_LEVELS = ("good", "moderate", "unhealthyForSensitiveGroups", "unhealthy", "veryUnhealthy", "hazardous")
FLOOD_STATUS = ("normal", "alertLevelI", "alertLevelII", "alertLevelIII")


def context_document() -> dict[str, Any]:
    terms: dict[str, str] = {}
    for etype, model in _MODEL.items():
        terms[etype] = f"https://smartdatamodels.org/{model}/{etype}"
        for term in _TERMS[etype]:
            terms.setdefault(term, f"https://smartdatamodels.org/{model}/{term}")
    for term in _COMMON:
        if term not in ("location", "observedAt", "unitCode"):  # core terms
            terms.setdefault(term, f"https://smartdatamodels.org/{term}")
    return {"@context": [CORE_CONTEXT, terms]}


def entity_id(station: Any) -> str:
    return f"urn:ngsi-ld:{TYPES[station.kind]}:{station.code}"


def code_of(entity: str) -> tuple[str, str] | None:
    """(type, station code) of one of our entity ids, or None."""
    parts = entity.split(":")
    if len(parts) != 4 or parts[:2] != ["urn", "ngsi-ld"] or parts[2] not in KIND_OF_TYPE:
        return None
    return parts[2], parts[3]


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if moment else None


def _datetime(moment: dt.datetime) -> dict[str, Any]:
    return {"type": "Property", "value": {"@type": "DateTime", "@value": _iso(moment)}}


def _prop(value: Any, *, at: dt.datetime | None = None, unit_code: str = "", **sub: Any) -> dict[str, Any]:
    attr: dict[str, Any] = {"type": "Property", "value": value}
    if at is not None:
        attr["observedAt"] = _iso(at)
    if unit_code:
        attr["unitCode"] = unit_code
    for name, v in sub.items():
        attr[name] = {"type": "Property", "value": v}
    return attr


def entity(status: services.Status) -> dict[str, Any]:
    """The normalized NGSI-LD entity of a station's status (without ``@context``)."""
    st = status.station
    etype = TYPES[st.kind]
    out: dict[str, Any] = {"id": entity_id(st), "type": etype, "name": _prop(st.name)}
    if st.longitude is not None and st.latitude is not None:
        out["location"] = {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [st.longitude,
                                                                                             st.latitude]}}
    if st.unit is not None:
        out["areaServed"] = _prop(st.unit.name)
        out["address"] = _prop({"streetAddress": st.address, "addressLocality": st.unit.name,
                                "addressRegion": st.unit.parent.name if st.unit.parent else "",
                                "addressCountry": "VN"})
    out["dataProvider"] = _prop(DATA_PROVIDER)
    out["source"] = _prop(settings.SITE_URL + f"/sta/v1.1/Things({st.thing_id})")
    if status.time is not None:
        out["dateObserved"] = _datetime(status.time)
    readings = {r.code: r for r in status.readings if r.value is not None}
    for code, r in readings.items():
        name = BY_CODE[code].ngsi if code in BY_CODE else ""
        if not name or name in out or (etype == "FloodMonitoring" and code == "water_level"):
            continue
        if etype == "WeatherObserved" and code == "rainfall":
            continue
        out[name] = _prop(r.value, at=r.time, unit_code=BY_CODE[code].unit_code)
    if etype == "AirQualityObserved" and status.value is not None:
        out["airQualityIndex"] = _prop(int(status.value), at=status.time, referenceSpecification=VN_AQI)
        out["airQualityLevel"] = _prop(AQI_LEVELS[status.level - 1], at=status.time, referenceSpecification=VN_AQI)
    elif etype == "WeatherObserved":
        one = status.extra.get("rain_1h")
        if one is not None:
            out["precipitation"] = _prop(one, at=status.time, unit_code="MMT")
    elif etype == "FloodMonitoring":
        if status.value is not None:
            out["currentLevel"] = _prop(round(status.value, 3), at=status.time, unit_code="MTR")
            out["observationDateTime"] = _datetime(status.time)
            if status.level is not None:
                out["floodLevelStatus"] = _prop(FLOOD_STATUS[status.level], at=status.time)
        if st.reference_elevation_m is not None:
            out["referenceLevel"] = _prop(st.reference_elevation_m, unit_code="MTR")
        if st.flood_level_i is not None:
            out["alertLevel"] = _prop(st.flood_level_i, unit_code="MTR")
        if st.flood_level_iii is not None:
            out["dangerLevel"] = _prop(st.flood_level_iii, unit_code="MTR")
        out["stationID"] = _prop(st.code)
    elif etype == "NoiseLevelObserved" and status.time is not None:
        out["dateObservedFrom"] = _datetime(status.time - services.HOUR)
        out["dateObservedTo"] = _datetime(status.time)
        out["LAeq"] = _prop(status.value, at=status.time, unit_code="2N")
    elif etype == "WaterQualityObserved" and status.value is not None:
        out["waterQualityIndex"] = _prop(int(status.value), at=status.time,
                                         referenceSpecification="Quyết định 1460/QĐ-TCMT (VN_WQI)")
    return out


def key_values(full: dict[str, Any]) -> dict[str, Any]:
    """The simplified representation (``options=keyValues``): each attribute reduced to its value."""
    out: dict[str, Any] = {}
    for name, attr in full.items():
        if isinstance(attr, dict) and "value" in attr:
            value = attr["value"]
            out[name] = value["@value"] if isinstance(value, dict) and "@value" in value else value
        else:
            out[name] = attr
    return out


def pick(full: dict[str, Any], attrs: list[str] | None) -> dict[str, Any] | None:
    """Only the listed attributes (always id and type); None when the entity has none of them (clause 5.7.2)."""
    if not attrs:
        return full
    chosen = {k: v for k, v in full.items() if k in attrs}
    return {"id": full["id"], "type": full["type"], **chosen} if chosen else None

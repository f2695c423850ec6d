"""What each sensing datastream measures, for this app: the agreed mapping from SensorThings ObservedProperties to
our parameter codes, their units, and the station kinds they make.

A datastream is recognised by its ObservedProperty: the ``name``, or the ``definition`` URI — its last path segment,
or a whole URI of the EEA air-quality pollutant vocabulary (``http://dd.eionet.europa.eu/vocabulary/aq/pollutant/6001``
is PM2.5) — folded (lower case, no diacritics, letters and digits only) and looked up in ``ALIASES``. So "PM2.5",
"pm2_5", "PM 2.5" and ``https://example.vn/def/PM2.5`` are all ``pm25``. A sensor simulator or gateway only has to
name its ObservedProperties with one of the aliases below; a whole name is matched, never a word inside one (in
"Nhiệt độ nước", "độ" is not DO), so a name that joins a label and a symbol ("Tiếng ồn LAeq", the name
``environment.simulation`` gives its noise monitors) needs its own alias.

Units: the indices need µg/m³ (air, CO included: Decision 1459/QĐ-TCMT, Table 2), metres (water level), millimetres
(rain), dBA (noise) and the VN_WQI units (``wqi``). A datastream whose ``unitOfMeasurement.symbol`` names another
unit we know (mg/m³, cm, mm…) is converted by ``unit_factor``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import models

from smartcity.lib.text import fold_key


class Kind(models.TextChoices):
    AIR = "air", "Không khí"
    WATER = "water", "Chất lượng nước"
    RAIN = "rain", "Mưa"
    WATER_LEVEL = "water_level", "Mực nước"
    NOISE = "noise", "Tiếng ồn"


@dataclass(frozen=True)
class Parameter:
    code: str
    label: str
    unit: str  # the unit our computations use
    unit_code: str  # UN/CEFACT common code, for NGSI-LD ``unitCode``
    aliases: tuple[str, ...]  # folded ObservedProperty names / definition segments
    ngsi: str = ""  # attribute name in the Smart Data Model of the station kind ("" = not published)


PARAMETERS: tuple[Parameter, ...] = (
    # Air (VN_AQI pollutants, µg/m³)
    Parameter("pm25", "PM2.5", "µg/m³", "GQ", ("pm25", "pm2p5", "particulatematter25", "bui25", "bui_pm25"), "pm25"),
    Parameter("pm10", "PM10", "µg/m³", "GQ", ("pm10", "particulatematter10", "bui10"), "pm10"),
    Parameter("o3", "O₃", "µg/m³", "GQ", ("o3", "ozone", "ozon"), "o3"),
    Parameter("no2", "NO₂", "µg/m³", "GQ", ("no2", "nitrogendioxide"), "no2"),
    Parameter("so2", "SO₂", "µg/m³", "GQ", ("so2", "sulphurdioxide", "sulfurdioxide"), "so2"),
    Parameter("co", "CO", "µg/m³", "GQ", ("co", "carbonmonoxide"), "co"),
    # Hydrology
    Parameter("water_level_distance", "Khoảng cách tới mặt nước", "m", "MTR",
              ("waterleveldistance", "distancetowater", "measureddistance", "khoangcachmatnuoc"), "measuredDistance"),
    Parameter("water_level", "Mực nước", "m", "MTR", ("waterlevel", "currentlevel", "mucnuoc", "stage"),
              "currentLevel"),
    Parameter("rainfall", "Lượng mưa", "mm", "MMT", ("rainfall", "precipitation", "rain", "luongmua", "mua"),
              "precipitation"),
    # Noise
    Parameter("laeq", "LAeq", "dBA", "2N", ("laeq", "noiselevel", "soundlevel", "tiengon", "doon", "tiengonlaeq",
                                            "noiselaeq"), "LAeq"),
    # Water quality (VN_WQI parameters, mg/L unless said; Decision 1460/QĐ-TCMT)
    Parameter("ph", "pH", "", "C62", ("ph",), "pH"),
    Parameter("do", "DO", "mg/L", "M1", ("do", "dissolvedoxygen", "oxyhoatan", "o2"), "O2"),
    Parameter("bod5", "BOD₅", "mg/L", "M1", ("bod5", "bod"), "bod"),
    Parameter("cod", "COD", "mg/L", "M1", ("cod",), "cod"),
    Parameter("toc", "TOC", "mg/L", "M1", ("toc",), ""),
    Parameter("n_nh4", "N-NH₄⁺", "mg/L", "M1", ("nnh4", "nh4", "ammonium", "amoni"), "NH4"),
    Parameter("n_no3", "N-NO₃⁻", "mg/L", "M1", ("nno3", "no3", "nitrate", "nitrat"), "NO3"),
    Parameter("n_no2", "N-NO₂⁻", "mg/L", "M1", ("nno2", "nitrite", "nitrit"), ""),
    Parameter("p_po4", "P-PO₄³⁻", "mg/L", "M1", ("ppo4", "po4", "phosphate", "photphat"), "PO4"),
    Parameter("coliform", "Coliform", "MPN/100 mL", "", ("coliform", "totalcoliform"), ""),
    Parameter("e_coli", "E. coli", "MPN/100 mL", "", ("ecoli",), ""),
    Parameter("turbidity", "Độ đục", "NTU", "", ("turbidity", "doduc"), "turbidity"),
    Parameter("conductivity", "Độ dẫn điện", "µS/cm", "", ("conductivity", "dodandien", "ec"), "conductivity"),
    # Weather beside the others
    Parameter("temperature", "Nhiệt độ", "°C", "CEL", ("temperature", "airtemperature", "watertemperature",
                                                         "nhietdo"), "temperature"),
    Parameter("humidity", "Độ ẩm", "%", "P1", ("humidity", "relativehumidity", "doam"), "relativeHumidity"),
)
BY_CODE: dict[str, Parameter] = {p.code: p for p in PARAMETERS}
ALIASES: dict[str, str] = {alias: p.code for p in PARAMETERS for alias in p.aliases}

AIR_POLLUTANTS: tuple[str, ...] = ("pm25", "pm10", "o3", "no2", "so2", "co")  # the order of ``aqi.POLLUTANTS``
WQI_PARAMETERS: tuple[str, ...] = ("ph", "do", "bod5", "cod", "toc", "n_nh4", "n_no3", "n_no2", "p_po4", "coliform",
                                   "e_coli")

# The EEA air-quality pollutant vocabulary (http://dd.eionet.europa.eu/vocabulary/aq/pollutant/<n>).
_EIONET = {"1": "so2", "5": "pm10", "6001": "pm25", "7": "o3", "8": "no2", "10": "co"}
_EIONET_URI = re.compile(r"dd\.eionet\.europa\.eu/vocabulary/aq/pollutant/(\d+)/?$")


def parameter_of(name: str, definition: str = "") -> str | None:
    """Our parameter code for an ObservedProperty (name first, then its definition URI), or None."""
    if definition:
        match = _EIONET_URI.search(definition)
        if match and match.group(1) in _EIONET:
            return _EIONET[match.group(1)]
    for text in (name, definition.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] if definition else ""):
        code = ALIASES.get(fold_key(text.replace(".", "")))
        if code:
            return code
    return None


def kinds_measured(codes: set[str]) -> list[str]:
    """The station kinds a set of parameters makes, in ``Kind`` order: air needs PM2.5 or PM10 (VN_AQI needs one,
    Decision 1459/QĐ-TCMT 2.1.b); water quality three VN_WQI parameters; the others their one parameter."""
    kinds = []
    if codes & {"pm25", "pm10"}:
        kinds.append(Kind.AIR)
    if len(codes & set(WQI_PARAMETERS)) >= 3:
        kinds.append(Kind.WATER)
    if "rainfall" in codes:
        kinds.append(Kind.RAIN)
    if codes & {"water_level", "water_level_distance"}:
        kinds.append(Kind.WATER_LEVEL)
    if "laeq" in codes:
        kinds.append(Kind.NOISE)
    return [k.value for k in kinds]


_FACTORS: dict[str, dict[str, float]] = {
    "µg/m³": {"ugm3": 1, "µgm3": 1, "μgm3": 1, "mgm3": 1000, "ngm3": 0.001},
    "m": {"m": 1, "cm": 0.01, "mm": 0.001},
    "mm": {"mm": 1, "cm": 10, "m": 1000},
    "mg/L": {"mgl": 1, "ugl": 0.001, "µgl": 0.001, "μgl": 0.001},
}


def unit_factor(code: str, unit_of_measurement: dict | None) -> float:
    """What to multiply a datastream's results by to get ``BY_CODE[code].unit``: 1 when the symbol is ours or
    unknown (we cannot guess), the factor for the other units we know (mg/m³ → µg/m³ is 1000)."""
    symbol = str((unit_of_measurement or {}).get("symbol") or "")
    key = re.sub(r"[^0-9a-zµμ]", "", symbol.lower().replace("³", "3"))
    return _FACTORS.get(BY_CODE[code].unit, {}).get(key, 1.0)

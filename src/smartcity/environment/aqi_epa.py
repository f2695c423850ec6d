"""The US EPA Air Quality Index, for visitors and for comparison with VN_AQI — not Vietnam's legal index.

Breakpoints of the EPA Technical Assistance Document EPA-454/B-24-002 (May 2024), with the PM2.5 breakpoints revised
on 7 February 2024 and in force from 6 May 2024 (Good 0.0–9.0 µg/m³, Hazardous 301–500 as one band from 225.5).
Rules, as AirNow states them: the NowCast uses the raw hourly values and needs 2 of the 3 latest hours; it is then
truncated (PM2.5 to 0.1 µg/m³, PM10 to 1 µg/m³); every concentration is truncated before the equation (O3 to
0.001 ppm, CO to 0.1 ppm, SO2 and NO2 to 1 ppb) and the resulting AQI is rounded to the nearest integer.

Units are EPA's (µg/m³ for PM, ppm for O3 and CO, ppb for SO2 and NO2); ``ppb_from_ugm3`` converts our µg/m³ at
25 °C and 1 atm. Values beyond the table are reported as 500. The 1-hour SO2 table ends at 304 ppb (AQI 200):
above it EPA uses the 24-hour SO2 (``averaging="24h"``); the 8-hour O3 table ends at 0.200 ppm (AQI 300): above it
EPA uses the 1-hour O3 table, which starts at 0.125 ppm (AQI 101).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .aqi import AqiResult, aqi_from_sub_indices, clean, nowcast

# (concentration low, concentration high, index low, index high), EPA-454/B-24-002 Table 6.
EPA_BREAKPOINTS: dict[str, tuple[tuple[float, float, int, int], ...]] = {
    "pm25": ((0.0, 9.0, 0, 50), (9.1, 35.4, 51, 100), (35.5, 55.4, 101, 150), (55.5, 125.4, 151, 200),
             (125.5, 225.4, 201, 300), (225.5, 325.4, 301, 500)),
    "pm10": ((0, 54, 0, 50), (55, 154, 51, 100), (155, 254, 101, 150), (255, 354, 151, 200), (355, 424, 201, 300),
             (425, 604, 301, 500)),
    "o3_8h": ((0.000, 0.054, 0, 50), (0.055, 0.070, 51, 100), (0.071, 0.085, 101, 150), (0.086, 0.105, 151, 200),
              (0.106, 0.200, 201, 300)),
    "o3_1h": ((0.125, 0.164, 101, 150), (0.165, 0.204, 151, 200), (0.205, 0.404, 201, 300),
              (0.405, 0.604, 301, 500)),
    "co": ((0.0, 4.4, 0, 50), (4.5, 9.4, 51, 100), (9.5, 12.4, 101, 150), (12.5, 15.4, 151, 200),
           (15.5, 30.4, 201, 300), (30.5, 50.4, 301, 500)),
    "so2_1h": ((0, 35, 0, 50), (36, 75, 51, 100), (76, 185, 101, 150), (186, 304, 151, 200)),
    "so2_24h": ((305, 604, 201, 300), (605, 1004, 301, 500)),
    "no2": ((0, 53, 0, 50), (54, 100, 51, 100), (101, 360, 101, 150), (361, 649, 151, 200), (650, 1249, 201, 300),
            (1250, 2049, 301, 500)),
}
# Decimal places each concentration is truncated to before the AQI equation.
TRUNCATION: dict[str, int] = {"pm25": 1, "pm10": 0, "o3_8h": 3, "o3_1h": 3, "co": 1, "so2_1h": 0, "so2_24h": 0,
                              "no2": 0}
MOLECULAR_WEIGHT: dict[str, float] = {"o3": 48.00, "no2": 46.01, "so2": 64.07, "co": 28.01}
MOLAR_VOLUME_25C = 24.45  # litres per mole at 25 °C and 1 atm

_KEYS = {("o3", "8h"): "o3_8h", ("o3", "1h"): "o3_1h", ("so2", "1h"): "so2_1h", ("so2", "24h"): "so2_24h"}


def ppb_from_ugm3(pollutant: str, concentration: ArrayLike) -> np.ndarray:
    """µg/m³ → ppb at 25 °C, 1 atm (divide by 1000 more for ppm)."""
    return np.asarray(concentration, dtype=float) * MOLAR_VOLUME_25C / MOLECULAR_WEIGHT[pollutant]


def truncate(concentration: ArrayLike, decimals: int) -> np.ndarray:
    """Truncate toward zero to ``decimals`` places; the tiny offset keeps 0.3 (stored as 0.29999…) at 0.3."""
    scale = 10.0**decimals
    return np.floor(np.asarray(concentration, dtype=float) * scale + 1e-6) / scale


def epa_sub_index(pollutant: str, concentration: ArrayLike, *, averaging: str | None = None) -> np.ndarray:
    """EPA sub-index, unrounded, of concentrations in EPA units; NaN where missing or outside the table's scope."""
    key = _KEYS.get((pollutant, averaging or ""), pollutant)
    if pollutant in ("o3", "so2") and key == pollutant:
        raise ValueError(f"{pollutant} needs averaging= one of {[a for p, a in _KEYS if p == pollutant]}")
    if key not in EPA_BREAKPOINTS:
        raise ValueError(f"unknown EPA pollutant {pollutant!r}")
    rows = EPA_BREAKPOINTS[key]
    c = truncate(clean(concentration), TRUNCATION[key])
    out = np.full(c.shape, np.nan)
    for lo, hi, ilo, ihi in rows:
        inside = (c >= lo) & (c <= hi)
        out = np.where(inside, (ihi - ilo) / (hi - lo) * (c - lo) + ilo, out)
    above = c > rows[-1][1]
    if key in ("o3_8h", "so2_1h"):  # EPA switches to the other averaging period above these tables
        return np.where(above, np.nan, out)
    return np.where(above, float(rows[-1][3]), out)


def epa_nowcast(hourly: ArrayLike, pollutant: str = "pm25") -> np.ndarray:
    """EPA PM NowCast (renormalised weights, 2 of the 3 latest hours), truncated as AirNow does."""
    if pollutant not in ("pm25", "pm10"):
        raise ValueError("the EPA NowCast here is the PM one (pm25 or pm10)")
    return truncate(nowcast(hourly, literal_half_weight=False), TRUNCATION[pollutant])


def epa_aqi(sub_indices: dict[str, ArrayLike]) -> AqiResult:
    """Largest sub-index, rounded to the nearest integer; unlike VN_AQI no pollutant is required."""
    return aqi_from_sub_indices(sub_indices, require_pm=False)


def epa_nowcast_aqi(*, pm25: ArrayLike | None = None, pm10: ArrayLike | None = None) -> AqiResult:
    """The AirNow "current" AQI of hourly PM series (µg/m³): NowCast, truncation, sub-index, largest."""
    subs = {p: epa_sub_index(p, epa_nowcast(x, p)) for p, x in (("pm25", pm25), ("pm10", pm10)) if x is not None}
    if not subs:
        raise ValueError("give pm25 or pm10")
    return epa_aqi(subs)


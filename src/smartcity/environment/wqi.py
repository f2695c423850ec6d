"""Vietnam's water quality index, VN_WQI, per Decision 1460/QĐ-TCMT (12/11/2019, Tổng cục Môi trường).

A sample (one monitoring event at one point of surface water) is a mapping of parameter → measured value. Units:
pH unitless; pesticides (group II) µg/L; metals and group IV mg/L; DO mg/L with the water temperature in °C;
Coliform and E.coli MPN/100 mL.

1. Each parameter gets an index WQI_SI from 10 to 100 by linear interpolation between the decision's breakpoints
   (``parameter_index``): for "more is worse" parameters, ≤ BP1 gives 100 and above the last breakpoint gives 10;
   pH and DO have their own two-sided tables; DO is first turned into % saturation at the water temperature.
2. The groups are combined (``wqi``): WQI = (WQI_I/100) × (WQI_II/100) × (WQI_III/100) × core, where WQI_II and
   WQI_III are geometric means of their parameters (a group without data counts as 1), and core is
   √(mean IV × mean V), or mean IV without group V, or (mean IV² × mean V)^(1/3) with ``weighted=True``.
3. The data must cover at least 3 of the 5 groups, group IV among them with at least 3 parameters.
4. The result is rounded to an integer and banded (91–100 … < 10) with a colour and a suitable use.

Sources: the five groups and their parameters, the bands and the "very good" colour are confirmed in public
summaries of the decision. The breakpoint tables, the DO-saturation polynomial, the three aggregation formulas and
the data-sufficiency rule come from several independent public implementations of the decision that agree with
each other; the decision's own text was not at hand to compare with, so check it before relying on an edge case
(a value exactly on a repeated breakpoint, such as Cd = 0.005 mg/L, is read here as the better class).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

GROUPS: dict[str, tuple[str, ...]] = {
    "I": ("ph",),
    "II": ("aldrin", "bhc", "dieldrin", "ddts", "heptachlor"),
    "III": ("as", "cd", "pb", "cr6", "cu", "zn", "hg"),
    "IV": ("do", "bod5", "cod", "toc", "n_nh4", "n_no3", "n_no2", "p_po4"),
    "V": ("coliform", "e_coli"),
}
PARAMETERS: tuple[str, ...] = tuple(p for members in GROUPS.values() for p in members)
GROUP_OF: dict[str, str] = {p: g for g, members in GROUPS.items() for p in members}

# Group II (µg/L): at or below the limit WQI_SI = 100, above it 10. Heptachlor means heptachlor & heptachlor epoxide,
# DDTs the sum of p,p'-DDT, p,p'-DDD and p,p'-DDE.
PESTICIDE_LIMITS: dict[str, float] = {"aldrin": 0.1, "bhc": 0.02, "dieldrin": 0.1, "ddts": 1.0, "heptachlor": 0.2}

# Groups III, IV (except DO) and V: breakpoints BP1…BP5 for q = 100, 75, 50, 25, 10. Equal consecutive breakpoints
# are in the decision (the QCVN 08-MT:2015 columns they come from coincide); above the last one WQI_SI = 10.
Q_LEVELS: tuple[float, ...] = (100, 75, 50, 25, 10)
RISING_BREAKPOINTS: dict[str, tuple[float, ...]] = {
    "as": (0.01, 0.02, 0.05, 0.1, 0.1),
    "cd": (0.005, 0.005, 0.008, 0.01, 0.1),
    "pb": (0.02, 0.02, 0.04, 0.05, 0.5),
    "cr6": (0.01, 0.02, 0.04, 0.05, 0.1),
    "cu": (0.1, 0.2, 0.5, 1.0, 2.0),
    "zn": (0.5, 1.0, 1.5, 2.0, 3.0),
    "hg": (0.001, 0.001, 0.0015, 0.002, 0.01),
    "bod5": (4, 6, 15, 25, 50),
    "cod": (10, 15, 30, 50, 150),
    "toc": (4, 6, 15, 25, 50),
    "n_nh4": (0.3, 0.3, 0.6, 0.9, 5),
    "n_no3": (2, 5, 10, 15, 15),
    "n_no2": (0.05, 0.05, 0.05, 0.05, 0.05),
    "p_po4": (0.1, 0.2, 0.3, 0.5, 4),
    "coliform": (2500, 5000, 7500, 10000, 10000),
    "e_coli": (20, 50, 100, 200, 200),
}
# pH: (BP, q) points; 6.0–8.5 gives 100; below 5.5 or above 9 gives 10.
PH_POINTS: tuple[tuple[float, float], ...] = ((5.5, 50), (6.0, 100), (8.5, 100), (9.0, 50))
# DO in % saturation: (BP, q) points; 88–112 % gives 100; below 20 % or above 200 % gives 10.
DO_POINTS: tuple[tuple[float, float], ...] = ((20, 25), (50, 50), (75, 75), (88, 100), (112, 100), (125, 75),
                                              (150, 50), (200, 25))


@dataclass(frozen=True)
class WqiBand:
    low: int
    high: int
    name: str
    colour: str
    rgb: tuple[int, int, int]
    use: str

    @property
    def hex(self) -> str:
        return "#{:02X}{:02X}{:02X}".format(*self.rgb)


# Decision 1460/QĐ-TCMT, Table 1 (thang điểm đánh giá VN_WQI).
BANDS: tuple[WqiBand, ...] = (
    WqiBand(91, 100, "Rất tốt", "Xanh nước biển", (51, 51, 255), "Sử dụng tốt cho mục đích cấp nước sinh hoạt"),
    WqiBand(76, 90, "Tốt", "Xanh lá cây", (0, 228, 0),
            "Sử dụng cho mục đích cấp nước sinh hoạt nhưng cần các biện pháp xử lý phù hợp"),
    WqiBand(51, 75, "Trung bình", "Vàng", (255, 255, 0),
            "Sử dụng cho mục đích tưới tiêu và các mục đích tương đương khác"),
    WqiBand(26, 50, "Xấu", "Da cam", (255, 126, 0), "Sử dụng cho giao thông thủy và các mục đích tương đương khác"),
    WqiBand(10, 25, "Kém", "Đỏ", (255, 0, 0), "Nước ô nhiễm nặng, cần các biện pháp xử lý trong tương lai"),
    WqiBand(0, 9, "Ô nhiễm rất nặng", "Nâu", (126, 0, 35), "Nước nhiễm độc, cần có biện pháp khắc phục, xử lý"),
)


def band(value: int | None) -> WqiBand | None:
    if value is None:
        return None
    for candidate in BANDS:
        if value >= candidate.low:
            return candidate
    return BANDS[-1]


def do_saturation(temperature_c: float) -> float:
    """Oxygen solubility in fresh water (mg/L) at the water temperature, the decision's polynomial."""
    t = temperature_c
    return 14.652 - 0.41022 * t + 0.0079910 * t**2 - 0.000077774 * t**3


def do_percent_saturation(do_mg_l: float, temperature_c: float) -> float:
    return do_mg_l / do_saturation(temperature_c) * 100


def _between(points: tuple[tuple[float, float], ...], x: float) -> float:
    for (x0, q0), (x1, q1) in zip(points, points[1:], strict=False):
        if x0 <= x <= x1:
            return (q1 - q0) / (x1 - x0) * (x - x0) + q0
    raise AssertionError("outside the points")


def _rising(parameter: str, c: float) -> float:
    bp = RISING_BREAKPOINTS[parameter]
    if c <= bp[0]:
        return 100.0
    for i in range(len(bp) - 1):
        if bp[i] < c <= bp[i + 1]:
            # Formula 1: WQI_SI = (q_i − q_{i+1}) / (BP_{i+1} − BP_i) × (BP_{i+1} − C) + q_{i+1}
            return (Q_LEVELS[i] - Q_LEVELS[i + 1]) / (bp[i + 1] - bp[i]) * (bp[i + 1] - c) + Q_LEVELS[i + 1]
    return 10.0


def parameter_index(parameter: str, value: float, *, temperature_c: float | None = None) -> float:
    """WQI_SI of one parameter (10…100, unrounded). DO needs the water temperature."""
    if parameter not in GROUP_OF:
        raise ValueError(f"unknown VN_WQI parameter {parameter!r}")
    if value is None or not math.isfinite(value) or value < 0:
        raise ValueError(f"{parameter}: a measured value ≥ 0 is required, got {value!r}")
    if parameter == "ph":
        if value < PH_POINTS[0][0] or value > PH_POINTS[-1][0]:
            return 10.0
        return _between(PH_POINTS, value)
    if parameter == "do":
        if temperature_c is None:
            raise ValueError("do: the water temperature is needed for % saturation")
        pct = do_percent_saturation(value, temperature_c)
        if pct < DO_POINTS[0][0] or pct > DO_POINTS[-1][0]:
            return 10.0
        return _between(DO_POINTS, pct)
    if parameter in PESTICIDE_LIMITS:
        return 100.0 if value <= PESTICIDE_LIMITS[parameter] else 10.0
    return _rising(parameter, value)


@dataclass(frozen=True)
class WqiResult:
    """VN_WQI of a sample: the rounded index (``None`` when the data do not suffice, with the reason), the band,
    each group's index (I: pH; II, III: geometric means; IV, V: arithmetic means) and each parameter's."""

    value: int | None
    band: WqiBand | None
    groups: dict[str, float] = field(default_factory=dict)
    parameters: dict[str, float] = field(default_factory=dict)
    insufficient: str = ""


def _geometric_mean(values: list[float]) -> float:
    return math.prod(values) ** (1 / len(values))


def wqi(sample: Mapping[str, float | None], *, temperature_c: float | None = None,
        weighted: bool = False) -> WqiResult:
    """VN_WQI of one sample. Unknown keys are an error; ``None`` values are missing parameters.

    ``temperature_c`` is the water temperature (needed for DO; ``sample["temperature"]`` works too).
    """
    sample = dict(sample)
    if temperature_c is None:
        temperature_c = sample.pop("temperature", None)
    else:
        sample.pop("temperature", None)
    unknown = set(sample) - set(PARAMETERS)
    if unknown:
        raise ValueError(f"unknown VN_WQI parameters: {', '.join(sorted(unknown))}")
    indices: dict[str, float] = {}
    for p, v in sample.items():
        if v is None:
            continue
        indices[p] = parameter_index(p, v, temperature_c=temperature_c)
    by_group = {g: [indices[p] for p in members if p in indices] for g, members in GROUPS.items()}
    present = [g for g, values in by_group.items() if values]
    groups: dict[str, float] = {}
    for g, values in by_group.items():
        if values:
            groups[g] = (sum(values) / len(values)) if g in ("IV", "V") else _geometric_mean(values)
    if len(present) < 3:
        return WqiResult(None, None, groups, indices, "cần tối thiểu 3/5 nhóm thông số")
    if len(by_group["IV"]) < 3:
        return WqiResult(None, None, groups, indices, "nhóm IV (bắt buộc) cần tối thiểu 3 thông số")
    factor = 1.0
    for g in ("I", "II", "III"):
        if g in groups:
            factor *= groups[g] / 100
    iv = groups["IV"]
    if "V" not in groups:
        core = iv
    elif weighted:
        core = (iv * iv * groups["V"]) ** (1 / 3)
    else:
        core = math.sqrt(iv * groups["V"])
    value = math.floor(factor * core + 0.5)
    return WqiResult(value, band(value), groups, indices)

"""Vietnam's air quality index, VN_AQI, exactly as Decision 1459/QĐ-TCMT (12/11/2019, Tổng cục Môi trường) sets it.

Vectorised with NumPy: every series is an array whose **last axis is time in hours** (any leading axes, typically
stations), hour-beginning local time, so column ``24·d + h`` is the hour h:00–h+1:00 of day d. The decision labels
hours by their end ("a day runs from 01:00 to 00:00 the next day", 2.2.2.a), which is the same 24 hours. Missing
readings are NaN; negative readings are treated as missing (the decision computes only on quality-checked data,
2.1.a). Concentrations are in µg/m³ for every pollutant, CO included, as in Table 2.

What the decision fixes, and where:

* Hourly AQI (2.2.1): PM2.5 and PM10 through the NowCast of the 12 latest hourly means (``nowcast``); O3 (1-h
  table), CO, SO2, NO2 from their 1-hour means; linear interpolation in Table 2 (Công thức 1 and 2); the hourly
  AQI is the largest sub-index, rounded to an integer.
* Daily AQI (2.2.2): 24-hour mean for PM; the day's largest 1-hour mean for SO2, NO2, CO; for O3 the larger of the
  sub-indices of the day's largest 1-hour mean (1-h table) and largest 8-hour mean (8-h table), the 8-hour one not
  used when it exceeds 400 µg/m³.
* At least one of PM10, PM2.5 is required (2.1.b); without a PM sub-index there is no AQI.
* Six bands with names, colours (Table 1) and health advice (Tables 4 and 5).

What the decision leaves open, and what we chose (each a keyword you can change):

* It sets no minimum number of hours for a 24-hour or 8-hour mean. We require 18 of 24 and 6 of 8 (75 %, the usual
  completeness rule of monitoring networks); ``min_hours_24h=1, min_hours_8h=1`` gives the literal reading.
* "Rounded to an integer" is read as half up (109.5 → 110, as its worked example shows).
* Above the last breakpoint (≥ 500 µg/m³ PM2.5, …) the sub-index is 500, Table 2's last row.
* The NowCast for w = 1/2 is the decision's literal Σ (1/2)^i·c_i, with a missing hour contributing nothing and no
  renormalisation; the EPA variant renormalises (``literal_half_weight=False``).
* The dominant pollutant is the one with the largest unrounded sub-index, ties going to the first of ``POLLUTANTS``.

``aqi_reference`` holds a per-reading pure-Python implementation of the same rules, used to cross-check this module
in tests and as the baseline of ``bench/aqi.py``. Results are bit-identical: both add in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

POLLUTANTS: tuple[str, ...] = ("pm25", "pm10", "o3", "no2", "so2", "co")
PM: tuple[str, ...] = ("pm25", "pm10")
GASES: tuple[str, ...] = ("o3", "no2", "so2", "co")

# Decision 1459/QĐ-TCMT, Table 2 ("Bảng 2: Các giá trị BPi đối với các thông số", µg/m³): the index Ii and the
# concentration BPi of each level i = 1…8. O3 (8h) stops at level 6 (I = 300).
INDEX_LEVELS: tuple[int, ...] = (0, 50, 100, 150, 200, 300, 400, 500)
BREAKPOINTS: dict[str, tuple[float, ...]] = {
    "o3_1h": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "o3_8h": (0, 100, 120, 170, 210, 400),
    "co": (0, 10_000, 30_000, 45_000, 60_000, 90_000, 120_000, 150_000),
    "so2": (0, 125, 350, 550, 800, 1600, 2100, 2630),
    "no2": (0, 100, 200, 700, 1200, 2350, 3100, 3850),
    "pm10": (0, 50, 150, 250, 350, 420, 500, 600),
    "pm25": (0, 25, 50, 80, 150, 250, 350, 500),
}
NOWCAST_HOURS = 12


@dataclass(frozen=True)
class AqiBand:
    """One of the six bands: Table 1 (name, colour, RGB), Table 4 (health effect), Table 5 (advice)."""

    low: int
    high: int
    name: str
    colour: str
    rgb: tuple[int, int, int]
    health_effect: str
    advice_general: str
    advice_sensitive: str

    @property
    def hex(self) -> str:
        return "#{:02X}{:02X}{:02X}".format(*self.rgb)


_STAY_INSIDE = ("Mọi người nên ở trong nhà, đóng cửa ra vào và cửa sổ. Nếu cần thiết phải ra ngoài, hãy đeo khẩu "
                "trang đạt tiêu chuẩn.")

# Decision 1459/QĐ-TCMT, Tables 1, 4 and 5, verbatim (the 301–500 advice is one merged cell for both groups).
BANDS: tuple[AqiBand, ...] = (
    AqiBand(0, 50, "Tốt", "Xanh", (0, 228, 0),
            "Chất lượng không khí tốt, không ảnh hưởng tới sức khỏe",
            "Tự do thực hiện các hoạt động ngoài trời",
            "Tự do thực hiện các hoạt động ngoài trời"),
    AqiBand(51, 100, "Trung bình", "Vàng", (255, 255, 0),
            "Chất lượng không khí ở mức chấp nhận được. Tuy nhiên, đối với những người nhạy cảm (người già, trẻ em, "
            "người mắc các bệnh hô hấp, tim mạch…) có thể chịu những tác động nhất định tới sức khỏe.",
            "Tự do thực hiện các hoạt động ngoài trời",
            "Nên theo dõi các triệu chứng như ho hoặc khó thở, nhưng vẫn có thể hoạt động bên ngoài."),
    AqiBand(101, 150, "Kém", "Da cam", (255, 126, 0),
            "Những người nhạy cảm gặp phải các vấn đề về sức khỏe, những người bình thường ít ảnh hưởng.",
            "Những người thấy có triệu chứng đau mắt, ho hoặc đau họng… nên cân nhắc giảm các hoạt động ngoài trời. "
            "Đối với học sinh, có thể hoạt động bên ngoài, nhưng nên giảm bớt việc tập thể dục kéo dài.",
            "Nên giảm các hoạt động mạnh và giảm thời gian hoạt động ngoài trời. Những người mắc bệnh hen suyễn có "
            "thể cần sử dụng thuốc thường xuyên hơn."),
    AqiBand(151, 200, "Xấu", "Đỏ", (255, 0, 0),
            "Những người bình thường bắt đầu có các ảnh hưởng tới sức khỏe, nhóm người nhạy cảm có thể gặp những "
            "vấn đề sức khỏe nghiêm trọng hơn.",
            "Mọi người nên giảm các hoạt động mạnh khi ở ngoài trời, tránh tập thể dục kéo dài và nghỉ ngơi nhiều "
            "hơn trong nhà.",
            "Nên ở trong nhà và giảm hoạt động mạnh. Nếu cần thiết phải ra ngoài, hãy đeo khẩu trang đạt tiêu "
            "chuẩn."),
    AqiBand(201, 300, "Rất xấu", "Tím", (143, 63, 151),
            "Cảnh báo hưởng tới sức khỏe: mọi người bị ảnh hưởng tới sức khỏe nghiêm trọng hơn.",
            "Mọi người hạn chế tối đa các hoạt động ngoài trời và chuyển tất cả các hoạt động vào trong nhà. Nếu "
            "cần thiết phải ra ngoài, hãy đeo khẩu trang đạt tiêu chuẩn.",
            "Nên ở trong nhà và giảm hoạt động mạnh."),
    AqiBand(301, 500, "Nguy hại", "Nâu", (126, 0, 35),
            "Cảnh báo khẩn cấp về sức khỏe: Toàn bộ dân số bị ảnh hưởng tới sức khỏe tới mức nghiêm trọng.",
            _STAY_INSIDE, _STAY_INSIDE),
)


def band(aqi: float | None) -> AqiBand | None:
    """The band of a (rounded) AQI value; ``None`` for a missing value."""
    if aqi is None or aqi != aqi:  # NaN
        return None
    for candidate in BANDS:
        if aqi <= candidate.high:
            return candidate
    return BANDS[-1]


@dataclass(frozen=True)
class AqiResult:
    """AQI per reading: integral floats (NaN where there is no AQI), the dominant pollutant as an index into
    ``POLLUTANTS`` (-1 where there is no AQI) and each pollutant's rounded sub-index (NaN where missing)."""

    aqi: np.ndarray
    dominant: np.ndarray
    sub_indices: dict[str, np.ndarray]

    def dominant_names(self) -> np.ndarray:
        names = np.array((*POLLUTANTS, ""), dtype=object)
        return names[self.dominant]  # -1 picks the trailing ""


def round_half_up(value: ArrayLike) -> np.ndarray:
    """Rounding to an integer as the decision's examples do it (109.5 → 110); NaN stays NaN."""
    return np.floor(np.asarray(value, dtype=float) + 0.5)


def table_key(pollutant: str, averaging: str = "1h") -> str:
    if pollutant == "o3":
        if averaging not in ("1h", "8h"):
            raise ValueError(f"O3 has a 1h and an 8h table, not {averaging!r}")
        return f"o3_{averaging}"
    if pollutant not in BREAKPOINTS:
        raise ValueError(f"unknown pollutant {pollutant!r}; expected one of {', '.join(POLLUTANTS)}")
    return pollutant


def clean(values: ArrayLike) -> np.ndarray:
    """Float array with missing and negative readings as NaN."""
    x = np.array(values, dtype=float)
    x[~(x >= 0)] = np.nan  # NaN compares False, so this catches NaN and negatives at once
    return x


def sub_index(pollutant: str, concentration: ArrayLike, *, averaging: str = "1h") -> np.ndarray:
    """AQIx by linear interpolation in Table 2, unrounded (Công thức 1; Công thức 2 is the same on a NowCast).

    AQIx = (I[i+1] − I[i]) / (BP[i+1] − BP[i]) × (Cx − BP[i]) + I[i] with BP[i] ≤ Cx < BP[i+1]; at or above the
    last breakpoint the sub-index is the last level (500), except the 8-hour O3 table, whose values above 400 µg/m³
    are not used (NaN; the decision then takes the 1-hour O3 alone). ``np.interp`` evaluates exactly this
    expression; the reference module writes it out and the tests check the two agree bit for bit.
    """
    return _sub_index(table_key(pollutant, averaging), clean(concentration))


def _sub_index(key: str, c: np.ndarray) -> np.ndarray:
    """``sub_index`` of already clean concentrations (NaN in, NaN out)."""
    bp = BREAKPOINTS[key]
    above = np.nan if key == "o3_8h" else float(INDEX_LEVELS[len(bp) - 1])
    return np.interp(c, bp, INDEX_LEVELS[: len(bp)], left=np.nan, right=above)


def nowcast(hourly: ArrayLike, *, literal_half_weight: bool = True) -> np.ndarray:
    """NowCast of PM2.5 or PM10 for every hour (Decision 1459/QĐ-TCMT, 2.2.1.a), along the last axis.

    c1 is the current hour, c12 the hour eleven hours before. w* = cmin / cmax over the hours present; w = w* if
    w* > 1/2, else 1/2. For w > 1/2: NowCast = Σ w^(i−1)·ci / Σ w^(i−1); for w = 1/2: NowCast = Σ (1/2)^i·ci. A
    missing ci contributes nothing (w^(i−1) = 0). Computed only if at least 2 of c1, c2, c3 are present, else NaN.
    All-zero windows give 0. ``literal_half_weight=False`` uses the renormalised formula for w = 1/2 too (EPA).
    """
    x = clean(hourly)
    rows = x.reshape(-1, x.shape[-1])
    out = np.concatenate([_nowcast_rows(rows[i: i + BLOCK_ROWS], literal_half_weight)
                          for i in range(0, max(len(rows), 1), BLOCK_ROWS)])
    return out.reshape(x.shape)


BLOCK_ROWS = 8  # stations per block, so that a block's temporaries stay in the CPU cache


def _lagged(x: np.ndarray, lag: int, fill: float) -> tuple[np.ndarray, np.ndarray]:
    """``x`` (rows × hours, NaN = missing) with ``lag`` leading columns, missing values replaced by ``fill``, and
    a float 0/1 presence array of the same layout; column ``lag + t − k`` holds hour t − k."""
    rows, hours = x.shape
    missing = np.isnan(x)
    values = np.full((rows, hours + lag), fill)
    values[:, lag:] = np.where(missing, fill, x)
    present = np.zeros((rows, hours + lag))
    present[:, lag:] = ~missing
    return values, present


def _nowcast_rows(x: np.ndarray, literal_half_weight: bool) -> np.ndarray:
    rows, hours = x.shape
    lag = NOWCAST_HOURS - 1
    zero, present = _lagged(x, lag, 0.0)
    low, _ = _lagged(x, lag, np.inf)
    high, _ = _lagged(x, lag, -np.inf)

    def at(a: np.ndarray, k: int) -> np.ndarray:  # the value k hours before each hour
        return a[:, lag - k: lag - k + hours]

    recent = at(present, 0) + at(present, 1) + at(present, 2)
    cmin, cmax = at(low, 0).copy(), at(high, 0).copy()
    for k in range(1, NOWCAST_HOURS):
        np.minimum(cmin, at(low, k), out=cmin)
        np.maximum(cmax, at(high, k), out=cmax)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = cmin / cmax
    w[~(cmax > 0)] = 1.0  # all present hours are 0 (or none is: such hours are dropped below)
    w[~(w > 0.5)] = 0.5
    num, den, half, tmp = (np.zeros((rows, hours)) for _ in range(4))
    wk = np.ones((rows, hours))
    hk = 0.5
    for k in range(NOWCAST_HOURS):
        c = at(zero, k)
        np.multiply(wk, c, out=tmp)
        num += tmp  # a missing hour adds wk·0 = 0, exactly like skipping it
        np.multiply(wk, at(present, k), out=tmp)
        den += tmp
        if literal_half_weight:
            np.multiply(c, hk, out=tmp)
            half += tmp
        wk *= w
        hk *= 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        value = num / den
    if literal_half_weight:
        np.copyto(value, half, where=w == 0.5)
    value[recent < 2] = np.nan
    return value


def aqi_from_sub_indices(sub_indices: Mapping[str, ArrayLike], *, require_pm: bool = True) -> AqiResult:
    """Combine unrounded sub-indices: AQI = max(AQIx) rounded, only where a PM sub-index exists (2.1.b)."""
    unknown = set(sub_indices) - set(POLLUTANTS)
    if unknown:
        raise ValueError(f"unknown pollutants: {', '.join(sorted(unknown))}")
    arrays = {p: np.asarray(sub_indices[p], dtype=float) for p in POLLUTANTS if p in sub_indices}
    if not arrays:
        raise ValueError("no sub-index given")
    shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    arrays = {p: np.broadcast_to(a, shape) for p, a in arrays.items()}
    best = np.full(shape, -np.inf)
    dominant = np.full(shape, -1, dtype=np.int8)
    for p, a in arrays.items():  # in POLLUTANTS order; strictly larger wins, so ties keep the earlier one
        better = a > best  # NaN is never larger
        np.copyto(best, a, where=better)
        np.copyto(dominant, POLLUTANTS.index(p), where=better)
    has_pm = np.full(shape, not require_pm)
    for p in PM:
        if p in arrays:
            has_pm |= ~np.isnan(arrays[p])
    has = has_pm & (dominant >= 0)
    aqi = np.where(has, round_half_up(best), np.nan)
    dominant[~has] = -1
    return AqiResult(aqi=aqi, dominant=dominant, sub_indices={p: round_half_up(a) for p, a in arrays.items()})


def _series(named: Mapping[str, ArrayLike | None]) -> dict[str, np.ndarray]:
    given = {p: clean(v) for p, v in named.items() if v is not None}
    if not any(p in given for p in PM):
        raise ValueError("VN_AQI needs PM2.5 or PM10 (Decision 1459/QĐ-TCMT, 2.1.b)")
    shapes = {a.shape for a in given.values()}
    if len(shapes) != 1:
        raise ValueError(f"all series must have the same shape, got {sorted(shapes)}")
    return given


def hourly_aqi(*, pm25: ArrayLike | None = None, pm10: ArrayLike | None = None, o3: ArrayLike | None = None,
               no2: ArrayLike | None = None, so2: ArrayLike | None = None, co: ArrayLike | None = None) -> AqiResult:
    """Hourly VN_AQI (AQI^h) for every hour of hourly-mean series (µg/m³), NowCast for PM, 1-hour values else."""
    given = _series({"pm25": pm25, "pm10": pm10, "o3": o3, "no2": no2, "so2": so2, "co": co})

    def block(rows: dict[str, np.ndarray]) -> AqiResult:
        subs = {p: _sub_index(p, _nowcast_rows(rows[p], True)) for p in PM if p in rows}
        subs |= {p: _sub_index(table_key(p, "1h"), rows[p]) for p in GASES if p in rows}
        return aqi_from_sub_indices(subs)

    return _by_station_blocks(given, block)


def _by_station_blocks(given: dict[str, np.ndarray],
                       fn: Callable[[dict[str, np.ndarray]], AqiResult]) -> AqiResult:
    """Run ``fn`` on blocks of stations (rows × hours) and write each block's ``AqiResult`` into the whole."""
    shape = next(iter(given.values())).shape
    rows = {p: a.reshape(-1, shape[-1]) for p, a in given.items()}
    n = next(iter(rows.values())).shape[0]
    out: AqiResult | None = None
    for i in range(0, max(n, 1), BLOCK_ROWS):
        part = fn({p: a[i: i + BLOCK_ROWS] for p, a in rows.items()})
        if out is None:
            width = part.aqi.shape[1:]
            out = AqiResult(aqi=np.empty((n, *width)), dominant=np.empty((n, *width), dtype=np.int8),
                            sub_indices={p: np.empty((n, *width)) for p in part.sub_indices})
        out.aqi[i: i + BLOCK_ROWS] = part.aqi
        out.dominant[i: i + BLOCK_ROWS] = part.dominant
        for p, values in part.sub_indices.items():
            out.sub_indices[p][i: i + BLOCK_ROWS] = values
    assert out is not None
    final = shape[:-1] + out.aqi.shape[1:]
    return AqiResult(aqi=out.aqi.reshape(final), dominant=out.dominant.reshape(final),
                     sub_indices={p: v.reshape(final) for p, v in out.sub_indices.items()})


def rolling_mean_8h(hourly: ArrayLike, *, min_hours: int = 6) -> np.ndarray:
    """8-hour mean ending at each hour (that hour and the 7 before), NaN with fewer than ``min_hours`` present."""
    x = clean(hourly)
    return _rolling_mean_8h(x.reshape(-1, x.shape[-1]), min_hours).reshape(x.shape)


def _rolling_mean_8h(x: np.ndarray, min_hours: int) -> np.ndarray:
    hours = x.shape[-1]
    zero, present = _lagged(x, 7, 0.0)
    total = zero[:, 7:].copy()
    count = present[:, 7:].copy()
    for k in range(1, 8):
        total += zero[:, 7 - k: 7 - k + hours]
        count += present[:, 7 - k: 7 - k + hours]
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / count
    mean[count < min_hours] = np.nan
    return mean


def _by_day(x: np.ndarray) -> np.ndarray:
    if x.shape[-1] % 24:
        raise ValueError(f"daily values need whole days of hours, got {x.shape[-1]} hours")
    return x.reshape(x.shape[:-1] + (x.shape[-1] // 24, 24))


def daily_mean(hourly: ArrayLike, *, min_hours: int = 18) -> np.ndarray:
    """24-hour mean of each day (last axis: hours → days), NaN with fewer than ``min_hours`` hours present."""
    return _daily_mean(clean(hourly), min_hours)


def _daily_mean(x: np.ndarray, min_hours: int) -> np.ndarray:
    days = _by_day(x)
    present = ~np.isnan(days)
    zero = np.where(present, days, 0.0)
    total = zero[..., 0].copy()
    for h in range(1, 24):  # hour by hour, in order, as the reference adds
        total += zero[..., h]
    count = present.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / count
    mean[count < min_hours] = np.nan
    return mean


def daily_max(hourly: ArrayLike) -> np.ndarray:
    """Largest value of each day (NaN-ignoring; NaN for a day without data)."""
    return _daily_max(clean(hourly))


def _daily_max(x: np.ndarray) -> np.ndarray:
    days = _by_day(x)
    highest = np.where(np.isnan(days), -np.inf, days).max(axis=-1)
    highest[highest == -np.inf] = np.nan
    return highest


def daily_statistics(*, pm25: ArrayLike | None = None, pm10: ArrayLike | None = None, o3: ArrayLike | None = None,
                     no2: ArrayLike | None = None, so2: ArrayLike | None = None, co: ArrayLike | None = None,
                     min_hours_24h: int = 18, min_hours_8h: int = 6) -> dict[str, np.ndarray]:
    """The values the daily AQI is computed from (2.2.2.a), one per day: ``pm25_24h``, ``pm10_24h``,
    ``o3_1h_max``, ``o3_8h_max``, ``no2_1h_max``, ``so2_1h_max``, ``co_1h_max`` (those whose series is given).

    The 8-hour means of a day end at each of its 24 hours, so the first ones reach back into the previous day
    (the decision's example does the same); give that day in the series if you have it.
    """
    given = _series({"pm25": pm25, "pm10": pm10, "o3": o3, "no2": no2, "so2": so2, "co": co})
    return _daily_statistics(given, min_hours_24h, min_hours_8h)


def _daily_statistics(given: dict[str, np.ndarray], min_hours_24h: int, min_hours_8h: int) -> dict[str, np.ndarray]:
    stats = {f"{p}_24h": _daily_mean(given[p], min_hours_24h) for p in PM if p in given}
    if "o3" in given:
        o3 = given["o3"]
        stats["o3_1h_max"] = _daily_max(o3)
        stats["o3_8h_max"] = _daily_max(_rolling_mean_8h(o3.reshape(-1, o3.shape[-1]), min_hours_8h).reshape(o3.shape))
    stats |= {f"{p}_1h_max": _daily_max(given[p]) for p in ("no2", "so2", "co") if p in given}
    return stats


def daily_aqi_from_statistics(stats: Mapping[str, ArrayLike]) -> AqiResult:
    """Daily VN_AQI (AQI^d) from the values of ``daily_statistics`` (or the same keys measured elsewhere)."""
    subs: dict[str, np.ndarray] = {}
    for p in PM:
        if f"{p}_24h" in stats:
            subs[p] = sub_index(p, stats[f"{p}_24h"])
    if "o3_1h_max" in stats or "o3_8h_max" in stats:
        one = sub_index("o3", stats["o3_1h_max"], averaging="1h") if "o3_1h_max" in stats else np.nan
        eight = sub_index("o3", stats["o3_8h_max"], averaging="8h") if "o3_8h_max" in stats else np.nan
        subs["o3"] = np.fmax(one, eight)
    for p in ("no2", "so2", "co"):
        if f"{p}_1h_max" in stats:
            subs[p] = sub_index(p, stats[f"{p}_1h_max"])
    return aqi_from_sub_indices(subs)


def daily_aqi(*, pm25: ArrayLike | None = None, pm10: ArrayLike | None = None, o3: ArrayLike | None = None,
              no2: ArrayLike | None = None, so2: ArrayLike | None = None, co: ArrayLike | None = None,
              min_hours_24h: int = 18, min_hours_8h: int = 6) -> AqiResult:
    """Daily VN_AQI for every whole day of hourly-mean series (the last axis becomes days)."""
    given = _series({"pm25": pm25, "pm10": pm10, "o3": o3, "no2": no2, "so2": so2, "co": co})
    _by_day(next(iter(given.values())))  # whole days, or a clear error before any work
    return _by_station_blocks(given, lambda rows: daily_aqi_from_statistics(
        _daily_statistics(rows, min_hours_24h, min_hours_8h)))

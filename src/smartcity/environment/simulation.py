"""The simulated Hà Nội monitoring network, for the demo and for load tests: sites and series that look real.

The network: automatic air-quality stations of the city's monitoring network (Nguyễn Văn Cừ, Hoàn Kiếm, Hàng Đậu,
Kim Liên, Thành Công, Trung Yên, Phạm Văn Đồng, Minh Khai, Tây Mỗ) measuring PM2.5, PM10, NO2, O3, CO and SO2; rain
gauges of the drainage network; water-level gauges on the Red River (the Hà Nội hydrological station by Long Biên
bridge) and on the Tô Lịch; two noise monitors (a busy junction, a hospital). Coordinates are our best reading of
where those sites are, to a few hundred metres; the readings are synthetic.

The readings follow the city's rhythm in local time (UTC+7):

* PM2.5 highest in winter (monthly means ~25 µg/m³ in July, ~75 in January), with morning and evening traffic
  peaks, a clean early afternoon, multi-day pollution episodes, and washout by rain; PM10 ≈ 1.5 × PM2.5 plus road
  dust; NO2 and CO follow traffic; O3 peaks in the early afternoon sun; SO2 stays low;
* rain from a city-wide weather field (summer afternoon storms, drizzly winters), each gauge tipping in 0.2 mm;
* a storm (``storm``, default the day before yesterday at 14:00) of ~150 mm in a few hours: the Tô Lịch rises
  above its alert level within hours, and the Red River flood wave passes alarm level I (9.5 m at Hà Nội,
  Decision 05/2020/QĐ-TTg) about a day and a half later;
* noise LAeq (5 min) loud by day and quieter at night, lower in the hospital's special area.

The generic machinery — making the Things and Datastreams, deterministic noise, sending in-process, over HTTP or
MQTT — is sensing's (``smartcity.sensing.simulate``); this module is the scenario ``HANOI`` it runs, registered
for ``smartcity sensors simulate`` in ``EnvironmentConfig.ready``.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from smartcity.sensing import simulate
from smartcity.sensing.isotime import parse_datetime
from smartcity.sensing.simulate import (
    DAY,
    HOUR,
    LOCAL_OFFSET,
    Calendar,
    Network,
    Quantity,
    Sent,
    bump,
    gauss,
    key,
    smooth,
    uniform,
)

UTC = dt.UTC

# ------------------------------------------------------------------------------------------------ what is measured

_UG = ("microgram per cubic metre", "µg/m³", "http://qudt.org/vocab/unit/MicroGM-PER-M3")
_EEA = "http://dd.eionet.europa.eu/vocabulary/aq/pollutant/"
_CF = "https://vocab.nerc.ac.uk/standard_name/"
QUANTITIES: dict[str, Quantity] = {q.key: q for q in (
    Quantity("pm25", "PM2.5", f"{_EEA}6001", "Bụi mịn PM2.5 (trung bình 15 phút)", _UG, (0, 1500), (0, 500), 900,
             "dust", 1),
    Quantity("pm10", "PM10", f"{_EEA}5", "Bụi PM10 (trung bình 15 phút)", _UG, (0, 3000), (0, 600), 900, "dust", 1),
    Quantity("no2", "NO2", f"{_EEA}8", "Nitơ điôxít (trung bình 15 phút)", _UG, (0, 4000), (0, 400), 900, "no2", 1),
    Quantity("o3", "O3", f"{_EEA}7", "Ôzôn (trung bình 15 phút)", _UG, (0, 2000), (0, 400), 900, "o3", 1),
    Quantity("co", "CO", f"{_EEA}10", "Cacbon monoxit (trung bình 15 phút)", _UG, (0, 200_000), (0, 30_000), 900,
             "co", 0),
    Quantity("so2", "SO2", f"{_EEA}1", "Lưu huỳnh điôxít (trung bình 15 phút)", _UG, (0, 4000), (0, 350), 900, "so2",
             1),
    Quantity("rain", "Lượng mưa", f"{_CF}thickness_of_rainfall_amount/", "Lượng mưa trong 5 phút",
             ("millimetre", "mm", "http://qudt.org/vocab/unit/MilliM"), (0, 100), (0, 30), 300, "rain", 1),
    Quantity("water_level", "Mực nước", f"{_CF}water_surface_height_above_reference_datum/",
             "Mực nước so với mốc cao độ của trạm", ("metre", "m", "http://qudt.org/vocab/unit/M"), (-10, 30),
             (-2, 16), 600, "radar", 2),
    Quantity("noise", "Tiếng ồn LAeq", "urn:smartcity:def:observed-property:noise-laeq-5min",
             "Mức âm tương đương theo đặc tính A trong 5 phút (QCVN 26:2010/BTNMT)",
             ("decibel (A-weighted)", "dBA", "http://qudt.org/vocab/unit/DeciB"), (0, 150), (30, 110), 300,
             "sound", 1),
)}
AIR = ("pm25", "pm10", "no2", "o3", "co", "so2")

SENSORS: dict[str, tuple[str, str]] = {
    "dust": ("Máy đo bụi tự động (suy giảm tia beta)", "Đo nồng độ khối lượng bụi PM2.5/PM10"),
    "no2": ("Máy phân tích NOx (quang hóa phát quang)", "Phương pháp chemiluminescence"),
    "o3": ("Máy phân tích O3 (hấp thụ UV)", "Phương pháp quang kế tử ngoại"),
    "co": ("Máy phân tích CO (hồng ngoại không phân tán)", "Phương pháp NDIR"),
    "so2": ("Máy phân tích SO2 (huỳnh quang UV)", "Phương pháp huỳnh quang tử ngoại"),
    "rain": ("Vũ lượng kế chao lật 0,2 mm", "Đếm số lần lật gầu, mỗi lần 0,2 mm"),
    "radar": ("Cảm biến mực nước radar", "Đo khoảng cách tới mặt nước, quy đổi về cao độ"),
    "sound": ("Máy đo âm thanh cấp 1 (IEC 61672)", "Đo liên tục, tính LAeq 5 phút"),
}


# ------------------------------------------------------------------------------------------------ where


@dataclass(frozen=True)
class Site(simulate.Site):
    """A monitoring site. ``kind``: air · rain · water · noise; ``district`` is the district before the 2025
    reorganisation, as the sites are still known; ``station`` holds the Thing's properties that make it a public
    station (``environment.services.register_things``): floodLevels [I, II, III] m of a water gauge, noiseZone
    ("special"/"normal") of a noise monitor."""

    traffic: float = 1.0  # how much road traffic weighs on the readings (air, noise)


_ENV = "Sở Nông nghiệp và Môi trường Hà Nội"
_DRAINAGE = "Công ty TNHH MTV Thoát nước Hà Nội"
_HYDRO = "Đài Khí tượng Thủy văn khu vực Đồng bằng Bắc Bộ"
RED_RIVER_ALARMS = {"I": 9.5, "II": 10.5, "III": 11.5}  # Decision 05/2020/QĐ-TTg, Hà Nội station (Long Biên)
TO_LICH_LEVELS = (4.5, 5.0, 5.5)  # our demo thresholds for the Tô Lịch gauges, not legal levels
TO_LICH_ALERT = TO_LICH_LEVELS[0]

SITES: tuple[Site, ...] = (
    Site("HN-AQ-NVC", "Trạm quan trắc không khí Nguyễn Văn Cừ", "air", 21.0480, 105.8800, "Long Biên",
         "556 Nguyễn Văn Cừ", _ENV, AIR, traffic=1.25),
    Site("HN-AQ-HK", "Trạm quan trắc không khí Hoàn Kiếm", "air", 21.0281, 105.8536, "Hoàn Kiếm",
         "Đinh Tiên Hoàng, bờ Hồ Gươm", _ENV, AIR, traffic=0.9),
    Site("HN-AQ-HD", "Trạm quan trắc không khí Hàng Đậu", "air", 21.0427, 105.8467, "Ba Đình",
         "Vườn hoa Hàng Đậu", _ENV, AIR, traffic=1.15),
    Site("HN-AQ-KL", "Trạm quan trắc không khí Kim Liên", "air", 21.0075, 105.8375, "Đống Đa",
         "Khu tập thể Kim Liên", _ENV, AIR, traffic=1.1),
    Site("HN-AQ-TC", "Trạm quan trắc không khí Thành Công", "air", 21.0200, 105.8160, "Ba Đình",
         "Khu tập thể Thành Công", _ENV, AIR, traffic=1.05),
    Site("HN-AQ-TY", "Trạm quan trắc không khí Trung Yên", "air", 21.0144, 105.7996, "Cầu Giấy",
         "17 Trung Yên 3", _ENV, AIR, traffic=0.95),
    Site("HN-AQ-PVD", "Trạm quan trắc không khí Phạm Văn Đồng", "air", 21.0560, 105.7810, "Bắc Từ Liêm",
         "Đường Phạm Văn Đồng", _ENV, AIR, traffic=1.3),
    Site("HN-AQ-MK", "Trạm quan trắc không khí Minh Khai", "air", 21.0550, 105.7400, "Bắc Từ Liêm",
         "Phường Minh Khai (cũ)", _ENV, AIR, traffic=0.9),
    Site("HN-AQ-TM", "Trạm quan trắc không khí Tây Mỗ", "air", 21.0075, 105.7470, "Nam Từ Liêm",
         "Phường Tây Mỗ (cũ)", _ENV, AIR, traffic=0.85),
    Site("HN-RG-LANG", "Vũ lượng kế Láng", "rain", 21.0225, 105.8060, "Đống Đa", "62 Nguyễn Chí Thanh", _DRAINAGE,
         ("rain",)),
    Site("HN-RG-CG", "Vũ lượng kế Cầu Giấy", "rain", 21.0330, 105.7990, "Cầu Giấy", "Đường Cầu Giấy", _DRAINAGE,
         ("rain",)),
    Site("HN-RG-HDG", "Vũ lượng kế Hà Đông", "rain", 20.9710, 105.7780, "Hà Đông", "Đường Quang Trung", _DRAINAGE,
         ("rain",)),
    Site("HN-RG-YS", "Vũ lượng kế trạm bơm Yên Sở", "rain", 20.9620, 105.8700, "Hoàng Mai", "Trạm bơm Yên Sở",
         _DRAINAGE, ("rain",)),
    Site("HN-WL-RED", "Trạm thủy văn Hà Nội (sông Hồng)", "water", 21.0410, 105.8580, "Hoàn Kiếm",
         "Bờ phải sông Hồng, cạnh cầu Long Biên", _HYDRO, ("water_level",),
         properties={"river": "Sông Hồng", "legalBasis": "Quyết định 05/2020/QĐ-TTg"},
         station={"floodLevels": list(RED_RIVER_ALARMS.values())}),
    Site("HN-WL-TL-CG", "Mực nước sông Tô Lịch – cầu Giấy", "water", 21.0334, 105.8025, "Cầu Giấy",
         "Cầu Giấy, đường Bưởi", _DRAINAGE, ("water_level",),
         properties={"river": "Sông Tô Lịch"}, station={"floodLevels": list(TO_LICH_LEVELS)}),
    Site("HN-WL-TL-NTS", "Mực nước sông Tô Lịch – Ngã Tư Sở", "water", 20.9995, 105.8196, "Thanh Xuân",
         "Cầu Mới, Ngã Tư Sở", _DRAINAGE, ("water_level",),
         properties={"river": "Sông Tô Lịch"}, station={"floodLevels": list(TO_LICH_LEVELS)}),
    Site("HN-WL-TL-TLD", "Mực nước sông Tô Lịch – đập Thanh Liệt", "water", 20.9668, 105.8180, "Thanh Trì",
         "Đập Thanh Liệt", _DRAINAGE, ("water_level",),
         properties={"river": "Sông Tô Lịch"}, station={"floodLevels": list(TO_LICH_LEVELS)}),
    Site("HN-NS-NTS", "Quan trắc tiếng ồn Ngã Tư Sở", "noise", 21.0031, 105.8200, "Đống Đa",
         "Nút giao Ngã Tư Sở", _ENV, ("noise",), traffic=1.2, station={"noiseZone": "normal"}),
    Site("HN-NS-BM", "Quan trắc tiếng ồn Bệnh viện Bạch Mai", "noise", 21.0013, 105.8410, "Đống Đa",
         "78 Giải Phóng (khu vực đặc biệt)", _ENV, ("noise",), traffic=0.6, station={"noiseZone": "special"}),
)


# ------------------------------------------------------------------------------------------------ the city's rhythm


def traffic(cal: Calendar) -> np.ndarray:
    """Road traffic, 0 (small hours) … about 1.3 (rush hours), a little lighter at weekends."""
    base = 0.15 + 0.75 / (1 + np.exp(-(cal.hour - 6.0) * 2.5)) - 0.75 / (1 + np.exp(-(cal.hour - 22.5) * 2.0))
    rush = 0.45 * bump(cal.hour, 7.75, 1.0) + 0.5 * bump(cal.hour, 17.75, 1.2)
    return (base + rush) * (1 - 0.15 * cal.weekend)


class Weather:
    """The city-wide rain field (mm/h), with an optional storm centred at ``storm`` (epoch seconds)."""

    STORM_PEAK = 35.0  # mm/h at the storm's height
    STORM_WIDTH = 2.0 * HOUR  # standard deviation of the storm's bell: ~175 mm in all

    def __init__(self, seed: int, storm: float | None) -> None:
        self.seed = seed
        self.storm = storm
        self._cache: dict[tuple[str, float, float, int], np.ndarray] = {}  # stations share their time grids

    def _cached(self, name: str, t: np.ndarray, compute: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        key = (name, float(t[0]), float(t[-1]), len(t)) if len(t) else (name, 0.0, 0.0, 0)
        if key not in self._cache:
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[key] = compute(t)
        return self._cache[key]

    def rain(self, t: np.ndarray) -> np.ndarray:
        return self._cached("rain", t, self._rain)

    def _rain(self, t: np.ndarray) -> np.ndarray:
        key_wet, key_amount = key(self.seed, "rain"), key(self.seed, "rain-amount")
        rate = np.zeros_like(t, dtype=float)
        k0 = np.floor(t / HOUR)
        for offset in (-1.0, 0.0, 1.0):
            knot = k0 + offset  # an hourly cell of weather, spread ±1.5 h around its middle
            centre = (knot + 0.5) * HOUR
            weight = np.clip(1 - np.abs(t - centre) / (1.5 * HOUR), 0, None)
            cal = Calendar.of(centre)
            # The rainy season peaks in August (~300 mm a month, mostly afternoon storms); winter drizzles
            # (~20 mm a month).
            season = 0.5 * (1 + np.cos(2 * np.pi * (cal.day_of_year - 213) / 365.25))
            chance = 0.02 + season * (0.03 + 0.08 * bump(cal.hour, 16.5, 2.5))
            heavy_tail = (-np.log1p(-uniform(key_amount, knot))) ** 1.5 / 1.33  # mean 1, rare downpours
            amount = heavy_tail * (1.0 + 3.0 * season)
            rate += np.where(uniform(key_wet, knot) < chance, amount * weight, 0.0)
        if self.storm is not None:
            rate += self.STORM_PEAK * np.exp(-0.5 * ((t - self.storm) / self.STORM_WIDTH) ** 2)
        return rate

    def recent_rain(self, t: np.ndarray, hours: float = 3) -> np.ndarray:
        """Mean rain rate (mm/h) over the last ``hours``, from samples every 30 minutes."""
        steps = np.arange(0, hours * HOUR + 1, 1800.0)
        return self._cached(f"recent-{hours}", t, lambda t: np.mean([self._rain(t - s) for s in steps], axis=0))

    def response(self, t: np.ndarray, tau_hours: float) -> np.ndarray:
        """∫ rain(t') e^{-(t-t')/τ} dt' (mm): how much recent rain a drain or small river still carries."""
        dt_s = 600.0
        lead = 6 * tau_hours * HOUR
        grid = np.arange(np.floor((t.min() - lead) / dt_s) * dt_s, t.max() + dt_s, dt_s)
        kernel = np.exp(-np.arange(0, lead + dt_s, dt_s) / (tau_hours * HOUR)) * (dt_s / HOUR)
        carried = np.convolve(self.rain(grid), kernel)[: len(grid)]
        return np.interp(t, grid, carried)


# ------------------------------------------------------------------------------------------------ series


def series(site: Site, quantity: str, t: np.ndarray, weather: Weather) -> np.ndarray:
    """The simulated readings of ``quantity`` at ``site`` for the instants ``t`` (epoch seconds)."""
    cal = Calendar.of(t)
    seed = weather.seed
    noise = gauss(key(seed, site.code, quantity, "noise"), t)

    if quantity in AIR:
        road = traffic(cal) * site.traffic
        episode = np.exp(0.45 * smooth(key(seed, "episode"), t, 3.5 * DAY)
                         + 0.2 * smooth(key(seed, "episode-short"), t, 0.6 * DAY)
                         + 0.1 * smooth(key(seed, site.code, "local"), t, 0.3 * DAY))
        washout = 1 / (1 + 0.12 * weather.recent_rain(t))
        mixing = 1 + 0.35 * bump(cal.hour, 1.0, 3.5) - 0.3 * bump(cal.hour, 14.0, 2.5)  # night inversions
        pm25 = (22 + 50 * cal.winter) * mixing * (0.7 + 0.35 * road) * episode * washout
        if quantity == "pm25":
            value = pm25 * (1 + 0.08 * noise)
        elif quantity == "pm10":
            value = pm25 * (1.45 + 0.1 * smooth(key(seed, site.code, "pm-ratio"), t, DAY)) + 12 * road * washout
            value = value * (1 + 0.08 * noise)
        elif quantity == "no2":
            value = (14 + 10 * cal.winter + 38 * road) * np.sqrt(episode) * (1 + 0.1 * noise)
        elif quantity == "o3":
            sun = np.clip(np.sin(np.pi * (cal.hour - 6.5) / 12.5), 0, None) ** 1.5
            value = (12 + (55 + 45 * cal.summer) * sun * (1.1 - 0.25 * road)) * np.sqrt(episode) / (
                1 + 0.05 * weather.recent_rain(t)) * (1 + 0.1 * noise)
        elif quantity == "co":
            value = (450 + 300 * cal.winter + 1100 * road) * episode * (1 + 0.08 * noise)
        else:  # so2
            value = (6 + 5 * cal.winter + 3 * road) * (1 + 0.25 * smooth(key(seed, "so2"), t, DAY)) * (
                1 + 0.1 * noise)
        return np.clip(value, 0.1, None)

    if quantity == "rain":
        local = 1 + 0.35 * smooth(key(seed, site.code, "rain-local"), t, 2 * HOUR)
        mm = weather.rain(t) * np.clip(local, 0.3, None) * (QUANTITIES["rain"].interval / HOUR)
        return np.floor(mm / 0.2 + 0.35) * 0.2  # 0.2 mm tips; a drizzle may not tip the bucket at all

    if quantity == "water_level":
        if site.code == "HN-WL-RED":
            return _red_river(t, cal, weather) + 0.02 * noise
        # Downstream gauges sit lower and see the same water a little later.
        drop, lag = {"HN-WL-TL-CG": (0.0, 0.0), "HN-WL-TL-NTS": (0.15, 0.5), "HN-WL-TL-TLD": (0.3, 1.5)}.get(
            site.code, (0.0, 0.0))
        pumping = 0.06 * np.sin(2 * np.pi * (cal.hour - 3) / 24)  # Yên Sở pumps harder by day
        carried = weather.response(t - lag * HOUR, tau_hours=5)
        return 3.3 - drop + 0.25 * cal.summer + pumping + 0.018 * carried + 0.015 * noise

    if quantity == "noise":
        special = site.station.get("noiseZone") == "special"
        road = traffic(cal) * site.traffic
        level = 50 + 24 * np.log10(1 + 9 * road / 1.3) - (7 if special else 0)
        return level + 1.2 * noise + 1.5 * smooth(key(seed, site.code, "events"), t, 1800)

    raise ValueError(f"no simulation for {quantity}")


def _red_river(t: np.ndarray, cal: Calendar, weather: Weather) -> np.ndarray:
    """The Red River at Hà Nội: ~1.5 m in the dry season, ~7 m in August, Hòa Bình's daily releases, and the
    flood wave of the storm, peaking ~10.2 m (above alarm level I) 36 hours after it."""
    def base(seconds: np.ndarray) -> np.ndarray:
        c = Calendar.of(seconds)
        slow = 0.5 * smooth(key(weather.seed, "red-river"), seconds, 5 * DAY)
        return 1.5 + 5.6 * (c.summer ** 1.5) + slow

    level = base(t) + 0.12 * np.sin(2 * np.pi * (cal.hour - 10) / 24)
    if weather.storm is not None:
        peak_after = 36 * HOUR
        x = np.clip((t - weather.storm) / peak_after, 0, None)
        wave = x ** 2 * np.exp(2 * (1 - x))  # 0 before the storm, 1 at the peak, receding over days
        rise = max(0.0, 10.2 - float(base(np.array([weather.storm + peak_after]))[0]))
        level = level + rise * wave
    return level


# ------------------------------------------------------------------------------------------------ readings


def default_storm(until: dt.datetime) -> dt.datetime:
    """The day before yesterday (local) at 14:00: inside the demo's default three days, with the river still
    high at the end of them."""
    local = until.astimezone(dt.timezone(dt.timedelta(seconds=LOCAL_OFFSET)))
    day = local.date() - dt.timedelta(days=2)
    return dt.datetime.combine(day, dt.time(14), tzinfo=local.tzinfo).astimezone(UTC)


# ------------------------------------------------------------------------------------------------ the scenario


def series_with(weather: Weather) -> simulate.Series:
    """``series`` with its weather bound, as sensing's simulator calls it."""
    return lambda site, quantity, t: series(site, quantity, t, weather)  # type: ignore[arg-type]


def _series_for(seed: int, options: Mapping[str, Any], end: dt.datetime) -> tuple[simulate.Series, str]:
    storm_text = (options.get("storm") or "").strip()
    storm = None if storm_text.lower() == "none" else (parse_datetime(storm_text) if storm_text
                                                         else default_storm(end))
    local = dt.timezone(dt.timedelta(seconds=LOCAL_OFFSET))
    note = f"; mưa lớn lúc {storm.astimezone(local):%H:%M %d/%m/%Y}" if storm else ""
    return series_with(Weather(seed, storm.timestamp() if storm else None)), note


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--storm", default="", help="thời điểm cơn mưa lớn gây ngập (ISO 8601), hoặc 'none'; "
                        "mặc định 14:00 hôm kia")


HANOI = simulate.Scenario(
    name="hanoi", description="Mạng quan trắc môi trường Hà Nội (không khí, mưa, mực nước, tiếng ồn)",
    quantities=QUANTITIES, sensors=SENSORS, sites=SITES, city="Hà Nội", series_for=_series_for,
    add_arguments=_add_arguments)


def ensure_network(*, sites: Iterable[Site] = SITES, now: dt.datetime | None = None) -> Network:
    """The simulated Hà Nội Things, Sensors, ObservedProperties and Datastreams (idempotent)."""
    return HANOI.network(sites=sites, now=now)


def readings(network: Network, *, start: dt.datetime, end: dt.datetime, seed: int = 2026,
             storm: dt.datetime | None = None, window: dt.timedelta = dt.timedelta(hours=6)) -> Iterator[list[dict]]:
    """Compact rows ``{"datastream", "t", "v"}`` of the network for start <= t < end, in time windows."""
    weather = Weather(seed, storm.timestamp() if storm else None)
    return simulate.readings(network, series=series_with(weather), start=start, end=end, window=window)


def simulate_network(*, start: dt.datetime, end: dt.datetime, via: str = "inprocess", url: str = "", key: str = "",
                     seed: int = 2026, storm: dt.datetime | None = None, batch: int = 5000, prefix: str = "") -> Sent:
    """Make sure the simulated network exists, then generate its readings for [start, end) and send them."""
    weather = Weather(seed, storm.timestamp() if storm else None)
    return simulate.simulate(HANOI, start=start, end=end, series=series_with(weather), via=via, url=url, key=key,
                             batch=batch, prefix=prefix)

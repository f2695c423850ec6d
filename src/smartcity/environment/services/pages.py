"""What the public pages show, computed in one place so the views only render: ``station_page`` (the current
readings with the highest sub-index marked, yesterday's daily value, the 24-hour and 30-day chart series coloured by
band with their reference lines, the hourly table, the station's warnings, the regulation note for noise) and
``map_page`` (the stations of one kind with their colours and texts, the legend, each ward in the colour of its
worst station).

The colours and labels are those of the indices' own bands (``aqi.BANDS``, ``wqi.BANDS``) and of the level tables in
``status`` (flood alarm levels, rain categories, noise limits), so a page, the map and the API always agree. The
charts and the map are plain data here; ``svg`` draws the charts and the map component (``places.services.build_map``)
the map, in the views.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcity.environment import aqi, noise_limits, readings, wqi
from smartcity.environment.models import Station, WarningEvent
from smartcity.environment.parameters import Kind
from smartcity.environment.services.forecasts import StationForecast, forecast_caveat, station_forecast
from smartcity.environment.services.status import (
    FLOOD_LEVELS,
    NO_DATA,
    NOISE_LEVELS,
    RAIN_LEVELS,
    Reading,
    Status,
    current_status,
    current_statuses,
    parameter_label,
)
from smartcity.environment.services.tables import column_label, history, ordered_columns, parse_range
from smartcity.environment.services.warning_rules import open_warnings, warnings
from smartcity.lib import formats

# The column each kind charts: hourly over the last 24 hours, daily over the last 30 days.
CHART_COLUMN: dict[str, str] = {Kind.AIR: "aqi", Kind.WATER_LEVEL: "water_level", Kind.RAIN: "rain_1h", Kind.NOISE: "laeq",
                Kind.WATER: "wqi"}
DAILY_COLUMN: dict[str, str] = {Kind.AIR: "aqi", Kind.WATER_LEVEL: "water_level", Kind.RAIN: "rainfall", Kind.NOISE: "laeq_day",
                Kind.WATER: "wqi"}
NO_LEVELS = "#1E88E5"  # a water level without alarm levels, a rain bar: plain blue
DAY_LIMIT_COLOUR = "#E53935"
NIGHT_LIMIT_COLOUR = "#8E24AA"


@dataclass(frozen=True)
class ChartBar:
    """One bar of a chart: its axis label, value (None: a gap), colour and the text of its tooltip."""

    label: str
    value: float | None
    colour: str
    title: str


@dataclass(frozen=True)
class ReferenceLine:
    value: float
    label: str
    colour: str


@dataclass
class Chart:
    title: str
    description: str
    bars: list[ChartBar]
    lines: list[ReferenceLine]
    floor: float | None  # the value the bars start from; None: the lowest value (water levels)


@dataclass
class DailyValue:
    """Yesterday's value of the daily column (the last complete local day: today's is still partial)."""

    label: str
    time: dt.datetime
    value: float | None
    dominant: str  # label of the parameter with the highest daily sub-index (air), else ""


@dataclass(frozen=True)
class ForecastRow:
    """One hour of the forecast table, its texts formatted (Hà Nội time, Vietnamese numbers)."""

    time: str  # "HH:MM dd/mm", the start of the hour
    aqi: str  # "" without an AQI
    band: str
    colour: str
    pm25: str  # µg/m³, one decimal
    pm25_interval: str  # "low–high"


@dataclass
class ForecastSection:
    """The forecast on an air station's page: the chart and table of the next hours, when it was issued and the
    caveat; or only the reason there is none."""

    forecast: StationForecast
    chart: Chart | None
    rows: list[ForecastRow]
    issued: str  # "HH:MM dd/mm/yyyy", "" without a forecast
    caveat: str


@dataclass
class StationPage:
    station: Station
    status: Status
    highest: Reading | None  # the reading whose sub-index is the highest (air), marked on the page
    daily: DailyValue
    hour_chart: Chart | None  # None: the station has no such column
    day_chart: Chart | None
    hour_columns: list[tuple[str, str]]  # (column, label) of the hourly table
    hour_rows: list[tuple[dt.datetime, list[float | str | None]]]  # newest first (``dominant`` holds a code)
    warnings: list[WarningEvent]
    regulation_note: str  # noise: the note of the regulation judging the readings (its transition…); "" otherwise
    regulation: str = ""  # noise: which regulation and area the readings are judged by, from the NoiseLimit table
    forecast: ForecastSection | None = None  # air stations only
    dot: MapDot | None = None  # the station on a map (None: it has no position)
    legend: list[tuple[str, str]] = field(default_factory=list)  # the levels of its kind, for that map


def station_page(station: Station, *, now: dt.datetime | None = None) -> StationPage:
    """Everything the station page shows, at ``now`` (default: the current time)."""
    status = current_status(station, now=now)
    hours = history(station, parse_range(start=None, end=None, resolution="hour", now=now))
    days = history(station, parse_range(start=None, end=None, resolution="day", now=now))
    columns = ordered_columns(station, hours)
    yesterday = len(days.times) - 2
    daily_column = DAILY_COLUMN[station.kind]
    daily = DailyValue(column_label(daily_column), days.times[yesterday], _number(days, daily_column, yesterday),
                       parameter_label(_code(days, "dominant", yesterday)))
    note = regulation = ""
    if station.kind == Kind.NOISE:
        # the regulation in force at the latest hour shown (the hourly table's last row)
        limits = noise_limits.zone_limits(station.noise_zone, hours.times[-1] if hours.times else now)
        if limits is None:
            regulation = _("Chưa có giới hạn tiếng ồn có hiệu lực cho khu vực này")
        else:
            regulation = _("Giới hạn theo %(source)s: %(zone)s") % {"source": limits.legal_source,
                                                                    "zone": limits.zone_name}
            note = _(limits.note) if limits.note else ""  # the seeded note has an English translation
    return StationPage(
        station=station, status=status, highest=next((r for r in status.readings if r.dominant), None),
        daily=daily, hour_chart=_chart(station, hours, CHART_COLUMN[station.kind], daily=False),
        day_chart=_chart(station, days, daily_column, daily=True),
        hour_columns=[(c, column_label(c)) for c in columns],
        hour_rows=[(t, [hours.value(c, i) for c in columns]) for i, t in enumerate(hours.times)][::-1],
        warnings=list(warnings(station=station, limit=10).items), regulation_note=note, regulation=regulation,
        forecast=forecast_section(station_forecast(station, now=now)) if station.kind == Kind.AIR else None,
        dot=map_dot(status), legend=legend(station.kind))


def forecast_section(fc: StationForecast) -> ForecastSection:
    """The forecast's chart (VN_AQI bars coloured by band) and table, in Hà Nội time."""
    zone = readings.zone()
    bars, rows = [], []
    for hour in fc.hours:
        local = hour.start.astimezone(zone)
        value = None if hour.aqi is None else float(hour.aqi)
        pm25 = formats.number(hour.pm25, 1)
        title = _("%(when)s: VN_AQI dự báo %(aqi)s, PM2.5 %(pm25)s µg/m³") % {
            "when": local.strftime("%H:00 %d/%m/%Y"), "aqi": "—" if hour.aqi is None else hour.aqi, "pm25": pm25}
        bars.append(ChartBar(local.strftime("%Hh"), value, hour.colour, title))
        rows.append(ForecastRow(local.strftime("%H:%M %d/%m"), formats.number(hour.aqi), hour.band, hour.colour,
                                pm25, f"{formats.number(hour.pm25_low, 1)}–{formats.number(hour.pm25_high, 1)}"))
    chart = None
    if bars:
        present = [h for h in fc.hours if h.aqi is not None]
        description = _("VN_AQI dự báo (chỉ từ PM2.5 và PM10), %(n)d giờ tới") % {"n": len(bars)}
        if present:
            top = max(present, key=lambda h: h.aqi or 0)
            description += _("; cao nhất %(value)d lúc %(when)s") % {
                "value": top.aqi, "when": top.start.astimezone(zone).strftime("%H:00 %d/%m/%Y")}
        chart = Chart(title=_("VN_AQI dự báo — %(n)d giờ tới") % {"n": len(bars)}, description=description,
                      bars=bars, lines=[], floor=0.0)
    issued = fc.issued_at.astimezone(zone).strftime("%H:%M %d/%m/%Y") if fc.issued_at and fc.hours else ""
    return ForecastSection(fc, chart, rows, issued, forecast_caveat())


def _number(table: readings.Table, column: str, i: int) -> float | None:
    """A numeric column's value (only ``dominant`` holds text)."""
    value = table.value(column, i)
    return None if isinstance(value, str) else value


def _code(table: readings.Table, column: str, i: int) -> str | None:
    value = table.value(column, i)
    return value if isinstance(value, str) else None


def bar_colour(station: Station, table: readings.Table, column: str, i: int, value: float | None) -> str:
    """The colour of the ``i``-th value of ``column``: its AQI or WQI band, its flood alarm level, whether it is
    over the noise limit (the daytime limit for a daily ``laeq_day``); plain blue otherwise."""
    if value is None:
        return NO_DATA
    if station.kind == Kind.AIR:
        air_band = aqi.band(value)  # a band for every value that is not missing
        return air_band.hex if air_band else NO_DATA
    if station.kind == Kind.WATER:
        water_band = wqi.band(int(value))
        return water_band.hex if water_band else NO_DATA
    if station.kind == Kind.WATER_LEVEL:
        level = _number(table, "flood_level", i)
        return FLOOD_LEVELS[int(level)][1] if level is not None else NO_LEVELS
    if station.kind == Kind.NOISE:
        limit = _number(table, "limit_dba", i)
        if column == "laeq_day":
            limits = noise_limits.zone_limits(station.noise_zone, table.times[i])
            limit = limits.day_dba if limits else None
        return NOISE_LEVELS[int(limit is not None and value > limit)][1]
    return NO_LEVELS


def reference_lines(station: Station, *, daily: bool, at: dt.datetime | None = None) -> list[ReferenceLine]:
    """The station's flood alarm levels, or its noise limits (day and, on hourly charts, night) in force at ``at``
    (default: now)."""
    if station.kind == Kind.WATER_LEVEL and station.has_flood_levels:
        levels = ((station.flood_level_i, _("Báo động I")), (station.flood_level_ii, _("Báo động II")),
                  (station.flood_level_iii, _("Báo động III")))
        # each alarm level in the colour of the level it starts
        return [ReferenceLine(v, label, FLOOD_LEVELS[i + 1][1]) for i, (v, label) in enumerate(levels)
                if v is not None]  # all three are, by has_flood_levels
    if station.kind == Kind.NOISE:
        limit = noise_limits.zone_limits(station.noise_zone, at)
        if limit is None:
            return []
        lines = [ReferenceLine(limit.day_dba, _("Giới hạn ban ngày"), DAY_LIMIT_COLOUR)]
        if not daily:
            lines.append(ReferenceLine(limit.night_dba, _("Giới hạn ban đêm"), NIGHT_LIMIT_COLOUR))
        return lines
    return []


def _chart(station: Station, table: readings.Table, column: str, *, daily: bool) -> Chart | None:
    if column not in table.columns:
        return None
    zone = timezone.get_current_timezone()
    bars = []
    for i, moment in enumerate(table.times):
        local = moment.astimezone(zone)
        label = local.strftime("%d/%m") if daily else local.strftime("%Hh")
        value = _number(table, column, i)
        when = local.strftime("%d/%m/%Y") if daily else local.strftime("%H:00 %d/%m/%Y")
        title = f"{when}: {column_label(column)} " + ("—" if value is None else f"{value:.1f}")
        bars.append(ChartBar(label, value, bar_colour(station, table, column, i, value), title))
    present = [(b, b.value) for b in bars if b.value is not None]
    span = _("30 ngày qua") if daily else _("24 giờ qua")
    description = _("%(what)s, %(span)s: %(n)d giá trị") % {"what": column_label(column), "span": span,
                                                            "n": len(present)}
    if present:
        top, value = max(present, key=lambda bar: bar[1])
        description += _("; cao nhất %(value).1f lúc %(when)s") % {"value": value, "when": top.title.split(":")[0]}
    return Chart(title=f"{column_label(column)} — {span}", description=description, bars=bars,
                 lines=reference_lines(station, daily=daily, at=table.times[-1] if table.times else None),
                 floor=None if station.kind == Kind.WATER_LEVEL else 0.0)


# ------------------------------------------------------------------------------------------------ map


@dataclass(frozen=True)
class MapDot:
    """A station on the map: where, its colour, the short value on it, the full text, its page."""

    lon: float
    lat: float
    colour: str
    label: str
    title: str
    href: str


@dataclass(frozen=True)
class WardLevel:
    """A ward or commune with stations of the kind, in the colour of the worst current level among them (the map
    fills its boundary with it where the city imported boundaries)."""

    key: str  # the unit's key, 2025:commune:00004
    colour: str
    title: str


@dataclass
class MapPage:
    kind: str
    kind_label: str
    statuses: list[Status]  # the stations of the kind, for the table under the map
    dots: list[MapDot]
    areas: list[WardLevel]
    title: str
    description: str
    legend: list[tuple[str, str]]  # (colour, text)
    tabs: list[dict]  # one per kind: kind, label, count, current
    warnings: list[WarningEvent]


def legend(kind: str) -> list[tuple[str, str]]:
    """(colour, text) of each level of the kind's headline value, then "no data"."""
    if kind == Kind.AIR:
        items = [(b.hex, f"{b.low}–{b.high}: {b.name}") for b in aqi.BANDS]
    elif kind == Kind.WATER_LEVEL:
        items = [(colour, name) for name, colour in FLOOD_LEVELS]
    elif kind == Kind.RAIN:
        items = [(colour, name) for _bound, name, colour in RAIN_LEVELS]
    elif kind == Kind.NOISE:
        items = [(colour, name) for name, colour in NOISE_LEVELS]
    else:
        items = [(b.hex, f"{b.low}–{b.high}: {b.name}") for b in wqi.BANDS]
    return [*items, (NO_DATA, _("Chưa có số liệu"))]


def short_value(status: Status) -> str:
    """The value written on the station's dot: metres to one decimal, the rest whole."""
    if status.value is None:
        return "–"
    if status.station.kind == Kind.WATER_LEVEL:
        return f"{status.value:.1f}"
    return f"{status.value:.0f}"


def describe(status: Status) -> str:
    """One line for a station: name, ward, headline value and level (the dot's tooltip, the map's description)."""
    st = status.station
    where = f" ({st.unit.name})" if st.unit else ""
    if status.value is None:
        return f"{st.name}{where}: {_('chưa có số liệu')}"
    unit = f" {status.unit}" if status.unit else ""
    return f"{st.name}{where}: {status.headline} {short_value(status)}{unit} — {status.level_label}"


def map_dot(status: Status) -> MapDot | None:
    """The station on a map, in its level's colour with its short value; None when it has no position."""
    st = status.station
    if st.longitude is None or st.latitude is None:
        return None
    return MapDot(st.longitude, st.latitude, status.colour, short_value(status), describe(status),
                  reverse("environment:station", args=[st.code]))


def ward_levels(statuses: list[Status]) -> list[WardLevel]:
    """Each ward with a station that has a level, in the colour of its worst one (a higher level is worse for every
    kind), named with that level; wards in the order their first station comes."""
    worst: dict[int, Status] = {}
    for s in statuses:
        if s.station.unit is not None and s.level is not None:
            held = worst.get(s.station.unit_id)
            if held is None or s.level > (held.level or 0):
                worst[s.station.unit_id] = s
    return [WardLevel(s.station.unit.key, s.colour, f"{s.station.unit.name}: {s.level_label}") for s in worst.values()]


def map_page(kind: str | None, *, now: dt.datetime | None = None) -> MapPage:
    """The map of the stations of ``kind`` (an unknown or no kind: air), at ``now`` (default: the cached current
    values)."""
    if kind not in Kind.values:
        kind = Kind.AIR
    every = current_statuses(now=now)
    statuses = [s for s in every if s.station.kind == kind]
    counts = {k: sum(1 for s in every if s.station.kind == k) for k in Kind.values}
    dots = [dot for dot in map(map_dot, statuses) if dot is not None]
    label = Kind(kind).label
    return MapPage(
        kind=kind, kind_label=label, statuses=statuses, dots=dots, areas=ward_levels(statuses),
        title=_("Bản đồ trạm quan trắc %(kind)s") % {"kind": label.lower()},
        description=_("Các phường, xã của thành phố và %(n)d trạm, tô màu theo mức hiện tại. %(list)s")
        % {"n": len(dots), "list": "; ".join(describe(s) for s in statuses)},
        legend=legend(kind),
        tabs=[{"kind": k, "label": Kind(k).label, "count": counts[k], "current": k == kind} for k in Kind.values],
        warnings=list(open_warnings()[:20]))

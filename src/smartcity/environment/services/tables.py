"""History: a station's hourly or daily table over a validated time range, the order and labels of its columns, and
the same table as CSV for download.

The tables themselves are made by ``readings`` (vectorised over the stations of a kind); this module bounds what a
request may ask for (``ENVIRONMENT_HISTORY_MAX_HOURS`` / ``ENVIRONMENT_HISTORY_MAX_DAYS``), reads naive times as
Việt Nam's time, and names the columns the same way for the page, the API and the CSV.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from smartcity.environment import readings
from smartcity.environment.models import Station
from smartcity.environment.parameters import BY_CODE, Kind
from smartcity.environment.readings import HOUR
from smartcity.lib.errors import Invalid

UTC = dt.UTC


RESOLUTIONS = ("hour", "day")


def parse_moment(value: str, name: str) -> dt.datetime:
    """ISO 8601 date or date-time; a naive one is local time (Asia/Ho_Chi_Minh)."""
    text = (value or "").strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return readings.local_midnight(dt.date.fromisoformat(text))
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"{name} phải là ngày hoặc thời điểm ISO 8601, ví dụ 2026-03-01 hoặc 2026-03-01T07:00:00+07:00",
                      field=name) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=readings.zone())
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Range:
    start: dt.datetime
    end: dt.datetime
    resolution: str

    @property
    def first_day(self) -> dt.date:
        return self.start.astimezone(readings.zone()).date()

    @property
    def count(self) -> int:
        step = HOUR if self.resolution == "hour" else dt.timedelta(days=1)
        return int((self.end - self.start) / step)


def parse_range(*, start: str | None, end: str | None, resolution: str = "hour",
                now: dt.datetime | None = None) -> Range:
    """A history range: [start, end) in whole hours (``hour``) or whole local days (``day``). Defaults: the last
    24 hours / 30 days. ``Invalid`` naming the field for a bad value, an empty range, or one longer than
    ``ENVIRONMENT_HISTORY_MAX_HOURS`` hours / ``ENVIRONMENT_HISTORY_MAX_DAYS`` days."""
    if resolution not in RESOLUTIONS:
        raise Invalid("resolution phải là hour hoặc day", field="resolution")
    now = now or timezone.now()
    zone = readings.zone()
    if resolution == "hour":
        hi = parse_moment(end, "end") if end else readings.floor_hour(now) + HOUR
        hi = readings.floor_hour(hi) + (HOUR if hi != readings.floor_hour(hi) else dt.timedelta(0))
        lo = readings.floor_hour(parse_moment(start, "start")) if start else hi - 24 * HOUR
        limit, step, unit = settings.ENVIRONMENT_HISTORY_MAX_HOURS, HOUR, "giờ"
    else:
        hi_moment = parse_moment(end, "end") if end else now
        hi_local = hi_moment.astimezone(zone)
        hi_day = hi_local.date() + dt.timedelta(days=1 if (hi_local.time() != dt.time() or not end) else 0)
        hi = readings.local_midnight(hi_day)
        lo = readings.local_midnight(parse_moment(start, "start").astimezone(zone).date()) if start \
            else hi - dt.timedelta(days=30)
        limit, step, unit = settings.ENVIRONMENT_HISTORY_MAX_DAYS, dt.timedelta(days=1), "ngày"
    if hi <= lo:
        raise Invalid("end phải sau start", field="end")
    if (hi - lo) / step > limit:
        raise Invalid(f"Khoảng thời gian tối đa {limit} {unit} cho resolution={resolution}", field="end")
    return Range(lo, hi, resolution)


def history(station: Station, span: Range) -> readings.Table:
    """The station's hourly or daily table over ``span``."""
    if span.resolution == "hour":
        return readings.hour_tables([station], span.start, span.count)[station.pk]
    return readings.day_tables([station], span.first_day, span.count)[station.pk]


# Columns first in a table of each kind (then the measured parameters, in the order of ``parameters``).
HEAD_COLUMNS = {
    Kind.AIR: ("aqi", "aqi_level", "dominant", "aqi_pm25", "aqi_pm10", "aqi_o3", "aqi_no2", "aqi_so2", "aqi_co"),
    Kind.WATER_LEVEL: ("water_level", "flood_level"),
    Kind.RAIN: ("rain_1h", "rain_3h", "rain_24h"),
    Kind.NOISE: ("laeq", "limit_dba", "noise_excess", "laeq_day", "laeq_night"),
    Kind.WATER: ("wqi",),
}
COLUMN_LABELS = {
    "aqi": "VN_AQI", "aqi_level": "Mức AQI (1–6)", "dominant": "Thông số có chỉ số cao nhất",
    "water_level": "Mực nước (m)", "flood_level": "Cấp báo động (0–3)", "rain_1h": "Mưa 1 giờ (mm)",
    "rain_3h": "Mưa 3 giờ (mm)", "rain_24h": "Mưa 24 giờ (mm)", "laeq": "LAeq (dBA)",
    "limit_dba": "Giới hạn (dBA)", "noise_excess": "Vượt giới hạn (dB)", "laeq_day": "LAeq ngày 6–21 h (dBA)",
    "laeq_night": "LAeq đêm 21–6 h (dBA)", "wqi": "VN_WQI", "o3_1h_max": "O₃ lớn nhất 1 giờ (µg/m³)",
    "o3_8h_max": "O₃ lớn nhất 8 giờ (µg/m³)", "no2_1h_max": "NO₂ lớn nhất 1 giờ (µg/m³)",
    "so2_1h_max": "SO₂ lớn nhất 1 giờ (µg/m³)", "co_1h_max": "CO lớn nhất 1 giờ (µg/m³)",
}


def column_label(column: str) -> str:
    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column]
    if column.startswith("aqi_") and column[4:] in BY_CODE:
        return f"AQI {BY_CODE[column[4:]].label}"
    p = BY_CODE.get(column)
    return f"{p.label} ({p.unit})" if p and p.unit else (p.label if p else column)


def ordered_columns(station: Station, table: readings.Table) -> list[str]:
    head = [c for c in HEAD_COLUMNS[station.kind] if c in table.columns]
    rest = [p.code for p in BY_CODE.values() if p.code in table.columns and p.code not in head]
    others = sorted(c for c in table.columns if c not in head and c not in rest)
    return head + rest + others

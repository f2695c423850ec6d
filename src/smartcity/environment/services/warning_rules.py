"""Warnings: the rules (a parameter over or under a threshold, for a number of hours, in an area), opening and
closing the warning events they make, listing them, and the site-wide banner of the open ones.

``evaluate_warnings(now)`` is run every few minutes by ``smartcity environment check-warnings``; the subscribers of
the area are told of each warning opened (``subscriptions.notify_subscribers``), through the outbox.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartcity.audit import services as audit
from smartcity.audit.models import Action
from smartcity.environment import aqi
from smartcity.environment.models import Comparison, Parameter, Station, WarningEvent, WarningRule
from smartcity.environment.parameters import Kind
from smartcity.environment.services.registry import STATUS_CACHE_KEY, in_area, stations
from smartcity.environment.services.status import Status, compute_statuses, current_statuses
from smartcity.environment.services.subscriptions import notify_subscribers
from smartcity.lib import formats
from smartcity.lib.errors import Invalid

BANNER_CACHE_KEY = "environment:banner:v2"


@dataclass
class Evaluation:
    now: dt.datetime
    opened: list[WarningEvent] = field(default_factory=list)
    updated: list[WarningEvent] = field(default_factory=list)
    closed: list[WarningEvent] = field(default_factory=list)
    notified: int = 0


def _triggers(rule: WarningRule, series: list[tuple[dt.datetime, float | None]]) -> bool:
    """The current value and the ``min_duration_hours`` values before it all meet the rule (and, with
    ``rising``, the current value is above the one before it)."""
    needed = rule.min_duration_hours + 1
    if len(series) < needed or not all(rule.holds(v) for _, v in series[-needed:]):
        return False
    if rule.rising:
        if len(series) < 2 or series[-2][1] is None:
            return False
        return series[-1][1] > series[-2][1]
    return True


def evaluate_warnings(now: dt.datetime | None = None) -> Evaluation:
    """Open a warning for each (active rule, station of its kind in its area) whose condition holds and has none
    open; update open ones that still hold; close those that no longer do (or whose station has been silent for
    ``ENVIRONMENT_WARNING_STALE_HOURS``). Subscribers of the area are notified of each warning opened, through the
    outbox, in the same transaction. Safe to run concurrently (open events are locked; one open per rule and
    station is a database constraint). Refreshes the cached current values."""
    now = now or timezone.now()
    active = list(stations())
    statuses = {s.station.pk: s for s in compute_statuses(active, now)}
    rules = list(WarningRule.objects.filter(is_active=True).select_related("unit"))
    result = Evaluation(now)
    stale = dt.timedelta(hours=settings.ENVIRONMENT_WARNING_STALE_HOURS)
    with transaction.atomic():
        open_events = {(e.rule_id, e.station_id): e for e in
                       WarningEvent.objects.select_for_update().filter(closed_at__isnull=True)}
        for rule in rules:
            for status in statuses.values():
                st = status.station
                if st.kind != rule.kind or not in_area(st, rule.unit):
                    continue
                series = status.series.get(rule.parameter, [])
                current = series[-1] if series else (None, None)
                event = open_events.pop((rule.pk, st.pk), None)
                if event is None:
                    if _triggers(rule, series):
                        result.opened.append(_open(rule, status, series, now))
                elif rule.holds(current[1]):
                    event.last_value, event.last_seen_at = current[1], min(status.time or now, now)
                    event.peak_value = _worse(rule, event.peak_value, current[1])
                    event.save(update_fields=["last_value", "last_seen_at", "peak_value"])
                    result.updated.append(event)
                elif current[1] is None and now - event.last_seen_at < stale:
                    continue  # no value this hour: wait for data before closing
                else:
                    reason = "Không còn số liệu" if current[1] is None else \
                        f"Giá trị trở lại {'dưới' if rule.comparison == Comparison.AT_LEAST else 'trên'} ngưỡng"
                    result.closed.append(_close(event, now, reason))
        for event in open_events.values():  # rule stopped, or station no longer active
            result.closed.append(_close(event, now, "Quy tắc hoặc trạm ngừng áp dụng"))
        result.notified = sum(e.notified for e in result.opened)
    cache.set(STATUS_CACHE_KEY, list(statuses.values()), settings.ENVIRONMENT_STATUS_CACHE_SECONDS)
    cache.delete(BANNER_CACHE_KEY)
    return result


def _worse(rule: WarningRule, a: float, b: float) -> float:
    return max(a, b) if rule.comparison == Comparison.AT_LEAST else min(a, b)


def _format(parameter: str, value: float | None) -> str:
    if value is None:
        return "—"
    if parameter in (Parameter.AQI, Parameter.FLOOD_LEVEL, Parameter.WQI):
        return f"{value:.0f}"
    if parameter == Parameter.WATER_LEVEL:
        return f"{value:.2f} m"
    if parameter in (Parameter.RAIN_1H, Parameter.RAIN_3H, Parameter.RAIN_24H):
        return f"{value:.1f} mm"
    if parameter in (Parameter.LAEQ, Parameter.NOISE_EXCESS):
        return f"{value:.1f} dB"
    return f"{value:.1f} µg/m³"


def _open(rule: WarningRule, status: Status, series: list, now: dt.datetime) -> WarningEvent:
    st = status.station
    needed = rule.min_duration_hours + 1 + (1 if rule.rising else 0)
    trigger = [{"time": t.isoformat(), "value": v} for t, v in series[-needed:]]
    value = series[-1][1]
    local = timezone.localtime(status.time or now)
    where = f"{st.name}" + (f" ({st.unit.name})" if st.unit else "")
    sign = "≥" if rule.comparison == Comparison.AT_LEAST else "≤"
    lines = [f"{rule.name} tại trạm {where} lúc {local:%H:%M %d/%m/%Y}: "
             f"{Parameter(rule.parameter).label.split(' (')[0]} = {_format(rule.parameter, value)} "
             f"(ngưỡng {sign} {_format(rule.parameter, rule.threshold)}"
             + (f", kéo dài từ {rule.min_duration_hours + 1} giờ" if rule.min_duration_hours else "") + ")."]
    if status.level_label and status.value is not None:
        lines.append(f"Mức hiện tại: {status.level_label}.")
    if rule.advice or status.advice:
        lines.append(rule.advice or status.advice)
    event = WarningEvent.objects.create(
        rule=rule, station=st, opened_at=now, trigger=trigger, first_value=value, peak_value=value,
        last_value=value, last_seen_at=min(status.time or now, now), message=" ".join(lines))
    audit.record(actor=None, action=Action.CREATE, subject_type="environment.warningevent", subject_id=event.pk,
                 detail={"rule": rule.pk, "station": st.code, "value": value, "trigger": trigger})
    event.notified = notify_subscribers(event, rule)
    if event.notified:
        event.save(update_fields=["notified"])
    return event


def _close(event: WarningEvent, now: dt.datetime, reason: str) -> WarningEvent:
    event.closed_at, event.close_reason = now, reason
    event.save(update_fields=["closed_at", "close_reason"])
    audit.record(actor=None, action=Action.STATE, subject_type="environment.warningevent", subject_id=event.pk,
                 detail={"closed": reason, "peak": event.peak_value})
    return event


def open_warnings() -> QuerySet[WarningEvent]:
    return WarningEvent.objects.open().with_related().filter(station__is_active=True)


def banner_warnings(limit: int = 5) -> list[dict[str, Any]]:
    """The open warnings the warning strip shows (plain values, cached until the next evaluation): the id (the
    strip remembers a dismissal by it), the station, its ward, the rule's parameter and the latest value measured."""
    items = cache.get(BANNER_CACHE_KEY)
    if items is None:
        events = list(open_warnings()[:limit])
        # A noise rule watches the excess over the limit; people read the level measured (LAeq) instead.
        noise = {s.station.pk: s.value for s in current_statuses(kind=Kind.NOISE)} \
            if any(e.rule.parameter == Parameter.NOISE_EXCESS for e in events) else {}
        items = [{"id": e.pk, "message": e.message, "code": e.station.code, "station": e.station.name,
                  "place": e.station.unit.name if e.station.unit else "", "rule": e.rule.name,
                  "parameter": e.rule.parameter, "value": e.last_value, "laeq": noise.get(e.station_id),
                  "opened_at": e.opened_at}
                 for e in events]
        cache.set(BANNER_CACHE_KEY, items, settings.ENVIRONMENT_STATUS_CACHE_SECONDS)
    return items


def _in_sentence(place: str) -> str:
    """"Phường Bồ Đề" as it reads inside a sentence: "phường Bồ Đề" (the unit's kind in lower case)."""
    for kind in ("Phường", "Xã", "Thị trấn", "Đặc khu"):
        if place.startswith(kind + " "):
            return kind.lower() + place[len(kind):]
    return place


_ROMAN = {1: "I", 2: "II", 3: "III"}
# The VN_AQI band names (``aqi.BANDS``) as the strip says them, marked here for translation.
_BAND_NAMES = (gettext_noop("Tốt"), gettext_noop("Trung bình"), gettext_noop("Kém"), gettext_noop("Xấu"),
               gettext_noop("Rất xấu"), gettext_noop("Nguy hại"))


def strip_sentence(item: dict[str, Any]) -> str:
    """One plain-language sentence for a warning of ``banner_warnings``: what, where, how bad (the value measured,
    formatted the Vietnamese way), and what to do. In the visitor's language (gettext at the time of the page)."""
    parameter, value = item["parameter"], item["value"]
    place = _in_sentence(item["place"]) or item["station"]
    station = item["station"]
    if parameter in (Parameter.AQI, Parameter.PM25, Parameter.PM10):
        if parameter == Parameter.AQI:
            measured, level = f"AQI {formats.number(value)}", aqi.band(round(value)) if value is not None else None
        else:
            name = "PM2.5" if parameter == Parameter.PM25 else "PM10"
            measured, level = f"{name} {formats.number(value, 1)} µg/m³", None
        if level is not None:
            return _("Không khí ở %(place)s đang ở mức %(level)s (%(value)s) — hạn chế ra ngoài, đeo khẩu trang "
                     "khi cần.") % {"place": place, "level": _(level.name), "value": measured}
        return _("Không khí ở %(place)s đang ô nhiễm (%(value)s) — hạn chế ra ngoài, đeo khẩu trang khi cần.") % {
            "place": place, "value": measured}
    if parameter == Parameter.FLOOD_LEVEL:
        return _("Nước sông tại %(station)s vượt báo động %(level)s — tránh xa bờ sông và vùng trũng.") % {
            "station": station, "level": _ROMAN.get(round(value or 0), formats.number(value))}
    if parameter == Parameter.WATER_LEVEL:
        return _("Mực nước tại %(station)s lên %(value)s — theo dõi tin báo lũ.") % {
            "station": station, "value": f"{formats.number(value, 2)} m"}
    if parameter in (Parameter.RAIN_1H, Parameter.RAIN_3H, Parameter.RAIN_24H):
        hours = {Parameter.RAIN_1H: 1, Parameter.RAIN_3H: 3, Parameter.RAIN_24H: 24}[parameter]
        return _("Mưa lớn ở %(place)s: %(value)s trong %(hours)s giờ — đề phòng ngập úng, hạn chế đi lại.") % {
            "place": place, "value": f"{formats.number(value, 1)} mm", "hours": hours}
    if parameter == Parameter.LAEQ:
        return _("Tiếng ồn ở %(place)s đang cao (%(value)s).") % {
            "place": place, "value": f"{formats.number(value, 1)} dBA"}
    if parameter == Parameter.NOISE_EXCESS:
        if item.get("laeq") is not None:
            return _("Tiếng ồn ở %(place)s vượt giới hạn cho phép (%(value)s) — hạn chế ở lâu ngoài đường.") % {
                "place": place, "value": f"LAeq {formats.number(item['laeq'], 1)} dBA"}
        return _("Tiếng ồn ở %(place)s vượt giới hạn cho phép — hạn chế ở lâu ngoài đường.") % {"place": place}
    if parameter == Parameter.WQI:
        return _("Chất lượng nước tại %(station)s kém (WQI %(value)s) — không dùng nước này để sinh hoạt.") % {
            "station": station, "value": formats.number(value)}
    return item["message"]


@dataclass
class WarningPage:
    items: list[WarningEvent]
    more: bool


def warnings(*, state: str = "all", before: int | None = None, station: Station | None = None,
             limit: int = 50) -> WarningPage:
    """Warnings newest first, keyset-paged by id (``before``: the last id of the previous page)."""
    if state not in ("open", "closed", "all"):
        raise Invalid("state phải là open, closed hoặc all", field="state")
    if not 1 <= limit <= settings.ENVIRONMENT_MAX_PAGE_SIZE:
        raise Invalid(f"limit phải từ 1 đến {settings.ENVIRONMENT_MAX_PAGE_SIZE}", field="limit")
    qs = WarningEvent.objects.with_related().order_by("-pk")
    if state != "all":
        qs = qs.filter(closed_at__isnull=state == "open")
    if before is not None:
        qs = qs.filter(pk__lt=before)
    if station is not None:
        qs = qs.filter(station=station)
    items = list(qs[:limit + 1])
    return WarningPage(items[:limit], len(items) > limit)


DEFAULT_RULES: tuple[dict[str, Any], ...] = (
    # VN_AQI bands of Decision 1459/QĐ-TCMT, Table 1: "Xấu" (151–200) for two hours, "Rất xấu" at once.
    dict(name="Không khí xấu (AQI > 150)", parameter=Parameter.AQI, threshold=151, min_duration_hours=1),
    dict(name="Không khí rất xấu (AQI > 200)", parameter=Parameter.AQI, threshold=201),
    # The station's own alarm levels (Decision 05/2020/QĐ-TTg).
    dict(name="Lũ vượt báo động I", parameter=Parameter.FLOOD_LEVEL, threshold=1),
    dict(name="Lũ vượt báo động II", parameter=Parameter.FLOOD_LEVEL, threshold=2),
    dict(name="Lũ vượt báo động III", parameter=Parameter.FLOOD_LEVEL, threshold=3),
    # Heavy rain that floods Hà Nội's streets: the city's choice, to tune.
    dict(name="Mưa lớn (≥ 50 mm trong 3 giờ)", parameter=Parameter.RAIN_3H, threshold=50),
    dict(name="Tiếng ồn vượt giới hạn 3 giờ liền", parameter=Parameter.NOISE_EXCESS, threshold=0.1,
         min_duration_hours=2),
)


def ensure_default_rules() -> list[WarningRule]:
    """Create the default rules that do not exist yet (matched by name); answers those created."""
    existing = set(WarningRule.objects.values_list("name", flat=True))
    return [WarningRule.objects.create(**spec) for spec in DEFAULT_RULES if spec["name"] not in existing]


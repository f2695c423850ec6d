"""Read API of environmental monitoring at /api/v1/environment: stations, current values, history, the air
forecast, warnings; and subscribing to warnings by e-mail or phone (a citizen's own account subscribes on the
site)."""

from __future__ import annotations

from typing import Literal

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Status

from smartcity.environment import services
from smartcity.environment.models import Station, WarningEvent
from smartcity.environment.ngsi_ld import entities as ngsi_ld
from smartcity.environment.parameters import Kind
from smartcity.environment.schemas import (
    CurrentOut,
    ForecastOut,
    HistoryOut,
    StationOut,
    StationPage,
    SubscriptionIn,
    SubscriptionOut,
    TokenIn,
    WarningPage,
)
from smartcity.lib import ratelimit
from smartcity.lib.contract import MAX_ID, errors
from smartcity.lib.errors import Invalid
from smartcity.places import services as places

router = Router()
PREFIX = "/api/v1/environment"

# The bounds and names a client may use, in the OpenAPI schema (a wrong one is a 400 naming the parameter). The page
# size is also checked at run time (``_limit``), since the setting may change after this module is imported.
KindName = Literal[tuple(Kind.values)]  # type: ignore[valid-type]
MAX_PAGE = settings.ENVIRONMENT_MAX_PAGE_SIZE


def _limit(limit: int) -> int:
    if not 1 <= limit <= settings.ENVIRONMENT_MAX_PAGE_SIZE:
        raise Invalid(f"limit phải từ 1 đến {settings.ENVIRONMENT_MAX_PAGE_SIZE}", field="limit")
    return limit


def _kind(kind: str | None) -> str | None:
    if kind and kind not in Kind.values:
        raise Invalid(f"kind phải là một trong {', '.join(Kind.values)}", field="kind")
    return kind or None


def station_out(st: Station) -> dict:
    levels = [st.flood_level_i, st.flood_level_ii, st.flood_level_iii]
    return {
        "code": st.code, "name": st.name, "kind": st.kind, "kind_label": st.get_kind_display(),
        "unit": {"key": st.unit.key, "name": st.unit.name} if st.unit else None,
        "latitude": st.latitude, "longitude": st.longitude, "address": st.address,
        "noise_zone": st.noise_zone if st.kind == Kind.NOISE else None,
        "reference_elevation_m": st.reference_elevation_m,
        "flood_levels_m": levels if None not in levels else None,
        "thing_id": st.thing_id, "ngsi_ld_id": ngsi_ld.entity_id(st),
        "url": reverse("environment:station", args=[st.code]),
    }


def current_out(status: services.Status) -> dict:
    return {
        "station": status.station.code, "kind": status.station.kind, "time": status.time,
        "headline": status.headline, "value": status.value, "unit": status.unit, "level": status.level,
        "level_label": status.level_label, "colour": status.colour, "dominant": status.dominant or None,
        "advice": status.advice,
        "readings": [{"code": r.code, "label": r.label, "unit": r.unit, "value": r.value, "time": r.time,
                      "sub_index": r.sub_index, "highest_sub_index": r.dominant} for r in status.readings],
        "extra": status.extra,
    }


@router.get("/stations", response={200: StationPage, **errors(400, 404)},
            summary="Monitoring stations (keyset paging by `after`)")
def list_stations(request: HttpRequest, kind: KindName | None = None,
                  unit: str | None = Query(None, max_length=64),  # noqa: B008 — ninja's style
                  after: int = Query(0, ge=0, le=MAX_ID),  # noqa: B008
                  limit: int = Query(100, ge=1, le=MAX_PAGE)) -> dict:  # noqa: B008
    qs = services.stations(kind=_kind(kind), unit=places.get_unit(unit) if unit else None)
    page = list(qs.filter(pk__gt=after).order_by("pk")[:_limit(limit) + 1])
    more = len(page) > limit
    page = page[:limit]
    params = f"&kind={kind}" if kind else ""
    params += f"&unit={unit}" if unit else ""
    nxt = f"{PREFIX}/stations?after={page[-1].pk}&limit={limit}{params}" if more else None
    return {"items": [station_out(s) for s in page], "next": nxt}


@router.get("/stations/{code}", response={200: StationOut, **errors(404)}, summary="One station")
def get_station(request: HttpRequest, code: str) -> dict:
    return station_out(services.get_station(code))


@router.get("/current", response={200: list[CurrentOut], **errors(400)}, summary="Current values of every station")
def current(request: HttpRequest, kind: KindName | None = None) -> list[dict]:
    return [current_out(s) for s in services.current_statuses(kind=_kind(kind))]


@router.get("/stations/{code}/current", response={200: CurrentOut, **errors(404)},
            summary="Current values of one station (VN_AQI with its sub-indices, water level, rain, noise…)")
def station_current(request: HttpRequest, code: str) -> dict:
    return current_out(services.current_status(services.get_station(code)))


@router.get("/stations/{code}/history", response={200: HistoryOut, **errors(400, 404)},
            summary="Hourly or daily history over [start, end) (ISO 8601; naive times are Việt Nam time)")
def station_history(request: HttpRequest, code: str,
                    start: str | None = Query(None, max_length=40),  # noqa: B008 — ninja's style
                    end: str | None = Query(None, max_length=40),  # noqa: B008
                    resolution: Literal["hour", "day"] = "hour") -> dict:
    station = services.get_station(code)
    span = services.parse_range(start=start, end=end, resolution=resolution)
    table = services.history(station, span)
    columns = services.ordered_columns(station, table)
    return {"station": station.code, "resolution": span.resolution, "start": span.start, "end": span.end,
            "columns": {c: services.column_label(c) for c in columns},
            "rows": [{"time": t, **{c: table.value(c, i) for c in columns}} for i, t in enumerate(table.times)]}


@router.get("/stations/{code}/forecast", response={200: ForecastOut, **errors(404)},
            summary="Next-24-hour forecast of an air station (VN_AQI from PM only, PM2.5 with its 80 % interval)")
def station_forecast(request: HttpRequest, code: str) -> dict:
    fc = services.station_forecast(services.get_station(code))
    return {"station": fc.station.code, "issued_at": fc.issued_at if fc.hours else None, "interval": fc.interval,
            "degraded": fc.degraded, "reason": fc.reason, "caveat": services.forecast_caveat(),
            "hours": [{"time": h.start, "aqi": h.aqi, "level_label": h.band, "colour": h.colour,
                       "pm25": round(h.pm25, 1), "pm25_low": round(h.pm25_low, 1),
                       "pm25_high": round(h.pm25_high, 1)} for h in fc.hours]}


def warning_out(e: WarningEvent) -> dict:
    return {"id": e.pk, "rule": e.rule.name, "parameter": e.rule.parameter, "threshold": e.rule.threshold,
            "station": e.station.code, "station_name": e.station.name, "opened_at": e.opened_at,
            "closed_at": e.closed_at, "close_reason": e.close_reason, "first_value": e.first_value,
            "peak_value": e.peak_value, "last_value": e.last_value, "message": e.message, "trigger": e.trigger}


@router.get("/warnings", response={200: WarningPage, **errors(400, 404)},
            summary="Warnings, newest first (keyset paging by `before`)")
def list_warnings(request: HttpRequest, state: Literal["open", "closed", "all"] = "all",
                  station: str | None = Query(None, max_length=64),  # noqa: B008 — ninja's style
                  before: int | None = Query(None, ge=0, le=MAX_ID),  # noqa: B008
                  limit: int = Query(50, ge=1, le=MAX_PAGE)) -> dict:  # noqa: B008
    where = services.get_station(station) if station else None
    page = services.warnings(state=state, before=before, station=where, limit=limit)
    items = page.items
    params = f"&state={state}" + (f"&station={station}" if station else "")
    nxt = f"{PREFIX}/warnings?before={items[-1].pk}&limit={limit}{params}" if page.more else None
    return {"items": [warning_out(e) for e in items], "next": nxt}


def _subscription_out(sub, message: str) -> dict:
    return {"id": sub.pk, "unit": {"key": sub.unit.key, "name": sub.unit.name} if sub.unit else None,
            "parameters": sub.parameters, "confirmed": sub.confirmed_at is not None, "message": message}


@router.post("/subscriptions", response={201: SubscriptionOut, **errors(400, 404, 429)},
             summary="Subscribe an e-mail address or phone number to warnings (confirmed by the link sent there)")
@ratelimit.limit_operation("subscription")
def create_subscription(request: HttpRequest, payload: SubscriptionIn) -> Status:
    # Bounded per recipient too: nobody floods someone's inbox or phone from many client addresses.
    contact = (payload.email or payload.phone or "").strip().lower()
    wait = ratelimit.exceeded("subscription_contact", contact)
    if wait is not None:
        raise ratelimit.RateLimited(retry_after=wait)
    sub = services.subscribe(email=payload.email, phone=payload.phone, unit_key=payload.unit,
                             parameters=payload.parameters)
    ratelimit.count_failure("subscription_contact", contact)  # one more message sent there
    return Status(201, _subscription_out(sub, "Đã gửi liên kết xác nhận; cảnh báo chỉ được gửi sau khi xác nhận."))


@router.post("/subscriptions/confirm", response={200: SubscriptionOut, **errors(400, 404, 429)},
             summary="Confirm a subscription by its token")
@ratelimit.limit_operation("subscription_token")
def confirm_subscription(request: HttpRequest, payload: TokenIn) -> dict:
    return _subscription_out(services.confirm_subscription(token=payload.token), "Đã xác nhận đăng ký.")


@router.post("/subscriptions/cancel", response={200: SubscriptionOut, **errors(400, 404, 429)},
             summary="Cancel a subscription by its token")
@ratelimit.limit_operation("subscription_token")
def cancel_subscription(request: HttpRequest, payload: TokenIn) -> dict:
    return _subscription_out(services.cancel_subscription(token=payload.token), "Đã hủy đăng ký.")

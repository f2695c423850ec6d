"""Public pages of environmental monitoring (map, station, warnings, subscriptions) and the NGSI-LD view. Thin:
numbers come from ``services``, pictures from ``smartcity.lib.svg``."""

from __future__ import annotations

import json
import re
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from smartcity.environment import aqi, exports, ngsi, ngsi_query, noise, services, wqi
from smartcity.environment.models import Station
from smartcity.environment.parameters import Kind
from smartcity.environment.readings import Table
from smartcity.lib import export, svg
from smartcity.lib.errors import NotFound, ServiceError
from smartcity.places.models import Level, Structure, Unit

# ------------------------------------------------------------------------------------------------ map


def _legend(kind: str) -> list[tuple[str, str]]:
    if kind == Kind.AIR:
        items = [(b.hex, f"{b.low}–{b.high}: {b.name}") for b in aqi.BANDS]
    elif kind == Kind.WATER_LEVEL:
        items = [(colour, name) for name, colour in services.FLOOD_LEVELS]
    elif kind == Kind.RAIN:
        items = [(colour, name) for _bound, name, colour in services.RAIN_LEVELS]
    elif kind == Kind.NOISE:
        items = [(colour, name) for name, colour in services.NOISE_LEVELS]
    else:
        items = [(b.hex, f"{b.low}–{b.high}: {b.name}") for b in wqi.BANDS]
    return [*items, (services.NO_DATA, _("Chưa có số liệu"))]


def _short(status: services.Status) -> str:
    if status.value is None:
        return "–"
    if status.station.kind == Kind.WATER_LEVEL:
        return f"{status.value:.1f}"
    return f"{status.value:.0f}"


def _describe(status: services.Status) -> str:
    st = status.station
    where = f" ({st.unit.name})" if st.unit else ""
    if status.value is None:
        return f"{st.name}{where}: {_('chưa có số liệu')}"
    unit = f" {status.unit}" if status.unit else ""
    return f"{st.name}{where}: {status.headline} {_short(status)}{unit} — {status.level_label}"


def _discs() -> list[svg.Disc]:
    rows = Unit.objects.filter(structure=Structure.Y2025, level=Level.COMMUNE,
                               province_code=settings.ENVIRONMENT_PROVINCE_CODE, latitude__isnull=False)
    return [svg.Disc(lon, lat, area or 5.0, name)
            for lon, lat, area, name in rows.values_list("longitude", "latitude", "area_km2", "name")]


def index(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("loai") or Kind.AIR
    if kind not in Kind.values:
        kind = Kind.AIR
    every = services.current_statuses()
    statuses = [s for s in every if s.station.kind == kind]
    counts = {k: sum(1 for s in every if s.station.kind == k) for k in Kind.values}
    dots = [svg.Point(s.station.longitude, s.station.latitude, s.colour, _short(s), _describe(s),
                    reverse("environment:station", args=[s.station.code]))
            for s in statuses if s.station.longitude is not None and s.station.latitude is not None]
    label = Kind(kind).label
    picture = svg.schematic_map(
        _discs(), dots, title=_("Bản đồ trạm quan trắc %(kind)s") % {"kind": label.lower()},
        description=_("Các phường, xã của thành phố và %(n)d trạm, tô màu theo mức hiện tại. %(list)s")
        % {"n": len(dots), "list": "; ".join(_describe(s) for s in statuses)},
        legend=_legend(kind), css_class="env-map")
    tabs = [{"kind": k, "label": Kind(k).label, "count": counts[k], "current": k == kind} for k in Kind.values]
    return render(request, "environment/index.html", {
        "kind": kind, "kind_label": label, "statuses": statuses, "map": picture, "tabs": tabs,
        "warnings": services.open_warnings()[:20]})


# ------------------------------------------------------------------------------------------------ station


def _station(code: str) -> Station:
    try:
        return services.get_station(code)
    except NotFound:
        raise Http404(_("Không có trạm quan trắc này")) from None


CHART_COLUMN = {Kind.AIR: "aqi", Kind.WATER_LEVEL: "water_level", Kind.RAIN: "rain_1h", Kind.NOISE: "laeq",
                Kind.WATER: "wqi"}
DAILY_COLUMN = {Kind.AIR: "aqi", Kind.WATER_LEVEL: "water_level", Kind.RAIN: "rainfall", Kind.NOISE: "laeq_day",
                Kind.WATER: "wqi"}


def _colour(station: Station, table: Table, column: str, i: int, value: float | None) -> str:
    if value is None:
        return services.NO_DATA
    if station.kind == Kind.AIR:
        return aqi.band(value).hex
    if station.kind == Kind.WATER:
        return wqi.band(int(value)).hex
    if station.kind == Kind.WATER_LEVEL:
        level = table.value("flood_level", i)
        return services.FLOOD_LEVELS[int(level)][1] if level is not None else "#1E88E5"
    if station.kind == Kind.NOISE:
        limit = table.value("limit_dba", i)
        if column == "laeq_day":
            limit = noise.LIMITS[station.noise_zone].day_dba
        return services.NOISE_LEVELS[int(limit is not None and value > limit)][1]
    return "#1E88E5"


def _chart(station: Station, table: Table, column: str, *, daily: bool, ident: str) -> Any:
    if column not in table.columns:
        return ""
    zone = timezone.get_current_timezone()
    bars = []
    for i, moment in enumerate(table.times):
        local = moment.astimezone(zone)
        label = local.strftime("%d/%m") if daily else local.strftime("%Hh")
        value = table.value(column, i)
        when = local.strftime("%d/%m/%Y") if daily else local.strftime("%H:00 %d/%m/%Y")
        title = f"{when}: {services.column_label(column)} " + ("—" if value is None else f"{value:.1f}")
        bars.append(svg.Bar(label, value, _colour(station, table, column, i, value), title))
    lines: list[tuple[float, str, str]] = []
    if station.kind == Kind.WATER_LEVEL and station.has_flood_levels:
        lines = [(station.flood_level_i, _("Báo động I"), "#FFD600"),
                 (station.flood_level_ii, _("Báo động II"), "#FF7E00"),
                 (station.flood_level_iii, _("Báo động III"), "#E53935")]
    elif station.kind == Kind.NOISE:
        limit = noise.LIMITS[station.noise_zone]
        lines = [(limit.day_dba, _("Giới hạn ban ngày"), "#E53935")]
        if not daily:
            lines.append((limit.night_dba, _("Giới hạn ban đêm"), "#8E24AA"))
    present = [b for b in bars if b.value is not None]
    span = _("30 ngày qua") if daily else _("24 giờ qua")
    description = _("%(what)s, %(span)s: %(n)d giá trị") % {"what": services.column_label(column), "span": span,
                                                            "n": len(present)}
    if present:
        top = max(present, key=lambda b: b.value)
        description += _("; cao nhất %(value).1f lúc %(when)s") % {"value": top.value, "when": top.title.split(":")[0]}
    return svg.bar_chart(bars, title=f"{services.column_label(column)} — {span}", description=description,
                         lines=lines, ident=ident, floor=None if station.kind == Kind.WATER_LEVEL else 0.0)


def station(request: HttpRequest, code: str) -> HttpResponse:
    st = _station(code)
    status = services.current_status(st)
    hours = services.history(st, services.parse_range(start=None, end=None, resolution="hour"))
    days = services.history(st, services.parse_range(start=None, end=None, resolution="day"))
    hour_columns = services.ordered_columns(st, hours)
    yesterday = len(days.times) - 2  # the last complete local day (today's is still partial)
    daily = {"label": services.column_label(DAILY_COLUMN[st.kind]), "time": days.times[yesterday],
             "value": days.value(DAILY_COLUMN[st.kind], yesterday), "dominant": services.parameter_label(days.value("dominant", yesterday))}
    return render(request, "environment/station.html", {
        "station": st, "status": status, "ngsi_id": ngsi.entity_id(st), "daily": daily,
        "chart_hours": _chart(st, hours, CHART_COLUMN[st.kind], daily=False, ident="chart-24h"),
        "chart_days": _chart(st, days, DAILY_COLUMN[st.kind], daily=True, ident="chart-30d"),
        "hour_columns": [(c, services.column_label(c)) for c in hour_columns],
        "hour_rows": [(t, [hours.value(c, i) for c in hour_columns]) for i, t in enumerate(hours.times)][::-1],
        "warnings": services.warnings(station=st, limit=10).items,
    })


@require_GET
def station_csv(request: HttpRequest, code: str) -> HttpResponseBase:
    st = _station(code)
    try:
        span = services.parse_range(start=request.GET.get("start"), end=request.GET.get("end"),
                                    resolution=request.GET.get("resolution") or "hour")
    except ServiceError as exc:
        return HttpResponse(f"{exc.field}: {exc.message}\n", status=400, content_type="text/plain; charset=utf-8")
    table = services.history(st, span)
    stamp = span.start.astimezone(timezone.get_current_timezone()).strftime("%Y%m%d")
    return export.csv_response(exports.history_columns(st, table), exports.history_rows(table, span),
                               filename=f"{st.code}-{span.resolution}-{stamp}.csv", bom=True)


# ------------------------------------------------------------------------------------------------ warnings


def warnings_page(request: HttpRequest) -> HttpResponse:
    try:
        before = int(request.GET["truoc"]) if request.GET.get("truoc") else None
    except ValueError:
        before = None
    page = services.warnings(state="all", before=before, limit=50)
    return render(request, "environment/warnings.html", {
        "open": services.open_warnings(), "page": page,
        "next": page.items[-1].pk if page.more else None})


# ------------------------------------------------------------------------------------------------ subscriptions


def _area_choices() -> list[tuple[str, str]]:
    rows = Unit.objects.filter(structure=Structure.Y2025, level=Level.COMMUNE,
                               province_code=settings.ENVIRONMENT_PROVINCE_CODE).order_by("name")
    return [(u.key, u.name) for u in rows]


def subscribe(request: HttpRequest) -> HttpResponse:
    citizen = request.user.is_authenticated and getattr(request.user, "person_id", None) is not None
    values: dict[str, Any] = {"unit": "", "parameters": [], "channel": "account" if citizen else "email",
                              "email": "", "phone": ""}
    error = None
    if request.method == "POST":
        values = {"unit": request.POST.get("unit", ""), "parameters": request.POST.getlist("parameters"),
                  "channel": request.POST.get("channel", "email"), "email": request.POST.get("email", ""),
                  "phone": request.POST.get("phone", "")}
        try:
            if values["channel"] == "account":
                services.subscribe(user=request.user, unit_key=values["unit"] or None,
                                   parameters=values["parameters"])
                messages.success(request, _("Đã đăng ký nhận cảnh báo vào liên hệ trong hồ sơ của bạn."))
            else:
                services.subscribe(email=values["email"] if values["channel"] == "email" else "",
                                   phone=values["phone"] if values["channel"] == "phone" else "",
                                   unit_key=values["unit"] or None, parameters=values["parameters"])
                messages.success(request, _("Đã gửi liên kết xác nhận. Cảnh báo chỉ được gửi sau khi bạn xác nhận."))
            return redirect("environment:subscribe")
        except ServiceError as exc:
            error = exc.message
    return render(request, "environment/subscribe.html", {
        "areas": _area_choices(), "kinds": Kind.choices, "values": values, "citizen": citizen, "error": error},
        status=400 if error else 200)


def _token_page(request: HttpRequest, token: str, *, action: str) -> HttpResponse:
    done = None
    error = None
    status = 200
    if request.method == "POST":
        try:
            if action == "confirm":
                services.confirm_subscription(token=token)
                done = _("Đã xác nhận. Bạn sẽ nhận cảnh báo môi trường của khu vực đã chọn.")
            else:
                services.cancel_subscription(token=token)
                done = _("Đã hủy đăng ký. Bạn sẽ không nhận cảnh báo nữa.")
        except ServiceError as exc:
            error, status = exc.message, exc.status
    return render(request, "environment/token.html", {"action": action, "done": done, "error": error},
                  status=status)


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    return _token_page(request, token, action="confirm")


def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    return _token_page(request, token, action="cancel")


# ------------------------------------------------------------------------------------------------ NGSI-LD

ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"


def _problem(status: int, kind: str, detail: str) -> JsonResponse:
    """An NGSI-LD error (clause 5.5.2, HTTP status by Table 6.3.2-1): RFC 7807 problem details, ``application/json``."""
    return JsonResponse({"type": ERRORS + kind, "title": kind, "status": status, "detail": detail}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _context_url() -> str:
    return settings.SITE_URL + reverse("environment:ngsi_context")


def _ngsi_response(request: HttpRequest, body: Any, *, headers: dict[str, str] | None = None) -> HttpResponse:
    """``application/ld+json`` with ``@context`` in each entity when the client accepts it; else
    ``application/json`` and the context in a Link header (clause 6.3.5); 406 for anything else."""
    accept = request.headers.get("Accept", "") or "*/*"
    if "application/ld+json" in accept:
        context = _context_url()
        if isinstance(body, list):
            body = [{**e, "@context": context} for e in body]
        else:
            body = {**body, "@context": context}
        response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/ld+json")
    elif any(t in accept for t in ("application/json", "application/*", "*/*")):
        response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/json")
        response["Link"] = (f'<{_context_url()}>; rel="http://www.w3.org/ns/json-ld#context"; '
                            'type="application/ld+json"')
    else:
        return _problem(406, "NotAcceptable", "Hỗ trợ application/json và application/ld+json")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _ngsi_ld(view: Any) -> Any:
    """GET only, and no tenants: a request naming one (``NGSILD-Tenant``) gets ``NoMultiTenantSupport`` (clause
    4.14: systems without multi-tenancy raise it when a tenant is specified; HTTP 501 by Table 6.3.2-1)."""
    @require_GET
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.headers.get("NGSILD-Tenant"):
            return _problem(501, "NoMultiTenantSupport", "Hệ thống chỉ có tenant mặc định; bỏ header NGSILD-Tenant")
        return view(request, *args, **kwargs)
    return wrapper


def _split(value: str | None, separators: str = ",") -> list[str]:
    return [v.strip() for v in re.split(f"[{re.escape(separators)}]", value or "") if v.strip()]


def _render(entity: dict[str, Any], attrs: list[str], options: list[str]) -> dict[str, Any] | None:
    picked = ngsi.pick(entity, attrs)
    if picked is not None and "keyValues" in options:
        picked = ngsi.key_values(picked)
    return picked


UNSUPPORTED = ("georel", "geometry", "coordinates", "geoproperty", "csf", "scopeQ")


@_ngsi_ld
def ngsi_entities(request: HttpRequest) -> HttpResponse:
    """GET /ngsi-ld/v1/entities?type=AirQualityObserved[&id=…|&idPattern=…][&q=…][&attrs=…][&limit&offset&count]
    [&options=keyValues] (clauses 5.7.2, 6.4.3.2)."""
    unsupported = [p for p in UNSUPPORTED if p in request.GET]
    if unsupported:
        return _problem(400, "BadRequestData", f"Chưa hỗ trợ tham số: {', '.join(unsupported)}")
    # type selection: a list (",") or alternatives ("|") of type names
    types, ids = _split(request.GET.get("type"), ",|"), _split(request.GET.get("id"))
    attrs, options = _split(request.GET.get("attrs")), _split(request.GET.get("options"))
    q, id_pattern = request.GET.get("q"), request.GET.get("idPattern")
    if not (types or ids or id_pattern or attrs or q):
        return _problem(400, "BadRequestData", "Cần ít nhất một trong các tham số type, id, idPattern, attrs, q")
    if any(o not in ("keyValues", "normalized", "concise") for o in options):
        return _problem(400, "BadRequestData", "options chỉ nhận keyValues hoặc normalized")
    try:
        limit = int(request.GET.get("limit", 20))
        offset = int(request.GET.get("offset", 0))
    except ValueError:
        return _problem(400, "BadRequestData", "limit và offset phải là số nguyên")
    count = request.GET.get("count", "false")
    if count not in ("true", "false"):
        return _problem(400, "BadRequestData", "count phải là true hoặc false")
    if not (0 <= limit <= settings.ENVIRONMENT_MAX_PAGE_SIZE) or offset < 0 or (limit == 0 and count != "true"):
        return _problem(400, "BadRequestData", f"limit phải từ 1 đến {settings.ENVIRONMENT_MAX_PAGE_SIZE} "
                        "(0 chỉ khi count=true), offset không âm")
    for entity in ids:
        if ":" not in entity:
            return _problem(400, "BadRequestData", f"id phải là một URI: {entity!r}")
    try:
        query = ngsi_query.parse(q) if q is not None else None
        # an explicit id list takes precedence over a pattern
        pattern = ngsi_query.regex(id_pattern) if id_pattern and not ids else None
    except ngsi_query.Unsupported as e:
        return _problem(422, "OperationNotSupported", str(e))
    except ngsi_query.TooComplex as e:
        return _problem(403, "TooComplexQuery", str(e))
    except ngsi_query.QueryError as e:
        return _problem(400, "BadRequestData", str(e))
    kinds = {ngsi.KIND_OF_TYPE[t] for t in types if t in ngsi.KIND_OF_TYPE} if types else set(Kind.values)
    codes = {c[1] for c in map(ngsi.code_of, ids) if c} if ids else None
    matched = [s for s in services.current_statuses()
               if s.station.kind in kinds and (codes is None or s.station.code in codes)]
    if pattern is not None:
        matched = [s for s in matched if pattern.search(ngsi.entity_id(s.station))]
    matched.sort(key=lambda s: ngsi.entity_id(s.station))
    full = (ngsi.entity(s) for s in matched)
    selected = (e for e in full if query is None or ngsi_query.matches(query, e))
    entities = [e for e in (_render(e, attrs, options) for e in selected) if e is not None]
    headers = {"NGSILD-Results-Count": str(len(entities))} if count == "true" else {}
    return _ngsi_response(request, entities[offset:offset + limit], headers=headers)


@_ngsi_ld
def ngsi_entity(request: HttpRequest, entity_id: str) -> HttpResponse:
    """GET /ngsi-ld/v1/entities/{entityId}[?attrs=…][&options=keyValues] (clauses 5.7.1, 6.5.3.1)."""
    if ":" not in entity_id:
        return _problem(400, "BadRequestData", f"id phải là một URI: {entity_id!r}")
    parsed = ngsi.code_of(entity_id)
    station = Station.objects.active().filter(code=parsed[1], kind=ngsi.KIND_OF_TYPE[parsed[0]]).first() \
        if parsed else None
    if station is None:
        return _problem(404, "ResourceNotFound", f"Không có thực thể {entity_id}")
    status = next((s for s in services.current_statuses() if s.station.pk == station.pk), None) \
        or services.current_status(station)
    entity = _render(ngsi.entity(status), _split(request.GET.get("attrs")), _split(request.GET.get("options")))
    if entity is None:
        return _problem(404, "ResourceNotFound", "Thực thể không có thuộc tính nào được yêu cầu")
    return _ngsi_response(request, entity)


@_ngsi_ld
def ngsi_types(request: HttpRequest) -> HttpResponse:
    """GET /ngsi-ld/v1/types: the entity types served (clause 5.7.5, EntityTypeList)."""
    return _ngsi_response(request, {"id": "urn:ngsi-ld:EntityTypeList:smartcity-environment",
                                    "type": "EntityTypeList", "typeList": sorted(ngsi.TYPES.values())})


@require_GET
def ngsi_context(request: HttpRequest) -> HttpResponse:
    return HttpResponse(json.dumps(ngsi.context_document(), ensure_ascii=False, indent=1),
                        content_type="application/ld+json")

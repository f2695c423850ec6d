"""Public pages of environmental monitoring (map, station, warnings, subscriptions). Thin: numbers come from
``services``, charts from ``smartcity.lib.svg``, the map from the map component (``places.services.build_map``). The NGSI-LD view
is in ``ngsi_ld.views``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from smartcity.environment import exports, services
from smartcity.environment.models import Station
from smartcity.environment.ngsi_ld import entities as ngsi_ld
from smartcity.environment.parameters import Kind
from smartcity.lib import export, ratelimit, svg
from smartcity.lib.errors import NotFound, ServiceError
from smartcity.places import services as places
from smartcity.places.models import Level, Structure, Unit

# ------------------------------------------------------------------------------------------------ map


def index(request: HttpRequest) -> HttpResponse:
    page = services.map_page(request.GET.get("loai"))
    picture = places.build_map(
        [places.MapPoint(d.lat, d.lon, d.label, d.title, d.colour, d.href) for d in page.dots],
        [places.MapArea(a.key, a.colour, a.title) for a in page.areas],
        title=page.title, description=page.description, legend=page.legend, css_class="env-map",
        province_code=settings.ENVIRONMENT_PROVINCE_CODE)
    return render(request, "environment/index.html", {
        "kind": page.kind, "kind_label": page.kind_label, "statuses": page.statuses, "map": picture,
        "tabs": page.tabs, "warnings": page.warnings})


# ------------------------------------------------------------------------------------------------ station


def _station(code: str) -> Station:
    try:
        return services.get_station(code)
    except NotFound:
        raise Http404(_("Không có trạm quan trắc này")) from None


def _draw(chart: services.Chart | None, *, ident: str) -> Any:
    if chart is None:
        return ""
    return svg.bar_chart([svg.Bar(b.label, b.value, b.colour, b.title) for b in chart.bars], title=chart.title,
                         description=chart.description, lines=[(r.value, r.label, r.colour) for r in chart.lines],
                         ident=ident, floor=chart.floor)


def _station_map(page: services.StationPage) -> places.Map | None:
    """The station on the city's map, zoomed on it: only where the city has a tile server or ward boundaries (the
    schematic of the whole city would say little about one station's place)."""
    if page.dot is None or not places.interactive_map(settings.ENVIRONMENT_PROVINCE_CODE):
        return None
    dot = page.dot
    return places.build_map(
        [places.MapPoint(dot.lat, dot.lon, dot.label, dot.title, dot.colour, dot.href)],
        [places.MapArea(a.key, a.colour, a.title) for a in services.ward_levels([page.status])],
        title=_("Vị trí trạm %(name)s") % {"name": page.station.name}, description=dot.title, legend=page.legend,
        ident="station-map", css_class="env-map", province_code=settings.ENVIRONMENT_PROVINCE_CODE, fit="points")


def station(request: HttpRequest, code: str) -> HttpResponse:
    page = services.station_page(_station(code))
    return render(request, "environment/station.html", {
        "map": _station_map(page),
        "station": page.station, "status": page.status, "page": page, "ngsi_id": ngsi_ld.entity_id(page.station),
        "chart_hours": _draw(page.hour_chart, ident="chart-24h"),
        "chart_days": _draw(page.day_chart, ident="chart-30d"),
        "chart_forecast": _draw(page.forecast.chart if page.forecast else None, ident="chart-forecast")})


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


@ratelimit.rate_limit("subscription", methods=("POST",))
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
                # Each subscription sends a message to the address given: bounded per recipient too, so nobody can
                # flood someone's inbox or phone from many client addresses.
                contact = (values["email"] if values["channel"] == "email" else values["phone"]).strip().lower()
                wait = ratelimit.exceeded("subscription_contact", contact)
                if wait is not None:
                    raise ratelimit.RateLimited(retry_after=wait)
                services.subscribe(email=values["email"] if values["channel"] == "email" else "",
                                   phone=values["phone"] if values["channel"] == "phone" else "",
                                   unit_key=values["unit"] or None, parameters=values["parameters"])
                ratelimit.count_failure("subscription_contact", contact)  # one more message sent there
                messages.success(request, _("Đã gửi liên kết xác nhận. Cảnh báo chỉ được gửi sau khi bạn xác nhận."))
            return redirect("environment:subscribe")
        except ratelimit.RateLimited as exc:
            return ratelimit.rate_limited_response(request, exc)
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


@ratelimit.rate_limit("subscription_token", methods=("POST",))
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    return _token_page(request, token, action="confirm")


@ratelimit.rate_limit("subscription_token", methods=("POST",))
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    return _token_page(request, token, action="cancel")

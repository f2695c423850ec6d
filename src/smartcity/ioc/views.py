"""The operations centre's pages: the one screen (/ioc/), the live event stream it listens to, the tiles' lists,
incidents, and the leaders' trends. Thin: every figure and write comes from ``services``."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from smartcity.ioc import catalogue, services
from smartcity.ioc.models import IncidentType
from smartcity.lib import formats
from smartcity.lib.errors import Conflict, Invalid, NotFound
from smartcity.places import services as places

#: How long the browser waits before reconnecting once a stream ends (the ``retry:`` field).
RETRY_MS = 2000


def role_required(role: str) -> Callable:
    """Signed-in staff with ``role`` (or above); anonymous visitors go to the sign-in page, others get 403."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not services.has_role(request.user, role):
                raise PermissionDenied(_("Tài khoản không có vai trò ở trung tâm điều hành"))
            return view(request, *args, **kwargs)
        return wrapper
    return decorate


def _wanted_layers(request: HttpRequest) -> list[str] | None:
    picked = request.GET.getlist("lop")
    return [k for k in picked if k in dict(catalogue.LAYERS)] if picked else None


@require_GET
@role_required(services.LEADER)
def screen(request: HttpRequest) -> HttpResponse:
    summary = services.current_summary()
    tiles = services.tiles_for_display(summary)
    wanted = _wanted_layers(request)
    layers = services.map_layers(wanted=wanted)
    every_layer = services.layer_settings()
    points = [p for layer in layers for p in layer.points]
    legend = [("#B71C1C", _("Cảnh báo đang mở")), ("#1E88E5", _("Phản ánh mới")),
              ("#FF9800", _("Phản ánh quá 3 ngày")), ("#E53935", _("Phản ánh quá hạn"))]
    picture = places.build_map(
        points, title=_("Bản đồ trung tâm điều hành"),
        description=_("Các phường, xã của thành phố với %(n)d điểm: %(layers)s.")
        % {"n": len(points), "layers": ", ".join(f"{layer.label} ({len(layer.points)})" for layer in layers)},
        legend=legend, ident="ioc-map", css_class="map ioc-map")
    role = services.role_of(request.user)
    return render(request, "ioc/screen.html", {
        "summary": summary, "tiles": tiles, "map": picture, "layers": layers,
        "layer_choices": [(layer, wanted is None or layer.key in wanted) for layer in every_layer
                          if layer.is_enabled],
        "events": services.recent_events(30), "role": role,
        "can_operate": services.has_role(request.user, services.OPERATOR),
        "can_administer": services.has_role(request.user, services.ADMIN),
        "incidents": services.incidents(state="open", limit=10),
        "stream": {"url": reverse("ioc:stream"),
                   "last": max((e.id for e in services.recent_events(1)), default=0), "summary": summary.pk},
    })


def _sse(event_id: int | None, name: str, data: dict[str, Any]) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _last_event_id(request: HttpRequest) -> int:
    """Where to resume: the ``Last-Event-ID`` header a reconnecting EventSource sends, else ``?after=``."""
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after") or "0"
    try:
        value = int(raw)
    except ValueError:
        return 0
    return value if 0 <= value < 2**63 else 0


def event_stream(last_id: int, summary_id: int, *, seconds: float, poll: float,
                 heartbeat: float) -> Iterator[str]:
    """The feed after ``last_id`` as server-sent events (``feed``), a ``summary`` event whenever a newer summary
    row than ``summary_id`` appears, a comment every ``heartbeat`` seconds of silence, and an end after
    ``seconds``: the browser reconnects (after ``retry``) and resumes from the last id it saw."""
    started = time.monotonic()
    deadline = started + seconds
    next_beat = started + heartbeat
    yield f"retry: {RETRY_MS}\n\n"
    while True:
        sent = False
        for event in services.events_after(last_id):
            last_id = event.id
            sent = True
            yield _sse(event.id, "feed", services.event_out(event))
        newest = services.newest_summary()
        if newest is not None and newest.pk > summary_id:
            summary_id = newest.pk
            sent = True
            yield _sse(None, "summary", {"summary": newest.pk, "computed": newest.computed_at.isoformat(),
                                         "computed_label": formats.moment(newest.computed_at),
                                         "tiles": [t.as_dict() for t in services.tiles_for_display(newest)]})
        now = time.monotonic()
        if now >= deadline:
            yield ": end of stream, reconnect\n\n"
            return
        if sent:
            next_beat = now + heartbeat
        elif now >= next_beat:
            yield ": heartbeat\n\n"
            next_beat = now + heartbeat
        time.sleep(max(0.0, min(poll, deadline - now)))


@require_GET
@role_required(services.LEADER)
def stream(request: HttpRequest) -> StreamingHttpResponse:
    try:
        summary_id = int(request.GET.get("summary", "0"))
    except ValueError:
        summary_id = 0
    response = StreamingHttpResponse(
        event_stream(_last_event_id(request), summary_id, seconds=settings.IOC_STREAM_SECONDS,
                     poll=settings.IOC_STREAM_POLL_MS / 1000, heartbeat=settings.IOC_STREAM_HEARTBEAT_SECONDS),
        content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


@require_GET
@role_required(services.LEADER)
def drill(request: HttpRequest, key: str) -> HttpResponse:
    try:
        spec, rows, available = services.drill_down(key)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    table = [(row, list(zip(spec.columns, row.cells, strict=False))) for row in rows]
    return render(request, "ioc/drill.html", {"spec": spec, "table": table, "available": available,
                                              "can_administer": services.has_role(request.user, services.ADMIN)})


@require_GET
@role_required(services.LEADER)
def trends(request: HttpRequest) -> HttpResponse:
    return render(request, "ioc/trends.html", {
        "trends": services.trends(), "can_administer": services.has_role(request.user, services.ADMIN)})


@role_required(services.LEADER)
def incident_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("trang-thai", "open")
    if state not in ("open", "closed", "all"):
        state = "open"
    can_operate = services.has_role(request.user, services.OPERATOR)
    error, values = None, {"type": "", "title": "", "description": ""}
    if request.method == "POST":
        if not can_operate:
            raise PermissionDenied
        values = {k: request.POST.get(k, "") for k in values}
        try:
            incident = services.open_incident(user=request.user, type_code=values["type"], title=values["title"],
                                              description=values["description"])
        except Invalid as exc:
            error = exc
        else:
            messages.success(request, _("Đã mở sự cố."))
            return redirect("ioc:incident", incident.pk)
    return render(request, "ioc/incidents.html", {
        "incidents": services.incidents(state=state), "state": state, "can_operate": can_operate,
        "types": IncidentType.objects.filter(is_active=True), "error": error, "values": values,
        "can_administer": services.has_role(request.user, services.ADMIN),
    }, status=400 if error else 200)


@role_required(services.LEADER)
def incident(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = services.get_incident(pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return render(request, "ioc/incident.html", {
        "incident": item, "steps": item.steps.select_related("agency", "done_by"),
        "timeline": item.timeline.all(), "can_operate": services.has_role(request.user, services.OPERATOR),
        "error": request.session.pop("ioc_error", None),
        "can_administer": services.has_role(request.user, services.ADMIN),
    })


def _act(request: HttpRequest, pk: int, action: Callable[[], Any], done: str) -> HttpResponse:
    try:
        action()
    except (Invalid, Conflict) as exc:
        request.session["ioc_error"] = str(exc)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    else:
        messages.success(request, done)
    return redirect("ioc:incident", pk)


@require_POST
@role_required(services.OPERATOR)
def complete_step(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    return _act(request, pk, lambda: services.complete_step(
        user=request.user, incident_id=pk, position=position, note=request.POST.get("note", "")),
        _("Đã ghi nhận hoàn thành bước %(n)s.") % {"n": position})


@require_POST
@role_required(services.OPERATOR)
def add_note(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda: services.add_note(user=request.user, incident_id=pk,
                                                       text=request.POST.get("text", "")), _("Đã thêm diễn biến."))


@require_POST
@role_required(services.OPERATOR)
def close(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda: services.close_incident(user=request.user, incident_id=pk,
                                                             note=request.POST.get("note", "")),
                _("Đã đóng sự cố."))

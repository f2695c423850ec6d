"""Use cases of the operations centre — the only entry other code calls.

Access: ``require_role(user, role)`` — roles are Django permissions held through three groups (``ROLES``); a
superuser holds all. ``role_of(user)`` names the highest a user holds, for the page to pick its view.

Summary: ``current_summary()`` reads the newest ``Summary`` row, computing a fresh one (``refresh_summary``) only
when it is older than ``IOC_SUMMARY_MAX_AGE_SECONDS``; the ``ioc.summary`` job refreshes it every minute so that no
reader waits. ``compute_tiles`` asks each tile's provider (``sources``); a tile nobody answers is "no data".

Feed: ``append_event`` adds one event once (by its source key); ``events_after`` reads the feed from an id (the
server-sent stream and the API); ``collect_events`` (job ``ioc.collect``) asks every provider what happened lately
and opens the incidents warnings and emergency reports call for.

Incidents: ``open_incident``, ``complete_step``, ``add_note``, ``close_incident``: each one transaction, with its
timeline entry, its feed event and its audit entry.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcity.agencies.models import Agency
from smartcity.agencies.services import actor_for
from smartcity.audit import services as audit
from smartcity.audit.models import Action
from smartcity.ioc import catalogue, sources
from smartcity.ioc.models import (
    Event,
    Incident,
    IncidentStep,
    IncidentType,
    Layer,
    ProcedureStep,
    Severity,
    Summary,
    Tile,
    TimelineEntry,
)
from smartcity.lib.errors import Conflict, Forbidden, Invalid, NotFound
from smartcity.lib.principal import is_staff
from smartcity.places.maps import MapPoint

# ------------------------------------------------------------------------------------------------ roles

LEADER, OPERATOR, ADMIN = "leader", "operator", "admin"
PERMISSION = {LEADER: "view_centre", OPERATOR: "operate_centre", ADMIN: "administer_centre"}
# Each group holds its own permission and those of the roles below it.
ROLES: dict[str, tuple[str, tuple[str, ...]]] = {
    LEADER: ("Trung tâm điều hành — Lãnh đạo", ("view_centre",)),
    OPERATOR: ("Trung tâm điều hành — Điều hành viên", ("view_centre", "operate_centre")),
    ADMIN: ("Trung tâm điều hành — Quản trị", (
        "view_centre", "operate_centre", "administer_centre",
        "view_layer", "change_layer", "view_tile", "change_tile",
        "view_incidenttype", "add_incidenttype", "change_incidenttype",
        "view_procedurestep", "add_procedurestep", "change_procedurestep", "delete_procedurestep")),
}


def ensure_roles() -> dict[str, Group]:
    """The three groups with their permissions (idempotent)."""
    groups = {}
    for role, (name, codenames) in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(content_type__app_label="ioc", codename__in=codenames))
        groups[role] = group
    return groups


@transaction.atomic
def grant_role(*, user: Any, role: str, actor: Any = None) -> None:
    if role not in ROLES:
        raise Invalid(f"Vai trò không hợp lệ: {role}", field="role")
    if not is_staff(user):
        raise Invalid("Chỉ tài khoản cán bộ mới được giao vai trò ở trung tâm điều hành", field="user")
    ensure_roles()[role].user_set.add(user)
    audit.record(actor=actor_for(actor) if actor else None, action=Action.UPDATE, subject_type="ioc.role",
                 subject_id=user.pk, detail={"role": role})


def has_role(user: Any, role: str) -> bool:
    return is_staff(user) and bool(user.is_active) and user.has_perm(f"ioc.{PERMISSION[role]}")


def require_role(user: Any, role: str) -> None:
    if not getattr(user, "is_authenticated", False):
        raise Forbidden("Cần đăng nhập (authentication required)")
    if not has_role(user, role):
        raise Forbidden("Tài khoản không có vai trò ở trung tâm điều hành (no operations-centre role)")


def role_of(user: Any) -> str | None:
    """The highest role ``user`` holds, or None."""
    for role in (ADMIN, OPERATOR, LEADER):
        if has_role(user, role):
            return role
    return None


# ------------------------------------------------------------------------------------------------ catalogue


def ensure_catalogue() -> None:
    """A row per known tile and layer (the back office edits them): added when missing, never overwritten."""
    have = set(Tile.objects.values_list("key", flat=True))
    Tile.objects.bulk_create([Tile(key=t.key, label=str(t.label), definition=str(t.definition), position=i + 1,
                                   warn_at=t.warn_at)
                              for i, t in enumerate(catalogue.TILES) if t.key not in have])
    have = set(Layer.objects.values_list("key", flat=True))
    Layer.objects.bulk_create([Layer(key=k, label=str(label), position=i + 1)
                               for i, (k, label) in enumerate(catalogue.LAYERS) if k not in have])


def tile_settings() -> list[Tile]:
    if Tile.objects.count() < len(catalogue.TILES):
        ensure_catalogue()
    return [t for t in Tile.objects.all() if t.key in catalogue.BY_KEY]


def layer_settings() -> list[Layer]:
    if Layer.objects.count() < len(catalogue.LAYERS):
        ensure_catalogue()
    return list(Layer.objects.all())


# ------------------------------------------------------------------------------------------------ summary


def compute_tiles(now: dt.datetime) -> list[dict[str, Any]]:
    """Every known tile's value at ``now`` (one call of each provider), in catalogue order; a tile no provider
    answers is ``{"available": False}``."""
    values: dict[str, sources.TileValue] = {}
    for provider in sources.providers():
        if hasattr(provider, "tiles"):
            for value in provider.tiles(now):
                values[value.key] = value
    out = []
    for spec in catalogue.TILES:
        value = values.get(spec.key)
        item: dict[str, Any] = {"key": spec.key, "available": value is not None}
        if value is not None:
            item.update(value.as_dict())
            item["breakdown"] = [[label, n] for label, n in value.breakdown]
        out.append(item)
    return out


def refresh_summary(*, now: dt.datetime | None = None) -> Summary:
    """Compute the tiles now and keep them as the newest summary row (older rows than a day go)."""
    now = now or timezone.now()
    started = time.perf_counter()
    tiles = compute_tiles(now)
    elapsed = round((time.perf_counter() - started) * 1000)
    summary = Summary.objects.create(computed_at=now, tiles=tiles, elapsed_ms=elapsed)
    Summary.objects.filter(computed_at__lt=now - dt.timedelta(days=1)).delete()
    return summary


def newest_summary() -> Summary | None:
    return Summary.objects.order_by("-computed_at", "-id").first()


def current_summary(*, now: dt.datetime | None = None) -> Summary:
    """The newest summary if younger than ``IOC_SUMMARY_MAX_AGE_SECONDS``, else a fresh one."""
    now = now or timezone.now()
    latest = newest_summary()
    if latest is not None and now - latest.computed_at <= dt.timedelta(seconds=settings.IOC_SUMMARY_MAX_AGE_SECONDS):
        return latest
    return refresh_summary(now=now)


@dataclass
class TileView:
    """A tile as the page and the API show it."""

    key: str
    label: str
    definition: str
    available: bool
    value: float | None = None
    unit: str = ""
    note: str = ""
    tone: str = ""
    breakdown: list[tuple[str, float]] = field(default_factory=list)

    @property
    def href(self) -> str:
        return reverse("ioc:drill", args=[self.key])

    @property
    def display(self) -> str:
        """The number as the tile writes it (lib.formats): "1.234", "87,5%", or "chưa có dữ liệu"."""
        from smartcity.lib import formats

        if not self.available:
            return _("chưa có dữ liệu")
        if self.value is None:
            return "—"
        if self.unit == "%":
            return formats.percent(self.value, 1)
        return formats.number(self.value)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "available": self.available, "value": self.value,
                "display": self.display, "unit": self.unit, "note": self.note, "tone": self.tone,
                "breakdown": [[label, n] for label, n in self.breakdown]}


def tiles_for_display(summary: Summary) -> list[TileView]:
    """The enabled tiles in the administrator's order, with their label, and a tone from the threshold where the
    provider gave none."""
    by_key = {t["key"]: t for t in summary.tiles}
    out = []
    for setting in tile_settings():
        if not setting.is_enabled:
            continue
        raw = by_key.get(setting.key, {"available": False})
        view = TileView(setting.key, setting.label, setting.definition, bool(raw.get("available")))
        if view.available:
            view.value, view.unit, view.note = raw.get("value"), raw.get("unit", ""), raw.get("note", "")
            view.breakdown = [(label, n) for label, n in raw.get("breakdown", [])]
            view.tone = raw.get("tone") or (
                "" if setting.warn_at is None or view.value is None else
                "late" if view.value >= setting.warn_at else "ok")
        out.append(view)
    return out


def drill_down(tile_key: str, *, now: dt.datetime | None = None, limit: int = 200) -> tuple[Any, list, bool]:
    """The tile's definition, the rows of its list, and whether a provider answers for it."""
    spec = catalogue.BY_KEY.get(tile_key)
    if spec is None:
        raise NotFound("Không có chỉ số này")
    provider = sources.tile_provider(tile_key)
    if provider is None:
        return spec, [], False
    return spec, provider.rows(tile_key, now or timezone.now(), limit), True


# ------------------------------------------------------------------------------------------------ map


@dataclass
class MapLayer:
    key: str
    label: str
    available: bool
    points: list[MapPoint]


def map_layers(*, wanted: Iterable[str] | None = None, now: dt.datetime | None = None) -> list[MapLayer]:
    """The enabled layers (those of ``wanted`` only, when given) with their points; a layer no provider draws is
    listed with ``available`` False."""
    now = now or timezone.now()
    drawn = sources.layer_sources()
    wanted_set = set(wanted) if wanted is not None else None
    out = []
    for layer in layer_settings():
        if not layer.is_enabled or (wanted_set is not None and layer.key not in wanted_set):
            continue
        source = drawn.get(layer.key)
        out.append(MapLayer(layer.key, layer.label, source is not None, source(now) if source else []))
    return out


# ------------------------------------------------------------------------------------------------ events


def append_event(*, source_key: str, kind: str, title: str, occurred_at: dt.datetime | None = None,
                 severity: str = Severity.INFO, link: str = "") -> tuple[Event, bool]:
    """Add an event to the feed once: a second call with the same ``source_key`` returns the first, False."""
    if severity not in Severity.values:
        raise Invalid("Mức độ không hợp lệ", field="severity")
    try:
        with transaction.atomic():
            event = Event.objects.create(source_key=source_key[:120], kind=kind[:40], title=title[:300],
                                         severity=severity, link=link[:300],
                                         occurred_at=occurred_at or timezone.now())
        return event, True
    except IntegrityError:
        return Event.objects.get(source_key=source_key[:120]), False


def events_after(last_id: int = 0, *, limit: int = 50) -> list[Event]:
    """The feed after ``last_id``, oldest first (what a stream sends next)."""
    return list(Event.objects.filter(id__gt=last_id).order_by("id")[:limit])


def recent_events(limit: int = 30) -> list[Event]:
    """The newest events, newest first (the page's feed when it loads)."""
    return list(Event.objects.order_by("-id")[:limit])


def event_out(event: Event) -> dict[str, Any]:
    from smartcity.lib import formats

    return {"id": event.id, "kind": event.kind, "severity": event.severity, "title": event.title,
            "link": event.link, "occurred_at": event.occurred_at.isoformat(),
            "occurred_label": formats.moment(event.occurred_at)}


@dataclass
class Collection:
    appended: int = 0
    incidents: list[Incident] = field(default_factory=list)


def collect_events(*, now: dt.datetime | None = None, lookback: dt.timedelta | None = None) -> Collection:
    """Ask every provider what happened in the last ``IOC_COLLECT_LOOKBACK_MINUTES`` and append what is new; open
    an incident for a new event that calls for one (a warning whose parameter an incident type names, an emergency
    report). Runs every minute; the lookback overlaps, and the source keys make a second sight of an event a
    no-op."""
    now = now or timezone.now()
    since = now - (lookback or dt.timedelta(minutes=settings.IOC_COLLECT_LOOKBACK_MINUTES))
    result = Collection()
    types = list(IncidentType.objects.filter(is_active=True))
    for provider in sources.providers():
        if not hasattr(provider, "events"):
            continue
        for item in provider.events(since, now):
            _event, created = append_event(source_key=item.source_key, kind=item.kind, title=item.title,
                                           occurred_at=item.occurred_at, severity=item.severity, link=item.link)
            if not created:
                continue
            result.appended += 1
            incident_type = _type_for(types, item.opens)
            if incident_type is not None and item.ref:
                incident = _open_from_source(incident_type, item)
                if incident is not None:
                    result.incidents.append(incident)
    return result


def _type_for(types: list[IncidentType], opens: str) -> IncidentType | None:
    if not opens:
        return None
    kind, _sep, what = opens.partition(":")
    for t in types:
        if kind == "warning" and what in (t.warning_parameters or []):
            return t
        if kind == "report" and "report:emergency" in (t.warning_parameters or []):
            return t
    return None


def _open_from_source(incident_type: IncidentType, item: sources.EventIn) -> Incident | None:
    source = Incident.Source.WARNING if item.opens.startswith("warning") else Incident.Source.REPORT
    if Incident.objects.filter(source_ref=item.ref).exists():
        return None
    try:
        return open_incident(user=None, type_code=incident_type.code, title=item.title[:200], source=source,
                             source_ref=item.ref, unit_id=item.unit_id, now=item.occurred_at)
    except IntegrityError:  # opened meanwhile by another run
        return None


# ------------------------------------------------------------------------------------------------ incidents


def _label(user: Any) -> str:
    if user is None:
        return _("Hệ thống")
    return user.get_full_name() or user.username


def _timeline(incident: Incident, user: Any, text: str, at: dt.datetime) -> None:
    TimelineEntry.objects.create(incident=incident, at=at, actor=user if user is not None else None,
                                 actor_label=_label(user), text=text[:600])


def _audit(user: Any, action: str, incident: Incident, detail: dict[str, Any]) -> None:
    audit.record(actor=actor_for(user) if user is not None else None, action=action,
                 subject_type="ioc.incident", subject_id=incident.pk, detail=detail)


def _feed(incident: Incident, key: str, title: str, at: dt.datetime, severity: str = Severity.WARN) -> None:
    append_event(source_key=f"incident:{incident.pk}:{key}", kind="incident", title=title, occurred_at=at,
                 severity=severity, link=reverse("ioc:incident", args=[incident.pk]))


@transaction.atomic
def open_incident(*, user: Any, type_code: str, title: str, description: str = "",
                  source: str = Incident.Source.OPERATOR, source_ref: str | None = None,
                  unit_id: int | None = None, now: dt.datetime | None = None) -> Incident:
    """Open an incident of the type, with its procedure's steps copied on, each due its time limit after now.
    ``user`` None: opened by the centre itself (from a warning or a report)."""
    if user is not None:
        require_role(user, OPERATOR)
    title = (title or "").strip()
    if not title:
        raise Invalid("Cần nhập tiêu đề sự cố", field="title")
    if len(title) > 200:
        raise Invalid("Tiêu đề tối đa 200 ký tự", field="title")
    if len(description) > 4000:
        raise Invalid("Mô tả tối đa 4.000 ký tự", field="description")
    incident_type = IncidentType.objects.filter(code=type_code, is_active=True).first()
    if incident_type is None:
        raise Invalid("Loại sự cố không tồn tại", field="type")
    now = now or timezone.now()
    incident = Incident.objects.create(incident_type=incident_type, title=title, description=description,
                                       source=source, source_ref=source_ref, unit_id=unit_id, opened_at=now,
                                       opened_by=user if user is not None else None)
    steps = list(ProcedureStep.objects.filter(incident_type=incident_type).order_by("position"))
    IncidentStep.objects.bulk_create([
        IncidentStep(incident=incident, position=s.position, title=s.title, agency_id=s.agency_id,
                     due_at=now + dt.timedelta(minutes=s.time_limit_minutes)) for s in steps])
    _timeline(incident, user, _("Mở sự cố (%(source)s): %(title)s")
              % {"source": incident.get_source_display(), "title": title}, now)
    _feed(incident, "opened", _("Sự cố mới: %(title)s") % {"title": title}, now, Severity.CRITICAL)
    _audit(user, Action.CREATE, incident, {"type": type_code, "source": source, "ref": source_ref or ""})
    return incident


def get_incident(incident_id: int) -> Incident:
    incident = (Incident.objects.select_related("incident_type", "unit", "opened_by", "closed_by")
                .filter(pk=incident_id).first())
    if incident is None:
        raise NotFound("Không tìm thấy sự cố")
    return incident


def incidents(*, state: str = "open", limit: int = 100) -> list[Incident]:
    if state not in ("open", "closed", "all"):
        raise Invalid("state phải là open, closed hoặc all", field="state")
    qs = Incident.objects.select_related("incident_type").order_by("-opened_at", "-id")
    if state != "all":
        qs = qs.filter(state=state)
    return list(qs[:limit])


def _locked_open(incident_id: int) -> Incident:
    incident = Incident.objects.select_for_update().filter(pk=incident_id).first()
    if incident is None:
        raise NotFound("Không tìm thấy sự cố")
    if incident.state != Incident.State.OPEN:
        raise Conflict("Sự cố đã đóng")
    return incident


@transaction.atomic
def complete_step(*, user: Any, incident_id: int, position: int, note: str = "",
                  now: dt.datetime | None = None) -> IncidentStep:
    """Tick a step of an open incident as done, with the time and the actor."""
    require_role(user, OPERATOR)
    if len(note) > 500:
        raise Invalid("Ghi chú tối đa 500 ký tự", field="note")
    incident = _locked_open(incident_id)
    step = IncidentStep.objects.filter(incident=incident, position=position).select_related("agency").first()
    if step is None:
        raise NotFound("Không có bước này")
    if step.done_at is not None:
        raise Conflict("Bước này đã hoàn thành")
    now = now or timezone.now()
    step.done_at, step.done_by, step.note = now, user, note
    step.save(update_fields=["done_at", "done_by", "note"])
    late = _(" (quá hạn)") if now > step.due_at else ""
    text = _("Hoàn thành bước %(n)s: %(title)s%(late)s") % {"n": position, "title": step.title, "late": late}
    _timeline(incident, user, f"{text}. {note}" if note else text, now)
    _feed(incident, f"step:{position}", f"{incident.title} — {text}", now, Severity.INFO)
    _audit(user, Action.UPDATE, incident, {"step": position})
    return step


@transaction.atomic
def add_note(*, user: Any, incident_id: int, text: str, now: dt.datetime | None = None) -> TimelineEntry:
    require_role(user, OPERATOR)
    text = (text or "").strip()
    if not text:
        raise Invalid("Cần nhập nội dung", field="text")
    if len(text) > 600:
        raise Invalid("Nội dung tối đa 600 ký tự", field="text")
    incident = _locked_open(incident_id)
    now = now or timezone.now()
    entry = TimelineEntry.objects.create(incident=incident, at=now, actor=user, actor_label=_label(user), text=text)
    _audit(user, Action.UPDATE, incident, {"note": True})
    return entry


@transaction.atomic
def close_incident(*, user: Any, incident_id: int, note: str,
                   now: dt.datetime | None = None) -> Incident:
    """Close an open incident with the outcome; steps not done stay so in the record."""
    require_role(user, OPERATOR)
    note = (note or "").strip()
    if not note:
        raise Invalid("Cần nhập kết quả xử lý", field="note")
    if len(note) > 4000:
        raise Invalid("Kết quả xử lý tối đa 4.000 ký tự", field="note")
    incident = _locked_open(incident_id)
    now = now or timezone.now()
    incident.state, incident.closed_at, incident.closed_by, incident.close_note = (
        Incident.State.CLOSED, now, user, note)
    incident.save(update_fields=["state", "closed_at", "closed_by", "close_note"])
    undone = IncidentStep.objects.filter(incident=incident, done_at__isnull=True).count()
    _timeline(incident, user, _("Đóng sự cố: %(note)s") % {"note": note}, now)
    _feed(incident, "closed", _("Đã đóng sự cố: %(title)s") % {"title": incident.title}, now, Severity.INFO)
    _audit(user, Action.STATE, incident, {"closed": True, "steps_not_done": undone})
    return incident


# ------------------------------------------------------------------------------------------------ reference data

# Standard operating procedures of the three incident types the city starts with: (title, body, minutes).
# The bodies are named as Hà Nội's departments are (agencies.services.HANOI_DEPARTMENTS); None: the ward's committee.
DEFAULT_TYPES: tuple[dict[str, Any], ...] = (
    dict(code="ngap-ung", name="Ngập úng, lũ", parameters=["flood_level", "water_level", "rain_3h", "rain_24h"],
         description="Mưa lớn, nước sông lên quá báo động, ngập đường phố.",
         steps=[("Xác minh hiện trường, báo cáo mức ngập", None, 15),
                ("Cắm biển cảnh báo, phân luồng giao thông", "Sở Xây dựng", 30),
                ("Vận hành trạm bơm, khơi thông cống thoát nước", "Sở Xây dựng", 60),
                ("Sơ tán người dân vùng trũng nếu cần", None, 120),
                ("Thông báo cho người dân qua cổng và tin nhắn", "Văn phòng Ủy ban nhân dân Thành phố", 30)]),
    dict(code="o-nhiem-khong-khi", name="Ô nhiễm không khí", parameters=["aqi", "pm25", "pm10"],
         description="Chỉ số AQI ở mức xấu hoặc rất xấu kéo dài.",
         steps=[("Kiểm tra số liệu trạm và trạm lân cận", "Sở Nông nghiệp và Môi trường", 30),
                ("Khuyến cáo người dân hạn chế ra ngoài, đeo khẩu trang", "Sở Y tế", 60),
                ("Kiểm tra nguồn phát thải (công trường, đốt rác)", "Sở Nông nghiệp và Môi trường", 240),
                ("Tăng cường phun nước rửa đường", "Sở Xây dựng", 240)]),
    dict(code="chay-no-khan-cap", name="Cháy, nổ, tình huống khẩn cấp", parameters=["report:emergency"],
         description="Cháy, nổ, sập đổ hoặc tình huống khẩn cấp do người dân báo.",
         steps=[("Xác nhận tin báo, gọi lực lượng chữa cháy 114", None, 5),
                ("Điều phối cấp cứu 115 tới hiện trường", "Sở Y tế", 15),
                ("Phong tỏa, phân luồng khu vực", None, 20),
                ("Báo cáo lãnh đạo thành phố", "Văn phòng Ủy ban nhân dân Thành phố", 30)]),
)


@transaction.atomic
def seed_incident_types() -> list[IncidentType]:
    """The default incident types and their procedures, added where missing (an edited type is left alone)."""
    out = []
    for spec in DEFAULT_TYPES:
        incident_type, created = IncidentType.objects.get_or_create(
            code=spec["code"], defaults={"name": spec["name"], "description": spec["description"],
                                         "warning_parameters": spec["parameters"]})
        if created:
            agencies = {a.name: a for a in Agency.objects.filter(name__in={b for _t, b, _m in spec["steps"] if b})}
            ProcedureStep.objects.bulk_create([
                ProcedureStep(incident_type=incident_type, position=i, title=title, agency=agencies.get(body or ""),
                              time_limit_minutes=minutes)
                for i, (title, body, minutes) in enumerate(spec["steps"], start=1)])
        out.append(incident_type)
    return out


# ------------------------------------------------------------------------------------------------ trends


@dataclass
class Trends:
    received_by_day: list[tuple[dt.date, int]]
    overdue_by_agency: list[Any]
    overdue_by_unit: list[tuple[str, int]]
    warnings_by_unit: list[tuple[str, int]]
    incidents_by_type: list[tuple[str, int, int]]  # type, opened in 30 days, still open


def trends(*, now: dt.datetime | None = None) -> Trends:
    """What leaders read beside the tiles: 14 days of dossiers received, overdue dossiers by agency and by ward,
    open warnings by ward, incidents by type over 30 days."""
    from django.db.models import Count, Q

    from smartcity.environment import services as environment
    from smartcity.ioc.providers import dossiers

    now = now or timezone.now()
    warnings = (environment.open_warnings().values("station__unit__name").annotate(n=Count("id"))
                .order_by("-n", "station__unit__name")[:10])
    types = (IncidentType.objects.annotate(
        opened=Count("incidents", filter=Q(incidents__opened_at__gte=now - dt.timedelta(days=30))),
        still_open=Count("incidents", filter=Q(incidents__state=Incident.State.OPEN))).order_by("name"))
    return Trends(
        received_by_day=dossiers.received_by_day(now, 14),
        overdue_by_agency=dossiers.DossierProvider().rows("dossiers_overdue", now, 10),
        overdue_by_unit=dossiers.overdue_by_unit(now, 10),
        warnings_by_unit=[(w["station__unit__name"] or _("Chưa rõ phường/xã"), w["n"]) for w in warnings],
        incidents_by_type=[(t.name, t.opened, t.still_open) for t in types],
    )

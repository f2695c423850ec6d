"""JSON API of the operations centre at /api/v1/ioc: the summary tiles, the event feed (paged by id), incidents
and their steps. Staff with an operations-centre role only (reading: leader and up; writing: operator and up)."""

from __future__ import annotations

from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Path, Query, Router

from smartcity.ioc import services
from smartcity.ioc.models import Incident
from smartcity.ioc.schemas import (
    CloseIn,
    EventOut,
    IncidentBrief,
    IncidentIn,
    IncidentOut,
    StepIn,
    SummaryOut,
)
from smartcity.lib.contract import MAX_ID, SIGNED_IN, errors, session_auth

router = Router(auth=session_auth)
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
Position = Annotated[int, Path(ge=1, le=1000)]


def _incident_out(incident: Incident) -> dict:
    return {
        "id": incident.pk, "type": incident.incident_type.code, "type_name": incident.incident_type.name,
        "title": incident.title, "description": incident.description, "source": incident.source,
        "state": incident.state, "opened_at": incident.opened_at, "closed_at": incident.closed_at,
        "close_note": incident.close_note,
        "steps": [{"position": s.position, "title": s.title, "agency": s.agency.name if s.agency else None,
                   "due_at": s.due_at, "done_at": s.done_at,
                   "done_by": (s.done_by.get_full_name() or s.done_by.username) if s.done_by else None,
                   "note": s.note} for s in incident.steps.select_related("agency", "done_by")],
        "timeline": [{"at": t.at, "actor": t.actor_label, "text": t.text} for t in incident.timeline.all()],
    }


@router.get("/summary", response={200: SummaryOut, **errors(SIGNED_IN)}, summary="Every KPI tile (leader and up)")
def summary(request: HttpRequest) -> dict:
    services.require_role(request.user, services.LEADER)
    current = services.current_summary()
    return {"computed_at": current.computed_at,
            "tiles": [t.as_dict() for t in services.tiles_for_display(current)]}


@router.get("/events", response={200: list[EventOut], **errors(400, SIGNED_IN)},
            summary="The event feed after an id, oldest first (leader and up)")
def events(request: HttpRequest, after: int = Query(0, ge=0, le=MAX_ID),  # noqa: B008
           limit: int = Query(50, ge=1, le=200)) -> list:  # noqa: B008
    services.require_role(request.user, services.LEADER)
    return services.events_after(after, limit=limit)


@router.get("/incidents", response={200: list[IncidentBrief], **errors(400, SIGNED_IN)},
            summary="Incidents, newest first (leader and up)")
def incident_list(request: HttpRequest, state: Literal["open", "closed", "all"] = "open") -> list:
    services.require_role(request.user, services.LEADER)
    return [{"id": i.pk, "type": i.incident_type.code, "title": i.title, "state": i.state,
             "opened_at": i.opened_at} for i in services.incidents(state=state)]


@router.post("/incidents", response={201: IncidentOut, **errors(400, SIGNED_IN)},
             summary="Open an incident of a type, with its procedure's steps (operator)")
def open_incident(request: HttpRequest, payload: IncidentIn) -> tuple[int, dict]:
    incident = services.open_incident(user=request.user, type_code=payload.type, title=payload.title,
                                      description=payload.description)
    return 201, _incident_out(services.get_incident(incident.pk))


@router.get("/incidents/{incident_id}", response={200: IncidentOut, **errors(SIGNED_IN, 404)},
            summary="An incident with its steps and timeline (leader and up)")
def incident_detail(request: HttpRequest, incident_id: RowId) -> dict:
    services.require_role(request.user, services.LEADER)
    return _incident_out(services.get_incident(incident_id))


@router.post("/incidents/{incident_id}/steps/{position}/done",
             response={200: IncidentOut, **errors(400, SIGNED_IN, 404, 409)},
             summary="Tick a procedure step as done (operator)")
def complete_step(request: HttpRequest, incident_id: RowId, position: Position, payload: StepIn) -> dict:
    services.complete_step(user=request.user, incident_id=incident_id, position=position, note=payload.note)
    return _incident_out(services.get_incident(incident_id))


@router.post("/incidents/{incident_id}/close", response={200: IncidentOut, **errors(400, SIGNED_IN, 404, 409)},
             summary="Close an incident with its outcome (operator)")
def close_incident(request: HttpRequest, incident_id: RowId, payload: CloseIn) -> dict:
    services.close_incident(user=request.user, incident_id=incident_id, note=payload.note)
    return _incident_out(services.get_incident(incident_id))

"""Population API: staff look-up by ID number (scoped, audited); a citizen's own record and its export."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from smartcity.lib.contract import SIGNED_IN, errors, session_auth
from smartcity.lib.errors import Invalid, ServiceError
from smartcity.places import services as places
from smartcity.population import services
from smartcity.population.schemas import CitizenIn, CitizenOut, LookupIn

router = Router(auth=session_auth)


def _unit(key: str, field: str):
    try:
        return places.get_unit(key)
    except ServiceError as exc:
        raise Invalid(exc.message, field=field) from None


@router.post("/citizens", response={201: CitizenOut, **errors(400, SIGNED_IN, 409)},
             summary="Register a citizen (agency or city administrator)")
def register(request: HttpRequest, payload: CitizenIn) -> Status:
    data = services.CitizenData(
        **payload.dict(exclude={"permanent_unit", "temporary_unit"}),
        permanent_unit=_unit(payload.permanent_unit, "permanent_unit"),
        temporary_unit=_unit(payload.temporary_unit, "temporary_unit") if payload.temporary_unit else None,
    )
    return Status(201, services.register_citizen(data=data, actor=request.user))


@router.post("/citizens/lookup", response={200: CitizenOut, **errors(400, SIGNED_IN, 404)},
             summary="Look a citizen up by personal ID number (staff)")
def lookup(request: HttpRequest, payload: LookupIn) -> object:
    """Staff only, within their agency's jurisdiction; ``purpose`` is required and shown to the citizen. The ID
    number travels in the body, never in the URL, so no access log or proxy records it."""
    return services.lookup_by_id_number(actor=request.user, id_number=payload.id_number, purpose=payload.purpose)


@router.get("/me", response={200: CitizenOut, **errors(401, 403)}, summary="My own record (citizen)")
def me(request: HttpRequest) -> object:
    return services.own_record(user=request.user)


@router.get("/me/export", response={200: dict[str, object], **errors(401, 403)},
            summary="Everything the registry holds about me, as JSON (citizen)")
def export(request: HttpRequest) -> dict[str, object]:
    return services.export_record(services.own_record(user=request.user, export=True))

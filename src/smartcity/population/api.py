"""Population API: staff look-up by ID number (scoped, audited); a citizen's own record and its export."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.security import django_auth

from smartcity.population import services
from smartcity.population.schemas import CitizenOut

router = Router(auth=django_auth)


@router.get("/citizens/{id_number}", response=CitizenOut, summary="Look a citizen up by personal ID number (staff)")
def lookup(request: HttpRequest, id_number: str, purpose: str = "") -> object:
    """Staff only, within their agency's jurisdiction; ``purpose`` is required and shown to the citizen."""
    return services.lookup_by_id_number(actor=request.user, id_number=id_number, purpose=purpose)


@router.get("/me", response=CitizenOut, summary="My own record (citizen)")
def me(request: HttpRequest) -> object:
    return services.own_record(user=request.user)


@router.get("/me/export", summary="Everything the registry holds about me, as JSON (citizen)")
def export(request: HttpRequest) -> dict[str, object]:
    return services.export_record(services.own_record(user=request.user, export=True))

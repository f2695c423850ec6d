"""Public read API of agencies: GET /api/v1/agencies (the organisation tree is public information)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from smartcity.agencies.models import Agency
from smartcity.agencies.schemas import AgencyDetailOut, AgencyOut
from smartcity.lib.errors import Invalid, NotFound

router = Router()


@router.get("", response=list[AgencyOut], summary="List agencies")
def list_agencies(request: HttpRequest, kind: str | None = None, level: str | None = None,
                  parent: str | None = None, active: bool | None = True) -> object:
    agencies = Agency.objects.select_related("parent", "unit")
    if kind:
        if kind not in Agency.Kind.values:
            raise Invalid(f"kind phải là một trong {Agency.Kind.values}", field="kind")
        agencies = agencies.filter(kind=kind)
    if level:
        if level not in Agency.Level.values:
            raise Invalid(f"level phải là một trong {Agency.Level.values}", field="level")
        agencies = agencies.filter(level=level)
    if parent:
        agencies = agencies.filter(parent__code=parent)
    if active is not None:
        agencies = agencies.filter(is_active=active)
    return agencies


@router.get("/{code}", response=AgencyDetailOut, summary="One agency with the communes it serves")
def get_agency(request: HttpRequest, code: str) -> object:
    agency = Agency.objects.select_related("parent", "unit").filter(code=code).first()
    if agency is None:
        raise NotFound(f"Không có cơ quan mã {code}", field="code")
    return agency

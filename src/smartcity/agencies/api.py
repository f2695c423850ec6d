"""Public read API of agencies: GET /api/v1/agencies (the organisation tree is public information)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router

from smartcity.agencies.models import Agency
from smartcity.agencies.schemas import AgencyDetailOut, AgencyOut
from smartcity.lib.contract import errors
from smartcity.lib.errors import NotFound

router = Router()

# The values a client may use, as enums in the OpenAPI schema (a wrong one is a 400 naming the parameter).
Kind = Literal[tuple(Agency.Kind.values)]  # type: ignore[valid-type]
Level = Literal[tuple(Agency.Level.values)]  # type: ignore[valid-type]


@router.get("", response={200: list[AgencyOut], **errors(400)}, summary="List agencies")
def list_agencies(request: HttpRequest, kind: Kind | None = None, level: Level | None = None,  # type: ignore[valid-type]
                  parent: str | None = Query(None, max_length=64),  # noqa: B008 — ninja's style
                  active: bool | None = True) -> object:
    agencies = Agency.objects.select_related("parent", "unit")
    if kind:
        agencies = agencies.filter(kind=kind)
    if level:
        agencies = agencies.filter(level=level)
    if parent:
        agencies = agencies.filter(parent__code=parent)
    if active is not None:
        agencies = agencies.filter(is_active=active)
    return agencies


@router.get("/{code}", response={200: AgencyDetailOut, **errors(404)},
            summary="One agency with the communes it serves")
def get_agency(request: HttpRequest, code: str) -> object:
    agency = Agency.objects.select_related("parent", "unit").filter(code=code).first()
    if agency is None:
        raise NotFound(f"Không có cơ quan mã {code}", field="code")
    return agency

"""Catalogue API: GET /api/v1/procedures (search, filters, keyset pages) and GET /api/v1/procedures/{code}."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from smartcity.lib.errors import Invalid
from smartcity.procedures import services
from smartcity.procedures.schemas import ProcedureDetailOut, ProcedurePage

router = Router()


@router.get("", response=ProcedurePage, summary="Search the catalogue (diacritics optional)")
def search(request: HttpRequest, q: str = "", field: str | None = None, agency: str | None = None,
           online_level: str | None = None, level: str | None = None, after: int = 0, limit: int = 50) -> dict:
    if not 1 <= limit <= 200:
        raise Invalid("limit phải từ 1 đến 200", field="limit")
    found = services.search(q=q, field=field, agency=agency, online_level=online_level, level=level)
    page = list(found.filter(pk__gt=after).order_by("pk")[: limit + 1])
    return {"items": page[:limit], "next_after": page[limit - 1].pk if len(page) > limit else None}


@router.get("/{key}", response=ProcedureDetailOut, summary="One procedure with the version in force")
def detail(request: HttpRequest, key: str) -> object:
    procedure = services.get_procedure(key)
    procedure.version = services.version_in_force(procedure)
    return procedure

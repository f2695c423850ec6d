"""Catalogue API: GET /api/v1/procedures (search, filters, keyset pages) and GET /api/v1/procedures/{code}."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router

from smartcity.lib.contract import MAX_ID, errors
from smartcity.procedures import services
from smartcity.procedures.models import OnlineLevel
from smartcity.procedures.schemas import ProcedureDetailOut, ProcedurePage

router = Router()

Online = Literal[tuple(OnlineLevel.values)]  # type: ignore[valid-type]


@router.get("", response={200: ProcedurePage, **errors(400)}, summary="Search the catalogue (diacritics optional)")
def search(request: HttpRequest, q: str = Query("", max_length=200),  # noqa: B008 — ninja's style
           field: str | None = Query(None, max_length=64),  # noqa: B008
           agency: str | None = Query(None, max_length=64),  # noqa: B008
           online_level: Online | None = None, level: Literal["commune", "province"] | None = None,
           after: int = Query(0, ge=0, le=MAX_ID), limit: int = Query(50, ge=1, le=200)) -> dict:  # noqa: B008
    found = services.search(q=q, field=field, agency=agency, online_level=online_level, level=level)
    page = list(found.filter(pk__gt=after).order_by("pk")[: limit + 1])
    return {"items": page[:limit], "next_after": page[limit - 1].pk if len(page) > limit else None}


@router.get("/{key}", response={200: ProcedureDetailOut, **errors(404)},
            summary="One procedure with the version in force")
def detail(request: HttpRequest, key: str) -> object:
    procedure = services.get_procedure(key)
    procedure.version = services.version_in_force(procedure)
    return procedure

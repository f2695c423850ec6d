"""Read API of administrative units: GET /api/v1/places/…"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from smartcity.lib import ratelimit
from smartcity.lib.contract import errors
from smartcity.lib.text import bounded, fold_key
from smartcity.places import services
from smartcity.places.models import Level, Structure, Unit
from smartcity.places.schemas import AddressIn, AddressOut, UnitDetailOut, UnitOut

router = Router()


class UnitFilter(Schema):
    structure: Structure | None = None  # the 2025 structure unless `on` says otherwise
    on: dt.date | None = None  # units in force on that day: 2024-05-01 gives the legacy structure
    level: Level | None = None
    province: str | None = Field(None, max_length=2)
    parent: str | None = Field(None, max_length=64)
    q: str | None = Field(None, max_length=200)


@router.get("/units", response={200: list[UnitOut], **errors(400, 404)}, summary="List administrative units")
def list_units(request: HttpRequest, filters: Query[UnitFilter],
               limit: int = Query(200, ge=1, le=1000),  # noqa: B008 — ninja's style
               offset: int = Query(0, ge=0, le=100_000)) -> object:  # noqa: B008
    units = Unit.objects.select_related("parent__parent")
    if filters.on:
        units = units.valid_on(filters.on)
    if filters.structure or not filters.on:
        units = units.filter(structure=filters.structure or Structure.Y2025)
    if filters.level:
        units = units.filter(level=filters.level)
    if filters.province:
        units = units.filter(province_code=filters.province.zfill(2))
    if filters.parent:
        units = units.filter(parent=services.get_unit(filters.parent))
    if filters.q:
        units = units.filter(keywords__icontains=fold_key(bounded(filters.q, field="q")))
    return units[offset : offset + limit]


@router.get("/units/{key}", response={200: UnitDetailOut, **errors(400, 404)},
            summary="One unit, with its old→new successors")
def get_unit(request: HttpRequest, key: str) -> object:
    return services.get_unit(key)


@router.post("/parse-address", response={200: AddressOut, **errors(400, 429)},
             summary="Resolve a free-text address to a unit")
@ratelimit.limit_operation("parse_address")
def parse_address(request: HttpRequest, payload: AddressIn) -> object:
    return services.parse_address(payload.address, default_province=payload.default_province)

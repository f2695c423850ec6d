"""Read API of administrative units: GET /api/v1/places/…"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema

from smartcity.lib.errors import Invalid
from smartcity.lib.text import bounded, fold_key
from smartcity.places import services
from smartcity.places.models import Level, Structure, Unit
from smartcity.places.schemas import AddressIn, AddressOut, UnitDetailOut, UnitOut

router = Router()


class UnitFilter(Schema):
    structure: Structure | None = None  # the 2025 structure unless `on` says otherwise
    on: dt.date | None = None  # units in force on that day: 2024-05-01 gives the legacy structure
    level: Level | None = None
    province: str | None = None
    parent: str | None = None
    q: str | None = None


@router.get("/units", response=list[UnitOut], summary="List administrative units")
def list_units(request: HttpRequest, filters: Query[UnitFilter], limit: int = 200, offset: int = 0) -> object:
    if not 1 <= limit <= 1000:
        raise Invalid("limit phải từ 1 đến 1000", field="limit")
    if not 0 <= offset <= 100_000:
        raise Invalid("offset phải từ 0 đến 100000", field="offset")
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


@router.get("/units/{key}", response=UnitDetailOut, summary="One unit, with its old→new successors")
def get_unit(request: HttpRequest, key: str) -> object:
    return services.get_unit(key)


@router.post("/parse-address", response=AddressOut, summary="Resolve a free-text address to a unit")
def parse_address(request: HttpRequest, payload: AddressIn) -> object:
    return services.parse_address(payload.address, default_province=payload.default_province)

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class UnitOut(Schema):
    key: str
    structure: str
    level: str
    code: str
    name: str
    short_name: str
    unit_type: str
    parent_key: str | None
    full_name: str
    latitude: float | None
    longitude: float | None
    bounds: list[float] | None
    area_km2: float | None
    valid_from: dt.date | None
    valid_until: dt.date | None

    @staticmethod
    def resolve_parent_key(obj: object) -> str | None:
        parent = getattr(obj, "parent", None)
        return parent.key if parent is not None else None


class UnitDetailOut(UnitOut):
    successors: list[str]
    predecessors: list[str]

    @staticmethod
    def resolve_successors(obj: object) -> list[str]:
        return [s.new.key for s in obj.successors.select_related("new").order_by("new__code")]  # type: ignore[attr-defined]

    @staticmethod
    def resolve_predecessors(obj: object) -> list[str]:
        return [s.old.key for s in obj.predecessors.select_related("old").order_by("old__code")]  # type: ignore[attr-defined]


class AddressIn(Schema):
    address: str = Field(max_length=500)
    default_province: str | None = Field(None, max_length=64)


class AddressOut(Schema):
    street: str
    unit: UnitOut
    current_unit: UnitOut
    successors: list[UnitOut]
    ambiguous: bool

from __future__ import annotations

from ninja import Schema


class AgencyOut(Schema):
    code: str
    name: str
    kind: str
    level: str
    parent_code: str | None
    unit: str
    is_active: bool

    @staticmethod
    def resolve_parent_code(obj: object) -> str | None:
        parent = obj.parent  # type: ignore[attr-defined]
        return parent.code if parent else None

    @staticmethod
    def resolve_unit(obj: object) -> str:
        return obj.unit.key  # type: ignore[attr-defined]


class AgencyDetailOut(AgencyOut):
    jurisdiction: list[str]

    @staticmethod
    def resolve_jurisdiction(obj: object) -> list[str]:
        return [unit.key for unit in obj.jurisdiction.order_by("code")]  # type: ignore[attr-defined]

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class ResidenceOut(Schema):
    unit: str
    unit_name: str
    address: str


class LookupIn(Schema):
    id_number: str = Field(max_length=12)
    purpose: str = Field("", max_length=500)


class CitizenIn(Schema):
    id_number: str = Field(max_length=12)
    full_name: str = Field(max_length=120)
    date_of_birth: dt.date
    sex: str = Field(max_length=1)
    ethnicity: str = Field("Kinh", max_length=30)
    nationality: str = Field("VN", max_length=2)
    permanent_unit: str = Field(max_length=64)  # a unit key, e.g. "2025:commune:00004"
    permanent_address: str = Field("", max_length=255)
    temporary_unit: str | None = Field(None, max_length=64)
    temporary_address: str = Field("", max_length=255)
    phone: str = Field("", max_length=15)
    email: str = Field("", max_length=254)


class CitizenOut(Schema):
    id_number: str
    full_name: str
    date_of_birth: dt.date
    sex: str
    ethnicity: str
    nationality: str
    permanent_residence: ResidenceOut
    temporary_residence: ResidenceOut | None
    phone: str
    email: str
    household_code: str | None
    relation_to_head: str
    id_warnings: list[str]

    @staticmethod
    def resolve_permanent_residence(obj: object) -> dict[str, str]:
        return {"unit": obj.permanent_unit.key, "unit_name": obj.permanent_unit.full_name,  # type: ignore[attr-defined]
                "address": obj.permanent_address}  # type: ignore[attr-defined]

    @staticmethod
    def resolve_temporary_residence(obj: object) -> dict[str, str] | None:
        unit = obj.temporary_unit  # type: ignore[attr-defined]
        if unit is None:
            return None
        return {"unit": unit.key, "unit_name": unit.full_name, "address": obj.temporary_address}  # type: ignore[attr-defined]

    @staticmethod
    def resolve_household_code(obj: object) -> str | None:
        household = obj.household  # type: ignore[attr-defined]
        return household.code if household else None

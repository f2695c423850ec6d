"""Agencies and staff: the scope in which a staff member may act, which body is competent for a case, and the
city's working calendar — written once and used by every app.

A staff member acts through a membership (agency + role). Their scope is the set of communes their agencies serve
(``Agency.jurisdiction``); a city administrator's scope is the whole province. ``scope_of`` and ``require_scope`` are
the only places that decide it. ``competent_agency`` / ``is_competent`` are the only places that decide which body
handles a case, and ``working_calendar`` the only place that builds the calendar deadlines are counted on.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db import transaction

from smartcity.agencies.models import Agency, Membership, Role, WorkingDayOverride
from smartcity.audit.services import Actor
from smartcity.lib.errors import Forbidden, Invalid
from smartcity.lib.principal import Principal, is_staff
from smartcity.lib.workdays import WorkCalendar
from smartcity.places.models import Level, Structure, Unit


@dataclass(frozen=True)
class Scope:
    """Where a staff member may act, for the roles asked about."""

    memberships: tuple[Membership, ...]
    unit_ids: frozenset[int]

    def covers(self, unit_id: int | None) -> bool:
        return unit_id is not None and unit_id in self.unit_ids

    def require(self, unit_ids: Iterable[int | None]) -> None:
        """``Forbidden`` unless the scope covers one of ``unit_ids``."""
        if not self.memberships:
            raise Forbidden("Tài khoản không có vai trò cán bộ phù hợp (no staff role for this action)")
        if not any(self.covers(uid) for uid in unit_ids):
            raise Forbidden("Ngoài địa bàn phụ trách của cơ quan (outside your agency's jurisdiction)")

    @property
    def primary(self) -> Membership | None:
        return self.memberships[0] if self.memberships else None


def scope_of(user: Principal, roles: Iterable[str] | None = None) -> Scope:
    """The memberships of ``user`` with one of ``roles`` (any role when None) and the communes they cover."""
    if not is_staff(user):
        return Scope((), frozenset())
    memberships = Membership.objects.active().filter(user_id=user.pk).select_related("agency__unit")
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    found = tuple(memberships.order_by("id"))
    if not found:
        return Scope((), frozenset())
    if any(m.role == Role.CITY_ADMIN for m in found):
        provinces = {m.agency.unit.province_code for m in found}
        ids = Unit.objects.filter(province_code__in=provinces).order_by().values_list("id", flat=True)
        return Scope(found, frozenset(ids))
    served = set(
        Unit.objects.filter(agencies__in=[m.agency_id for m in found]).order_by().values_list("id", flat=True)
    )
    # Records made before the 2025 reform name legacy communes: they belong to whoever serves the successor.
    served |= set(Unit.objects.filter(successors__new__in=served).order_by().values_list("id", flat=True))
    return Scope(found, frozenset(served))


def require_scope(user: Principal, unit_ids: Iterable[int | None],
                  roles: Iterable[str] | None = None) -> Scope:
    """The caller's scope if it covers one of ``unit_ids``; otherwise ``Forbidden``."""
    scope = scope_of(user, roles)
    scope.require(unit_ids)
    return scope


def actor_for(user: Principal, scope: Scope | None = None) -> Actor:
    """How ``user`` appears in the audit log: name, role and agency for staff; the citizen for citizens."""
    if scope is None:
        scope = scope_of(user)
    membership = scope.primary
    person_id = getattr(user, "person_id", None)
    return Actor(
        user=user,
        label=getattr(user, "get_full_name", lambda: "")() or getattr(user, "username", ""),
        role=membership.get_role_display() if membership else ("Công dân" if person_id else ""),
        agency=membership.agency.name if membership else "",
        person_id=person_id,
    )


# ------------------------------------------------------------------------------------------------ competence

COMMUNE, PROVINCE = "commune", "province"  # the levels a procedure is carried out at (``Procedure.levels``)


def competent_agency(*, unit: Unit, levels: Collection[str], department: Agency | None = None) -> Agency:
    """The body that handles a case at the commune ``unit``, for a matter carried out at ``levels`` (``"commune"``,
    ``"province"``) and led, at the province, by ``department`` if any: the commune's committee where the matter is
    settled at the commune, else the department, else the province's committee.

    Every domain app may ask it (the one-stop shop passes a procedure's levels and lead department), so it takes
    plain values and knows nothing of the app asking. ``is_competent`` is the same rule read the other way."""
    if COMMUNE in levels:
        return commune_committee(unit)
    if department is not None:
        return department
    return Agency.objects.get(unit=unit.parent, kind=Agency.Kind.PEOPLES_COMMITTEE, level=Agency.Level.PROVINCE)


def is_competent(agency: Agency, *, levels: Collection[str], department_id: int | None) -> bool:
    """Whether ``agency`` is one of the bodies competent for a matter carried out at ``levels`` and led by the
    department ``department_id``: commune bodies for commune matters, the leading department, and the province's
    committee for province matters no department leads. Where a matter is settled at both levels it counts for the
    communes and for its department (each answers for it in the service scorecard), while ``competent_agency`` sends
    a case to the commune, the body closest to the applicant."""
    if agency.level == Agency.Level.COMMUNE:
        return COMMUNE in levels
    if agency.kind == Agency.Kind.DEPARTMENT:
        return department_id == agency.pk
    return PROVINCE in levels and department_id is None


# ------------------------------------------------------------------------------------------------ calendar


def working_calendar() -> WorkCalendar:
    """The Vietnamese working calendar (public holidays and swapped days from the ``holidays`` package) with the
    city's own overrides on top. Read afresh on every call, one small query: an override entered in the back office
    counts for the next deadline computed, on every worker, with no cache to invalidate."""
    return WorkCalendar(overrides=dict(WorkingDayOverride.objects.values_list("day", "is_working_day")))


# ------------------------------------------------------------------------------------------------ writes


@transaction.atomic
def add_membership(*, user: Principal, agency: Agency, role: str, title: str = "") -> Membership:
    if role not in Role.values:
        raise Invalid(f"Vai trò không hợp lệ: {role}", field="role")
    if not is_staff(user):
        raise Invalid("Chỉ tài khoản cán bộ mới được phân công", field="user")
    membership, _ = Membership.objects.update_or_create(
        user=user, agency=agency, role=role, defaults={"title": title, "is_active": True}
    )
    return membership


# ----------------------------------------------------- Hà Nội's agencies (reference data, not demo data)

HANOI = "01"
HANOI_CODE = "H26"  # Hà Nội's level-1 group in the national agency identifier list

# Hà Nội's specialised bodies after the 2025 reorganisation (names as the city publishes them).
HANOI_DEPARTMENTS = (
    "Văn phòng Ủy ban nhân dân Thành phố",
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Tài chính",
    "Sở Công Thương",
    "Sở Nông nghiệp và Môi trường",
    "Sở Xây dựng",
    "Sở Quy hoạch - Kiến trúc",
    "Sở Khoa học và Công nghệ",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Văn hóa và Thể thao",
    "Sở Du lịch",
    "Sở Dân tộc và Tôn giáo",
    "Thanh tra Thành phố",
)


def _two(n: int) -> str:
    """Two characters of a code group: 01…99, then A0…Z9 (QCVN 102 groups are alphanumeric)."""
    if n < 100:
        return f"{n:02d}"
    n -= 100
    return f"{chr(ord('A') + n // 10)}{n % 10}"


@transaction.atomic
def seed_hanoi() -> dict[str, int]:
    """Hà Nội's People's Committee, its departments, the 126 commune/ward committees and the 30 district
    committees of the pre-2025 structure (inactive). Idempotent: agencies are matched on their code.

    Codes of departments and communes are assigned in order within the national format; a deployment loads the
    codes the city has published over them (they are unique keys, nothing else depends on their digits).
    """
    city_unit = Unit.objects.get(structure=Structure.Y2025, level=Level.PROVINCE, code=HANOI)
    communes = list(Unit.objects.filter(structure=Structure.Y2025, level=Level.COMMUNE, parent=city_unit))
    if not communes:
        raise Invalid("Chưa nạp đơn vị hành chính của Hà Nội: chạy `smartcity places load --province 01`")

    def upsert(code: str, **fields: object) -> Agency:
        agency, _ = Agency.objects.update_or_create(code=code, defaults=fields)
        return agency

    city = upsert(f"000.00.00.{HANOI_CODE}", name="Ủy ban nhân dân Thành phố Hà Nội",
                  kind=Agency.Kind.PEOPLES_COMMITTEE, level=Agency.Level.PROVINCE, parent=None, unit=city_unit)
    city.jurisdiction.set(communes)
    counts = {"city": 1, "departments": 0, "communes": 0, "districts": 0}
    for i, name in enumerate(HANOI_DEPARTMENTS, start=1):
        dept = upsert(f"000.00.{_two(i)}.{HANOI_CODE}", name=name, kind=Agency.Kind.DEPARTMENT,
                      level=Agency.Level.PROVINCE, parent=city, unit=city_unit)
        dept.jurisdiction.set(communes)
        counts["departments"] += 1
    for i, commune in enumerate(sorted(communes, key=lambda u: u.code), start=1):
        agency = upsert(f"000.{_two(i)}.50.{HANOI_CODE}", name=f"Ủy ban nhân dân {commune.name}",
                        kind=Agency.Kind.PEOPLES_COMMITTEE, level=Agency.Level.COMMUNE, parent=city, unit=commune)
        agency.jurisdiction.set([commune])
        counts["communes"] += 1
    legacy_city = Unit.objects.get(structure=Structure.LEGACY, level=Level.PROVINCE, code=HANOI)
    for i, district in enumerate(Unit.objects.filter(parent=legacy_city).order_by("code"), start=1):
        agency = upsert(f"000.00.{_two(60 + i)}.{HANOI_CODE}", name=f"Ủy ban nhân dân {district.name}",
                        kind=Agency.Kind.PEOPLES_COMMITTEE, level=Agency.Level.DISTRICT, parent=city,
                        unit=district, is_active=False)
        agency.jurisdiction.set(list(district.children.all()))
        counts["districts"] += 1
    return counts


def commune_committee(unit: Unit) -> Agency:
    return Agency.objects.get(unit=unit, kind=Agency.Kind.PEOPLES_COMMITTEE)


def department(name: str) -> Agency:
    return Agency.objects.get(name=name, kind=Agency.Kind.DEPARTMENT)

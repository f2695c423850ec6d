"""Use cases of the population registry. Every read of a person's record is permission-checked and audited.

* a citizen reads and exports their own record;
* staff look a citizen up by ID number only within their agency's jurisdiction (where the person lives), for a
  stated purpose, and the read is recorded for "who accessed my data".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from smartcity.agencies import services as agencies
from smartcity.audit import services as audit
from smartcity.audit.models import Action
from smartcity.lib.errors import Conflict, Forbidden, Invalid, NotFound
from smartcity.lib.idnumber import check_structure, clean_id_number
from smartcity.lib.principal import Principal
from smartcity.lib.text import bounded, clean_name, clean_text, fold
from smartcity.places import services as places
from smartcity.places.models import Level, Unit
from smartcity.population.ethnicities import ETHNICITIES
from smartcity.population.models import Citizen, Household, Sex

LOOKUP_ROLES = ("reception", "specialist", "leader", "agency_admin", "city_admin")
REGISTER_ROLES = ("agency_admin", "city_admin")
_SEXES = frozenset(Sex.values)  # Sex.values builds a new list on every access: this is on the import's hot path


def province_codes() -> set[str]:
    """Province codes an ID number may start with (birth registration before or after 2025): every province of the
    reference data, loaded or not, and any loaded in this registry."""
    return places.province_codes() | set(Unit.objects.filter(level=Level.PROVINCE).values_list("code", flat=True))


@dataclass
class CitizenData:
    id_number: str
    full_name: str
    date_of_birth: dt.date
    sex: str
    permanent_unit: Unit
    ethnicity: str = "Kinh"
    nationality: str = "VN"
    permanent_address: str = ""
    temporary_unit: Unit | None = None
    temporary_address: str = ""
    phone: str = ""
    email: str = ""


def validate_citizen(data: CitizenData, *, today: dt.date | None = None,
                     provinces: Collection[str] | None = None) -> list[str]:
    """Raise ``Invalid`` naming the field for bad data — an ID number whose structure disagrees with the person's
    sex and date of birth included; return the remaining ID-structure warnings (none today).

    ``provinces`` (the known province codes) saves a query per call when validating many rows."""
    today = today or timezone.localdate()
    data.id_number = clean_id_number(data.id_number)
    data.full_name = clean_name(data.full_name, field="full_name")
    data.permanent_address = clean_text(data.permanent_address, field="permanent_address")
    data.temporary_address = clean_text(data.temporary_address, field="temporary_address")
    if data.date_of_birth > today:
        raise Invalid("Ngày sinh không được ở tương lai", field="date_of_birth")
    if data.date_of_birth.year < 1880:
        raise Invalid("Ngày sinh không hợp lệ", field="date_of_birth")
    if data.sex not in _SEXES:
        raise Invalid("Giới tính phải là M (nam) hoặc F (nữ)", field="sex")
    if data.ethnicity not in ETHNICITIES and data.nationality == "VN":
        raise Invalid(f"Dân tộc không có trong danh mục 54 dân tộc: {data.ethnicity}", field="ethnicity")
    if len(data.nationality) != 2 or not data.nationality.isalpha() or not data.nationality.isupper():
        raise Invalid("Quốc tịch là mã ISO 3166-1 hai chữ cái, ví dụ VN", field="nationality")
    if data.permanent_unit.level != Level.COMMUNE:
        raise Invalid("Nơi thường trú phải là đơn vị cấp xã", field="permanent_unit")
    if data.temporary_unit is not None and data.temporary_unit.level != Level.COMMUNE:
        raise Invalid("Nơi tạm trú phải là đơn vị cấp xã", field="temporary_unit")
    if data.phone and not (data.phone.lstrip("+").isdigit() and 9 <= len(data.phone.lstrip("+")) <= 12):
        raise Invalid("Số điện thoại không hợp lệ", field="phone")
    if data.email:
        try:
            validate_email(data.email)
        except ValidationError:
            raise Invalid("Thư điện tử không hợp lệ", field="email") from None
    check_structure(data.id_number, sex=data.sex, date_of_birth=data.date_of_birth,
                    province_codes=set(provinces) if provinces is not None else province_codes())
    return []


@transaction.atomic
def register_citizen(*, data: CitizenData, actor: Principal, household: Household | None = None,
                     relation_to_head: str = "") -> Citizen:
    """Add a person to the registry (staff of the agency serving their residence, or a city administrator)."""
    warnings = validate_citizen(data)
    scope = agencies.require_scope(actor, [data.permanent_unit.id], roles=REGISTER_ROLES)
    if Citizen.objects.filter(id_number=data.id_number).exists():
        raise Conflict("Số định danh cá nhân đã có trong cơ sở dữ liệu", field="id_number")
    citizen = Citizen.objects.create(**data.__dict__, household=household, relation_to_head=relation_to_head,
                                     id_warnings=warnings)
    audit.record(actor=agencies.actor_for(actor, scope), action=Action.CREATE, subject_type="population.citizen",
                 subject_id=citizen.pk, person_id=citizen.pk)
    return citizen


def _residence_units(citizen: Citizen) -> list[int | None]:
    return [citizen.permanent_unit_id, citizen.temporary_unit_id]


def lookup_by_id_number(*, actor: Principal, id_number: str, purpose: str) -> Citizen:
    """Staff look-up by ID number: only people living in the caller's jurisdiction; every read is audited.

    A number not in the registry and a person outside the caller's jurisdiction get the same 404, so an officer
    cannot probe which numbers exist elsewhere; callers without a look-up role are refused before the registry is
    consulted.
    """
    number = clean_id_number(bounded(id_number, field="id_number", what="Số định danh"))
    purpose = " ".join(clean_text(bounded(purpose, field="purpose", limit=500, what="Mục đích"),
                                  field="purpose").split())
    if len(purpose) < 5:
        raise Invalid("Cần nêu mục đích tra cứu (ít nhất 5 ký tự)", field="purpose")
    scope = agencies.scope_of(actor, LOOKUP_ROLES)
    if not scope.memberships:
        raise Forbidden("Chỉ cán bộ có vai trò nghiệp vụ mới được tra cứu dân cư")
    citizen = (
        Citizen.objects.select_related("permanent_unit__parent", "temporary_unit__parent", "household")
        .filter(id_number=number)
        .first()
    )
    if citizen is None or not any(scope.covers(unit) for unit in _residence_units(citizen)):
        # The same answer, and the same audit entry, whether the number is unknown or lives elsewhere.
        audit.record(actor=agencies.actor_for(actor, scope), action=Action.READ, subject_type="population.citizen",
                     purpose=purpose, detail={"outcome": "not_found_in_jurisdiction"})
        raise NotFound("Không tìm thấy công dân với số định danh này trong địa bàn phụ trách", field="id_number")
    audit.record(actor=agencies.actor_for(actor, scope), action=Action.READ, subject_type="population.citizen",
                 subject_id=citizen.pk, person_id=citizen.pk, purpose=purpose)
    return citizen


def applicant_for_reception(*, actor: Principal, id_number: str, full_name: str,
                            date_of_birth: dt.date | None) -> Citizen:
    """The person a one-stop desk is taking a dossier from. Any reception officer may take one from anybody (since
    2025 a desk receives dossiers wherever the applicant lives), so the desk is no look-up service: the officer
    enters the ID number, full name and date of birth from the applicant's card, and only a person matching all
    three is found. An unknown number and a known number with other details get the same answer, so the desk
    cannot be used to learn which numbers exist; every attempt, found or not, is audited."""
    number = clean_id_number(bounded(id_number, field="id_number", what="Số định danh"))
    scope = agencies.scope_of(actor, ["reception"])
    if not scope.memberships:
        raise Forbidden("Chỉ cán bộ bộ phận một cửa mới tiếp nhận hồ sơ")
    if not fold(full_name or ""):
        raise Invalid("Nhập họ và tên người nộp như trên giấy tờ tùy thân", field="full_name")
    if date_of_birth is None:
        raise Invalid("Nhập ngày sinh người nộp như trên giấy tờ tùy thân (dd/mm/yyyy)", field="date_of_birth")
    citizen = Citizen.objects.select_related("permanent_unit").filter(id_number=number).first()
    matches = (citizen is not None and fold(citizen.full_name) == fold(full_name)
               and citizen.date_of_birth == date_of_birth)
    purpose = "Tiếp nhận hồ sơ tại bộ phận một cửa"
    if not matches:
        audit.record(actor=agencies.actor_for(actor, scope), action=Action.READ, subject_type="population.citizen",
                     purpose=purpose, detail={"outcome": "no_match"})
        raise NotFound("Số định danh, họ tên và ngày sinh không khớp với cơ sở dữ liệu dân cư: kiểm tra lại theo "
                       "giấy tờ của người nộp", field="id_number")
    assert citizen is not None
    audit.record(actor=agencies.actor_for(actor, scope), action=Action.READ, subject_type="population.citizen",
                 subject_id=citizen.pk, person_id=citizen.pk, purpose=purpose)
    # A record whose ID number disagrees with the person's sex or birthday (kept from before these were refused) is
    # not received on: the desk corrects the record first.
    check_structure(citizen.id_number, sex=citizen.sex, date_of_birth=citizen.date_of_birth,
                    province_codes=province_codes())
    return citizen


def own_record(*, user: Principal, export: bool = False) -> Citizen:
    """A citizen's own record (their read is audited too, as an export when they download it)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "person_id", None) is None:
        raise Forbidden("Tài khoản chưa gắn với hồ sơ công dân")
    citizen = Citizen.objects.select_related(
        "permanent_unit__parent__parent", "temporary_unit__parent__parent", "household"
    ).get(pk=user.person_id)
    if export:
        audit.record(actor=agencies.actor_for(user), action=Action.EXPORT, subject_type="population.citizen",
                     subject_id=citizen.pk, person_id=citizen.pk, purpose="Công dân tải dữ liệu của mình")
    return citizen


def export_record(citizen: Citizen) -> dict[str, object]:
    """Everything the registry holds about a person, as plain JSON."""
    household = citizen.household
    return {
        "id_number": citizen.id_number,
        "full_name": citizen.full_name,
        "date_of_birth": citizen.date_of_birth.isoformat(),
        "sex": citizen.sex,
        "ethnicity": citizen.ethnicity,
        "nationality": citizen.nationality,
        "permanent_residence": {"unit": citizen.permanent_unit.key, "unit_name": citizen.permanent_unit.full_name,
                                "address": citizen.permanent_address},
        "temporary_residence": (
            {"unit": citizen.temporary_unit.key, "unit_name": citizen.temporary_unit.full_name,
             "address": citizen.temporary_address}
            if citizen.temporary_unit else None
        ),
        "phone": citizen.phone,
        "email": citizen.email,
        "household": (
            {"code": household.code, "relation_to_head": citizen.relation_to_head,
             "members": [{"full_name": m.full_name, "relation_to_head": m.relation_to_head}
                         for m in household.members.order_by("date_of_birth")]}
            if household else None
        ),
        "exported_at": timezone.now().isoformat(),
    }


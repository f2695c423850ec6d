"""Which body handles a case for a place and a field: one rule, read both ways (the case's agency, and the
procedures an agency answers for)."""

from __future__ import annotations

import pytest

from smartcity.agencies.models import Agency
from smartcity.agencies.services import commune_committee, competent_agency, department, is_competent

pytestmark = pytest.mark.django_db


@pytest.fixture
def bodies(ba_dinh):
    return {"commune": commune_committee(ba_dinh), "justice": department("Sở Tư pháp"),
            "city": Agency.objects.get(code="000.00.00.H26")}


def test_a_commune_matter_goes_to_the_communes_committee_even_when_a_department_leads_it(ba_dinh, bodies):
    assert competent_agency(unit=ba_dinh, levels=["commune"]) == bodies["commune"]
    assert competent_agency(unit=ba_dinh, levels=["province", "commune"], department=bodies["justice"]) \
        == bodies["commune"]


def test_a_province_matter_goes_to_its_department_else_to_the_citys_committee(ba_dinh, bodies):
    assert competent_agency(unit=ba_dinh, levels=["province"], department=bodies["justice"]) == bodies["justice"]
    assert competent_agency(unit=ba_dinh, levels=["province"]) == bodies["city"]


def test_a_matter_of_both_levels_counts_for_the_communes_and_its_department_not_the_city(bodies):
    both = {"levels": ["commune", "province"], "department_id": bodies["justice"].pk}
    assert is_competent(bodies["commune"], **both) and is_competent(bodies["justice"], **both)
    assert not is_competent(bodies["city"], **both)
    assert not is_competent(department("Sở Y tế"), **both)


@pytest.mark.parametrize("levels", [["commune"], ["province"], ["commune", "province"], ["province", "commune"]])
@pytest.mark.parametrize("led", [False, True])
def test_the_agency_a_case_goes_to_is_always_competent_for_it(ba_dinh, bodies, levels, led):
    lead = bodies["justice"] if led else None
    agency = competent_agency(unit=ba_dinh, levels=levels, department=lead)
    assert is_competent(agency, levels=levels, department_id=lead.pk if lead else None)

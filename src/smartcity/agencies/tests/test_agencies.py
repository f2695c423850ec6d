"""Hà Nội's organisation tree, agency codes in the national format, and staff scope."""

from __future__ import annotations

import pytest

from smartcity.agencies.models import Agency, validate_agency_code
from smartcity.agencies.services import add_membership, scope_of
from smartcity.conftest import commune
from smartcity.lib.errors import Invalid

pytestmark = pytest.mark.django_db


def test_hanoi_has_its_committee_departments_and_126_commune_committees():
    assert Agency.objects.get(code="000.00.00.H26").name == "Ủy ban nhân dân Thành phố Hà Nội"
    assert Agency.objects.filter(kind="department").count() == 15
    communes = Agency.objects.filter(level="commune", is_active=True)
    assert communes.count() == 126
    assert all(a.jurisdiction.count() == 1 for a in communes[:5])
    assert Agency.objects.filter(level="district", is_active=False).count() == 30


def test_every_code_follows_qcvn_102():
    for code in Agency.objects.values_list("code", flat=True):
        validate_agency_code(code)
    with pytest.raises(Exception, match="QCVN 102"):
        validate_agency_code("H26")


def test_a_ward_officer_covers_only_the_ward_and_its_pre_2025_predecessors(officer_ba_dinh, ba_dinh, hoan_kiem):
    scope = scope_of(officer_ba_dinh)
    assert scope.covers(ba_dinh.id) and not scope.covers(hoan_kiem.id)
    predecessors = {s.old_id for s in ba_dinh.predecessors.all()}
    assert predecessors and predecessors <= scope.unit_ids


def test_a_city_administrator_covers_all_of_hanoi(city_admin, ba_dinh, hoan_kiem):
    scope = scope_of(city_admin)
    assert scope.covers(ba_dinh.id) and scope.covers(hoan_kiem.id)


def test_roles_narrow_the_scope(officer_ba_dinh, ba_dinh):
    assert scope_of(officer_ba_dinh, roles=["leader"]).memberships == ()
    assert scope_of(officer_ba_dinh, roles=["reception"]).covers(ba_dinh.id)


def test_citizens_have_no_staff_scope(an):
    assert scope_of(an).memberships == ()


def test_only_staff_accounts_can_be_given_a_role(an):
    with pytest.raises(Invalid, match="cán bộ"):
        add_membership(user=an, agency=Agency.objects.get(code="000.00.00.H26"), role="reception")


def test_the_agency_api_lists_the_tree(client):
    body = client.get("/api/v1/agencies", {"kind": "department"}).json()
    assert len(body) == 15 and {a["parent_code"] for a in body} == {"000.00.00.H26"}
    ward = Agency.objects.get(unit=commune("Phường Ba Đình"))
    detail = client.get(f"/api/v1/agencies/{ward.code}").json()
    assert detail["jurisdiction"] == ["2025:commune:00004"]
    assert client.get("/api/v1/agencies/000.99.99.H26").status_code == 404
    assert client.get("/api/v1/agencies", {"kind": "x"}).json()["errors"][0]["field"] == "kind"

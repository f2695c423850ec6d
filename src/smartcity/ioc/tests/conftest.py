"""Personas of the operations centre: the Ba Đình leader holds the leader role, the Hoàn Kiếm officer the operator
role, the city administrator the administrator role; the Ba Đình officer is staff with no centre role."""

from __future__ import annotations

import pytest

from smartcity.ioc import services


@pytest.fixture
def leader(leader_ba_dinh):
    services.grant_role(user=leader_ba_dinh, role=services.LEADER)
    return leader_ba_dinh


@pytest.fixture
def operator(officer_hoan_kiem):
    services.grant_role(user=officer_hoan_kiem, role=services.OPERATOR)
    return officer_hoan_kiem


@pytest.fixture
def centre_admin(city_admin):
    services.grant_role(user=city_admin, role=services.ADMIN)
    return city_admin


@pytest.fixture
def flood_type(db):
    services.seed_incident_types()
    from smartcity.ioc.models import IncidentType

    return IncidentType.objects.get(code="ngap-ung")

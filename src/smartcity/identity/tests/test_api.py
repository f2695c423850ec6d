"""GET /api/v1/identity/me: who is signed in."""

from __future__ import annotations


def test_a_citizen_sees_their_name_and_masked_id_number(client, an):
    client.force_login(an)
    assert client.get("/api/v1/identity/me").json() == {
        "username": "an", "kind": "citizen", "name": "Nguyễn Văn An", "masked_id_number": "001******345",
        "memberships": []}


def test_a_staff_member_sees_their_agencies_and_roles(client, officer_ba_dinh, ba_dinh):
    from smartcity.agencies.services import commune_committee

    client.force_login(officer_ba_dinh)
    assert client.get("/api/v1/identity/me").json() == {
        "username": "officer.badinh", "kind": "staff", "name": "Lê Thị Hoa", "masked_id_number": None,
        "memberships": [{"agency_code": commune_committee(ba_dinh).code,
                         "agency": "Ủy ban nhân dân Phường Ba Đình", "role": "reception",
                         "role_label": "Cán bộ tiếp nhận (bộ phận một cửa)", "title": ""}]}


def test_a_staff_member_without_a_role_has_no_memberships(client, outsider):
    client.force_login(outsider)
    assert client.get("/api/v1/identity/me").json()["memberships"] == []


def test_nobody_signed_in_gets_401(client):
    response = client.get("/api/v1/identity/me")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "unauthenticated"

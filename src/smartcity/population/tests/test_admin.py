"""The back office: a staff member sees only residents of their jurisdiction, and every person shown is audited."""

from __future__ import annotations

import pytest

from smartcity.audit.models import Entry
from smartcity.identity import services as identity

pytestmark = pytest.mark.django_db


def second_factor(client, user):
    """Signed in past the staff second factor, which the back office asks for."""
    client.force_login(user)
    session = client.session
    session[identity.SECOND_FACTOR_SESSION_KEY] = True
    session.save()


def test_a_ward_officer_lists_only_their_residents_and_each_shown_is_audited(client, an, binh, officer_ba_dinh):
    from django.contrib.auth.models import Permission

    officer_ba_dinh.user_permissions.add(Permission.objects.get(codename="view_citizen"))
    second_factor(client, officer_ba_dinh)
    html = client.get("/admin/population/citizen/").content.decode()
    assert "Nguyễn Văn An" in html and "Trần Thị Bình" not in html
    entry = Entry.objects.get(action="read", person_id=an.person_id)
    assert (entry.actor, entry.purpose) == (officer_ba_dinh, "Xem danh sách trong trang quản trị")
    assert not Entry.objects.filter(person_id=binh.person_id).exists()


def test_only_city_administrators_read_the_audit_log_in_the_back_office(client, officer_ba_dinh, city_admin):
    from django.contrib.auth.models import Permission

    officer_ba_dinh.user_permissions.add(Permission.objects.get(codename="view_entry"))
    second_factor(client, officer_ba_dinh)
    assert client.get("/admin/audit/entry/").status_code == 403
    city_admin.is_superuser = True
    city_admin.save()
    second_factor(client, city_admin)
    assert client.get("/admin/audit/entry/").status_code == 200

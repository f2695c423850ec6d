"""The centre's administrator edits layers, tiles, incident types and their procedures in the back office through
the administrator group's permissions (no superuser flag needed); an operator does not."""

from __future__ import annotations

import pytest

from smartcity.identity.services import SECOND_FACTOR_SESSION_KEY
from smartcity.ioc import services

PAGES = ["/admin/ioc/layer/", "/admin/ioc/tile/", "/admin/ioc/incidenttype/", "/admin/ioc/incidenttype/add/"]


def sign_in(client, user):
    client.force_login(user)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = True
    session.save()


@pytest.mark.parametrize("path", PAGES)
def test_the_centre_administrator_edits_the_centre_in_the_back_office(client, centre_admin, path):
    assert not centre_admin.is_superuser
    services.ensure_catalogue()
    sign_in(client, centre_admin)
    assert client.get(path).status_code == 200


def test_an_operator_cannot_edit_the_procedures(client, operator):
    sign_in(client, operator)
    assert client.get("/admin/ioc/incidenttype/add/").status_code == 403


def test_a_tile_hidden_in_the_back_office_leaves_the_screen(client, centre_admin):
    services.ensure_catalogue()
    sign_in(client, centre_admin)
    from smartcity.ioc.models import Tile

    tile = Tile.objects.get(key="sensors_offline")
    response = client.post(f"/admin/ioc/tile/{tile.pk}/change/", {
        "label": tile.label, "definition": tile.definition, "position": tile.position, "warn_at": ""})
    assert response.status_code == 302
    tile.refresh_from_db()
    assert (tile.is_enabled, tile.warn_at) == (False, None)
    assert 'data-key="sensors_offline"' not in client.get("/ioc/").content.decode()

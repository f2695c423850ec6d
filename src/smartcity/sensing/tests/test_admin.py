"""The back office shows sensing data read-only and revokes ingest keys."""

from __future__ import annotations

import pytest

from smartcity.identity import services as identity
from smartcity.sensing import services
from smartcity.sensing.models import IngestKey

pytestmark = pytest.mark.django_db

MODELS = ["thing", "location", "sensor", "observedproperty", "datastream", "featureofinterest", "observation",
          "deadletter", "maintenancealert", "ingestkey"]


@pytest.fixture
def back_office(client, city_admin):
    """A city administrator (superuser) signed in past the staff second factor."""
    city_admin.is_superuser = True
    city_admin.save()
    client.force_login(city_admin)
    session = client.session
    session[identity.SECOND_FACTOR_SESSION_KEY] = True
    session.save()
    return client


@pytest.mark.parametrize("model", MODELS)
def test_every_sensing_list_opens(back_office, station, model):
    services.ingest([{"datastream": station.pm25, "t": "2026-01-01T00:00:00Z", "v": 1}, {"datastream": 0}])
    assert back_office.get(f"/admin/sensing/{model}/").status_code == 200


def test_metadata_is_read_only_in_the_back_office(back_office, station):
    assert back_office.get("/admin/sensing/thing/add/").status_code == 403
    page = back_office.get(f"/admin/sensing/thing/{station.thing}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content


def test_keys_are_revoked_in_the_back_office(back_office, gateway_key):
    key = IngestKey.objects.get()
    response = back_office.post("/admin/sensing/ingestkey/", {"action": "revoke", "_selected_action": [key.pk]})
    assert response.status_code == 302
    assert services.authenticate_key(gateway_key) is None

from __future__ import annotations

import pytest

from smartcity.identity import services as identity
from smartcity.opendata import services
from smartcity.opendata.models import ApiKey

pytestmark = pytest.mark.django_db


def test_a_key_made_in_the_back_office_is_shown_once_and_works(client, city_admin):
    city_admin.is_superuser = True
    city_admin.save()
    client.force_login(city_admin)
    session = client.session
    session[identity.SECOND_FACTOR_SESSION_KEY] = True
    session.save()
    response = client.post("/admin/opendata/apikey/add/", {"name": "Viện Quy hoạch", "daily_quota": 5},
                                 follow=True)
    message = next(str(m) for m in response.context["messages"])
    key = message.rsplit(": ", 1)[1]
    stored = ApiKey.objects.get()
    assert stored.name == "Viện Quy hoạch" and stored.daily_quota == 5 and key.startswith(stored.prefix)
    assert services.use_api_key(key) == stored

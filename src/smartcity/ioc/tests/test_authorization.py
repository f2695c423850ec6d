"""Who may use the operations centre, endpoint by endpoint: leaders read (screen, lists, trends, stream, API reads),
operators also write (incidents, steps), administrators too; staff without a centre role, citizens and visitors
may not."""

from __future__ import annotations

import pytest

from smartcity.ioc import services

READ_PAGES = ["/ioc/", "/ioc/chi-so/dossiers_overdue/", "/ioc/xu-huong/", "/ioc/su-co/", "/ioc/su-co/{id}/",
              "/ioc/su-kien/"]
READ_API = ["/api/v1/ioc/summary", "/api/v1/ioc/events", "/api/v1/ioc/incidents", "/api/v1/ioc/incidents/{id}"]
PEOPLE = {"leader": 200, "operator": 200, "centre_admin": 200, "officer_ba_dinh": 403, "outsider": 403, "an": 403}


@pytest.fixture(autouse=True)
def short_streams(settings):
    settings.IOC_STREAM_SECONDS = 0


@pytest.fixture
def incident(operator, flood_type):
    return services.open_incident(user=operator, type_code="ngap-ung", title="Ngập")


@pytest.mark.parametrize("path", READ_PAGES)
@pytest.mark.parametrize("who,status", PEOPLE.items())
def test_the_pages_are_for_centre_roles_only(client, request, incident, path, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.get(path.format(id=incident.pk))
    assert response.status_code == status
    if hasattr(response, "streaming_content"):
        list(response.streaming_content)


@pytest.mark.parametrize("path", READ_PAGES)
def test_a_visitor_is_sent_to_sign_in(client, incident, path):
    response = client.get(path.format(id=incident.pk))
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")


@pytest.mark.parametrize("path", READ_API)
@pytest.mark.parametrize("who,status", [*PEOPLE.items(), ("anonymous", 401)])
def test_the_api_reads_are_for_centre_roles_only(client, request, incident, path, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(path.format(id=incident.pk)).status_code == status


WRITES = [
    ("/api/v1/ioc/incidents", {"type": "ngap-ung", "title": "Ngập mới"}, 201),
    ("/api/v1/ioc/incidents/{id}/steps/1/done", {"note": "xong"}, 200),
    ("/api/v1/ioc/incidents/{id}/close", {"note": "xong"}, 200),
]


@pytest.mark.parametrize("path,body,ok", WRITES)
@pytest.mark.parametrize("who", ["operator", "centre_admin", "leader", "officer_ba_dinh", "outsider", "an",
                                 "anonymous"])
def test_the_api_writes_are_for_operators(client, request, incident, path, body, ok, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.post(path.format(id=incident.pk), body, content_type="application/json")
    expected = ok if who in ("operator", "centre_admin") else 401 if who == "anonymous" else 403
    assert response.status_code == expected
    incident.refresh_from_db()
    assert (incident.state == "closed") == (expected == 200 and path.endswith("close"))


@pytest.mark.parametrize("who,status", [("operator", 302), ("leader", 403), ("officer_ba_dinh", 403)])
def test_ticking_a_step_on_the_page_is_for_operators(client, request, incident, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.post(f"/ioc/su-co/{incident.pk}/buoc/1/", {"note": "đã xác minh"})
    assert response.status_code == status
    done = incident.steps.get(position=1)
    assert (done.done_at is not None, done.note) == ((True, "đã xác minh") if status == 302 else (False, ""))


def test_the_api_says_which_field_is_wrong(client, operator, flood_type):
    client.force_login(operator)
    response = client.post("/api/v1/ioc/incidents", {"type": "khong-co", "title": "Ngập"},
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "type"

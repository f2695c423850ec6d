from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_openapi_document_describes_every_router(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "Smart City Platform API"
    paths = set(spec["paths"])
    for expected in ["/api/v1/places/units", "/api/v1/agencies", "/api/v1/population/citizens/{id_number}",
                     "/api/v1/audit/my-data-accesses"]:
        assert expected in paths


def test_api_docs_has_a_short_address(client):
    response = client.get("/api/docs")
    assert response.status_code == 302 and response["Location"] == "/api/v1/docs"

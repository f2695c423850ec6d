"""The public JSON API: what anyone may read, and that no personal data is in it."""

from __future__ import annotations

import pytest

from smartcity.conftest import commune
from smartcity.feedback import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(catalogue, an):
    ward = commune("Phường Ba Đình")
    return services.submit_report(user=an, category_code="den-duong", description="Đèn hỏng", latitude=ward.latitude,
                                  longitude=ward.longitude, contact_phone="0988777666")


def test_anyone_lists_reports_without_personal_data(client, report):
    response = client.get("/api/v1/feedback/reports", {"status": "open"})
    assert response.status_code == 200
    body = response.json()
    assert [r["id"] for r in body] == [report.pk]
    assert body[0]["agency"] == "Ủy ban nhân dân Phường Ba Đình" and body[0]["status_label"] == "Đã tiếp nhận"
    text = response.content.decode()
    for secret in ("0988777666", "Nguyễn Văn An", report.token):
        assert secret not in text


def test_one_report_comes_with_its_timeline(client, report):
    body = client.get(f"/api/v1/feedback/reports/{report.pk}").json()
    assert [e["kind"] for e in body["timeline"]] == ["submitted", "routed"]
    assert body["rating"] is None


def test_a_hidden_or_unknown_report_is_404(client, report, city_admin):
    services.set_hidden(user=city_admin, report_id=report.pk, hidden=True)
    assert client.get(f"/api/v1/feedback/reports/{report.pk}").status_code == 404
    assert client.get("/api/v1/feedback/reports/0").status_code == 404


def test_map_points_and_counts_for_the_operations_centre(client, report):
    assert client.get("/api/v1/feedback/map").json()[0]["id"] == report.pk
    assert client.get("/api/v1/feedback/counts").json()["open"] == 1
    assert [c["code"] for c in client.get("/api/v1/feedback/categories").json()][:2] == ["o-ga", "den-duong"]

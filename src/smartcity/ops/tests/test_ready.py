"""/api/v1/ready names each dependency; storage failures answer 503 with Retry-After, never 500."""

from __future__ import annotations

import datetime as dt
import errno

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_celery_results.models import TaskResult

from smartcity.ops import readiness


@pytest.mark.django_db
def test_ready_names_every_dependency_and_is_200_when_all_answer(client):
    response = client.get("/api/v1/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert [c["name"] for c in body["checks"]] == ["database", "cache", "broker", "workers"]
    assert all(c["ok"] for c in body["checks"])
    assert body["checks"][2]["detail"] == "filesystem"


@pytest.mark.django_db
def test_ready_is_503_and_names_the_database_when_it_is_down(client, monkeypatch):
    def down():
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(readiness, "CHECKS", (("database", down), *readiness.CHECKS[1:]))
    response = client.get("/api/v1/ready")
    assert response.status_code == 503
    checks = {c["name"]: c for c in response.json()["checks"]}
    assert checks["database"] == {"name": "database", "ok": False,
                                  "detail": "OperationalError: could not connect to server"}
    assert checks["cache"]["ok"] and checks["broker"]["ok"]


@pytest.mark.django_db
def test_ready_is_503_when_no_worker_has_finished_a_job_for_five_minutes(client):
    TaskResult.objects.create(task_id="t1", task_name="smartcity.notifications.tasks.deliver_notifications",
                              status="SUCCESS")
    TaskResult.objects.update(date_done=timezone.now() - dt.timedelta(minutes=9))  # date_done is auto_now
    response = client.get("/api/v1/ready")
    assert response.status_code == 503
    workers = response.json()["checks"][3]
    assert workers == {"name": "workers", "ok": False, "detail": "RuntimeError: no job has finished for 9 minutes"}


def test_health_stays_the_cheap_liveness_check(client):
    assert client.get("/api/v1/health").json() == {"status": "ok"}


@pytest.mark.django_db
def test_a_database_failure_in_an_api_route_is_a_503_with_retry_after(client, monkeypatch):
    from smartcity.procedures import services as procedures

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(procedures, "search", down)
    response = client.get("/api/v1/procedures")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["errors"][0]["code"] == "unavailable"


@pytest.mark.django_db
def test_a_full_disk_on_a_page_is_a_503_with_retry_after(client, monkeypatch):
    from smartcity.procedures import views

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(views, "render", full)
    response = client.get("/thu-tuc/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Tạm thời gián đoạn" in response.content.decode()


def test_the_liveness_check_reads_no_session_and_no_account_even_for_a_signed_in_client(
        client, an, django_assert_num_queries):
    client.force_login(an)
    with django_assert_num_queries(0):
        assert client.get("/api/v1/health").status_code == 200

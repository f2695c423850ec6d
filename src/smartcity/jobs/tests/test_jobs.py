"""The engine's promises, in the calling process: the schedule names real jobs, `smartcity jobs` runs and lists
them, a failing job is retried with back-off and then left FAILED where the back office sees it."""

from __future__ import annotations

import io

import pytest
from celery.schedules import crontab
from django.core.management import call_command
from django_celery_results.models import TaskResult

from smartcity.jobs import schedule, services
from smartcity.jobs.engine import app
from smartcity.jobs.tests import probe


def test_every_scheduled_job_is_a_registered_task_with_a_valid_cron():
    app.loader.import_default_modules()
    beat = schedule.beat_schedule()
    assert list(beat) == [p.name for p in schedule.SCHEDULE]
    for periodic in schedule.SCHEDULE:
        assert periodic.task in app.tasks, periodic.task
        assert isinstance(beat[periodic.name]["schedule"], crontab)
        task = app.tasks[periodic.task]
        assert task.acks_late and task.reject_on_worker_lost and task.max_retries in (0, 5)


def test_the_schedule_has_one_entry_per_name():
    names = [p.name for p in schedule.SCHEDULE]
    assert len(names) == len(set(names))


@pytest.mark.django_db
def test_jobs_run_runs_a_scheduled_job_here_and_records_its_result():
    out = io.StringIO()
    call_command("jobs", "run", "notifications.deliver", stdout=out)
    assert out.getvalue().strip() == "notifications.deliver: {'sent': 0, 'retried': 0, 'failed': 0}"
    [result] = TaskResult.objects.all()
    assert result.task_name == "smartcity.notifications.tasks.deliver_notifications"
    assert result.status == "SUCCESS"


@pytest.mark.django_db
def test_jobs_run_names_the_jobs_when_the_name_is_unknown():
    with pytest.raises(Exception, match="audit.checkpoint, audit.verify, notifications.deliver"):
        call_command("jobs", "run", "no.such.job")


@pytest.mark.django_db
def test_a_failing_job_is_retried_with_back_off_then_left_failed_and_listed():
    probe.ATTEMPTS.clear()
    result = probe.always_fails.apply(args=["a"])
    assert probe.ATTEMPTS == ["a"] * 4  # the first try and max_retries=3 more
    assert result.failed()
    assert probe.always_fails.retry_backoff == 5 and probe.always_fails.retry_jitter
    [failed] = services.failed_jobs()
    assert failed.task_name == "smartcity.jobs.tests.probe.always_fails"
    assert "gateway down (a)" in failed.result
    out = io.StringIO()
    call_command("jobs", "failed", stdout=out)
    assert "smartcity.jobs.tests.probe.always_fails" in out.getvalue()
    assert out.getvalue().rstrip().endswith("1 tác vụ lỗi trong 7 ngày qua")


@pytest.mark.django_db
def test_an_error_that_blames_the_input_is_not_retried():
    probe.ATTEMPTS.clear()
    result = probe.refuses_input.apply(args=["b"])
    assert probe.ATTEMPTS == ["b"]
    assert result.failed()


def test_timers_prints_one_crontab_line_per_job():
    out = io.StringIO()
    call_command("jobs", "timers", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line and not line.startswith(("#", "CRON_TZ"))]
    assert len(lines) == len(schedule.SCHEDULE)
    assert lines[0].startswith("7 * * * * ") and " jobs run audit.checkpoint  # " in lines[0]

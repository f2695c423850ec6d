"""What the ``smartcity jobs`` command and the back office ask of the engine: run a scheduled job now, and the
jobs that failed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_celery_results.models import TaskResult

from smartcity.jobs.engine import app
from smartcity.jobs.schedule import by_name


class JobFailed(RuntimeError):
    pass


def run_now(name: str, **kwargs: Any) -> Any:
    """Run the scheduled job ``name`` once in this process (what a system timer calls), the result recorded like a
    worker's. No retries here: in-process retries would not wait their back-off, so the timer's next tick is the
    retry. ``KeyError`` for an unknown name; ``JobFailed`` when it fails."""
    periodic = by_name(name)
    app.loader.import_default_modules()  # the apps' tasks.py, as a worker imports them at start
    task = app.tasks[periodic.task]
    result = task.apply(kwargs=kwargs, retries=task.max_retries)
    if result.failed():
        raise JobFailed(f"{name}: {result.result!r}")
    return result.result


def failed_jobs(*, since: dt.datetime | None = None, limit: int = 50) -> list[TaskResult]:
    """The jobs that ended FAILURE (after their retries), newest first."""
    since = since or timezone.now() - dt.timedelta(days=7)
    return list(TaskResult.objects.filter(status="FAILURE", date_done__gte=since).order_by("-date_done")[:limit])

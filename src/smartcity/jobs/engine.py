"""The Celery application, and ``job``: the one way an app declares background work.

Why Celery rather than the Django Tasks API (``django-tasks``): what the platform needs of a task engine is retries
with back-off and a visible failed state, a worker killed mid-job that loses nothing (late acknowledgement, the
broker hands the job to another worker), Redis and RabbitMQ brokers, and one periodic schedule. Celery has each of
these built in and proven for a decade; django-tasks leaves retries to the application and, in its database backend,
leaves a job a killed worker held in RUNNING. Results (and so failures) are kept in the database by
``django-celery-results``, where the back office and ``smartcity jobs failed`` show them.

Apps write their jobs in their own ``tasks.py``::

    from smartcity.jobs.engine import job

    @job()
    def deliver_notifications() -> dict[str, int]:
        return asdict(services.deliver_due())

and the schedule (``smartcity.jobs.schedule``) names the periodic ones by their dotted name.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from celery import Celery, shared_task

from smartcity.jobs.schedule import beat_schedule
from smartcity.lib.errors import Conflict, Forbidden, Gone, Invalid, NotFound

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")

app = Celery("smartcity")
app.config_from_object("django.conf:settings", namespace="CELERY")
for folder in ("data_folder_in", "data_folder_out", "control_folder"):  # the demo's folder broker, if it is one
    if folder in app.conf.broker_transport_options:
        Path(app.conf.broker_transport_options[folder]).mkdir(parents=True, exist_ok=True)
app.autodiscover_tasks()  # each installed app's tasks.py
app.conf.beat_schedule = beat_schedule()

#: Tries after the first: with back-off 5, 10, 20, 40, 80 s (jittered, at most RETRY_BACKOFF_MAX), then FAILURE.
MAX_RETRIES = 5
RETRY_BACKOFF = 5
RETRY_BACKOFF_MAX = 600
CALLER_ERRORS = (Invalid, Forbidden, NotFound, Conflict, Gone)


def job(*, max_retries: int = MAX_RETRIES, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Declare a background job, named by its module and function (``smartcity.<app>.tasks.<name>``).

    * Any error is retried with exponential back-off, ``max_retries`` times; then the job is left in the FAILURE
      state in the results table. Errors that blame the request (``CALLER_ERRORS``: bad input, no permission, not
      found, conflict, gone) fail at once, since trying again cannot help; a gateway or database that is down is
      worth another try.
    * The broker is told the job is done only after it ran (``acks_late``), and a worker that dies mid-job
      (``reject_on_worker_lost``) gives it back, so another worker runs it. A job may therefore run twice: it must
      be idempotent — every job of the platform sweeps a state (a message still pending, a payment not yet
      announced) under a row lock, so its second run finds nothing left to do.
    """

    def decorate(fn: Callable[..., Any]) -> Any:
        return shared_task(
            name=f"{fn.__module__}.{fn.__name__}",
            acks_late=True,
            reject_on_worker_lost=True,
            autoretry_for=(Exception,),
            dont_autoretry_for=CALLER_ERRORS,
            retry_backoff=RETRY_BACKOFF,
            retry_backoff_max=RETRY_BACKOFF_MAX,
            retry_jitter=True,
            max_retries=max_retries,
            **options,
        )(fn)

    return decorate

"""A worker killed mid-job loses nothing and does not do the effect twice: the production brokers (RabbitMQ, Redis)
with real worker processes. Runs when SMARTCITY_TEST_BROKER_URL is set (``.ci/run`` sets RabbitMQ's), e.g.
``amqp://guest:guest@127.0.0.1:5672//`` or ``redis://127.0.0.1:6379/15``."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery

BROKER_URL = os.environ.get("SMARTCITY_TEST_BROKER_URL", "")
pytestmark = pytest.mark.skipif(not BROKER_URL, reason="set SMARTCITY_TEST_BROKER_URL (amqp://… or redis://…) "
                                                       "to test jobs against a real broker and worker")
SMARTCITY = str(Path(sys.executable).with_name("smartcity"))


def _wait_for(predicate, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [SMARTCITY, "jobs", "worker", "--pool", "prefork", "--concurrency", "1", "--include", "smartcity.jobs.tests.probe"],
        env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)


def test_a_job_whose_worker_is_killed_runs_again_on_another_worker_and_its_effect_happens_once(tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "SMARTCITY_BROKER_URL": BROKER_URL, "SMARTCITY_JOBS_QUEUE": queue,
           "SMARTCITY_JOBS_RESULT_BACKEND": "", "SMARTCITY_VAR_DIR": str(tmp_path / "var"),
           "SMARTCITY_BROKER_VISIBILITY_TIMEOUT": "3", "PYTHONWARNINGS": "ignore"}
    env.pop("DATABASE_URL", None)
    (tmp_path / "block").touch()
    producer = Celery(broker=BROKER_URL)
    log = tmp_path / "worker.log"
    first = _start_worker(env, log)
    second = None
    try:
        producer.send_task("smartcity.jobs.tests.probe.record_once", args=[str(tmp_path), "t1"], queue=queue)
        _wait_for(lambda: len(_lines(tmp_path / "effects")) == 1, "the first worker to do the effect")
        os.killpg(first.pid, signal.SIGKILL)  # after the effect, before the broker hears the job is done
        first.wait(10)
        (tmp_path / "block").unlink()
        second = _start_worker(env, log)
        _wait_for(lambda: len(_lines(tmp_path / "starts")) == 2, "the job to run again on the second worker")
        time.sleep(1)  # let it finish
        starts = [line.split() for line in _lines(tmp_path / "starts")]
        assert [token for token, _ in starts] == ["t1", "t1"]
        assert starts[0][1] != starts[1][1]  # two processes
        assert _lines(tmp_path / "effects") == ["t1"]  # the effect once
    except AssertionError:
        print(log.read_text()[-4000:])
        raise
    finally:
        for worker in (first, second):
            if worker and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(20)
        with producer.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)
        shutil.rmtree(tmp_path / "var", ignore_errors=True)

"""Jobs the tests run on a real worker (``smartcity jobs worker --include smartcity.jobs.tests.probe``)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from smartcity.jobs.engine import job
from smartcity.lib.errors import Invalid

ATTEMPTS: list[str] = []


@job()
def record_once(folder: str, token: str) -> str:
    """The shape of every platform job: do the effect unless it is already done (here a file created with O_EXCL;
    in the apps a row's state changed under its lock), then — when ``folder/block`` exists — hang until killed, so a
    test can kill the worker after the effect and before the broker hears the job is done."""
    base = Path(folder)
    with open(base / "starts", "a") as starts:
        starts.write(f"{token} {os.getpid()}\n")
    try:
        os.close(os.open(base / f"effect-{token}", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        outcome = "already done"
    else:
        with open(base / "effects", "a") as effects:
            effects.write(f"{token}\n")
        outcome = "done"
    deadline = time.monotonic() + 60
    while (base / "block").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return outcome


@job(max_retries=3)
def always_fails(label: str) -> None:
    ATTEMPTS.append(label)
    raise ConnectionError(f"gateway down ({label})")


@job(max_retries=3)
def refuses_input(label: str) -> None:
    ATTEMPTS.append(label)
    raise Invalid("bad input", field="label")

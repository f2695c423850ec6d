"""Background work of the interop app: the national portal outbox, the catalogue pull, expired tokens."""

from __future__ import annotations

from dataclasses import asdict

from smartcity.interop import oauth
from smartcity.interop.national import sync
from smartcity.jobs.engine import job


@job()
def sync_national_portal() -> dict[str, int]:
    """Queue new dossier history, then deliver what is due (each message's own retries are in the outbox)."""
    queued = sync.queue_changes()
    return {"queued": queued, **asdict(sync.deliver_due())}


@job()
def pull_national_catalogue() -> dict[str, int]:
    return sync.pull_catalogue()


@job()
def purge_tokens() -> dict[str, int]:
    return {"purged": oauth.purge_expired()}

"""Background jobs of the operations layer (scheduled in ``smartcity.jobs.schedule``)."""

from __future__ import annotations

from smartcity.jobs.engine import job
from smartcity.ops import files


@job()
def sweep_orphan_files() -> dict[str, object]:
    """Remove stored files no row names (a second run finds none left)."""
    removed = files.sweep_orphan_files()
    return {"removed": len(removed)}

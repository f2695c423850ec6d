"""Background jobs of the audit log (scheduled in ``smartcity.jobs.schedule``)."""

from __future__ import annotations

from smartcity.audit import services
from smartcity.jobs.engine import job


class AuditLogNotIntact(RuntimeError):
    """The daily verification found edited, deleted or re-chained entries: the job fails visibly."""


@job()
def write_checkpoint() -> dict[str, object]:
    """Anchor the chain's head outside the database. A second run writes a second checkpoint of the same or a
    later head, which verification accepts: checkpoints only ever add evidence."""
    written = services.write_checkpoint()
    return {"file": written.path.name, "count": written.head.count, "signed": written.signed,
            "unsigned_reason": written.unsigned_reason}


@job(max_retries=0)
def verify_log() -> dict[str, object]:
    """Walk the chain and every checkpoint; a problem fails the job (FAILURE in the results table, no retries:
    the answer would be the same)."""
    result = services.verify_all()
    if not result.intact:
        problems = "; ".join(f"#{p.seq}: {p.reason}" for p in result.problems[:10])
        raise AuditLogNotIntact(f"{len(result.problems)} vấn đề trong nhật ký truy cập: {problems}")
    return {"entries": result.entries, "checkpoints": result.checkpoints, "notes": result.notes}

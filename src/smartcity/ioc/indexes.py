"""The indexes the centre's dossier tiles need, on the dossiers app's table (created by the centre's migration
0002 and dropped with it; the benchmark drops and recreates them to measure the baseline in the same run).

* ``ioc_dossier_overdue``: partial, on (appointment_at, agency_id) of the running dossiers (statuses 2 and 4, the
  "overdue" queue): the overdue tile reads only the running dossiers past their appointment, not the millions
  finished.
* ``ioc_dossier_finished`` (PostgreSQL): (finished_at) INCLUDE (appointment_at, extended, supplement_count), so the
  month's on-time rate is an index-only scan of the month's finished dossiers.
"""

from __future__ import annotations

INDEXES = {
    "ioc_dossier_overdue": ("CREATE INDEX IF NOT EXISTS ioc_dossier_overdue ON dossiers_dossier "
                            "(appointment_at, agency_id) WHERE status IN (2, 4)", None),
    "ioc_dossier_finished": (None, "CREATE INDEX IF NOT EXISTS ioc_dossier_finished ON dossiers_dossier "
                                   "(finished_at) INCLUDE (appointment_at, extended, supplement_count)"),
}


def create(connection) -> None:
    with connection.cursor() as cursor:
        for both, postgres in INDEXES.values():
            sql = postgres if connection.vendor == "postgresql" and postgres else both
            if sql:
                cursor.execute(sql)


def drop(connection) -> None:
    with connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")

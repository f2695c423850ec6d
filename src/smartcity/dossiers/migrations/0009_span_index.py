"""PostgreSQL: a GiST index on each dossier's span [received, finished] so a period's statistics read only the
dossiers that overlap the period, not every dossier received before its end (``statistics.compute``). The
expression must stay the one ``statistics.active_in`` writes, or the planner will not use the index. SQLite
has no range types; there the statistics filter on the received/finished B-tree indexes as before.

Built CONCURRENTLY, outside a transaction: on a live table of millions of dossiers a plain CREATE INDEX would hold
back every write to it until the index is built."""

from django.db import migrations

INDEX = "dossiers_dossier_span_gist"
SPAN = "tstzrange(received_at, CASE WHEN finished_at < received_at THEN received_at ELSE finished_at END, '[]')"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # A concurrent build that failed or was cancelled leaves an INVALID index of this name behind, which the
        # planner never uses: drop it so that running the migration again builds it anew.
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY {INDEX} ON dossiers_dossier "
                              f"USING gist ({SPAN}) WHERE received_at IS NOT NULL")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("dossiers", "0008_finished_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]

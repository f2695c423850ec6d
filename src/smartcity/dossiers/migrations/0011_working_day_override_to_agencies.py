"""The city's working-day overrides move to the agencies app (the platform layer), rows and all: the table is
renamed, nothing is copied. ``agencies.0003_working_day_override`` takes the model over in the migration state."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('dossiers', '0010_evaluation_finished_at'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name='workingdayoverride', table='agencies_workingdayoverride'),
            ],
            state_operations=[
                migrations.DeleteModel(name='WorkingDayOverride'),
            ],
        ),
    ]

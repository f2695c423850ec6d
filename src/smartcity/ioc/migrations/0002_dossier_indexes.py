from django.db import migrations


def forwards(apps, schema_editor):
    from smartcity.ioc import indexes

    indexes.create(schema_editor.connection)


def backwards(apps, schema_editor):
    from smartcity.ioc import indexes

    indexes.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("ioc", "0001_initial"),
        ("dossiers", "0014_assignee_and_vietnamese_labels"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

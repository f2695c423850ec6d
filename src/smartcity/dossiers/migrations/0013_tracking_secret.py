"""Dossiers get a tracking secret (printed on the receipt): anonymous tracking by code alone walked a guessable
sequence. Existing dossiers get one each here, in batches."""

from django.db import migrations, models

import smartcity.dossiers.models

BATCH = 5000


def backfill(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    new = smartcity.dossiers.models.new_tracking_secret
    last = 0
    while True:
        batch = list(Dossier.objects.filter(pk__gt=last, tracking_secret="").order_by("pk").only("pk")[:BATCH])
        if not batch:
            break
        for dossier in batch:
            dossier.tracking_secret = new()
        Dossier.objects.bulk_update(batch, ["tracking_secret"])
        last = batch[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0012_dossier_acting_for"),
    ]

    operations = [
        migrations.AddField(
            model_name='dossier',
            name='tracking_secret',
            field=models.CharField(blank=True, db_default='', default=smartcity.dossiers.models.new_tracking_secret,
                                   max_length=12, verbose_name='mã bí mật tra cứu'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]

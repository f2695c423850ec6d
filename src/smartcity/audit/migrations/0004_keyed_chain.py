"""Convert an existing audit chain to the keyed rule (HMAC under AUDIT_CHAIN_KEYS), after checking it under the old
unkeyed rule, so its entries keep verifying. An old chain with problems is left as it is (the problems are printed
and `smartcity audit verify` keeps naming them): converting it would launder the evidence. The same conversion is
`smartcity audit rekey` (which also records it as an entry); see docs/audit.md."""

from __future__ import annotations

import sys

from django.db import migrations


def convert(apps, schema_editor):
    from smartcity.audit import chain

    entries = apps.get_model("audit", "Entry").objects.using(schema_editor.connection.alias)
    if not entries.filter(key_id="").exists():
        return
    outcome = chain.rechain(entries)
    if outcome.problems:
        sys.stdout.write("\n  audit: the old chain is not intact, left unconverted (smartcity audit verify):\n")
        for _seq, reason in outcome.problems[:20]:
            sys.stdout.write(f"    {reason}\n")
    else:
        sys.stdout.write(f"\n  audit: {outcome.converted} entries converted to the keyed chain "
                         f"(old head {outcome.old_head}, new head {outcome.new_head})\n")


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_entry_key_id"),
    ]

    operations = [
        migrations.RunPython(convert, migrations.RunPython.noop, elidable=True),
    ]

"""The seed paper's 2016–2020 compliance figures for the seven pilots, as published historical statistics."""

from django.db import migrations


def load(apps, schema_editor):
    from disclosure import history_data

    history_data.load(apps, schema_editor)


def unload(apps, schema_editor):
    from disclosure import history_data

    history_data.unload(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0001_initial"),
        ("mrv", "0002_market_rule_packs"),
    ]

    operations = [migrations.RunPython(load, unload)]

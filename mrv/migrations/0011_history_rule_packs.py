"""Rule packs for the compliance years before 2020 (from 2016, the national market from 2019)."""

from django.db import migrations


def load(apps, schema_editor):
    from mrv import reference_data

    reference_data.load(apps)


def unload(apps, schema_editor):
    from mrv import reference_data

    RulePack = apps.get_model("mrv", "RulePack")
    RulePack.objects.filter(valid_from_year__lt=reference_data.RULES_VALID_FROM).delete()


class Migration(migrations.Migration):
    dependencies = [("mrv", "0010_background_jobs")]

    operations = [migrations.RunPython(load, unload)]

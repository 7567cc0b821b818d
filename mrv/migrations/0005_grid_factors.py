from django.db import migrations


def forward(apps, schema_editor):
    from mrv.grid_factor_data import load

    load(apps)


def backward(apps, schema_editor):
    apps.get_model("mrv", "GridFactor").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("mrv", "0004_monitoring_plans_and_report_versions")]

    operations = [migrations.RunPython(forward, backward)]

"""DeadlineExtension is now declared in mrv (state only: the table stays, see mrv 0009)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0002_workflow_notices"),
        ("mrv", "0009_deadline_extension_moved_from_deadlines"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="DeadlineExtension")]),
    ]

"""Security events are append-only in the database too: UPDATE, DELETE and TRUNCATE are refused by trigger
(for the owner as well), and `mrv.security.db_roles` grants the application role INSERT and SELECT only.

The model already refuses save() of a stored row and delete(); the triggers cover what bypasses the model
(queryset.update(), raw SQL, a compromised application role)."""

from django.db import migrations

from mrv.migrations import _chain_sql

TABLE = "signin_securityevent"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _chain_sql.refuse_changes(schema_editor, TABLE)
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION mrv_refuse_change()"
    )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in ("no_update", "no_truncate"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{name} ON {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("signin", "0001_initial"),
        ("mrv", "0010_sealed_chains"),  # mrv_refuse_change()
    ]

    operations = [migrations.RunPython(forward, backward)]

"""On PostgreSQL the database itself refuses UPDATE and DELETE of submitted report versions."""

from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION mrv_reportversion_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'submitted report versions are immutable';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER mrv_reportversion_no_update BEFORE UPDATE OR DELETE ON mrv_reportversion
    FOR EACH ROW EXECUTE FUNCTION mrv_reportversion_immutable();
"""
ALLOW = """
DROP TRIGGER IF EXISTS mrv_reportversion_no_update ON mrv_reportversion;
DROP FUNCTION IF EXISTS mrv_reportversion_immutable();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW)


class Migration(migrations.Migration):
    dependencies = [("mrv", "0007_stored_files")]

    operations = [migrations.RunPython(forward, backward)]

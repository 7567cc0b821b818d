"""On PostgreSQL the database itself refuses UPDATE and DELETE of audit rows."""

from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION mrv_auditlog_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are immutable';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER mrv_auditlog_no_update BEFORE UPDATE OR DELETE ON mrv_auditlog
    FOR EACH ROW EXECUTE FUNCTION mrv_auditlog_immutable();
"""
ALLOW = """
DROP TRIGGER IF EXISTS mrv_auditlog_no_update ON mrv_auditlog;
DROP FUNCTION IF EXISTS mrv_auditlog_immutable();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW)


class Migration(migrations.Migration):
    dependencies = [("mrv", "0002_market_rule_packs")]

    operations = [migrations.RunPython(forward, backward)]

"""The application's database role: INSERT and SELECT only on the append-only tables.

Migrations run as the owner of the tables; after each `migrate` the owner grants the application role
(setting DATABASE_APP_ROLE) what it needs and no more: SELECT, INSERT, UPDATE and DELETE on ordinary tables,
SELECT and INSERT only on the append-only ones (APPEND_ONLY), never TRUNCATE, and the sequences. The one
exception is a determination's decision (decision, decided_by, decided_at, its reason): a column-level
UPDATE that a trigger allows once, from "pending", while the proposal's columns stay as they were.

The role is created (NOLOGIN) if it is missing and the owner may create roles (CI, tests); in production
the database administrator creates it as a login role (README, "Production").
"""

import re

from django.apps import apps
from django.conf import settings
from django.db import connections

# "app_label.Model" of every append-only table, with the columns the application may still update.
APPEND_ONLY: dict[str, tuple[str, ...]] = {
    "mrv.AuditLog": (),
    "mrv.ReportVersion": (),
    "mrv.VerificationOpinion": (),
    "mrv.Determination": ("decision", "decided_by_id", "decided_at", "decision_reason"),
    "mrv.ChainVerification": (),
    "mrv.Seal": (),
    "mrv.Repudiation": (),
    "registry.Transaction": (),
    "registry.Entry": (),
    "signin.SecurityEvent": (),  # who signed in, was refused or moved units: evidence, never edited
}

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def app_role() -> str:
    return settings.DATABASE_APP_ROLE


def append_only_tables() -> dict[str, tuple[str, ...]]:
    return {apps.get_model(label)._meta.db_table: columns for label, columns in APPEND_ONLY.items()}


def grant_app_role(role: str, *, using: str = "default") -> None:
    """Create `role` if missing and give it exactly the privileges above on every table of the schema."""
    if not ROLE_NAME.match(role):
        raise ValueError(f"Not a valid PostgreSQL role name: {role!r}")
    connection = connections[using]
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(
                f"DO $$ BEGIN CREATE ROLE {q(role)} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
            )
        cursor.execute("SELECT current_schema()")
        schema = q(cursor.fetchone()[0])
        cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {q(role)}")
        cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {q(role)}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {q(role)}")
        for table, columns in append_only_tables().items():
            cursor.execute(f"REVOKE UPDATE, DELETE ON {q(table)} FROM {q(role)}")
            if columns:
                cursor.execute(f"GRANT UPDATE ({', '.join(q(c) for c in columns)}) ON {q(table)} TO {q(role)}")
        cursor.execute(f"REVOKE INSERT, UPDATE, DELETE ON django_migrations FROM {q(role)}")  # migrate's alone
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {q(role)}")


def grant_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate (once, for the mrv app): keep the application role's grants in step with the tables."""
    if sender.name != "mrv" or not app_role() or connections[using].vendor != "postgresql":
        return
    grant_app_role(app_role(), using=using)

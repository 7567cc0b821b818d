"""`flush` (the test runner's reset between transactional tests) as the owner, past the TRUNCATE guards.

The append-only tables refuse TRUNCATE by trigger; only a superuser session in replication mode skips
those triggers, so this works in a test or CI database and nowhere the login role is not a superuser.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from mrv.security.pg.base import owner_session


class Command(FlushCommand):
    def handle(self, **options):
        with owner_session():
            connection = connections[options["database"]]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET session_replication_role = replica")
            return super().handle(**options)

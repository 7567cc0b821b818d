"""`migrate` as the owner of the tables, whatever DATABASE_APP_ROLE says; then the application role's grants."""

from django.core.management.commands.migrate import Command as MigrateCommand

from mrv.security.pg.base import owner_session


class Command(MigrateCommand):
    def handle(self, *args, **options):
        with owner_session():
            return super().handle(*args, **options)

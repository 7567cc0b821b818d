from contextlib import contextmanager

from django.db import connections
from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    owner_sessions = 0  # > 0 while `owner_session()` is active: connections keep the login role

    def _configure_role(self, connection):
        if self.alias == NO_DB_ALIAS or DatabaseWrapper.owner_sessions:
            return False
        return super()._configure_role(connection)


@contextmanager
def owner_session():
    """Connections opened inside run as the login (owner) role, not the application role."""
    connections.close_all()
    DatabaseWrapper.owner_sessions += 1
    try:
        yield
    finally:
        connections.close_all()
        DatabaseWrapper.owner_sessions -= 1

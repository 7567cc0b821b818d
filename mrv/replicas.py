"""Reads that may come from a read replica: statistics and compliance overviews, never a workflow step.

With `DATABASE_REPLICA_URL` set, a view wrapped in `reads_from_replica` reads through the `replica`
connection; everything else (and every write) uses `default`. A replica lags its primary by a moment, so
only pages that summarise many rows and change nothing use it.
"""

from contextvars import ContextVar
from functools import wraps

from django.conf import settings

_use_replica: ContextVar[bool] = ContextVar("use_replica", default=False)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _use_replica.get() and "replica" in settings.DATABASES:
            return "replica"
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"


def reads_from_replica(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        token = _use_replica.set(True)
        try:
            return view(*args, **kwargs)
        finally:
            _use_replica.reset(token)

    return wrapper

"""Reads of the audit trail: an object's history, and the row as stored before a change is proposed."""

from django.db.models import Model, QuerySet

from mrv.models import AuditLog


def audit_trail(obj: Model) -> QuerySet[AuditLog]:
    """The audit rows about one object, newest first, with their actors."""
    return AuditLog.objects.for_object(obj).select_related("actor")


def stored_row(instance: Model) -> Model | None:
    """The object as the database holds it now (None if it is not saved): the `before` of a proposed change."""
    if instance.pk is None:
        return None
    return type(instance).objects.filter(pk=instance.pk).first()

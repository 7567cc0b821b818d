"""Reads of the audit trail: an object's history, its version (the newest audit row, an API ETag), the row as
stored before a change is proposed, and the row locked while a change checks that version."""

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


def last_audit_pk(obj: Model) -> int | None:
    """The id of the newest audit row about `obj` (its version: every audited change adds one), one indexed query."""
    last = AuditLog.objects.for_object(obj).order_by("-at", "-pk").values("pk").first()
    return last["pk"] if last else None


def last_audit_pks(model: type[Model], pks) -> dict[int, int | None]:
    """`last_audit_pk` of many objects of one model in one query: {object id: newest audit row id}."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField, OuterRef, Subquery
    from django.db.models.functions import Cast

    newest = (
        AuditLog.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=Cast(OuterRef("pk"), CharField())
        )
        .order_by("-at", "-pk")
        .values("pk")[:1]
    )
    rows = model._default_manager.filter(pk__in=list(pks)).annotate(last=Subquery(newest)).values_list("pk", "last")
    return dict(rows)


def locked_row(model: type[Model], *, pk) -> Model | None:
    """The row of that id read `FOR UPDATE` (None if there is none): until the caller's transaction ends, no one
    else changes it, so the version checked and the change that follows see the same row. Changes nothing."""
    return model.objects.select_for_update().filter(pk=pk).first()

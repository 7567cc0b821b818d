"""Writing the audit trail. Call inside the transaction of the change being recorded."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import models, transaction

from mrv.models import AuditLog


def _market_id(obj: models.Model) -> int | None:
    if isinstance(obj, _market_model()):
        return obj.pk
    for attr in ("market_id",):
        value = getattr(obj, attr, None)
        if isinstance(value, int):
            return value
    for parent in ("firm", "report", "engagement", "plan", "rule_pack", "account"):
        related = getattr(obj, parent, None)
        if isinstance(related, models.Model):
            return _market_id(related)
    return None


def _market_model():
    from mrv.models import Market

    return Market


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, Decimal):
        return str(value)
    return value


def log_actions(
    objs: list[models.Model],
    action: str,
    *,
    actor=None,
    reason: str = "",
    changes: Callable[[models.Model], dict] | None = None,
) -> list[AuditLog]:
    """Record the same action for many new objects of one model in one INSERT (bulk work: roll-over, imports,
    the compliance marking); `changes(obj)` gives each object's ``{field: (before, after)}`` as `log_action`'s.

    The hash chain's trigger seals each row as it does for `log_action`, rows of one statement in order.
    """
    from django.contrib.contenttypes.models import ContentType

    if not objs:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Audit rows are written in the transaction of the change they record.")
    content_type = ContentType.objects.get_for_model(objs[0])
    return AuditLog.objects.bulk_create(
        [
            AuditLog(
                actor=actor if getattr(actor, "pk", None) else None,
                action=action,
                content_type=content_type,
                object_id=str(obj.pk),
                object_repr=str(obj)[:300],
                market_id=_market_id(obj),
                changes={k: [_plain(a), _plain(b)] for k, (a, b) in (changes(obj) if changes else {}).items()},
                reason=reason,
            )
            for obj in objs
        ],
        batch_size=1000,
    )


def log_action(
    obj: models.Model,
    action: str,
    *,
    actor=None,
    from_state: str = "",
    to_state: str = "",
    changes: dict | None = None,
    reason: str = "",
) -> AuditLog:
    """Record one change of `obj`; `action` is a namespaced code such as ``mrv.report.submitted``."""
    from django.contrib.contenttypes.models import ContentType

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Audit rows are written in the transaction of the change they record.")
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        market_id=_market_id(obj),
        from_state=from_state or "",
        to_state=to_state or "",
        changes={k: [_plain(a), _plain(b)] for k, (a, b) in (changes or {}).items()},
        reason=reason,
    )

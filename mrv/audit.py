"""Writing the audit trail. Call inside the transaction of the change being recorded."""

from collections.abc import Iterable
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


def field_changes(before: models.Model | None, after: models.Model, fields: Iterable[str]) -> dict:
    """{field: (old, new)} for the fields whose values differ."""
    diff = {}
    for name in fields:
        old = getattr(before, name, None) if before is not None else None
        new = getattr(after, name)
        if old != new:
            diff[name] = (old, new)
    return diff


def audited_update(obj: models.Model, *, acting_user, reason: str, action: str | None = None, **values) -> dict:
    """Set fields on a regulated object, save, and record what changed, atomically."""
    with transaction.atomic():
        diff = {}
        for name, value in values.items():
            old = getattr(obj, name)
            if old != value:
                diff[name] = (old, value)
                setattr(obj, name, value)
        if not diff:
            return {}
        obj.full_clean()
        obj.save(update_fields=list(diff))
        meta = obj._meta
        log_action(
            obj, action or f"{meta.app_label}.{meta.model_name}.changed", actor=acting_user, changes=diff, reason=reason
        )
    return diff

"""Four eyes on allocation inputs: an officer's change to a production record or a historical figure is
held as a `PendingChange`; a head of the same market (never the proposer) approves it, and only then is
it applied. The admin's save calls `pending_change_propose`; its actions call approve and reject."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrv.audit import log_action
from mrv.models import PendingChange, User

NOT_A_HEAD = _("Only a regulator head of the firm's market approves or rejects a change.")
OWN_CHANGE = _("A change is approved by another person than the one who proposed it.")
NOT_PENDING = _("This change has already been decided.")
CHANGED_MEANWHILE = _("The record was changed after this proposal was made; propose the change again.")


def needs_head_approval(user: User, model: type[models.Model]) -> bool:
    """Whether a change of `model` by `user` waits for a head (an officer's change of an allocation input)."""
    return model in four_eyes_models() and user.role == User.Role.REGULATOR_OFFICER


#: Other apps' allocation inputs under four eyes, registered in their AppConfig.ready() (mrv imports no app above it).
REGISTERED: list[type[models.Model]] = []


def register_four_eyes(model: type[models.Model]) -> None:
    if model not in REGISTERED:
        REGISTERED.append(model)


def four_eyes_models() -> tuple[type[models.Model], ...]:
    from mrv.models import FirmYearFigure

    return (FirmYearFigure, *REGISTERED)


def _plain(value):
    return None if value is None else str(value)


def pending_change_propose(
    *, instance: models.Model, fields: list[str], reason: str, acting_user: User, before: models.Model | None = None
) -> PendingChange:
    """Hold the new values of `fields` of `instance` (unsaved; a new row when it has no pk) for a head."""
    values = {name: _plain(getattr(instance, instance._meta.get_field(name).attname)) for name in fields}
    old = {name: _plain(getattr(before, before._meta.get_field(name).attname)) for name in fields} if before else {}
    with transaction.atomic():
        change = PendingChange.objects.create(
            target_type=ContentType.objects.get_for_model(instance),
            target_id=str(instance.pk or ""),
            market_id=instance.firm.market_id,
            firm=instance.firm,
            summary=f"{instance._meta.verbose_name}: {instance}"[:300],
            values=values,
            before=old,
            reason=reason[:500],
            proposed_by=acting_user,
        )
        log_action(change, "mrv.pendingchange.proposed", actor=acting_user, changes=_diff(old, values), reason=reason)
    return change


def _diff(before: dict, after: dict) -> dict:
    return {name: (before.get(name), value) for name, value in after.items() if before.get(name) != value}


def _check_decider(change: PendingChange, user: User) -> None:
    head = user.role == User.Role.REGULATOR_HEAD and user.market_id == change.market_id
    if not (head or user.is_national_admin):
        raise PermissionDenied(NOT_A_HEAD)
    if user.pk == change.proposed_by_id:
        raise PermissionDenied(OWN_CHANGE)


def _target(change: PendingChange) -> models.Model:
    model = change.target_type.model_class()
    if not change.target_id:
        return model()
    return model._default_manager.select_for_update().get(pk=change.target_id)


def pending_change_approve(*, change: PendingChange, acting_user: User) -> models.Model:
    """Apply the held values (validated again) and record who approved; the proposer cannot approve."""
    _check_decider(change, acting_user)
    with transaction.atomic():
        change = PendingChange.objects.select_for_update().get(pk=change.pk)
        if change.status != PendingChange.Status.PENDING:
            raise ValidationError(NOT_PENDING)
        target = _target(change)
        current = {n: _plain(getattr(target, target._meta.get_field(n).attname)) for n in change.values}
        if change.target_id and current != change.before:
            raise ValidationError(CHANGED_MEANWHILE)
        for name, value in change.values.items():
            setattr(target, target._meta.get_field(name).attname, value)
        target.full_clean()
        try:
            with transaction.atomic():  # a concurrent write may take the same (firm, year) after the check
                target.save()
        except IntegrityError:
            raise ValidationError(CHANGED_MEANWHILE) from None
        change.status, change.decided_by, change.decided_at = PendingChange.Status.APPROVED, acting_user, timezone.now()
        change.target_id = str(target.pk)
        change.save(update_fields=["status", "decided_by", "decided_at", "target_id"])
        action = f"{target._meta.app_label}.{target._meta.model_name}.{'changed' if change.before else 'created'}"
        log_action(target, action, actor=acting_user, changes=_diff(change.before, change.values), reason=change.reason)
        log_action(change, "mrv.pendingchange.approved", actor=acting_user, from_state="pending", to_state="approved")
    return target


def pending_change_reject(*, change: PendingChange, acting_user: User, reason: str = "") -> PendingChange:
    _check_decider(change, acting_user)
    with transaction.atomic():
        change = PendingChange.objects.select_for_update().get(pk=change.pk)
        if change.status != PendingChange.Status.PENDING:
            raise ValidationError(NOT_PENDING)
        change.status, change.decided_by, change.decided_at = PendingChange.Status.REJECTED, acting_user, timezone.now()
        change.save(update_fields=["status", "decided_by", "decided_at"])
        log_action(
            change,
            "mrv.pendingchange.rejected",
            actor=acting_user,
            from_state="pending",
            to_state="rejected",
            reason=reason,
        )
    return change

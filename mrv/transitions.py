"""The one way a workflow state changes: `run_transition`.

It checks that the transition may run from the current state and that the user may run it,
applies it, saves in one transaction (a concurrent change by someone else is refused with a
clear message), writes the audit row, and records follow-up tasks in the outbox so that they
are published after commit. Views, admin actions, the API and tasks all call services that
call this.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed, can_proceed, has_transition_perm

from mrv.audit import log_action
from mrv.outbox import enqueue
from mrv.refusals import Refused

NOT_FROM_THIS_STATE = _("“%(action)s” is not possible while the %(object)s is “%(state)s”.")
NOT_PERMITTED = _("You may not “%(action)s” this %(object)s.")
CHANGED_BY_SOMEONE_ELSE = _(
    "This %(object)s was changed by someone else in the meantime. Reload the page and try again."
)
REASON_REQUIRED = _("Please give a reason.")


class TransitionRefused(Refused):
    """A transition that may not run now; the message is shown to the user as it is."""


class ChangedConcurrently(TransitionRefused):
    pass


def _label(obj: models.Model, name: str) -> dict:
    meta = getattr(obj, name)._django_fsm
    state_field = meta.field
    state = getattr(obj, state_field.name)
    display = dict(state_field.choices).get(state, state)
    return {"action": name.replace("_", " "), "object": obj._meta.verbose_name, "state": display}


def _changed_since_loaded(obj: models.Model, state_name: str) -> bool:
    """Someone else moved the object on since we loaded it (a condition may have read their change)."""
    if obj.pk is None:
        return False
    stored = type(obj)._default_manager.filter(pk=obj.pk).values_list(state_name, flat=True).first()
    return stored is not None and stored != getattr(obj, state_name)


def run_transition(
    obj: models.Model,
    name: str,
    *,
    acting_user,
    reason: str = "",
    reason_required: bool = False,
    action: str | None = None,
    tasks: Iterable[tuple[str, dict]] = (),
    changes: dict | None = None,
    **kwargs,
):
    """Apply transition `name` of `obj` for `acting_user` (None: the system), atomically and logged."""
    if reason_required and not (reason or "").strip():
        raise TransitionRefused(REASON_REQUIRED, code="reason_required")
    method = getattr(obj, name)
    labels = _label(obj, name)
    state_name = method._django_fsm.field.name
    if not can_proceed(method):
        if _changed_since_loaded(obj, state_name):
            raise ChangedConcurrently(CHANGED_BY_SOMEONE_ELSE % labels, code="concurrent")
        raise TransitionRefused(NOT_FROM_THIS_STATE % labels, code="wrong_state")
    if acting_user is not None and not has_transition_perm(method, acting_user):
        raise PermissionDenied(NOT_PERMITTED % labels)
    from_state = getattr(obj, state_name)
    try:
        with transaction.atomic():
            result = method(**kwargs)
            obj.save()
            meta = obj._meta
            log_action(
                obj,
                action or f"{meta.app_label}.{meta.model_name}.{name}",
                actor=acting_user,
                from_state=from_state,
                to_state=getattr(obj, state_name),
                changes=changes,
                reason=reason,
            )
            for task_name, task_kwargs in tasks:
                enqueue(task_name, **task_kwargs)
    except ConcurrentTransition:
        obj.refresh_from_db()
        raise ChangedConcurrently(CHANGED_BY_SOMEONE_ELSE % labels, code="concurrent") from None
    except TransitionNotAllowed:
        obj.refresh_from_db()
        raise TransitionRefused(NOT_FROM_THIS_STATE % labels, code="wrong_state") from None
    except BaseException:
        if obj.pk is not None:
            obj.refresh_from_db()  # the in-memory state must not claim what was rolled back
        raise
    return result

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
from django_fsm import ConcurrentTransition, FSMFieldMixin, TransitionNotAllowed

from mrv.audit import log_action
from mrv.outbox import enqueue
from mrv.refusals import Refused
from mrv.workflow.facts import facts_of

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


def _fsm_fields(obj: models.Model) -> list:
    return [f for f in obj._meta.concrete_fields if isinstance(f, FSMFieldMixin)]


def refusal(obj: models.Model, name: str, user, *, conditions: bool = True) -> Exception | None:
    """Why `user` (None: the system) may not run transition `name` of `obj` now, or None if it may.

    The one place that answers "may this happen now?": state and (unless `conditions=False`) the
    transition's conditions, then permission. Services call `check_transition` before their
    input checks so the user gets the right message first; pages ask `transitions_for`.
    """
    method = getattr(obj, name)
    meta = method._django_fsm
    state = meta.field.get_state(obj)
    labels = _label(obj, name)
    if not meta.has_transition(state) or (conditions and not meta.conditions_met(obj, state)):
        if _changed_since_loaded(obj, meta.field.name):
            return ChangedConcurrently(CHANGED_BY_SOMEONE_ELSE % labels, code="concurrent")
        return TransitionRefused(NOT_FROM_THIS_STATE % labels, code="wrong_state")
    if user is not None and not meta.has_transition_perm(obj, state, user):
        return PermissionDenied(NOT_PERMITTED % labels)
    return None


def check_transition(obj: models.Model, name: str, user, *, conditions: bool = True) -> None:
    """Raise the refusal of `refusal` (TransitionRefused, ChangedConcurrently or PermissionDenied), if any."""
    refused = refusal(obj, name, user, conditions=conditions)
    if refused is not None:
        raise refused


def _button_conditions_met(meta, obj, state) -> bool:
    transition = meta.get_transition(state)
    conditions = (transition.conditions or []) if transition else []
    return all(c(obj) for c in conditions if not getattr(c, "established_by_service", False))


def transitions_for(obj: models.Model, user, *, conditions: Iterable[str] = ()) -> frozenset[str]:
    """The transitions of `obj` that `user` may start now: what pages draw their buttons from.

    Built on django-fsm's transitions and the same checks as `refusal` (state, permission). The
    conditions of the transitions named in `conditions` are checked too, except those marked
    `established_by_service = True` (the service makes them true itself, e.g. it writes the pending
    row before the transition); the other transitions' conditions are left to the click, whose refusal says why, so
    a button does not vanish without a word.
    """
    names, with_conditions = set(), set(conditions)
    for field in _fsm_fields(obj):
        state = field.get_state(obj)
        for name in {t.name for t in getattr(obj, f"get_all_{field.name}_transitions")()}:
            meta = getattr(obj, name)._django_fsm
            if not meta.has_transition(state) or not meta.has_transition_perm(obj, state, user):
                continue
            if name in with_conditions and not _button_conditions_met(meta, obj, state):
                continue
            names.add(name)
    return frozenset(names)


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
    # A reason is wanted where the transition declares it (mrv/workflow/facts.py) or the caller asks.
    reason_required = reason_required or facts_of(obj, name).reason_required
    if reason_required and not (reason or "").strip():
        raise TransitionRefused(REASON_REQUIRED, code="reason_required")
    method = getattr(obj, name)
    labels = _label(obj, name)
    state_name = method._django_fsm.field.name
    check_transition(obj, name, acting_user)
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

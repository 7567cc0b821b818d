"""The facts of a workflow transition, declared once next to it: `@transition(..., custom=facts(...))`.

Everything else is derived from these declarations: the audit trail's labels (`mrv.ui.actions`), the
outbox events (`mrv.services.follow_ups.EVENTS`), who is told and with which sentence
(`deadlines.workflow_notices`, `deadlines.messages`) and whether `run_transition` wants a reason.
Adding a transition therefore touches its model, its service and its test.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django_fsm import FSMFieldMixin

# Who must act next (or learn of it to act), resolved against the event's object by the deadlines app.
FIRM = "firm"  # the users of the firm concerned
VERIFIERS = "verifiers"  # the verifiers (lead and team) of the body engaged for the firm and year
LEAD_VERIFIERS = "lead_verifiers"  # the lead verifiers of the engaged (or newly assigned) body
PLAN_CHECKERS = "plan_checkers"  # the checking body's verifiers where the market requires it, else the officers
SPOT_CHECKERS = "spot_checkers"  # the spot checkers of the body checking the report
OFFICERS = "officers"  # the case officers of the firm's market
HEADS = "heads"  # the heads of the firm's market regulator
STATISTICS = "statistics"  # the statistics bureau officers of the firm's market (quarterly co-review)
REQUESTER = "requester"  # the person who made the request (`requested_by` of the event's object)


@dataclass(frozen=True)
class Facts:
    label: object = None  # what the audit trail shows, e.g. pgettext_lazy("audit action", "submitted")
    notify: tuple[str, ...] = ()  # the groups above told after the transition
    message: object = None  # what they are told, with %(subject)s (and the event's params)
    reason_required: bool = False


def facts(**kwargs) -> dict:
    """The `custom=` argument of a transition."""
    return {"facts": Facts(**kwargs)}


#: Events that are not transitions (an object coming into being), declared next to their model.
_EVENTS: dict[str, Facts] = {}


def declare_event(code: str, **kwargs) -> None:
    """Declare the facts of an event that creates its object (`<app>.<model>.<event>`), e.g. a request opened."""
    _EVENTS[code] = Facts(**kwargs)


@cache
def declared() -> dict[str, Facts]:
    """Every declared transition's facts by audit code `<app>.<model>.<transition>` (apps must be ready)."""
    return dict(_declarations()) | _EVENTS


def _declarations() -> Iterator[tuple[str, Facts]]:
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, FSMFieldMixin):
                continue
            for transition in field.get_all_transitions(model):
                found = (transition.custom or {}).get("facts")
                if found is not None:
                    yield f"{model._meta.app_label}.{model._meta.model_name}.{transition.name}", found


def facts_of(obj, name: str) -> Facts:
    return declared().get(f"{obj._meta.app_label}.{obj._meta.model_name}.{name}", Facts())

"""What a page may offer the user: one set of action names drawn from the one gate.

`allowed(obj, user)` is the transitions `mrv.transitions.transitions_for` lets through, plus the
actions that are not transitions (editing data, raising a finding), each given as one workflow
predicate. Templates ask `{% if "submit" in can %}`; no view restates a state or a role.
"""

from collections.abc import Iterable

from django.db import models

from mrv.transitions import _fsm_fields, transitions_for


def allowed(obj: models.Model, user, *, conditions: Iterable[str] = (), **others: bool) -> frozenset[str]:
    """The actions `user` may start on `obj` now (see the module docstring)."""
    return transitions_for(obj, user, conditions=conditions) | {name for name, ok in others.items() if ok}


def allowed_each(objs: list[models.Model], user, *, only: frozenset[str] | None = None) -> None:
    """Set `obj.can` on each object of a list whose permissions depend on its state and parent only.

    The gate is asked once per state (a handful), not once per object, so a page with many findings
    stays at a fixed number of queries. `only` narrows to the actions the parent's state allows.
    """
    by_state: dict = {}
    for obj in objs:
        state = tuple(f.get_state(obj) for f in _fsm_fields(obj))
        if state not in by_state:
            names = transitions_for(obj, user)
            by_state[state] = names & only if only is not None else names
        obj.can = by_state[state]

"""No dead ends in the state machines: every state that is not final offers a transition that the
product itself runs (a service called from a page, admin action, API or task), with a permission."""

import ast
import functools

import pytest
from django.apps import apps
from django_fsm import FSMField

from tests.test_service_reachability import _product_files

FINAL = {
    ("MonitoringPlan", "approved"),
    ("EmissionReport", "accepted"),
    ("VerificationEngagement", "completed"),
    ("TransferProposal", "executed"),
    ("TransferProposal", "rejected"),
    ("TransferProposal", "cancelled"),
    ("TransferProposal", "failed"),
    ("TrustedAccount", "rejected"),
    ("TrustedAccount", "removed"),
    ("ReversalRequest", "executed"),
    ("ReversalRequest", "rejected"),
    ("Publication", "published"),
    ("Publication", "rejected"),
    ("AllocationTable", "issued"),
    ("Penalty", "decided"),
    ("CoverageChange", "approved"),
    ("CoverageChange", "rejected"),
    ("Penalty", "withdrawn"),
    ("InformationRequest", "answered"),
    ("InformationRequest", "withdrawn"),
    ("ExtensionRequest", "granted"),
    ("ExtensionRequest", "refused"),
    ("ExtensionRequest", "withdrawn"),
}


def _machines():
    for model in apps.get_models():
        for field in model._meta.fields:
            if isinstance(field, FSMField):
                yield model, field


def _outgoing(model, field, state) -> list:
    return [t for t in field.get_all_transitions(model) if t.source in (state, "*", "+")]


@functools.cache
def _names_run_by_product() -> frozenset[str]:
    """Transition names the product code names: `run_transition(obj, "submit")`, tables of actions, calls."""
    names = set()
    for path in _product_files():
        if path.parent.name == "models" or path.name == "models.py":
            continue  # where transitions are declared, not run
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
                names.add(node.value)
            elif isinstance(node, ast.Attribute):
                names.add(node.attr)
    return frozenset(names)


STATES = [(model, field, state) for model, field in _machines() for state, _label in field.choices]


def test_the_walk_covers_every_machine():
    assert {m.__name__ for m, _f in _machines()} >= {
        "CoverageList",
        "MonitoringPlan",
        "EmissionReport",
        "VerificationEngagement",
        "Finding",
        "TransferProposal",
        "AllocationTable",
        "Penalty",
    }


@pytest.mark.parametrize(("model", "field", "state"), STATES, ids=lambda v: getattr(v, "__name__", str(v)))
def test_every_state_that_is_not_final_offers_a_transition_the_product_runs(model, field, state):
    outgoing = _outgoing(model, field, state)
    if (model.__name__, state) in FINAL:
        assert not outgoing, f"{model.__name__}.{state} is listed as final but has {[t.name for t in outgoing]}"
        return
    assert outgoing, f"{model.__name__}.{state} is a dead end"
    run = _names_run_by_product()
    reachable = [t for t in outgoing if t.name in run and t.permission is not None]
    assert reachable, f"{model.__name__}.{state}: no transition with a permission is run by the product"

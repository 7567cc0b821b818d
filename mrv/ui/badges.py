"""Workflow-state badges: a label and a tone for any FSM status value of any model.

Tones are few (neutral, info, warn, danger, ok) so that every list reads the same way; a new
state gets a tone from its name (``returned_…`` is a warning) unless `TONES` names it.
"""

from functools import cache

from django.apps import apps
from django.db import models
from django_fsm import FSMField, FSMFieldMixin

TONES = {
    "draft": "neutral",
    "superseded": "neutral",
    "withdrawn": "neutral",
    "awaiting_assignment": "warn",
    "open": "warn",
    "reopened": "warn",
    "answered": "info",
    "redetermination_proposed": "warn",
    "emissions_missing": "danger",
    "excluded": "neutral",
}
_KEYWORDS = (
    ("return", "warn"),
    ("reject", "danger"),
    ("declin", "danger"),
    ("not_verified", "danger"),
    ("discrepan", "danger"),
    ("overdue", "danger"),
    ("approv", "ok"),
    ("accept", "ok"),
    ("verified", "ok"),
    ("determined", "ok"),
    ("closed", "ok"),
    ("complet", "ok"),
    ("confirm", "ok"),
    ("checked", "ok"),
)


def tone(state: str) -> str:
    if state in TONES:
        return TONES[state]
    for keyword, name in _KEYWORDS:
        if keyword in state:
            return name
    return "info"


#: Labels of states that are not FSM fields (e.g. the registry's compliance status); apps add theirs.
EXTRA_LABELS: dict[str, object] = {}


def register_labels(labels: dict[str, object]) -> None:
    EXTRA_LABELS.update(labels)


@cache
def _fsm_labels() -> dict[str, str]:
    """Every state value of every FSM field in the project, with its (lazy) label."""
    labels: dict[str, str] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, FSMFieldMixin) and field.choices:
                for value, label in field.flatchoices:
                    labels.setdefault(str(value), label)
    return labels


def state_field(obj: models.Model, name: str | None = None) -> FSMField:
    if name:
        return obj._meta.get_field(name)
    return next(f for f in obj._meta.concrete_fields if isinstance(f, FSMFieldMixin))


def state_of(value, field_name: str | None = None) -> tuple[str, str]:
    """(value, label) of a model instance's state, or of a bare state value."""
    if isinstance(value, models.Model):
        field = state_field(value, field_name)
        raw = str(getattr(value, field.attname))
        return raw, str(dict(field.flatchoices).get(raw, raw))
    raw = "" if value is None else str(value)
    return raw, str(_labels().get(raw, raw.replace("_", " ")))


def _labels() -> dict[str, object]:
    return {**EXTRA_LABELS, **_fsm_labels()}

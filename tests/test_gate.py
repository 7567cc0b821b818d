"""One gate: no page restates whether a transition or an action may happen. Views and templates draw their
buttons from `mrv.ui.buttons.allowed` (built on `mrv.transitions`) or a feature's own `*_actions` rule, so
grepping them for `may_` finds nothing; django-fsm's permission checks are asked by `mrv/transitions.py` alone."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("mrv", "registry", "deadlines", "signin", "disclosure", "config")
MAY = re.compile(r"\bmay_\w+")
FSM_CHECKS = re.compile(r"\b(has_transition_perm|can_proceed|get_available_user_\w+_transitions)\b")


def _views() -> list[Path]:
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).parts
            if "views" in parts or path.stem == "views" or path.stem.endswith("_views"):
                found.append(path)
    return found


def test_the_scan_reads_the_views_and_templates():
    names = {p.relative_to(ROOT).as_posix() for p in _views()}
    assert {"mrv/ui/views/reports.py", "registry/production_views.py", "disclosure/views.py"} <= names
    assert (ROOT / "templates/disclosure/manage.html") in set((ROOT / "templates").rglob("*.html"))


def test_no_view_or_template_restates_a_rule():
    offending = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in [*_views(), *(ROOT / "templates").rglob("*.html")]
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if MAY.search(line)
    ]
    assert offending == []


def test_django_fsm_permissions_are_asked_by_the_gate_alone():
    offending = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        and path.relative_to(ROOT).as_posix() != "mrv/transitions.py"
        and FSM_CHECKS.search(path.read_text(encoding="utf-8"))
    ]
    assert offending == []

"""The state diagrams are drawn from the code, and the committed docs match it."""

from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from mrv.models import EmissionReport, VerificationEngagement
from mrv.state_diagram import edges, mermaid, workflow_markdown


def test_every_transition_is_an_arrow_with_its_permission():
    arrows = edges(EmissionReport)
    names = {t.name for t in EmissionReport._meta.get_field("status").get_all_transitions(EmissionReport)}
    assert {name for _s, _t, name, _p in arrows} == names
    assert ("under_verification", "verified", "sign_off", "is_signing_lead_verifier") in arrows
    # A rejection returns the report to wherever the proposal came from: one arrow per possible state.
    assert {t for s, t, name, _p in arrows if name == "reject_determination"} == {
        "draft",
        "submitted",
        "returned_to_firm",
        "regulator_review",
    }


def test_the_command_prints_one_diagram():
    out = StringIO()
    call_command("state_diagram", "engagement", stdout=out)
    assert out.getvalue() == mermaid(VerificationEngagement)
    assert "declined --> assigned: reassign (regulates_market)" in out.getvalue()


def test_docs_workflow_md_is_up_to_date():
    committed = (Path(settings.BASE_DIR) / "docs" / "workflow.md").read_text(encoding="utf-8")
    assert committed == workflow_markdown(), "run: python manage.py state_diagram --markdown > docs/workflow.md"

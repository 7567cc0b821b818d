"""Each transition's facts are declared once, next to it; the notices, labels, events and reasons derive from them."""

import pytest

from deadlines.messages import WORKFLOW_MESSAGES
from deadlines.workflow_notices import WHO
from mrv.models import EmissionReport, Finding
from mrv.services import follow_ups
from mrv.transitions import REASON_REQUIRED, TransitionRefused, run_transition
from mrv.ui.actions import action_label
from mrv.workflow.facts import declared, facts_of


def test_the_derived_tables_are_the_declarations():
    notified = {event for event, found in declared().items() if found.notify}
    assert notified == set(follow_ups.EVENTS) == set(WHO) == set(WORKFLOW_MESSAGES)
    for event in notified:
        assert WHO[event] == declared()[event].notify
        assert WORKFLOW_MESSAGES[event] == declared()[event].message


def test_the_audit_trail_shows_the_declared_label():
    report = EmissionReport(status="regulator_review")
    assert action_label("mrv.emissionreport.return_to_verifier") == facts_of(report, "return_to_verifier").label
    assert str(action_label("mrv.emissionreport.send_to_review")) == "sent to the regulator's review"


@pytest.mark.django_db
def test_a_transition_that_declares_a_reason_refuses_without_one(firm, verifier):
    from tests import factories as f

    report = f.ReportFactory(firm=firm, year=2025, status="under_verification")
    finding = Finding.objects.create(
        report=report, kind="misstatement", description="x", status="closed", raised_by=verifier
    )
    assert facts_of(finding, "reopen").reason_required
    with pytest.raises(TransitionRefused, match=str(REASON_REQUIRED)):
        run_transition(finding, "reopen", acting_user=None)

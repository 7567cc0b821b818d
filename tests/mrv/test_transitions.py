"""run_transition tells a stale page apart from a wrong request."""

import pytest

from mrv.models import AuditLog, EmissionReport
from mrv.transitions import ChangedConcurrently, TransitionRefused, run_transition
from tests import factories as f


@pytest.fixture
def determined(firm):
    return f.ReportFactory(firm=firm, status=EmissionReport.Status.DETERMINED, determined_emissions_tco2e=1000)


def test_closing_a_determined_report_logs_who_from_and_to(determined, regulator):
    run_transition(determined, "close", acting_user=regulator, reason="履约完成")
    determined.refresh_from_db()
    row = AuditLog.objects.get(action="mrv.emissionreport.close")
    assert determined.status == "closed"
    assert (row.actor, row.from_state, row.to_state, row.reason) == (regulator, "determined", "closed", "履约完成")


def test_a_request_from_a_stale_page_is_told_to_reload(determined, regulator):
    stale = EmissionReport.objects.get(pk=determined.pk)
    run_transition(determined, "close", acting_user=regulator)
    with pytest.raises(ChangedConcurrently):
        run_transition(stale, "close", acting_user=regulator)
    assert AuditLog.objects.filter(action="mrv.emissionreport.close").count() == 1


def test_a_stale_page_asking_for_a_transition_of_the_old_state_is_told_to_reload(firm, regulator):
    report = f.ReportFactory(firm=firm, status=EmissionReport.Status.DETERMINED, determined_emissions_tco2e=1)
    stale = EmissionReport.objects.get(pk=report.pk)
    run_transition(report, "close", acting_user=regulator)
    with pytest.raises(ChangedConcurrently):
        run_transition(stale, "approve_determination", acting_user=regulator)


def test_a_transition_from_the_wrong_state_is_refused_plainly(determined, regulator):
    with pytest.raises(TransitionRefused) as refused:
        run_transition(determined, "approve_determination", acting_user=regulator)
    assert refused.value.code == "wrong_state" and not isinstance(refused.value, ChangedConcurrently)
    assert not AuditLog.objects.exists()

"""No dead ends: a submitted annual report always has an engagement to assign, a report opened before the
roll-over still gets one, and the regulator can open a report to estimate for a covered firm that never reported."""

import pytest

from deadlines.services import rollover_open_year
from mrv.models import AuditLog, EmissionReport, VerificationEngagement
from tests import factories as f
from tests.verification_world import submitted_report

pytestmark = pytest.mark.django_db


def test_submitting_an_annual_report_opens_the_engagement_when_the_roll_over_has_not(firm, firm_approver):
    assert not VerificationEngagement.objects.filter(firm=firm, year=2025).exists()
    submitted_report(firm, firm_approver)
    engagement = VerificationEngagement.objects.get(firm=firm, year=2025)
    assert engagement.status == VerificationEngagement.Status.AWAITING_ASSIGNMENT
    assert AuditLog.objects.filter(action="mrv.verificationengagement.opened_at_submission").exists()


def test_the_roll_over_opens_an_engagement_for_a_report_made_before_it(firm):
    f.ReportFactory(firm=firm, year=2026, status=EmissionReport.Status.SUBMITTED)
    rollover_open_year(year=2026, market_id=firm.market_id)
    assert VerificationEngagement.objects.filter(firm=firm, year=2026).exists()


def test_every_submitted_annual_report_is_in_the_assignment_queue(client, firm, firm_approver, regulator):
    report = submitted_report(firm, firm_approver)
    client.force_login(regulator)
    page = client.get("/market/").content.decode()
    assert firm.name in page and str(report.year) in page


def test_the_regulator_opens_a_report_to_estimate_for_a_firm_that_never_reported(client, firm, regulator):
    from django.utils import timezone

    year = timezone.localdate().year - 1
    client.force_login(regulator)
    assert firm.name in client.get("/market/").content.decode()
    response = client.post("/market/estimate/", {"firm": firm.pk, "year": year})
    report = EmissionReport.objects.get(firm=firm, year=year)
    assert response.status_code == 302 and response.url.endswith(f"/reports/{report.pk}/review/")
    assert AuditLog.objects.filter(action="mrv.emissionreport.opened_for_estimate", actor=regulator).exists()


def test_another_markets_firm_cannot_be_opened_for_estimate(client, beijing_firm, regulator):
    client.force_login(regulator)
    assert client.post("/market/estimate/", {"firm": beijing_firm.pk, "year": 2025}).status_code == 404
    assert not EmissionReport.objects.filter(firm=beijing_firm).exists()

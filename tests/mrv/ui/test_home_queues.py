"""Home pages as work queues: each role's queues with counts and links, in queries that do not grow with rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mrv.models import EmissionReport, MonitoringPlan, VerificationEngagement
from registry.models import Penalty
from tests import factories as f

R = EmissionReport.Status
pytestmark = pytest.mark.django_db


def home(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return response, len(captured.captured_queries)


def sections(response) -> dict[str, object]:
    return {str(s.title): s for s in response.context["sections"]}


def regulator_world(market, firms: int, first_year: int = 2000):
    """Per firm: a verified report, one in review, a proposed determination, a submitted plan, a waiting engagement."""
    for _n in range(firms):
        firm = f.FirmFactory(market=market)
        for offset, status in enumerate((R.VERIFIED, R.REGULATOR_REVIEW, R.DETERMINATION_PROPOSED)):
            f.ReportFactory(firm=firm, year=first_year + offset, status=status)
        f.EngagementFactory(firm=firm, year=first_year, status=VerificationEngagement.Status.AWAITING_ASSIGNMENT)
        user = f.UserFactory(role="firm_reporter", firm=firm)
        MonitoringPlan.objects.create(
            firm=firm,
            version=1,
            status=MonitoringPlan.Status.SUBMITTED,
            valid_from=f"{first_year}-01-01",
            created_by=user,
        )
        Penalty.objects.create(firm=firm, year=first_year, shortfall_tco2e=10, fine_cny=1000, deduction_tco2e=10)


@pytest.mark.usefixtures("english_messages")
def test_the_regulators_home_lists_and_counts_every_queue_in_queries_that_do_not_grow(client, regulator_head, shanghai):
    regulator_world(shanghai, 2)
    response, few = home(client, regulator_head)
    queues = sections(response)
    for title in (
        "Verified reports to take under review or sample",
        "Reports under review",
        "Determinations to approve",
        "Monitoring plans to review",
        "Reports awaiting a verifier",
        "Penalties to decide",
    ):
        assert queues[title].count == 2 and len(queues[title].items) == 2, title
    html = response.content.decode()
    for report in EmissionReport.objects.filter(status=R.DETERMINATION_PROPOSED):
        assert reverse("ui:report_review", args=[report.pk]) in html

    regulator_world(shanghai, 25)
    response, many = home(client, regulator_head)
    assert many <= few
    queues = sections(response)
    assert queues["Determinations to approve"].count == 27 and len(queues["Determinations to approve"].items) == 20


@pytest.mark.usefixtures("english_messages")
def test_the_firms_home_lists_reports_to_complete_and_its_penalty(client, firm, firm_user):
    draft = f.ReportFactory(firm=firm, year=2025, status=R.DRAFT)
    returned = f.ReportFactory(firm=firm, year=2024, status=R.RETURNED_TO_FIRM)
    Penalty.objects.create(firm=firm, year=2023, shortfall_tco2e=9780, fine_cny=50000, deduction_tco2e=9780)
    response, few = home(client, firm_user)
    queues = sections(response)
    assert queues["Reports to complete or answer"].count == 2
    html = response.content.decode()
    for report in (draft, returned):
        assert reverse("ui:report_detail", args=[report.pk]) in html
    assert "Penalty for 2023" in html and "50,000" in html

    for year in range(2000, 2020):
        f.ReportFactory(firm=firm, year=year, status=R.DRAFT)
    _response, many = home(client, firm_user)
    assert many <= few


@pytest.mark.usefixtures("english_messages")
def test_the_verifiers_home_lists_engagements_to_accept_and_reports_to_verify(client, firm, body, verifier):
    assigned = f.EngagementFactory(firm=firm, body=body, year=2025, status=VerificationEngagement.Status.ASSIGNED)
    response, few = home(client, verifier)
    queues = sections(response)
    assert queues["Engagements to accept or decline"].count == 1
    assert reverse("ui:engagement_detail", args=[assigned.pk]) in response.content.decode()

    for _n in range(25):
        f.EngagementFactory(
            firm=f.FirmFactory(market=firm.market), body=body, year=2025, status=VerificationEngagement.Status.ASSIGNED
        )
    response, many = home(client, verifier)
    assert many <= few and sections(response)["Engagements to accept or decline"].count == 26

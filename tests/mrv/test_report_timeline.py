"""The regulator's one view of a report's whole life, in the admin."""

from decimal import Decimal

import pytest
from django.urls import reverse

from mrv.models import EmissionReport, Finding
from mrv.services import review, spot_checks
from mrv.services import verification as svc
from mrv.timeline import report_timeline
from tests.factories import certified
from tests.verification_world import *  # noqa: F403
from tests.verification_world import firm_resubmits, submitted_report

R = EmissionReport.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def lived(firm, body, regulator, regulator_head, verifier, team_verifier, firm_user, firm_approver, spot_checker):
    """A Shanghai report taken from submission to determination through the services."""
    report = submitted_report(firm, firm_approver)
    engagement = svc.engagement_assign(firm=firm, year=2025, body=body, acting_user=regulator)
    svc.engagement_accept(engagement=engagement, team=[team_verifier], acting_user=verifier)
    report.refresh_from_db()
    finding = svc.finding_raise(
        report=report,
        kind=Finding.Kind.MISSTATEMENT,
        description="3 月燃煤量少计",
        line_key="coal:2025-03",
        amount_tco2e=Decimal("500"),
        acting_user=team_verifier,
    )
    svc.report_return_to_firm(report=report, acting_user=team_verifier)
    svc.finding_answer(finding=finding, text="已按发票更正", acting_user=firm_user)
    firm_resubmits(report, firm_approver)
    svc.finding_close(finding=finding, resolution="corrected", acting_user=verifier)
    svc.verification_plan_save(
        engagement=engagement,
        document_review="台账",
        site_visit_dates=["2026-04-09"],
        site_team=[verifier],
        sampling="3 月",
        acting_user=verifier,
    )
    svc.report_sign_off(
        certification=certified("verifier_opinion"),
        report=report,
        outcome="satisfactory",
        verified_emissions_tco2e=report.reported_emissions_tco2e,
        acting_user=verifier,
    )
    spot_checks.spot_check_draw(market=firm.market, year=2025, acting_user=regulator, seed=1)
    report.refresh_from_db()
    spot_checks.spot_check_confirm(report=report, acting_user=spot_checker, comment="无异议")
    review.determination_propose(report=report, acting_user=regulator)
    review.determination_approve(report=report, acting_user=regulator_head)
    report.refresh_from_db()
    return report


def test_the_timeline_holds_every_kind_of_event_in_time_order(lived):
    entries = report_timeline(lived)
    assert {e.kind for e in entries} == {
        "version",
        "transition",
        "assignment",
        "finding",
        "answer",
        "plan",
        "opinion",
        "spot_check",
        "decision",
    }
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    moves = [e.states for e in entries if e.kind == "transition" and e.states[1]]
    assert moves[0] == ("draft", "submitted") and moves[-1] == ("determination_proposed", "determined")
    assert any(e.kind == "answer" and e.detail == "已按发票更正" for e in entries)


def test_the_regulator_opens_the_timeline_in_the_admin(client, lived, regulator):
    client.force_login(regulator)
    change = client.get(reverse("admin:mrv_emissionreport_change", args=[lived.pk]))
    url = reverse("admin:mrv_emissionreport_timeline", args=[lived.pk])
    assert url in change.content.decode()
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    for text in (
        "已按发票更正",
        "3 月燃煤量少计",
        "mrv.emissionreport.approve_determination",
        "无异议",
        "mrv.verificationengagement.accept",
        "timeline-version",
    ):
        assert text in body, text


def test_another_markets_regulator_cannot_open_the_timeline(client, lived, other_regulator):
    client.force_login(other_regulator)
    page = client.get(reverse("admin:mrv_emissionreport_timeline", args=[lived.pk]))
    assert page.status_code == 302 and "已按发票更正" not in client.get(page["Location"], follow=True).content.decode()


def test_people_outside_the_admin_cannot_open_it(client, lived, firm_user, verifier):
    for user in (firm_user, verifier):
        client.force_login(user)
        page = client.get(reverse("admin:mrv_emissionreport_timeline", args=[lived.pk]))
        assert page.status_code == 302 and "/login/" in page["Location"]


def test_the_timeline_takes_a_fixed_number_of_queries(
    lived, team_verifier, verifier, firm_user, django_assert_max_num_queries
):
    EmissionReport.objects.filter(pk=lived.pk).update(status=R.UNDER_VERIFICATION)
    lived.refresh_from_db()
    for month in range(1, 13):
        finding = svc.finding_raise(
            report=lived,
            kind=Finding.Kind.IMPROVEMENT,
            description=f"{month} 月",
            line_key=f"coal:2025-{month:02d}",
            acting_user=team_verifier,
        )
        svc.finding_answer(finding=finding, text="好的", acting_user=firm_user)
    with django_assert_max_num_queries(16):
        entries = report_timeline(lived)
    assert sum(e.kind == "answer" for e in entries) == 13


def test_workflow_records_are_read_only_in_the_admin(client, lived, regulator):
    client.force_login(regulator)
    finding = Finding.objects.first()
    page = client.get(reverse("admin:mrv_finding_change", args=[finding.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    for name in (
        "finding",
        "verificationopinion",
        "spotchecksample",
        "spotcheckitem",
        "determination",
        "verificationplan",
        "quarterlyreview",
    ):
        assert client.get(reverse(f"admin:mrv_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:mrv_{name}_add")).status_code == 403


def test_the_findings_list_in_the_admin_takes_a_fixed_number_of_queries(
    client, lived, regulator, team_verifier, django_assert_max_num_queries
):
    EmissionReport.objects.filter(pk=lived.pk).update(status=R.UNDER_VERIFICATION)
    lived.refresh_from_db()
    for month in range(1, 13):
        svc.finding_raise(
            report=lived, kind=Finding.Kind.IMPROVEMENT, description=f"{month} 月", acting_user=team_verifier
        )
    client.force_login(regulator)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("admin:mrv_finding_changelist"))
    assert page.status_code == 200 and page.content.decode().count("coal:2025-03") == 1

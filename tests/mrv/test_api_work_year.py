"""A verifier's, a spot checker's and a regulator's whole year through the API alone, against the same year
driven through the browser's services for a twin firm: the two years leave the same states, figures, findings,
opinions, determinations and audit trail.

The firm's own part (submitting the report, answering findings) runs through the firm's services in both years:
it is the subject of the firm's endpoints, not of these."""

from decimal import Decimal

import pytest

from mrv.models import EmissionReport, SpotCheckItem, User, VerificationEngagement
from mrv.services import review, spot_checks
from mrv.services import verification as svc
from tests import factories as f
from tests.mrv.api_work import api, ok, second_factor, year_summary
from tests.verification_world import submitted_report

pytestmark = pytest.mark.django_db
S = EmissionReport.Status
PLAN = {
    "document_review": "Fuel invoices, meter logs",
    "site_visit_dates": ["2026-04-08"],
    "sampling": "3 months of coal deliveries",
}


@pytest.fixture
def twins(shanghai, firm, firm_approver):
    twin = f.FirmFactory(name="上海孪生电厂有限公司", market=shanghai, sector=f.sector("power"))
    twin_approver = f.UserFactory(role=User.Role.FIRM_APPROVER, firm=twin)
    return (submitted_report(firm, firm_approver), firm_approver), (
        submitted_report(twin, twin_approver),
        twin_approver,
    )


def _engagement(report) -> VerificationEngagement:
    return VerificationEngagement.objects.get(firm_id=report.firm_id, year=report.year)


def _through_the_api(report, approver, *, body, regulator, verifier, team_verifier) -> None:
    """Assignment to sign-off, the verifier's and regulator's steps through the API."""
    officer, lead = api(regulator), api(verifier)
    engagement = _engagement(report)
    queue = {q["key"]: q for q in ok(officer.get("/api/v1/queues/"))}
    assert queue["engagements_to_assign"]["count"] == 2
    eligible = ok(officer.get(f"/api/v1/engagements/{engagement.pk}/eligibility/"))
    assert {"body": body.pk, "name": body.name, "eligible": True, "refusals": []} in eligible
    assert ok(officer.post(f"/api/v1/engagements/{engagement.pk}/assign/", {"body": body.pk}))["status"] == "assigned"
    assert ok(lead.get("/api/v1/engagements/", {"status": "assigned"}))["count"] == 1
    accepted = ok(lead.post(f"/api/v1/engagements/{engagement.pk}/accept/", {"team": [team_verifier.pk]}))
    assert (accepted["status"], accepted["team"]) == ("accepted", [team_verifier.pk])
    plan = {**PLAN, "site_team": [verifier.pk, team_verifier.pk]}
    assert ok(lead.put(f"/api/v1/engagements/{engagement.pk}/plan/", plan))["sampling"] == PLAN["sampling"]
    state = ok(lead.get(f"/api/v1/reports/{report.pk}/verification/"))
    assert state["report"]["status"] == "under_verification"
    misstatement = ok(
        lead.post(
            "/api/v1/findings/",
            {
                "report": report.pk,
                "kind": "misstatement",
                "line_key": "coal:2025-03",
                "description": "三月燃煤发票与报告不符",
                "amount_tco2e": "500.00",
            },
        ),
        201,
    )
    gap = ok(
        lead.post("/api/v1/findings/", {"report": report.pk, "kind": "non_conformity", "description": "缺少校准记录"}),
        201,
    )
    _firm_answers(misstatement["id"], gap["id"], approver=approver)
    assert (
        ok(lead.post(f"/api/v1/findings/{misstatement['id']}/close/", {"resolution": "not_corrected"}))["status"]
        == "closed"
    )
    assert ok(lead.post(f"/api/v1/findings/{gap['id']}/reopen/", {"reason": "记录不完整"}))["status"] == "reopened"
    _firm_answers_again(gap["id"], approver)
    ok(lead.post(f"/api/v1/findings/{gap['id']}/close/", {"reason": "已补充"}))
    materiality = ok(lead.get(f"/api/v1/reports/{report.pk}/materiality/"))
    assert (materiality["uncorrected_tco2e"], materiality["is_material"]) == ("500.00", False)
    figure = Decimal(materiality["reported_emissions_tco2e"]).quantize(Decimal("1"))
    opinion = ok(
        lead.post(
            f"/api/v1/reports/{report.pk}/sign-off/",
            {
                "outcome": "satisfactory",
                "verified_emissions_tco2e": str(figure),
                "difference_reason": "取整",
                "comments": "核查无重大问题",
                "certify": True,
            },
            HTTP_X_SECOND_FACTOR=second_factor(verifier)[0],
        ),
        201,
    )
    assert opinion["outcome"] == "satisfactory"


def _firm_answers(*finding_ids, approver) -> None:
    from mrv.models import Finding

    for finding in Finding.objects.filter(pk__in=finding_ids).order_by("pk"):
        svc.finding_answer(finding=finding, text="已更正", acting_user=approver)


def _firm_answers_again(finding_id, approver) -> None:
    from mrv.models import Finding

    svc.finding_answer(finding=Finding.objects.get(pk=finding_id), text="已补充校准记录", acting_user=approver)


def _through_the_services(report, approver, *, body, regulator, verifier, team_verifier) -> None:
    """The same steps, as the browser's views call the services."""
    from mrv.models import Finding

    engagement = _engagement(report)
    svc.engagement_assign(firm=engagement.firm, year=engagement.year, body=body, acting_user=regulator)
    engagement.refresh_from_db()
    svc.engagement_accept(engagement=engagement, team=[team_verifier], acting_user=verifier)
    svc.verification_plan_save(engagement=engagement, site_team=[verifier, team_verifier], acting_user=verifier, **PLAN)
    report.refresh_from_db()
    misstatement = svc.finding_raise(
        report=report,
        kind="misstatement",
        line_key="coal:2025-03",
        description="三月燃煤发票与报告不符",
        amount_tco2e=Decimal("500.00"),
        acting_user=verifier,
    )
    gap = svc.finding_raise(report=report, kind="non_conformity", description="缺少校准记录", acting_user=verifier)
    _firm_answers(misstatement.pk, gap.pk, approver=approver)
    svc.finding_close(finding=Finding.objects.get(pk=misstatement.pk), resolution="not_corrected", acting_user=verifier)
    svc.finding_reopen(finding=Finding.objects.get(pk=gap.pk), reason="记录不完整", acting_user=verifier)
    _firm_answers_again(gap.pk, approver)
    svc.finding_close(finding=Finding.objects.get(pk=gap.pk), reason="已补充", acting_user=verifier)
    report.refresh_from_db()
    figure = report.reported_emissions_tco2e.quantize(Decimal("1"))
    svc.report_sign_off(
        report=report,
        outcome="satisfactory",
        verified_emissions_tco2e=figure,
        difference_reason="取整",
        comments="核查无重大问题",
        acting_user=verifier,
        certification=f.certified("verifier_opinion"),
    )


def test_a_verifiers_spot_checkers_and_regulators_year_through_the_api_equals_the_browsers(
    twins, body, spot_body, regulator, regulator_head, verifier, team_verifier, spot_checker
):
    (by_api, api_approver), (by_browser, browser_approver) = twins
    people = {"body": body, "regulator": regulator, "verifier": verifier, "team_verifier": team_verifier}
    _through_the_api(by_api, api_approver, **people)
    _through_the_services(by_browser, browser_approver, **people)
    # The regulator draws the year's spot-check sample once (through the API); what the draw left out is added by hand.
    officer, head, checker = api(regulator), api(regulator_head), api(spot_checker)
    sample = ok(officer.post("/api/v1/spot-check-samples/", {"year": 2025, "seed": 7}), 201)
    if by_api.pk not in sample["reports"]:
        ok(officer.post(f"/api/v1/reports/{by_api.pk}/add-to-sample/", {"comment": ""}))
    if by_browser.pk not in sample["reports"]:
        spot_checks.spot_check_add_report(report=by_browser, reason="", acting_user=regulator)
    by_browser.refresh_from_db()
    todo = ok(checker.get("/api/v1/spot-check-items/", {"outcome": "pending"}))
    assert {row["report"] for row in todo["results"]} == {by_api.pk, by_browser.pk}
    assert (
        ok(checker.post(f"/api/v1/reports/{by_api.pk}/spot-check/confirm/", {"text": "抽查无异议"}))["outcome"]
        == "confirmed"
    )
    spot_checks.spot_check_confirm(report=by_browser, comment="抽查无异议", acting_user=spot_checker)
    # Review: an officer proposes, a head approves with a second factor, the officer closes.
    queue = {q["key"]: q for q in ok(officer.get("/api/v1/queues/"))}
    assert queue["regulator_queue"]["count"] == 2
    assert ok(officer.post(f"/api/v1/reports/{by_api.pk}/propose-determination/", {"comment": "采用核查值"}))[
        "status"
    ] == (S.DETERMINATION_PROPOSED)
    refused = head.post(f"/api/v1/reports/{by_api.pk}/approve-determination/", {"comment": "同意"})
    assert (refused.status_code, refused.json()["code"]) == (403, "step_up_required")
    codes = second_factor(regulator_head)
    approved = head.post(
        f"/api/v1/reports/{by_api.pk}/approve-determination/", {"comment": "同意"}, HTTP_X_SECOND_FACTOR=codes[0]
    )
    assert ok(approved)["status"] == S.DETERMINED
    assert ok(officer.post(f"/api/v1/reports/{by_api.pk}/close/"))["status"] == S.CLOSED
    by_browser.refresh_from_db()
    review.determination_propose(report=by_browser, reasons="采用核查值", acting_user=regulator)
    review.determination_approve(report=by_browser, reason="同意", acting_user=regulator_head)
    review.report_close(report=by_browser, acting_user=regulator)

    api_year, browser_year = year_summary(by_api), year_summary(by_browser)
    assert api_year["report"][0] == S.CLOSED and api_year["engagement"][0] == VerificationEngagement.Status.COMPLETED
    assert api_year == browser_year
    assert SpotCheckItem.objects.filter(outcome="confirmed").count() == 2

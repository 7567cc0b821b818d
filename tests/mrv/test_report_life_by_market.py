"""The whole life of an annual report under each of the nine markets' rules.

submitted → under verification → returned to the firm ⇄ resubmitted → verified → (spot check where the
market has one) → regulator review → determination proposed → determined → closed.
"""

from decimal import Decimal

import pytest

from mrv.calculation import gwp
from mrv.models import AuditLog, EmissionReport, Finding, User, VerificationBody, VerificationEngagement
from mrv.services import review, spot_checks
from mrv.services import verification as svc
from mrv.transitions import TransitionRefused
from tests import factories as f
from tests.factories import certified
from tests.verification_world import *  # noqa: F403
from tests.verification_world import firm_resubmits, person, set_reported, submitted_report

R = EmissionReport.Status
pytestmark = pytest.mark.django_db
MARKETS = ["national", "beijing", "tianjin", "shanghai", "guangdong", "shenzhen", "hubei", "chongqing", "fujian"]
QUALIFICATION_MARKETS = {"beijing", "shanghai", "guangdong", "hubei"}
PLAN_MARKETS = {"shanghai", "chongqing", "guangdong", "hubei", "shenzhen"}
SPOT_CHECK_MARKETS = {"shanghai", "beijing", "hubei"}


def world(code: str) -> dict:
    market = f.market(code)
    pack = market.rule_pack_for(2025)
    sector = pack.sectors.first().sector
    authority = f.AuthorityFactory(market=market)
    body = f.BodyFactory(markets=[market], sectors=[sector])
    spot_body = f.BodyFactory(kind=VerificationBody.Kind.SPOT_CHECK, markets=[market])
    firm = f.FirmFactory(market=market, sector=sector)
    w = {
        "market": market,
        "pack": pack,
        "sector": sector,
        "body": body,
        "firm": firm,
        "officer": person(User.Role.REGULATOR_OFFICER, authority=authority),
        "head": person(User.Role.REGULATOR_HEAD, authority=authority),
        "lead": person(User.Role.LEAD_VERIFIER, body=body),
        "member": person(User.Role.VERIFIER, body=body),
        "checker": person(User.Role.SPOT_CHECKER, body=spot_body),
        "reporter": person(User.Role.FIRM_REPORTER, firm=firm),
        "approver": person(User.Role.FIRM_APPROVER, firm=firm),
    }
    return w


def test_the_paper_groups_the_markets_rules_as_the_tests_assume():
    packs = {code: f.market(code).rule_pack_for(2025) for code in MARKETS}
    assert {c for c, p in packs.items() if p.verifier_eligibility == "sector_qualification"} == QUALIFICATION_MARKETS
    assert {c for c, p in packs.items() if p.verification_plan_required} == PLAN_MARKETS
    assert {c for c, p in packs.items() if p.spot_check} == SPOT_CHECK_MARKETS


@pytest.mark.parametrize("code", MARKETS)
def test_eligibility_follows_the_market(code):
    w = world(code)
    registered_only = f.BodyFactory(markets=[w["market"]], sectors=[])
    qualified_only = f.BodyFactory(markets=[], sectors=[w["sector"]])
    if code in QUALIFICATION_MARKETS:
        assert svc.assignment_refusals(registered_only, w["firm"], 2025) != []
        assert svc.assignment_refusals(qualified_only, w["firm"], 2025) == []
    else:
        assert svc.assignment_refusals(registered_only, w["firm"], 2025) == []
        assert svc.assignment_refusals(qualified_only, w["firm"], 2025) != []


@pytest.mark.parametrize("code", MARKETS)
def test_the_whole_life_of_a_report(code):
    w = world(code)
    report, lead = submitted_report(w["firm"], w["approver"]), w["lead"]
    reported = report.reported_emissions_tco2e
    assert reported > 0
    engagement = svc.engagement_assign(firm=w["firm"], year=2025, body=w["body"], acting_user=w["officer"])
    svc.engagement_accept(engagement=engagement, team=[w["member"]], acting_user=lead)
    report.refresh_from_db()
    assert report.status == R.UNDER_VERIFICATION

    finding = svc.finding_raise(
        report=report,
        kind=Finding.Kind.MISSTATEMENT,
        description="燃料量少计",
        line_key="boiler-coal:2025-03",
        amount_tco2e=Decimal("1000"),
        acting_user=w["member"],
    )
    svc.report_return_to_firm(report=report, acting_user=w["member"])
    svc.finding_answer(finding=finding, text="已更正", acting_user=w["reporter"])
    firm_resubmits(report, w["approver"])
    svc.finding_close(finding=finding, resolution=Finding.Resolution.CORRECTED, acting_user=lead)

    sign = {
        "report": report,
        "outcome": "satisfactory",
        "verified_emissions_tco2e": reported,
        "acting_user": lead,
        "certification": certified("verifier_opinion"),
    }
    if code in PLAN_MARKETS:
        with pytest.raises(TransitionRefused) as refused:
            svc.report_sign_off(**sign)
        assert refused.value.code == "plan_required"
        svc.verification_plan_save(
            engagement=engagement,
            document_review="台账、发票",
            site_visit_dates=["2026-04-10"],
            site_team=[lead, w["member"]],
            sampling="3、7、11 月",
            acting_user=lead,
        )
    svc.report_sign_off(**sign)
    report.refresh_from_db()
    assert report.status == R.VERIFIED

    if code in SPOT_CHECK_MARKETS:
        with pytest.raises(TransitionRefused):
            review.report_send_to_review(report=report, acting_user=w["officer"])
        sample = spot_checks.spot_check_draw(market=w["market"], year=2025, seed=1)
        assert [i.report_id for i in sample.items.all()] == [report.pk]  # ceil(10 % × 1) = 1
        report.refresh_from_db()
        spot_checks.spot_check_confirm(report=report, acting_user=w["checker"])
    else:
        with pytest.raises(TransitionRefused):
            spot_checks.spot_check_draw(market=w["market"], year=2025)
        review.report_send_to_review(report=report, acting_user=w["officer"])
    report.refresh_from_db()
    assert report.status == R.REGULATOR_REVIEW

    review.determination_propose(report=report, acting_user=w["officer"])
    review.determination_approve(report=report, acting_user=w["head"])
    review.report_close(report=report, acting_user=w["officer"])
    report.refresh_from_db()
    engagement.refresh_from_db()
    assert (report.status, report.determined_emissions_tco2e) == (R.CLOSED, reported)
    assert engagement.status == VerificationEngagement.Status.COMPLETED

    middle = ["select_for_spot_check", "confirm_spot_check"] if code in SPOT_CHECK_MARKETS else ["send_to_review"]
    expected = [
        "submit",
        "start_verification",
        "return_to_firm",
        "resubmit",
        "sign_off",
        *middle,
        "propose_determination",
        "approve_determination",
        "close",
    ]
    moves = AuditLog.objects.for_object(report).exclude(to_state="").order_by("id")
    actions = moves.values_list("action", flat=True)
    assert [a.removeprefix("mrv.emissionreport.") for a in actions] == expected


def test_chongqing_counts_all_six_gases_in_materiality():
    w = world("chongqing")
    assert w["pack"].gases == ["CO2", "CH4", "N2O", "HFCs", "PFCs", "SF6"]
    report = f.ReportFactory(firm=w["firm"], year=2025, status=R.SUBMITTED)
    EmissionReport.objects.filter(pk=report.pk).update(status=R.UNDER_VERIFICATION)
    f.EngagementFactory(firm=w["firm"], body=w["body"], status="accepted", lead_verifier=w["lead"])
    set_reported(report, 262500)
    report.refresh_from_db()
    # 2 t CF4 from the electrolysis cells left out: 2 × 6,500 (SAR GWP) = 13,000 tCO2e.
    pfc_tco2e = Decimal("2") * gwp("CF4", w["pack"].gwp_set)
    svc.finding_raise(
        report=report,
        kind=Finding.Kind.MISSTATEMENT,
        description="阳极效应 CF4 未计",
        line_key="cell-cf4:2025-05",
        amount_tco2e=pfc_tco2e,
        acting_user=w["lead"],
    )
    # 13,000 / 262,500 = 4.952… % < 5 %: not material, comments suggested.
    m = svc.materiality(report)
    assert (m.uncorrected_tco2e, m.ratio_pct, m.is_material, m.suggested_outcome) == (
        Decimal("13000"),
        Decimal("4.95"),
        False,
        "with_comments",
    )
    # 3 t CF4 would be 19,500 t = 7.43 %: material.
    svc.finding_raise(
        report=report,
        kind=Finding.Kind.MISSTATEMENT,
        description="SF6 开关泄漏未计",
        line_key="switchgear-sf6:2025-09",
        amount_tco2e=Decimal("0.3") * gwp("SF6", "SAR"),
        acting_user=w["lead"],
    )  # 0.3 × 23,900 = 7,170 t; total 20,170 t = 7.68 %
    m = svc.materiality(report)
    assert (m.uncorrected_tco2e, m.ratio_pct, m.is_material) == (Decimal("20170"), Decimal("7.68"), True)

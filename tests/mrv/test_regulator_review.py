"""The regulator's review: returns with reasons, determinations with four eyes, conservative estimates, closing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from mrv.models import Determination, EmissionReport, User, VerificationEngagement
from mrv.services import review
from mrv.transitions import REASON_REQUIRED, TransitionRefused
from mrv.workflow import verification as rules
from tests import factories as f
from tests.verification_world import *  # noqa: F403
from tests.verification_world import assert_logged, assert_queued, person, verified_report

R = EmissionReport.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(firm, body, verifier):
    """Verified at 604,500 t (Shanghai), spot check passed: with the regulator."""
    return verified_report(firm, 604500, body=body, lead=verifier, status=R.REGULATOR_REVIEW)


@pytest.fixture
def not_verified(firm, body, verifier):
    """As `in_review`, but the opinion says not verified (opinions are append-only: signed so from the start)."""
    return verified_report(
        firm,
        604500,
        body=body,
        lead=verifier,
        status=R.REGULATOR_REVIEW,
        outcome="not_verified",
        not_verified_reason="data_limitations",
    )


def on(monkeypatch, day: str) -> None:
    monkeypatch.setattr(rules, "today", lambda: datetime.date.fromisoformat(day))


def test_the_regulator_returns_the_report_to_the_verifier_with_reasons(in_review, regulator, wired):
    with pytest.raises(TransitionRefused) as refused:
        review.report_return_to_verifier(report=in_review, reason="", acting_user=regulator)
    assert refused.value.message == REASON_REQUIRED
    review.report_return_to_verifier(report=in_review, reason="请说明外购电排放因子取值", acting_user=regulator)
    in_review.refresh_from_db()
    assert in_review.status == R.UNDER_VERIFICATION
    assert_logged(
        in_review,
        "mrv.emissionreport.return_to_verifier",
        regulator,
        R.REGULATOR_REVIEW,
        R.UNDER_VERIFICATION,
        "请说明外购电排放因子取值",
    )
    assert_queued("mrv.emissionreport.return_to_verifier", emissionreport_id=in_review.pk)


def test_the_regulator_returns_the_report_to_the_firm_with_reasons(in_review, regulator_head, wired):
    review.report_regulator_return_to_firm(
        report=in_review, reason="监测计划未覆盖备用锅炉", acting_user=regulator_head
    )
    in_review.refresh_from_db()
    assert in_review.status == R.RETURNED_TO_FIRM
    assert_logged(
        in_review,
        "mrv.emissionreport.regulator_return_to_firm",
        regulator_head,
        R.REGULATOR_REVIEW,
        R.RETURNED_TO_FIRM,
        "监测计划未覆盖备用锅炉",
    )
    assert_queued("mrv.emissionreport.regulator_return_to_firm", emissionreport_id=in_review.pk)


def test_an_officer_proposes_the_verified_figure_and_a_head_approves(in_review, regulator, regulator_head, wired):
    proposal = review.determination_propose(report=in_review, acting_user=regulator, reasons="材料完整")
    in_review.refresh_from_db()
    assert in_review.status == R.DETERMINATION_PROPOSED and in_review.determined_emissions_tco2e is None
    assert (proposal.basis, proposal.emissions_tco2e) == (Determination.Basis.VERIFIED_FIGURE, Decimal("604500"))
    assert_logged(
        in_review,
        "mrv.emissionreport.propose_determination",
        regulator,
        R.REGULATOR_REVIEW,
        R.DETERMINATION_PROPOSED,
        "材料完整",
    )
    assert_queued("mrv.emissionreport.propose_determination", emissionreport_id=in_review.pk)

    review.determination_approve(report=in_review, acting_user=regulator_head, reason="同意")
    in_review.refresh_from_db()
    proposal.refresh_from_db()
    assert in_review.status == R.DETERMINED and in_review.determined_emissions_tco2e == Decimal("604500")
    assert (proposal.decision, proposal.decided_by) == (Determination.Decision.APPROVED, regulator_head)
    row = assert_logged(
        in_review,
        "mrv.emissionreport.approve_determination",
        regulator_head,
        R.DETERMINATION_PROPOSED,
        R.DETERMINED,
        "同意",
    )
    assert row.changes["determined_emissions_tco2e"] == [None, "604500"]
    assert_queued("mrv.emissionreport.approve_determination", emissionreport_id=in_review.pk)


def test_the_proposer_cannot_approve_their_own_determination(in_review, regulator_head):
    review.determination_propose(report=in_review, acting_user=regulator_head)
    with pytest.raises(TransitionRefused) as refused:
        review.determination_approve(report=in_review, acting_user=regulator_head)
    assert refused.value.message == review.FOUR_EYES
    in_review.refresh_from_db()
    assert in_review.status == R.DETERMINATION_PROPOSED and in_review.determined_emissions_tco2e is None
    assert Determination.objects.get().decision == Determination.Decision.PENDING


def test_a_case_officer_cannot_approve(in_review, regulator, shanghai_authority):
    review.determination_propose(report=in_review, acting_user=regulator)
    second_officer = person(User.Role.REGULATOR_OFFICER, authority=shanghai_authority)
    with pytest.raises(PermissionDenied):
        review.determination_approve(report=in_review, acting_user=second_officer)


def test_another_markets_head_cannot_approve(in_review, regulator, beijing_authority):
    review.determination_propose(report=in_review, acting_user=regulator)
    beijing_head = person(User.Role.REGULATOR_HEAD, authority=beijing_authority)
    with pytest.raises(PermissionDenied):
        review.determination_approve(report=in_review, acting_user=beijing_head)


def test_a_head_rejects_with_reasons_and_the_report_goes_back(in_review, regulator, regulator_head, wired):
    review.determination_propose(report=in_review, acting_user=regulator)
    with pytest.raises(TransitionRefused):
        review.determination_reject(report=in_review, reason=" ", acting_user=regulator_head)
    review.determination_reject(report=in_review, reason="需核对上年数据", acting_user=regulator_head)
    in_review.refresh_from_db()
    assert in_review.status == R.REGULATOR_REVIEW
    assert Determination.objects.get().decision == Determination.Decision.REJECTED
    assert_logged(
        in_review,
        "mrv.emissionreport.reject_determination",
        regulator_head,
        R.DETERMINATION_PROPOSED,
        R.REGULATOR_REVIEW,
        "需核对上年数据",
    )
    assert_queued("mrv.emissionreport.reject_determination", emissionreport_id=in_review.pk)


def test_a_not_verified_report_gets_no_verified_figure_but_a_conservative_estimate(
    not_verified, regulator, regulator_head, wired
):
    with pytest.raises(TransitionRefused) as refused:
        review.determination_propose(report=not_verified, acting_user=regulator)
    assert refused.value.message == review.NOTHING_VERIFIED
    # Conservative: the highest of the last three verified years (598,000 / 604,500 / 612,000) plus 10 %.
    proposal = review.determination_propose_conservative_estimate(
        report=not_verified,
        emissions_tco2e=Decimal("673200"),
        basis_text="近三年最高核查值 612,000 t × 1.1",
        reasons="核查结论为不予核证（数据受限）",
        acting_user=regulator,
    )
    not_verified.refresh_from_db()
    assert not_verified.status == R.DETERMINATION_PROPOSED
    assert (proposal.basis, proposal.from_state) == (Determination.Basis.CONSERVATIVE_ESTIMATE, R.REGULATOR_REVIEW)
    assert_logged(
        not_verified,
        "mrv.emissionreport.propose_conservative_estimate",
        regulator,
        R.REGULATOR_REVIEW,
        R.DETERMINATION_PROPOSED,
        "核查结论为不予核证（数据受限）",
    )
    assert_queued("mrv.emissionreport.propose_conservative_estimate", emissionreport_id=not_verified.pk)
    review.determination_approve(report=not_verified, acting_user=regulator_head)
    not_verified.refresh_from_db()
    assert not_verified.determined_emissions_tco2e == Decimal("673200")


@pytest.mark.parametrize(
    ("figure", "basis", "reasons", "message"),
    [
        ("0", "b", "r", review.ESTIMATE_FIGURE_REQUIRED % {"value": "0"}),
        ("12.5", "b", "r", review.ESTIMATE_FIGURE_REQUIRED % {"value": "12.5"}),
        ("abc", "b", "r", review.ESTIMATE_FIGURE_REQUIRED % {"value": "abc"}),
        ("1000", "", "r", review.ESTIMATE_BASIS_REQUIRED),
        ("1000", "b", " ", review.ESTIMATE_REASONS_REQUIRED),
    ],
)
def test_an_incomplete_estimate_is_refused(not_verified, regulator, figure, basis, reasons, message):
    with pytest.raises(TransitionRefused) as refused:
        review.determination_propose_conservative_estimate(
            report=not_verified, emissions_tco2e=figure, basis_text=basis, reasons=reasons, acting_user=regulator
        )
    assert refused.value.message == message
    assert not Determination.objects.exists()


def test_a_verified_report_in_review_gets_no_conservative_estimate(in_review, regulator):
    with pytest.raises(TransitionRefused) as refused:
        review.determination_propose_conservative_estimate(
            report=in_review, emissions_tco2e=1, basis_text="b", reasons="r", acting_user=regulator
        )
    assert refused.value.code == "estimate"


def test_a_late_draft_is_estimated_and_a_rejection_returns_it_to_draft(firm, regulator, regulator_head, monkeypatch):
    report = f.ReportFactory(firm=firm, year=2025, status=R.DRAFT)
    on(monkeypatch, "2026-03-31")  # Shanghai's report deadline for 2025: not late yet
    with pytest.raises(TransitionRefused) as refused:
        review.determination_propose_conservative_estimate(
            report=report, emissions_tco2e=700000, basis_text="b", reasons="r", acting_user=regulator
        )
    assert refused.value.message == review.ESTIMATE_NOT_ALLOWED % {"due": datetime.date(2026, 3, 31)}
    on(monkeypatch, "2026-04-01")
    review.determination_propose_conservative_estimate(
        report=report, emissions_tco2e=700000, basis_text="上年核查值上浮", reasons="逾期未提交", acting_user=regulator
    )
    report.refresh_from_db()
    assert report.status == R.DETERMINATION_PROPOSED
    review.determination_reject(report=report, reason="先催报", acting_user=regulator_head)
    report.refresh_from_db()
    assert report.status == R.DRAFT


def test_a_submitted_report_is_late_after_the_verification_deadline(firm, regulator, monkeypatch):
    report = f.ReportFactory(firm=firm, year=2025, status=R.SUBMITTED)
    on(monkeypatch, "2026-04-30")
    assert not rules.conservative_estimate_allowed(report)
    on(monkeypatch, "2026-05-01")
    assert rules.conservative_estimate_allowed(report)


def test_a_firm_that_never_reported_is_estimated(firm, regulator, regulator_head, monkeypatch):
    on(monkeypatch, "2026-06-01")
    report = review.report_open_for_estimate(firm=firm, year=2025, acting_user=regulator)
    assert_logged(report, "mrv.emissionreport.opened_for_estimate", regulator, "", R.DRAFT)
    with pytest.raises(TransitionRefused):
        review.report_open_for_estimate(firm=firm, year=2025, acting_user=regulator)
    review.determination_propose_conservative_estimate(
        report=report, emissions_tco2e=650000, basis_text="b", reasons="未报告", acting_user=regulator
    )
    review.determination_approve(report=report, acting_user=regulator_head)
    report.refresh_from_db()
    assert (report.status, report.determined_emissions_tco2e) == (R.DETERMINED, Decimal("650000"))


def test_only_the_firms_regulator_opens_a_report_for_an_estimate(firm, other_regulator, firm_user):
    for user in (other_regulator, firm_user):
        with pytest.raises(PermissionDenied):
            review.report_open_for_estimate(firm=firm, year=2025, acting_user=user)


def test_closing_completes_the_engagement(in_review, regulator, regulator_head, wired):
    review.determination_propose(report=in_review, acting_user=regulator)
    review.determination_approve(report=in_review, acting_user=regulator_head)
    review.report_close(report=in_review, acting_user=regulator)
    in_review.refresh_from_db()
    engagement = VerificationEngagement.objects.get(firm=in_review.firm, year=2025)
    assert (in_review.status, engagement.status) == (R.CLOSED, VerificationEngagement.Status.COMPLETED)
    assert_logged(in_review, "mrv.emissionreport.close", regulator, R.DETERMINED, R.CLOSED)
    assert_logged(engagement, "mrv.verificationengagement.complete", regulator, "accepted", "completed")
    assert_queued("mrv.emissionreport.close", emissionreport_id=in_review.pk)
    assert_queued("mrv.verificationengagement.complete", verificationengagement_id=engagement.pk)


def test_verifiers_and_firms_cannot_review(in_review, verifier, firm_approver):
    for user in (verifier, firm_approver):
        with pytest.raises(PermissionDenied):
            review.determination_propose(report=in_review, acting_user=user)
        with pytest.raises(PermissionDenied):
            review.report_return_to_verifier(report=in_review, reason="x", acting_user=user)

"""Shenzhen's quarterly reports: co-reviewed by the regulator and the statistics bureau; both must accept."""

import pytest
from django.core.exceptions import PermissionDenied

from mrv.models import Authority, EmissionReport, QuarterlyReview, User
from mrv.services import review
from mrv.transitions import REASON_REQUIRED, TransitionRefused
from tests import factories as f
from tests.verification_world import *  # noqa: F403
from tests.verification_world import assert_logged, assert_queued, firm_submits, person, submitted_report

R = EmissionReport.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def shenzhen():
    return f.market("shenzhen")


@pytest.fixture
def sz_officer(shenzhen):
    return person(User.Role.REGULATOR_OFFICER, authority=f.AuthorityFactory(market=shenzhen))


@pytest.fixture
def sz_stats(shenzhen):
    bureau = f.AuthorityFactory(kind=Authority.Kind.STATISTICS_BUREAU, market=shenzhen)
    return person(User.Role.STATISTICS_OFFICER, authority=bureau)


@pytest.fixture
def sz_firm(shenzhen):
    return f.FirmFactory(market=shenzhen, sector=f.sector("transport"))


@pytest.fixture
def sz_approver(sz_firm):
    return person(User.Role.FIRM_APPROVER, firm=sz_firm)


@pytest.fixture
def q1(sz_firm, sz_approver):
    """Q1 2025 submitted through the firm's services (January to March)."""
    return submitted_report(sz_firm, sz_approver, period=EmissionReport.Period.Q1, months=range(1, 4))


def test_both_co_reviewers_must_accept(q1, sz_officer, sz_stats, wired):
    q1.refresh_from_db()
    assert (q1.status, q1.review_round) == (R.CO_REVIEW, 1)  # the rule pack names co-reviewers: on submission
    assert_logged(q1, "mrv.emissionreport.start_co_review", None, R.SUBMITTED, R.CO_REVIEW)

    review.quarterly_review_accept(report=q1, acting_user=sz_stats, comment="与统计直报一致")
    q1.refresh_from_db()
    assert q1.status == R.CO_REVIEW  # the regulator has not yet accepted
    review.quarterly_review_accept(report=q1, acting_user=sz_officer)
    q1.refresh_from_db()
    assert q1.status == R.ACCEPTED
    assert_logged(q1, "mrv.emissionreport.accept_quarterly", sz_officer, R.CO_REVIEW, R.ACCEPTED)
    assert_queued("mrv.emissionreport.accept_quarterly", emissionreport_id=q1.pk)
    assert set(QuarterlyReview.objects.values_list("reviewer", "decision")) == {
        ("statistics_bureau", "accepted"),
        ("regulator", "accepted"),
    }


def test_either_may_return_with_reasons_and_the_next_round_starts_afresh(q1, sz_officer, sz_stats, sz_approver, wired):
    review.quarterly_review_accept(report=q1, acting_user=sz_officer)
    with pytest.raises(TransitionRefused) as refused:
        review.quarterly_review_return(report=q1, reasons="", acting_user=sz_stats)
    assert refused.value.message == REASON_REQUIRED
    review.quarterly_review_return(report=q1, reasons="3 月用电量与统计直报相差 18%", acting_user=sz_stats)
    q1.refresh_from_db()
    assert q1.status == R.DRAFT
    assert_logged(
        q1, "mrv.emissionreport.return_quarterly", sz_stats, R.CO_REVIEW, R.DRAFT, "3 月用电量与统计直报相差 18%"
    )
    assert_queued("mrv.emissionreport.return_quarterly", emissionreport_id=q1.pk)

    firm_submits(q1, sz_approver)
    q1.refresh_from_db()
    assert q1.review_round == 2
    review.quarterly_review_accept(report=q1, acting_user=sz_stats)
    q1.refresh_from_db()
    assert q1.status == R.CO_REVIEW  # round 1's acceptance by the regulator does not carry over
    review.quarterly_review_accept(report=q1, acting_user=sz_officer)
    q1.refresh_from_db()
    assert q1.status == R.ACCEPTED


def test_a_co_reviewer_decides_once_per_round(q1, sz_officer):
    review.quarterly_review_accept(report=q1, acting_user=sz_officer)
    with pytest.raises(TransitionRefused) as refused:
        review.quarterly_review_accept(report=q1, acting_user=sz_officer)
    assert refused.value.code == "already_reviewed"
    assert QuarterlyReview.objects.count() == 1


def test_outsiders_of_the_market_cannot_co_review(q1, sz_officer, regulator, firm_user, verifier):
    for user in (regulator, firm_user, verifier):
        with pytest.raises(PermissionDenied):
            review.quarterly_review_accept(report=q1, acting_user=user)
    assert not QuarterlyReview.objects.exists()


def test_an_annual_report_has_no_co_review(sz_officer, shenzhen):
    annual = f.ReportFactory(firm=f.FirmFactory(market=shenzhen), status=R.SUBMITTED)
    with pytest.raises(TransitionRefused):
        review.report_start_co_review(report=annual, acting_user=sz_officer)
    annual.refresh_from_db()
    assert annual.status == R.SUBMITTED


def test_the_statistics_officer_sees_the_quarterly_reviews_but_not_annual_findings(q1, sz_officer, sz_stats):
    from mrv import access
    from mrv.models import Finding

    review.quarterly_review_accept(report=q1, acting_user=sz_officer)
    assert access.visible_to(sz_stats, QuarterlyReview).count() == 1
    assert not access.visible_to(sz_stats, Finding).exists()


def test_a_co_review_that_loses_a_race_gets_the_same_refusal_as_a_second_review(q1, sz_officer, monkeypatch):
    """Two requests of the same side both pass the check; the second insert meets the unique rule."""
    review.quarterly_review_accept(report=q1, acting_user=sz_officer)
    monkeypatch.setattr(
        review, "_already_reviewed", lambda report, reviewer: False
    )  # checked before the first committed
    with pytest.raises(TransitionRefused) as refused:
        review.quarterly_review_accept(report=q1, acting_user=sz_officer)
    assert refused.value.code == "already_reviewed"
    assert QuarterlyReview.objects.filter(report=q1).count() == 1

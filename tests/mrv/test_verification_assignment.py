"""The regulator assigns a verification body; the lead verifier accepts (naming the team) or declines."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import TestCase

from mrv.models import ConflictOfInterest, EmissionReport, User, VerificationEngagement
from mrv.services import verification as svc
from mrv.transitions import REASON_REQUIRED, TransitionRefused
from tests import factories as f
from tests.verification_world import *  # noqa: F403
from tests.verification_world import assert_logged, assert_queued, person

E = VerificationEngagement.Status
pytestmark = pytest.mark.django_db


def test_an_eligible_body_has_no_refusals(firm, body):
    assert svc.assignment_refusals(body, firm, 2025) == []


def test_a_body_without_the_sector_qualification_is_refused_in_a_qualification_market(firm, shanghai):
    unqualified = f.BodyFactory(name="无资质机构", markets=[shanghai], sectors=[f.sector("cement")])
    refusals = svc.assignment_refusals(unqualified, firm, 2025)
    assert refusals == [
        str(
            svc.REFUSED_NOT_QUALIFIED
            % {"body": "无资质机构", "market": str(shanghai), "year": 2025, "sector": str(firm.sector)}
        )
    ]


def test_a_qualification_market_does_not_ask_for_registration(firm):
    # Shanghai requires the sub-sector qualification (paper, section 2.2), not a filing.
    qualified_only = f.BodyFactory(markets=[], sectors=[firm.sector])
    assert svc.assignment_refusals(qualified_only, firm, 2025) == []


def test_a_body_not_registered_is_refused_in_a_registration_market():
    tianjin_firm = f.FirmFactory(market=f.market("tianjin"), sector=f.sector("chemicals"))
    qualified_only = f.BodyFactory(name="未备案机构", markets=[], sectors=[f.sector("chemicals")])
    assert svc.assignment_refusals(qualified_only, tianjin_firm, 2025) == [
        str(svc.REFUSED_NOT_REGISTERED % {"body": "未备案机构", "market": str(tianjin_firm.market), "year": 2025})
    ]
    registered = f.BodyFactory(markets=[f.market("tianjin")])
    assert svc.assignment_refusals(registered, tianjin_firm, 2025) == []


def test_a_registration_that_ended_does_not_count(shanghai):
    from mrv.models import VerifierRegistration

    fujian_firm = f.FirmFactory(market=f.market("fujian"))
    lapsed = f.BodyFactory()
    VerifierRegistration.objects.create(
        body=lapsed, market=fujian_firm.market, valid_from_year=2020, valid_to_year=2024
    )
    assert len(svc.assignment_refusals(lapsed, fujian_firm, 2025)) == 1
    assert svc.assignment_refusals(lapsed, fujian_firm, 2024) == []


def test_more_consecutive_years_than_the_market_allows_is_refused(firm, body):
    # Shanghai allows 3 consecutive years: 2022, 2023, 2024 done → 2025 would be the fourth.
    for year in (2022, 2023, 2024):
        f.EngagementFactory(firm=firm, body=body, year=year, status=E.COMPLETED)
    refusals = svc.assignment_refusals(body, firm, 2025)
    assert refusals == [
        str(
            svc.REFUSED_CONSECUTIVE
            % {
                "body": body.name,
                "market": str(firm.market),
                "year": 2025,
                "n": 3,
                "first": 2022,
                "last": 2024,
                "max": 3,
            }
        )
    ]


def test_a_gap_year_restarts_the_consecutive_count(firm, body, other_body):
    for year in (2021, 2022, 2024):
        f.EngagementFactory(firm=firm, body=body, year=year, status=E.COMPLETED)
    f.EngagementFactory(firm=firm, body=other_body, year=2023, status=E.COMPLETED)
    assert svc.assignment_refusals(body, firm, 2025) == []  # only 2024 is consecutive


def test_a_recorded_conflict_of_interest_is_refused(firm, body):
    ConflictOfInterest.objects.create(body=body, firm=firm, description="2024 年为该企业提供碳资产咨询")
    assert svc.assignment_refusals(body, firm, 2025) == [
        str(svc.REFUSED_CONFLICT % {"body": body.name, "description": "2024 年为该企业提供碳资产咨询"})
    ]


def test_a_spot_check_body_cannot_be_assigned_as_verifier(firm, spot_body):
    refusals = svc.assignment_refusals(spot_body, firm, 2025)
    assert str(svc.REFUSED_NOT_THIRD_PARTY % {"body": spot_body.name}) in refusals


def test_regulator_assigns_an_eligible_body(firm, body, regulator, wired):
    engagement = svc.engagement_assign(firm=firm, year=2025, body=body, acting_user=regulator)
    engagement.refresh_from_db()
    assert (engagement.status, engagement.body) == (E.ASSIGNED, body)
    row = assert_logged(engagement, "mrv.verificationengagement.assign", regulator, E.AWAITING_ASSIGNMENT, E.ASSIGNED)
    assert row.changes == {"body": [None, str(body.pk)]}
    assert_queued("mrv.verificationengagement.assign", verificationengagement_id=engagement.pk)


def test_assignment_of_an_ineligible_body_is_refused_with_the_reasons_and_changes_nothing(firm, body, regulator):
    ConflictOfInterest.objects.create(body=body, firm=firm, description="咨询")
    with pytest.raises(TransitionRefused) as refused:
        svc.engagement_assign(firm=firm, year=2025, body=body, acting_user=regulator)
    assert "咨询" in refused.value.message and refused.value.code == "ineligible"
    assert not VerificationEngagement.objects.exists()


def test_another_markets_regulator_cannot_assign(firm, body, other_regulator):
    with pytest.raises(PermissionDenied):
        svc.engagement_assign(firm=firm, year=2025, body=body, acting_user=other_regulator)
    assert not VerificationEngagement.objects.exists()


@pytest.fixture
def assigned(firm, body, regulator):
    return svc.engagement_assign(firm=firm, year=2025, body=body, acting_user=regulator)


def test_lead_verifier_accepts_names_the_team_and_starts_verification_of_the_submitted_report(
    assigned, verifier, team_verifier, report, wired
):
    with TestCase.captureOnCommitCallbacks() as callbacks:
        svc.engagement_accept(engagement=assigned, team=[team_verifier], acting_user=verifier)
    assigned.refresh_from_db()
    report.refresh_from_db()
    assert (assigned.status, assigned.lead_verifier) == (E.ACCEPTED, verifier)
    assert list(assigned.team.all()) == [team_verifier]
    assert report.status == EmissionReport.Status.UNDER_VERIFICATION
    assert_logged(assigned, "mrv.verificationengagement.accept", verifier, E.ASSIGNED, E.ACCEPTED)
    assert_logged(report, "mrv.emissionreport.start_verification", verifier, "submitted", "under_verification")
    assert_queued("mrv.verificationengagement.accept", verificationengagement_id=assigned.pk)
    assert_queued("mrv.emissionreport.start_verification", emissionreport_id=report.pk)
    assert len(callbacks) == 2  # the two outbox rows are published after commit


def test_a_team_member_of_another_body_is_refused(assigned, verifier, other_verifier):
    with pytest.raises(TransitionRefused) as refused:
        svc.engagement_accept(engagement=assigned, team=[other_verifier], acting_user=verifier)
    assert refused.value.code == "team"
    assigned.refresh_from_db()
    assert assigned.status == E.ASSIGNED


def test_a_team_verifier_cannot_accept_for_the_body(assigned, team_verifier):
    with pytest.raises(PermissionDenied):
        svc.engagement_accept(engagement=assigned, team=[], acting_user=team_verifier)


def test_declining_needs_a_reason(assigned, verifier):
    with pytest.raises(TransitionRefused) as refused:
        svc.engagement_decline(engagement=assigned, reason="  ", acting_user=verifier)
    assert refused.value.message == REASON_REQUIRED
    assigned.refresh_from_db()
    assert assigned.status == E.ASSIGNED


def test_lead_verifier_declines_with_a_reason_and_the_regulator_reassigns(
    assigned, verifier, regulator, other_body, wired
):
    svc.engagement_decline(engagement=assigned, reason="本季度人手不足", acting_user=verifier)
    assigned.refresh_from_db()
    assert (assigned.status, assigned.decline_reason) == (E.DECLINED, "本季度人手不足")
    assert_logged(assigned, "mrv.verificationengagement.decline", verifier, E.ASSIGNED, E.DECLINED, "本季度人手不足")
    assert_queued("mrv.verificationengagement.decline", verificationengagement_id=assigned.pk)

    first_body = assigned.body_id
    svc.engagement_reassign(engagement=assigned, body=other_body, acting_user=regulator, reason="原机构拒绝")
    assigned.refresh_from_db()
    assert (assigned.status, assigned.body, assigned.decline_reason) == (E.ASSIGNED, other_body, "")
    row = assert_logged(assigned, "mrv.verificationengagement.reassign", regulator, E.DECLINED, E.ASSIGNED)
    assert row.changes["body"] == [str(first_body), str(other_body.pk)]
    assert_queued("mrv.verificationengagement.reassign", verificationengagement_id=assigned.pk)


def test_the_declined_body_loses_sight_of_the_report_after_reassignment(
    assigned, verifier, regulator, other_body, report
):
    from mrv import access

    svc.engagement_decline(engagement=assigned, reason="忙", acting_user=verifier)
    svc.engagement_reassign(engagement=assigned, body=other_body, acting_user=regulator)
    assert not access.can_view(verifier, report)


def test_reassignment_checks_eligibility_too(assigned, verifier, regulator, firm, other_body):
    svc.engagement_decline(engagement=assigned, reason="忙", acting_user=verifier)
    ConflictOfInterest.objects.create(body=other_body, firm=firm, description="关联方")
    with pytest.raises(TransitionRefused):
        svc.engagement_reassign(engagement=assigned, body=other_body, acting_user=regulator)
    assigned.refresh_from_db()
    assert assigned.status == E.DECLINED


def test_the_lead_of_a_body_not_assigned_cannot_accept(assigned, other_verifier):
    with pytest.raises(PermissionDenied):
        svc.engagement_accept(engagement=assigned, team=[], acting_user=other_verifier)


def test_a_verifier_role_of_the_right_body_who_is_not_a_lead_cannot_decline(assigned, body):
    plain = person(User.Role.VERIFIER, body=body)
    with pytest.raises(PermissionDenied):
        svc.engagement_decline(engagement=assigned, reason="x", acting_user=plain)


def test_the_refusals_of_many_bodies_cost_the_queries_of_two(firm, body):
    """The assignment page lists every body with its refusals: a fixed number of queries, the same answers."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mrv.selectors.assignment import assignment_refusals_by_body

    few = [body, f.BodyFactory()]
    many = [*few, *(f.BodyFactory() for _ in range(6))]
    ConflictOfInterest.objects.create(body=many[-1], firm=firm, description="同一集团")
    counts = []
    for bodies in (few, many):
        firm.refresh_from_db()
        with CaptureQueriesContext(connection) as queries:
            found = assignment_refusals_by_body(bodies, firm, 2025)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert found == {b.pk: svc.assignment_refusals(b, firm, 2025) for b in many}
    assert found[body.pk] == [] and any("同一集团" in r for r in found[many[-1].pk])

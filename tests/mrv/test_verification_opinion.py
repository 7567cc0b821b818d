"""Materiality, the verification plan, and the lead verifier's signed opinion."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from mrv.models import EmissionReport, Finding, VerificationOpinion
from mrv.services import verification as svc
from mrv.transitions import TransitionRefused
from tests import factories as f
from tests.factories import certified
from tests.verification_world import *  # noqa: F403
from tests.verification_world import assert_logged, assert_queued, set_reported

R = EmissionReport.Status
O = VerificationOpinion.Outcome  # noqa: E741
pytestmark = pytest.mark.django_db


def misstatement(report, user, amount, resolution=None):
    finding = svc.finding_raise(
        report=report, kind=Finding.Kind.MISSTATEMENT, description="x", amount_tco2e=Decimal(amount), acting_user=user
    )
    if resolution:
        svc.finding_close(finding=finding, resolution=resolution, acting_user=user)
    return finding


def test_a_large_emitter_is_held_to_two_percent(under_verification, verifier):
    # Reported 604,500 t > 500,000 t → 2 %; |+8,000| + |−4,090| = 12,090 t = 2.00 % of 604,500 → material.
    misstatement(under_verification, verifier, "8000")
    misstatement(under_verification, verifier, "-4090", resolution=Finding.Resolution.NOT_CORRECTED)
    m = svc.materiality(under_verification)
    assert m == (Decimal("12090"), Decimal("2.00"), Decimal("2.00"), True, O.NOT_VERIFIED)


def test_just_below_the_threshold_is_not_material_but_gets_comments(under_verification, verifier):
    # 12,089 / 604,500 = 1.99983… % < 2 % (the comparison is exact; the ratio is shown rounded).
    misstatement(under_verification, verifier, "12089")
    m = svc.materiality(under_verification)
    assert (m.ratio_pct, m.is_material, m.suggested_outcome) == (Decimal("2.00"), False, O.WITH_COMMENTS)


def test_corrected_misstatements_do_not_count(under_verification, verifier):
    misstatement(under_verification, verifier, "50000", resolution=Finding.Resolution.CORRECTED)
    assert svc.materiality(under_verification) == (
        Decimal("0"),
        Decimal("2.00"),
        Decimal("0.00"),
        False,
        O.SATISFACTORY,
    )


def test_a_smaller_emitter_is_held_to_five_percent(other_firm, body, verifier):
    report = f.ReportFactory(firm=other_firm, status=R.UNDER_VERIFICATION)
    set_reported(report, 40000)
    f.EngagementFactory(firm=other_firm, body=body, status="accepted", lead_verifier=verifier)
    misstatement(report, verifier, "2000")  # 2,000 / 40,000 = 5.00 % → material at 5 %
    assert svc.materiality(report)[1:4] == (Decimal("5.00"), Decimal("5.00"), True)


def test_a_clean_report_is_suggested_satisfactory(under_verification):
    assert svc.materiality(under_verification) == (
        Decimal("0"),
        Decimal("2.00"),
        Decimal("0.00"),
        False,
        O.SATISFACTORY,
    )


def test_a_satisfactory_opinion_is_refused_while_misstatements_are_material(under_verification, verifier, plan):
    misstatement(under_verification, verifier, "12090", resolution=Finding.Resolution.NOT_CORRECTED)
    with pytest.raises(TransitionRefused) as refused:
        svc.report_sign_off(
            certification=certified("verifier_opinion"),
            report=under_verification,
            outcome=O.SATISFACTORY,
            verified_emissions_tco2e=604500,
            acting_user=verifier,
        )
    assert refused.value.message == svc.OPINION_SATISFACTORY_MATERIAL % {
        "total": Decimal("12090.00"),
        "ratio": Decimal("2.00"),
        "threshold": Decimal("2.00"),
    }
    under_verification.refresh_from_db()
    assert under_verification.status == R.UNDER_VERIFICATION and not VerificationOpinion.objects.exists()


def test_a_satisfactory_opinion_is_refused_while_a_non_conformity_is_open(under_verification, verifier, plan):
    svc.finding_raise(
        report=under_verification, kind=Finding.Kind.NON_CONFORMITY, description="流量计未校准", acting_user=verifier
    )
    with pytest.raises(TransitionRefused) as refused:
        svc.report_sign_off(
            certification=certified("verifier_opinion"),
            report=under_verification,
            outcome=O.SATISFACTORY,
            verified_emissions_tco2e=604500,
            acting_user=verifier,
        )
    assert refused.value.message == svc.OPINION_SATISFACTORY_OPEN_NON_CONFORMITY % {"count": 1}


def test_shanghai_requires_the_verification_plan_before_sign_off(under_verification, verifier):
    with pytest.raises(TransitionRefused) as refused:
        svc.report_sign_off(
            certification=certified("verifier_opinion"),
            report=under_verification,
            outcome=O.SATISFACTORY,
            verified_emissions_tco2e=604500,
            acting_user=verifier,
        )
    assert refused.value.message == svc.OPINION_PLAN_REQUIRED % {"market": under_verification.market}


def test_the_lead_verifier_signs_a_satisfactory_opinion(under_verification, verifier, plan, wired):
    opinion = svc.report_sign_off(
        certification=certified("verifier_opinion"),
        report=under_verification,
        outcome=O.SATISFACTORY,
        verified_emissions_tco2e=604500,
        acting_user=verifier,
    )
    under_verification.refresh_from_db()
    assert under_verification.status == R.VERIFIED
    assert (opinion.verified_emissions_tco2e, opinion.difference_tco2e, opinion.signed_by) == (604500, 0, verifier)
    row = assert_logged(under_verification, "mrv.emissionreport.sign_off", verifier, R.UNDER_VERIFICATION, R.VERIFIED)
    assert row.changes == {"outcome": [None, "satisfactory"], "verified_emissions_tco2e": [None, "604500"]}
    assert_queued("mrv.emissionreport.sign_off", emissionreport_id=under_verification.pk)


def test_a_team_verifier_cannot_sign(under_verification, team_verifier, plan):
    with pytest.raises(PermissionDenied):
        svc.report_sign_off(
            certification=certified("verifier_opinion"),
            report=under_verification,
            outcome=O.SATISFACTORY,
            verified_emissions_tco2e=604500,
            acting_user=team_verifier,
        )


def test_a_different_verified_figure_needs_its_reason_and_records_the_difference(under_verification, verifier, plan):
    misstatement(under_verification, verifier, "3000", resolution=Finding.Resolution.NOT_CORRECTED)
    with pytest.raises(TransitionRefused) as refused:
        svc.report_sign_off(
            certification=certified("verifier_opinion"),
            report=under_verification,
            outcome=O.WITH_COMMENTS,
            verified_emissions_tco2e=607500,
            acting_user=verifier,
        )
    assert refused.value.message == svc.OPINION_DIFFERENCE_REASON_REQUIRED % {"difference": Decimal("3000")}
    opinion = svc.report_sign_off(
        certification=certified("verifier_opinion"),
        report=under_verification,
        outcome=O.WITH_COMMENTS,
        verified_emissions_tco2e=607500,
        difference_reason="3 月燃煤量按发票更正",
        acting_user=verifier,
    )
    # 607,500 − 604,500 = +3,000 t; uncorrected 3,000 t recorded with the 2 % threshold.
    assert (opinion.difference_tco2e, opinion.uncorrected_misstatement_tco2e, opinion.materiality_threshold_pct) == (
        Decimal("3000"),
        Decimal("3000"),
        Decimal("2.00"),
    )


@pytest.mark.parametrize(
    ("outcome", "figure", "reason", "message"),
    [
        (O.SATISFACTORY, None, "", svc.OPINION_FIGURE_REQUIRED),
        (O.SATISFACTORY, Decimal("604500.4"), "", svc.OPINION_WHOLE_TONNES % {"value": Decimal("604500.4")}),
        (O.NOT_VERIFIED, None, "", svc.OPINION_NOT_VERIFIED_REASON_REQUIRED),
        ("fine", None, "", svc.OPINION_BAD_OUTCOME % {"value": "fine"}),
    ],
)
def test_an_incomplete_opinion_is_refused(under_verification, verifier, plan, outcome, figure, reason, message):
    with pytest.raises(TransitionRefused) as refused:
        svc.report_sign_off(
            certification=certified("verifier_opinion"),
            report=under_verification,
            outcome=outcome,
            verified_emissions_tco2e=figure,
            not_verified_reason=reason,
            acting_user=verifier,
        )
    assert refused.value.message == message
    assert not VerificationOpinion.objects.exists()


def test_not_verified_goes_straight_to_the_regulator(under_verification, verifier, plan, wired):
    misstatement(under_verification, verifier, "30000", resolution=Finding.Resolution.NOT_CORRECTED)
    opinion = svc.report_sign_off(
        certification=certified("verifier_opinion"),
        report=under_verification,
        outcome=O.NOT_VERIFIED,
        not_verified_reason=VerificationOpinion.NotVerifiedReason.MATERIAL_MISSTATEMENT,
        comments="企业拒绝更正",
        acting_user=verifier,
    )
    under_verification.refresh_from_db()
    assert under_verification.status == R.REGULATOR_REVIEW
    assert opinion.not_verified_reason == "material_misstatement" and opinion.verified_emissions_tco2e is None
    assert_logged(
        under_verification,
        "mrv.emissionreport.sign_off_not_verified",
        verifier,
        R.UNDER_VERIFICATION,
        R.REGULATOR_REVIEW,
        "企业拒绝更正",
    )
    assert_queued("mrv.emissionreport.sign_off_not_verified", emissionreport_id=under_verification.pk)


def test_a_bad_plan_is_refused_with_a_specific_message(accepted, verifier, other_verifier):
    base = {
        "engagement": accepted,
        "document_review": "x",
        "sampling": "y",
        "site_visit_dates": ["2026-04-08"],
        "site_team": [verifier],
        "acting_user": verifier,
    }
    for change, message in [
        ({"document_review": ""}, svc.PLAN_DOCUMENT_REVIEW_REQUIRED),
        ({"sampling": " "}, svc.PLAN_SAMPLING_REQUIRED),
        ({"site_visit_dates": []}, svc.PLAN_SITE_VISIT_REQUIRED),
        ({"site_visit_dates": ["8 April"]}, svc.PLAN_SITE_VISIT_BAD_DATE % {"value": "8 April"}),
    ]:
        with pytest.raises(TransitionRefused) as refused:
            svc.verification_plan_save(**{**base, **change})
        assert refused.value.message == message
    with pytest.raises(TransitionRefused):
        svc.verification_plan_save(**{**base, "site_team": [other_verifier]})
    with pytest.raises(PermissionDenied):
        svc.verification_plan_save(**{**base, "acting_user": other_verifier})
    from mrv.models import VerificationPlan

    assert not VerificationPlan.objects.exists()


def test_the_plan_is_saved_and_audited(plan, verifier, team_verifier):
    assert plan.site_visit_dates == ["2026-04-08"]
    assert set(plan.site_team.all()) == {verifier, team_verifier}
    assert_logged(plan, "mrv.verificationplan.created", verifier, "", "")

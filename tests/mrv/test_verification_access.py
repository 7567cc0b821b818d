"""Who sees the verification records: the list scope and the one-object predicate agree, per persona and kind."""

from decimal import Decimal

import pytest

from mrv import access
from mrv.models import (
    Determination,
    EmissionReport,
    Finding,
    FindingAnswer,
    QuarterlyReview,
    SpotCheckItem,
    SpotCheckSample,
    VerificationOpinion,
    VerificationPlan,
)
from tests import factories as f
from tests.verification_world import *  # noqa: F403
from tests.verification_world import verified_report

pytestmark = pytest.mark.django_db
PERSONAS = [
    "firm_user",
    "firm_approver",
    "other_firm_user",
    "verifier",
    "team_verifier",
    "other_verifier",
    "spot_checker",
    "regulator",
    "regulator_head",
    "other_regulator",
    "national_admin",
    "outsider",
]
MODELS = [
    Finding,
    FindingAnswer,
    VerificationOpinion,
    VerificationPlan,
    SpotCheckSample,
    SpotCheckItem,
    Determination,
    QuarterlyReview,
]


@pytest.fixture
def records(
    firm,
    other_firm,
    beijing_firm,
    body,
    other_body,
    verifier,
    other_verifier,
    regulator,
    spot_body,
    plan,
    firm_user,
    other_firm_user,
):
    mine = verified_report(firm, 604500, body=body, lead=verifier, status=EmissionReport.Status.SPOT_CHECK)
    theirs = verified_report(other_firm, 40000, body=other_body, lead=other_verifier)
    bj = verified_report(beijing_firm, 700000, body=body, lead=verifier, year=2024)
    for report in (mine, theirs, bj):
        finding = Finding.objects.create(
            report=report, kind="misstatement", amount_tco2e=Decimal("10"), description="x", raised_by=verifier
        )
        FindingAnswer.objects.create(finding=finding, text="a", answered_by=firm_user)
        Determination.objects.create(
            report=report,
            basis="verified_figure",
            emissions_tco2e=1,
            from_state="regulator_review",
            proposed_by=regulator,
        )
    Determination.objects.create(
        report=mine,
        basis="verified_figure",
        emissions_tco2e=2,
        from_state="regulator_review",
        proposed_by=regulator,
        decision="approved",
    )
    sample = SpotCheckSample.objects.create(market=firm.market, year=2025, seed=1, rate_pct=10, population=[])
    SpotCheckItem.objects.create(sample=sample, report=mine, risk_weight=1, body=spot_body, verifier_body=body)
    quarterly = f.ReportFactory(firm=firm, period="q1")
    QuarterlyReview.objects.create(
        report=quarterly, round=1, reviewer="regulator", decision="accepted", reviewed_by=regulator
    )
    return {"mine": mine, "theirs": theirs, "bj": bj}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("model", MODELS)
def test_scope_and_predicate_agree(request, records, persona, model):
    user = request.getfixturevalue(persona)
    listed = set(access.visible_to(user, model).values_list("pk", flat=True))
    judged = {obj.pk for obj in model.objects.all() if access.can_view(user, obj)}
    assert listed == judged


def test_every_new_kind_is_registered():
    assert all(access.is_registered(model) for model in MODELS)


def reports_of(user, model):
    return {obj.report_id for obj in access.visible_to(user, model)}


def test_firms_see_findings_and_answers_on_their_own_reports_only(records, firm_user, other_firm_user):
    assert reports_of(firm_user, Finding) == {records["mine"].pk}
    assert reports_of(other_firm_user, Finding) == {records["theirs"].pk}
    assert {a.finding.report_id for a in access.visible_to(firm_user, FindingAnswer)} == {records["mine"].pk}


def test_firms_see_decided_determinations_not_proposals(records, firm_user):
    assert [d.decision for d in access.visible_to(firm_user, Determination)] == ["approved"]


def test_firms_are_not_told_they_are_spot_checked(records, firm_user):
    assert not access.visible_to(firm_user, SpotCheckItem).exists()
    assert not access.visible_to(firm_user, SpotCheckSample).exists()


def test_verifiers_see_their_engagements_findings_and_plans(records, verifier, other_verifier, plan):
    assert reports_of(verifier, Finding) == {records["mine"].pk, records["bj"].pk}  # both engaged to its body
    assert list(access.visible_to(verifier, VerificationPlan)) == [plan]
    assert not access.visible_to(other_verifier, VerificationPlan).exists()
    assert reports_of(other_verifier, Finding) == {records["theirs"].pk}


def test_the_spot_checker_sees_what_was_sampled_to_their_body(records, spot_checker):
    assert reports_of(spot_checker, Finding) == {records["mine"].pk}
    assert reports_of(spot_checker, VerificationOpinion) == {records["mine"].pk}
    assert reports_of(spot_checker, SpotCheckItem) == {records["mine"].pk}
    assert not access.visible_to(spot_checker, Determination).exists()


def test_regulators_see_their_market_only(records, regulator, other_regulator):
    assert reports_of(regulator, Finding) == {records["mine"].pk, records["theirs"].pk}
    assert reports_of(other_regulator, Finding) == {records["bj"].pk}
    assert not access.visible_to(other_regulator, SpotCheckSample).exists()

"""Permission tables: for every model with transitions, role × transition × allowed?"""

import pytest

from mrv.models import (
    Determination,
    EmissionReport,
    Finding,
    SpotCheckItem,
    SpotCheckSample,
    VerificationEngagement,
)
from tests import factories as f
from tests.verification_world import *  # noqa: F403

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
TEAM = {"verifier", "team_verifier"}
LEAD = {"verifier"}
REGULATORS = {"regulator", "regulator_head"}
HEAD = {"regulator_head"}
FIRM = {"firm_user", "firm_approver"}
SPOT = {"spot_checker"}

REPORT_TABLE = {
    "start_verification": TEAM,
    "return_to_firm": TEAM,
    "sign_off": LEAD,
    "sign_off_not_verified": LEAD,
    "select_for_spot_check": REGULATORS,
    "confirm_spot_check": SPOT,
    "record_spot_check_discrepancy": SPOT,
    "send_to_review": REGULATORS,
    "return_to_verifier": REGULATORS,
    "regulator_return_to_firm": REGULATORS,
    "propose_determination": REGULATORS,
    "propose_conservative_estimate": REGULATORS,
    "approve_determination": HEAD,
    "reject_determination": HEAD,
    "propose_redetermination": REGULATORS,
    "approve_redetermination": HEAD,
    "reject_redetermination": HEAD,
    "close": REGULATORS,
    "start_co_review": REGULATORS,
    "accept_quarterly": REGULATORS,
    "return_quarterly": REGULATORS,
}
ENGAGEMENT_TABLE = {
    "assign": REGULATORS,
    "reassign": REGULATORS,
    "accept": LEAD,
    "decline": LEAD,
    "complete": REGULATORS,
}
FINDING_TABLE = {"answer": FIRM, "close": TEAM, "reopen": TEAM}


def allowed(obj, name: str, user) -> bool:
    """The transition's permission alone, judged from its first source state."""
    meta = getattr(obj, name)._django_fsm
    source = next(iter(meta.transitions))
    return meta.has_transition_perm(obj, source, user)


@pytest.fixture
def table_world(report, accepted, spot_body, regulator):
    sample = SpotCheckSample.objects.create(market=report.market, year=2025, seed=1, rate_pct=10, population=[])
    SpotCheckItem.objects.create(sample=sample, report=report, risk_weight=1, body=spot_body)
    Determination.objects.create(
        report=report, basis="verified_figure", emissions_tco2e=1, from_state="regulator_review", proposed_by=regulator
    )
    finding = Finding.objects.create(report=report, kind="improvement", description="x", raised_by=regulator)
    return {"report": report, "engagement": accepted, "finding": finding}


def test_every_transition_is_in_a_table():
    for model, table in [
        (EmissionReport, REPORT_TABLE),
        (VerificationEngagement, ENGAGEMENT_TABLE),
        (Finding, FINDING_TABLE),
    ]:
        names = {t.name for t in model._meta.get_field("status").get_all_transitions(model)}
        assert set(table) <= names
        if model is EmissionReport:
            names -= {"submit", "withdraw", "resubmit"}  # the plans code's own transitions and tables
        assert names == set(table)


def test_every_transition_has_a_permission_and_a_docstring():
    for model in (EmissionReport, VerificationEngagement, Finding):
        for t in model._meta.get_field("status").get_all_transitions(model):
            assert t.permission is not None, t.name
            assert (t.method.__doc__ or "").strip().count("\n") == 0 and t.method.__doc__, t.name


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(REPORT_TABLE))
def test_report_permission_table(request, table_world, persona, name):
    user = request.getfixturevalue(persona)
    assert allowed(table_world["report"], name, user) == (persona in REPORT_TABLE[name])


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(ENGAGEMENT_TABLE))
def test_engagement_permission_table(request, table_world, persona, name):
    user = request.getfixturevalue(persona)
    assert allowed(table_world["engagement"], name, user) == (persona in ENGAGEMENT_TABLE[name])


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(FINDING_TABLE))
def test_finding_permission_table(request, table_world, persona, name):
    user = request.getfixturevalue(persona)
    assert allowed(table_world["finding"], name, user) == (persona in FINDING_TABLE[name])


def test_a_beijing_report_is_out_of_reach_of_shanghai_people(
    table_world, beijing_firm, regulator, verifier, other_regulator
):
    bj = f.ReportFactory(firm=beijing_firm, status="regulator_review")
    assert not allowed(bj, "propose_determination", regulator)
    assert allowed(bj, "propose_determination", other_regulator)
    assert not allowed(bj, "sign_off", verifier)  # the body has no Beijing engagement for 2025


def test_a_team_member_dropped_from_the_team_loses_the_report(table_world, team_verifier):
    table_world["engagement"].team.clear()
    assert not allowed(table_world["report"], "return_to_firm", team_verifier)

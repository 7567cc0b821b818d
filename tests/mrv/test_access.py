"""Who sees what: the list scope and the one-object predicate agree, for every persona and kind."""

import pytest

from mrv import access
from mrv.models import AuditLog, EmissionReport, Firm, User, VerificationEngagement
from tests import factories as f

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


@pytest.fixture
def world(firm, other_firm, beijing_firm, engagement, body):
    reports = [f.ReportFactory(firm=x, year=2025) for x in (firm, other_firm, beijing_firm)]
    quarterly = f.ReportFactory(firm=firm, year=2025, period=EmissionReport.Period.Q1)
    f.EngagementFactory(firm=other_firm, body=None, year=2025)
    f.EngagementFactory(firm=beijing_firm, body=body, year=2024, status=VerificationEngagement.Status.COMPLETED)
    return {"reports": reports, "quarterly": quarterly}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("model", [Firm, EmissionReport, VerificationEngagement, User, AuditLog])
def test_scope_and_predicate_agree(request, world, persona, model):
    user = request.getfixturevalue(persona)
    listed = set(access.visible_to(user, model).values_list("pk", flat=True))
    judged = {obj.pk for obj in model.objects.all() if access.can_view(user, obj)}
    assert listed == judged


def names(user, model=Firm):
    return set(access.visible_to(user, model).values_list("name", flat=True))


def test_firm_user_sees_only_their_firm(world, firm_user, firm):
    assert names(firm_user) == {firm.name}


def test_regulator_sees_their_market_only(world, regulator, firm, other_firm, beijing_firm):
    assert names(regulator) == {firm.name, other_firm.name}
    assert not access.can_view(regulator, beijing_firm)


def test_verifier_sees_engaged_firms_across_markets_but_not_others(world, verifier, firm, beijing_firm, other_firm):
    assert names(verifier) == {firm.name, beijing_firm.name}
    reports = access.visible_to(verifier, EmissionReport)
    # The 2024 Beijing engagement does not open the 2025 Beijing report; the quarterly report stays with the firm.
    assert {(r.firm_id, r.year, r.period) for r in reports} == {(firm.pk, 2025, "annual")}


def test_other_verifier_and_outsider_see_no_firm(world, other_verifier, outsider):
    assert names(other_verifier) == set()
    assert names(outsider) == set()


def test_statistics_officer_sees_quarterly_reports_of_their_market_only(world, shanghai):
    from mrv.models import Authority

    stats = f.AuthorityFactory(kind=Authority.Kind.STATISTICS_BUREAU, market=shanghai)
    officer = f.UserFactory(role=User.Role.STATISTICS_OFFICER, authority=stats)
    assert [r.period for r in access.visible_to(officer, EmissionReport)] == ["q1"]


def test_inactive_or_anonymous_users_see_nothing(world, regulator):
    from django.contrib.auth.models import AnonymousUser

    regulator.is_active = False
    assert not access.visible_to(regulator, Firm).exists()
    assert not access.visible_to(AnonymousUser(), Firm).exists()

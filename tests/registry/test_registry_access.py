"""Who sees registry objects: the list scope and the one-object predicate agree for every persona."""

from decimal import Decimal

import pytest

from mrv import access
from registry import services
from registry.ledger import Unit, holding_account
from registry.models import ALLOWANCE, Account, Entry, Penalty, Transaction, TransferProposal
from tests.registry.conftest import fund

D = Decimal
PERSONAS = [
    "firm_user",
    "other_firm_user",
    "verifier",
    "spot_checker",
    "regulator",
    "other_regulator",
    "national_admin",
    "outsider",
]


@pytest.fixture
def ledger(funded, firm_representative, firm, beijing_firm):
    mine, theirs = funded
    from registry.models import MarketCap

    MarketCap.objects.create(market=beijing_firm.market, year=2025, cap_tco2e=D(1000), reserve_tco2e=D(0))
    fund(beijing_firm, 10)
    services.units_transfer(
        from_account=mine, to_account=theirs, unit=Unit(ALLOWANCE, 2025), quantity=5, idempotency_key="t"
    )
    services.transfer_propose(
        from_account=mine, to_account=theirs, unit=Unit(ALLOWANCE, 2025), quantity=1, acting_user=firm_representative
    )
    Penalty.objects.create(firm=firm, year=2024, shortfall_tco2e=1, fine_cny=1, deduction_tco2e=1)


# what each persona should see: own firm (firm), other Shanghai firm (other), Beijing, government accounts
EXPECTED_ACCOUNTS = {
    "firm_user": {"mine"},
    "other_firm_user": {"theirs"},
    "verifier": set(),
    "spot_checker": set(),
    "regulator": {"mine", "theirs", "sh-issuance"},
    "other_regulator": {"bj", "bj-issuance"},
    "national_admin": {"mine", "theirs", "sh-issuance", "bj", "bj-issuance"},
    "outsider": set(),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_accounts_are_seen_by_their_firm_and_their_markets_regulator(
    request, ledger, firm, other_firm, beijing_firm, persona
):
    user = request.getfixturevalue(persona)
    names = {
        holding_account(firm).pk: "mine",
        holding_account(other_firm).pk: "theirs",
        holding_account(beijing_firm).pk: "bj",
    }
    for account in Account.objects.filter(kind="issuance").select_related("market"):
        names[account.pk] = "sh-issuance" if account.market.code == "shanghai" else "bj-issuance"
    seen = {names[a.pk] for a in access.visible_to(user, Account)}
    assert seen == EXPECTED_ACCOUNTS[persona]
    for account in Account.objects.all():
        assert access.can_view(user, account) == (names.get(account.pk) in seen)


@pytest.mark.parametrize("persona", PERSONAS)
def test_scope_and_predicate_agree(request, ledger, persona):
    user = request.getfixturevalue(persona)
    for model in (Transaction, Entry, TransferProposal, Penalty):
        visible = set(access.visible_to(user, model).values_list("pk", flat=True))
        for obj in model.objects.all():
            assert access.can_view(user, obj) == (obj.pk in visible), (persona, obj)
        if persona in ("verifier", "spot_checker", "outsider"):
            assert visible == set()
        if persona in ("regulator", "national_admin"):
            assert visible == set(model.objects.filter(pk__in=visible).values_list("pk", flat=True)) != set()


def test_a_firm_sees_the_transactions_touching_its_account_only(ledger, other_firm_user, beijing_firm):
    visible = access.visible_to(other_firm_user, Transaction)
    assert set(visible.values_list("kind", flat=True)) == {"transfer"}


def test_a_statistics_officer_sees_no_holdings(ledger, shanghai):
    from mrv.models import User
    from tests.factories import AuthorityFactory, UserFactory

    bureau = AuthorityFactory(kind="statistics_bureau", market=shanghai)
    officer = UserFactory(role=User.Role.STATISTICS_OFFICER, authority=bureau)
    assert not access.visible_to(officer, Account).exists()
    assert not access.visible_to(officer, Transaction).exists()

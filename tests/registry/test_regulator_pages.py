"""Regulator pages for issuance, auction sale and four-eyes reversal; pages for the registry brakes."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from mrv.models import AuditLog
from registry import selectors, services
from registry.ledger import LedgerError, Unit, government_account
from registry.models import ALLOWANCE, Account, Penalty, ReversalRequest, Transaction, TransferProposal, TrustedAccount
from tests.registry.conftest import determine, fund

D = Decimal
A25 = Unit(ALLOWANCE, 2025)


@pytest.fixture
def login(client):
    def as_user(user):
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        client.force_login(user)
        return client

    return as_user


def test_a_regulator_issues_allowances_from_the_page_and_a_double_submit_issues_once(login, funded, regulator):
    mine, _ = funded
    client = login(regulator)
    form = {"account": mine.number, "vintage": 2025, "quantity": 250, "idempotency_key": "k-1"}
    response = client.post(reverse("registry:allowances_issue"), form)
    tx = Transaction.objects.filter(kind="issuance").latest("pk")
    assert response.url == reverse("registry:transaction", args=[tx.pk])
    again = client.post(reverse("registry:allowances_issue"), form, follow=True)
    assert "already recorded as transaction" in again.content.decode()
    assert selectors.account_balances([mine]) == {mine.pk: D(1250)}


def test_issuance_beyond_the_cap_is_refused_on_the_page(login, funded, regulator):
    mine, _ = funded
    response = login(regulator).post(
        reverse("registry:allowances_issue"), {"account": mine.number, "vintage": 2025, "quantity": 2_000_000}
    )
    assert "would exceed the cap" in response.content.decode()
    assert selectors.account_balances([mine]) == {mine.pk: D(1000)}


def test_a_regulator_sells_allowances_from_the_auction_account(login, funded, regulator, shanghai):
    mine, _ = funded
    auction = government_account(shanghai, Account.Kind.AUCTION)
    services.units_transfer  # noqa: B018 - the auction account is funded by issuing into it below
    services_fund_auction(shanghai, auction)
    response = login(regulator).post(
        reverse("registry:allowances_sell"),
        {"account": mine.number, "vintage": 2025, "quantity": 40, "price_cny_per_t": "48.50"},
    )
    assert response.status_code == 302
    sale = Transaction.objects.get(kind="auction_sale")
    assert sale.price_cny_per_t == D("48.50")
    assert selectors.account_balances([mine]) == {mine.pk: D(1040)}


def services_fund_auction(market, auction):
    from registry.ledger import Leg, record

    issuance = government_account(market, Account.Kind.ISSUANCE)
    record(
        market=market,
        kind="issuance",
        idempotency_key="auction-pot",
        legs=[Leg(issuance, A25, D(-100)), Leg(auction, A25, D(100))],
    )


@pytest.mark.parametrize("name", ["allowances_issue", "allowances_sell", "transactions"])
def test_issuance_sale_and_transactions_pages_are_closed_to_firms_and_verifiers(login, firm_approver, verifier, name):
    for user in (firm_approver, verifier):
        assert login(user).get(reverse(f"registry:{name}")).status_code == 403


def test_another_markets_regulator_cannot_issue_to_a_firm(funded, other_regulator, firm):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.allowances_issue(firm=firm, vintage=2025, quantity=1, idempotency_key="x", acting_user=other_regulator)


def test_a_reversal_needs_a_reason_and_a_head_other_than_the_requester(
    login, funded, regulator, regulator_head, other_regulator
):
    mine, theirs = funded
    original = services.units_transfer(
        from_account=mine, to_account=theirs, unit=A25, quantity=100, idempotency_key="t"
    )
    page = reverse("registry:transaction", args=[original.pk])
    assert login(other_regulator).get(page).status_code == 404
    assert "This field is required" in login(regulator).post(page, {"reason": ""}).content.decode()
    login(regulator).post(page, {"reason": "keyed twice by the exchange"})
    request = ReversalRequest.objects.get()
    assert login(regulator).post(reverse("registry:reversal_approve", args=[request.pk])).status_code == 403
    assert selectors.account_balances([theirs]) == {theirs.pk: D(100)}
    login(regulator_head).post(reverse("registry:reversal_approve", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == ReversalRequest.Status.EXECUTED and request.reversal.reverses == original
    assert selectors.account_balances([mine, theirs]) == {mine.pk: D(1000), theirs.pk: D(0)}
    assert AuditLog.objects.filter(action="registry.reversalrequest.approve", actor=regulator_head).exists()
    response = login(regulator).post(page, {"reason": "again"}, follow=True)
    assert "already been reversed" in response.content.decode()


def test_a_head_who_requested_a_reversal_cannot_approve_it(funded, regulator_head):
    from django.core.exceptions import PermissionDenied

    mine, theirs = funded
    original = services.units_transfer(from_account=mine, to_account=theirs, unit=A25, quantity=1, idempotency_key="t")
    request = services.reversal_propose(original=original, reason="wrong", acting_user=regulator_head)
    with pytest.raises(PermissionDenied):
        services.reversal_approve(request=request, acting_user=regulator_head)
    assert not Transaction.objects.filter(kind="reversal").exists()


def test_the_transactions_page_lists_the_markets_transactions_in_bounded_queries(
    login, funded, regulator, django_assert_max_num_queries
):
    mine, theirs = funded
    for i in range(12):
        services.units_transfer(from_account=mine, to_account=theirs, unit=A25, quantity=1, idempotency_key=f"t{i}")
    client = login(regulator)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("registry:transactions") + "?kind=transfer").content.decode()
    assert page.count("Transfer") >= 12 or page.count("transfer") >= 12


# --- Brakes through the pages ------------------------------------------------------------------


def test_a_scheduled_transfer_is_cancelled_from_the_account_page(login, funded, firm_representative, firm_approver):
    mine, theirs = funded
    proposal = services.transfer_propose(
        from_account=mine, to_account=theirs, unit=A25, quantity=10, acting_user=firm_representative
    )
    response = login(firm_approver).post(reverse("registry:transfer_approve", args=[proposal.pk]), follow=True)
    assert "will be executed after" in response.content.decode()
    page = login(firm_representative).get(reverse("registry:account", args=[mine.pk])).content.decode()
    assert "Cancel the transfer" in page
    login(firm_representative).post(reverse("registry:transfer_cancel", args=[proposal.pk]), {"reason": "stop"})
    proposal.refresh_from_db()
    assert proposal.status == TransferProposal.Status.CANCELLED


def test_a_reporter_cannot_approve_through_the_page(login, funded, firm_user, firm_approver):
    mine, theirs = funded
    proposal = services.transfer_propose(
        from_account=mine, to_account=theirs, unit=A25, quantity=10, acting_user=firm_approver
    )
    assert login(firm_user).post(reverse("registry:transfer_approve", args=[proposal.pk])).status_code == 403
    assert login(firm_user).get(reverse("registry:transfer_propose", args=[mine.pk])).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == TransferProposal.Status.PROPOSED


def test_the_trusted_list_is_managed_by_two_representatives_from_its_page(
    login, funded, firm_representative, firm_approver, other_firm_user
):
    mine, theirs = funded
    page = reverse("registry:trusted_list", args=[mine.pk])
    login(firm_representative).post(page, {"account": theirs.number})
    entry = TrustedAccount.objects.get()
    assert login(firm_representative).post(reverse("registry:trusted_approve", args=[entry.pk])).status_code == 403
    entry.refresh_from_db()
    assert entry.status == TrustedAccount.Status.PROPOSED  # the proposer's own approval was refused
    login(firm_approver).post(reverse("registry:trusted_approve", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.status == TrustedAccount.Status.APPROVED
    assert "not yet in force" in login(firm_approver).get(page).content.decode()
    assert login(other_firm_user).get(page).status_code == 404


def test_the_regulator_designates_a_representative_from_its_page(login, funded, firm_user, regulator, firm_approver):
    mine, _ = funded
    page = reverse("registry:representatives", args=[mine.pk])
    assert login(firm_approver).get(page).status_code == 403
    login(regulator).post(page, {"user": firm_user.pk})
    assert mine.representatives.filter(user=firm_user).exists()
    assert login(firm_user).get(reverse("registry:transfer_propose", args=[mine.pk])).status_code == 200


# --- The firm's account page: each year's position ----------------------------------------------


def test_the_account_page_shows_last_years_shortfall_and_penalty_with_history(
    login, funded, firm, firm_user, regulator, regulator_head, cap_2025, django_assert_max_num_queries
):
    from registry.models import MarketCap

    mine, _ = funded
    MarketCap.objects.create(market=firm.market, year=2024, cap_tco2e=D(1_000_000), reserve_tco2e=D(0))
    fund(firm, 500, vintage=2024)
    determine(firm, 2024, 10_280)
    services.units_surrender(firm=firm, year=2024, allowances={2024: 500}, idempotency_key="s24")
    services.compliance_mark_non_compliant(market=firm.market, year=2024, today=datetime.date(2026, 1, 1))
    penalty = services.penalty_propose(firm=firm, year=2024, acting_user=regulator)
    services.penalty_decide(penalty=penalty, decision_text="Fine and deduction.", acting_user=regulator_head)
    client = login(firm_user)
    with django_assert_max_num_queries(60):
        page = client.get(reverse("registry:account", args=[mine.pk])).content.decode()
    assert "9,780" in page  # the 2024 shortfall (10,280 owed, 500 surrendered)
    assert "found short by 9,780 t" in page
    penalty.refresh_from_db()
    assert f"fine CNY {penalty.fine_cny:,}" in page.replace("CNY ", "CNY ", 1)
    history = page[page.index('<ul class="history">') :]
    assert 'data-state="proposed"' in history and 'data-state="decided"' in history  # states as badges, not codes
    assert "2025" in page  # this year's row, not yet determined


def test_the_account_page_stays_within_its_queries_whatever_the_number_of_years(
    login, funded, firm, firm_user, django_assert_max_num_queries
):
    mine, _ = funded
    determine(firm, 2025, 10)
    with django_assert_max_num_queries(60) as few:
        login(firm_user).get(reverse("registry:account", args=[mine.pk]))
    for year in range(2020, 2025):
        determine(firm, year, 10 * year)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = login(firm_user).get(reverse("registry:account", args=[mine.pk])).content.decode()
    assert all(str(y) in page for y in range(2020, 2026))
    assert not Penalty.objects.exists()


def test_the_regulator_sets_an_accounts_caps_and_a_firm_cannot(login, funded, regulator, firm_approver):
    from django.core.exceptions import PermissionDenied

    mine, theirs = funded
    login(regulator).post(reverse("registry:account_caps", args=[mine.pk]), {"max_transfer_t": 50})
    mine.refresh_from_db()
    assert (mine.max_transfer_t, mine.max_daily_transfer_t) == (D(50), None)
    assert AuditLog.objects.filter(action="registry.account.caps_set", actor=regulator).exists()
    with pytest.raises(LedgerError, match="cap of 50 t per transfer"):
        services.transfer_propose(
            from_account=mine, to_account=theirs, unit=A25, quantity=51, acting_user=firm_approver
        )
    with pytest.raises(PermissionDenied):
        services.account_caps_set(
            account=mine, max_transfer_t=None, max_daily_transfer_t=None, acting_user=firm_approver
        )

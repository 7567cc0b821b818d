"""Transfers out of a firm's account need two different representatives of it; trades import all or nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from mrv.models import AuditLog
from mrv.transitions import TransitionRefused
from registry import selectors, services
from registry.ledger import LedgerError, Unit, holding_account
from registry.models import ALLOWANCE, Transaction, TransferProposal
from tests.factories import market

D = Decimal
A25 = Unit(ALLOWANCE, 2025)


def propose(funded, user, quantity=300):
    mine, theirs = funded
    return services.transfer_propose(
        from_account=mine, to_account=theirs, unit=A25, quantity=quantity, price_cny_per_t=D("48.20"), acting_user=user
    )


def test_the_proposer_cannot_approve_their_own_transfer(funded, firm_representative):
    proposal = propose(funded, firm_representative)
    with pytest.raises(PermissionDenied):
        services.transfer_approve(proposal=proposal, acting_user=firm_representative)
    proposal.refresh_from_db()
    assert proposal.status == TransferProposal.Status.PROPOSED
    assert not Transaction.objects.filter(kind="transfer").exists()


def test_a_second_representative_approves_and_units_to_a_trusted_account_move_at_once(
    funded, trusted, firm_representative, firm_approver
):
    mine, theirs = funded
    proposal = services.transfer_approve(proposal=propose(funded, firm_representative), acting_user=firm_approver)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (TransferProposal.Status.EXECUTED, firm_approver)
    assert proposal.ledger_transaction.price_cny_per_t == D("48.20")
    assert selectors.account_balances([mine, theirs]) == {mine.pk: D(700), theirs.pk: D(300)}
    assert AuditLog.objects.filter(action="registry.transferproposal.approve", actor=firm_approver).exists()
    with pytest.raises(TransitionRefused):
        services.transfer_approve(proposal=proposal, acting_user=firm_approver)
    assert selectors.account_balances([theirs]) == {theirs.pk: D(300)}


def test_people_of_another_firm_cannot_propose_or_approve(funded, firm_approver, other_firm_user, regulator):
    with pytest.raises(PermissionDenied):
        propose(funded, other_firm_user)
    proposal = propose(funded, firm_approver)
    for outsider in (other_firm_user, regulator):
        with pytest.raises(PermissionDenied):
            services.transfer_approve(proposal=proposal, acting_user=outsider)


def test_an_approval_that_the_balance_does_not_cover_changes_nothing(
    funded, trusted, firm_representative, firm_approver
):
    proposal = propose(funded, firm_representative, quantity=1500)
    with pytest.raises(LedgerError, match="holds 1000 t"):
        services.transfer_approve(proposal=proposal, acting_user=firm_approver)
    proposal.refresh_from_db()
    assert proposal.status == TransferProposal.Status.PROPOSED
    assert not AuditLog.objects.filter(action="registry.transferproposal.approve").exists()


def test_a_rejected_proposal_moves_nothing(funded, firm_representative, firm_approver):
    proposal = services.transfer_reject(
        proposal=propose(funded, firm_representative), acting_user=firm_approver, reason="price"
    )
    proposal.refresh_from_db()
    assert proposal.status == TransferProposal.Status.REJECTED
    assert not Transaction.objects.filter(kind="transfer").exists()


def trades_csv(*rows) -> bytes:
    header = "trade_id,trade_date,seller_account,buyer_account,vintage,quantity,price_cny_per_t\n"
    return (header + "\n".join(rows) + "\n").encode()


def test_a_good_trade_file_is_recorded(funded, regulator):
    mine, theirs = funded
    data = trades_csv(
        f"T1,2025-04-01,{mine.number},{theirs.number},2025,100,45.00",
        f"T2,2025-04-02,{theirs.number},{mine.number},2025,40,46.10",
    )
    recorded = services.trades_import(market=market("shanghai"), data=data, acting_user=regulator)
    assert [t.kind for t in recorded] == ["trade", "trade"]
    assert selectors.account_balances([mine, theirs]) == {mine.pk: D(940), theirs.pk: D(60)}
    again = services.trades_import(market=market("shanghai"), data=data, acting_user=regulator)
    assert [t.pk for t in again] == [t.pk for t in recorded]  # re-importing the same trades moves nothing
    assert selectors.account_balances([mine]) == {mine.pk: D(940)}


def test_each_bad_row_is_named_and_nothing_is_recorded(funded, regulator, beijing_firm):
    mine, theirs = funded
    beijing_account = holding_account(beijing_firm)
    data = trades_csv(
        f"T1,2025-04-01,{mine.number},{theirs.number},2025,100,45.00",
        f"T2,2025-13-01,{mine.number},{theirs.number},2025,100,45.00",
        f"T3,2025-04-01,{beijing_account.number},{theirs.number},2025,100,45.00",
        f"T4,2025-04-01,{mine.number},{theirs.number},2025,-5,45.00",
        f"T1,2025-04-01,{mine.number},{theirs.number},20x5,10,abc",
    )
    with pytest.raises(services.ImportRejected) as err:
        services.trades_import(market=market("shanghai"), data=data, acting_user=regulator)
    errors = err.value.errors
    assert errors[0].startswith("Row 3: trade_date '2025-13-01'")
    assert errors[1] == f"Row 4: seller_account '{beijing_account.number}' is not a holding account of this market."
    assert errors[2] == "Row 5: quantity '-5' is not a whole number of tonnes above zero."
    assert [e for e in errors if e.startswith("Row 6")] == [
        "Row 6: trade_id T1 appears twice in the file.",
        "Row 6: vintage: “20x5” is not a year.",
        "Row 6: price_cny_per_t: “abc” is not a number.",
    ]
    assert not Transaction.objects.filter(kind="trade").exists()


def test_a_row_the_seller_cannot_cover_rejects_the_whole_file(funded, regulator):
    mine, theirs = funded
    data = trades_csv(
        f"T1,2025-04-01,{mine.number},{theirs.number},2025,600,45.00",
        f"T2,2025-04-02,{mine.number},{theirs.number},2025,600,45.00",
    )
    with pytest.raises(services.ImportRejected) as err:
        services.trades_import(market=market("shanghai"), data=data, acting_user=regulator)
    assert err.value.errors == [f"Row 3: Account {mine.number} holds 400 t of ALLOWANCE 2025; 600 t are needed."]
    assert not Transaction.objects.filter(kind="trade").exists()


def test_a_file_with_the_wrong_header_is_refused(funded, regulator):
    with pytest.raises(services.ImportRejected, match="first line must be the header"):
        services.trades_import(market=market("shanghai"), data=b"id,date\n1,2\n", acting_user=regulator)


def test_only_the_markets_regulator_imports_trades(funded, other_regulator, firm_user):
    for user in (other_regulator, firm_user):
        with pytest.raises(PermissionDenied):
            services.trades_import(market=market("shanghai"), data=trades_csv(), acting_user=user)

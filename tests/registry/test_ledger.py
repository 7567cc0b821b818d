"""The ledger: balanced, immutable, never negative, idempotent; reversals reference what they correct."""

from decimal import Decimal

import pytest

from mrv.models import AuditLog
from registry import selectors, services
from registry.ledger import INSUFFICIENT, NOT_BALANCED, LedgerError, Leg, Unit, holding_account, record
from registry.models import ALLOWANCE, IMMUTABLE, Entry, Transaction
from tests.registry.conftest import fund

D = Decimal
A25 = Unit(ALLOWANCE, 2025)


def assert_balanced(market):
    assert all(total == 0 for total in selectors.unit_totals(market).values())


def test_issuance_credits_the_firm_and_keeps_the_ledger_balanced(firm, cap_2025):
    tx = fund(firm, 1000)
    assert selectors.holdings(holding_account(firm)) == [
        {"unit_type": "ALLOWANCE", "vintage": 2025, "project": "", "quantity": D(1000)}
    ]
    assert tx.entries.count() == 2
    assert selectors.issued_total(firm.market, 2025) == D(1000)
    assert_balanced(firm.market)
    assert AuditLog.objects.filter(action="registry.transaction.issuance", object_id=str(tx.pk)).exists()


def test_transfer_moves_units_and_refuses_more_than_held(funded, firm):
    mine, theirs = funded
    services.units_transfer(from_account=mine, to_account=theirs, unit=A25, quantity=400, idempotency_key="t1")
    with pytest.raises(LedgerError) as err:
        services.units_transfer(from_account=mine, to_account=theirs, unit=A25, quantity=601, idempotency_key="t2")
    assert err.value.message == INSUFFICIENT % {
        "account": mine.number,
        "held": D(600),
        "unit": "ALLOWANCE",
        "vintage": 2025,
        "wanted": D(601),
    }
    assert selectors.account_balances([mine, theirs]) == {mine.pk: D(600), theirs.pk: D(400)}
    assert not Transaction.objects.filter(idempotency_key="t2").exists()
    assert_balanced(firm.market)


def test_a_retry_with_the_same_key_returns_the_first_transaction_and_moves_nothing_twice(funded):
    mine, theirs = funded
    first = services.units_transfer(from_account=mine, to_account=theirs, unit=A25, quantity=100, idempotency_key="k")
    again = services.units_transfer(from_account=mine, to_account=theirs, unit=A25, quantity=100, idempotency_key="k")
    assert again.pk == first.pk
    assert selectors.account_balances([theirs]) == {theirs.pk: D(100)}


def test_unbalanced_entries_are_refused(funded, firm):
    mine, theirs = funded
    with pytest.raises(LedgerError) as err:
        record(
            market=firm.market,
            kind="transfer",
            idempotency_key="bad",
            legs=[Leg(mine, A25, D(-5)), Leg(theirs, A25, D(4))],
        )
    assert err.value.message == NOT_BALANCED


def test_entries_and_transactions_cannot_be_changed_or_deleted(funded):
    entry = Entry.objects.first()
    entry.quantity = D(1)
    with pytest.raises(PermissionError, match=IMMUTABLE):
        entry.save()
    with pytest.raises(PermissionError):
        Entry.objects.all().update(quantity=0)
    with pytest.raises(PermissionError):
        Transaction.objects.all().delete()
    with pytest.raises(PermissionError):
        entry.transaction.delete()


def test_a_reversal_negates_the_original_and_references_it(funded, firm):
    mine, theirs = funded
    tx = services.units_transfer(from_account=mine, to_account=theirs, unit=A25, quantity=300, idempotency_key="t")
    rev = services.transaction_reverse(original=tx, idempotency_key="rev", reason="wrong buyer")
    assert rev.reverses_id == tx.pk
    assert selectors.account_balances([mine, theirs]) == {mine.pk: D(1000), theirs.pk: D(0)}
    with pytest.raises(LedgerError, match="already been reversed"):
        services.transaction_reverse(original=tx, idempotency_key="rev2")
    with pytest.raises(LedgerError, match="cannot itself be reversed"):
        services.transaction_reverse(original=rev, idempotency_key="rev3")
    assert_balanced(firm.market)


def test_a_reversal_is_refused_when_the_receiver_no_longer_holds_the_units(funded, firm, shanghai):
    mine, theirs = funded
    tx = services.units_transfer(from_account=mine, to_account=theirs, unit=A25, quantity=300, idempotency_key="t")
    services.units_transfer(from_account=theirs, to_account=mine, unit=A25, quantity=200, idempotency_key="back")
    with pytest.raises(LedgerError, match="holds 100 t"):
        services.transaction_reverse(original=tx, idempotency_key="rev")
    assert not Transaction.objects.filter(kind="reversal").exists()


def test_issuance_beyond_the_cap_is_refused(firm, cap_2025):
    fund(firm, 999_000)
    with pytest.raises(LedgerError, match="would exceed the cap of 1000000 t"):
        fund(firm, 1001)
    fund(firm, 1000)
    assert selectors.issued_total(firm.market, 2025) == D(1_000_000)


def test_issuance_without_a_cap_is_refused(firm):
    with pytest.raises(LedgerError, match="no cap"):
        fund(firm, 10, vintage=2031)


@pytest.mark.parametrize("quantity", [0, -5, "1.5", "abc"])
def test_quantities_must_be_whole_positive_tonnes(funded, quantity):
    mine, theirs = funded
    with pytest.raises(LedgerError, match="whole number"):
        services.units_transfer(from_account=mine, to_account=theirs, unit=A25, quantity=quantity, idempotency_key="q")


def test_the_2020_caps_of_table_6_are_loaded(db):
    from registry.models import MarketCap

    caps = {c.market.code: c for c in MarketCap.objects.filter(year=2020).select_related("market")}
    assert caps["guangdong"].cap_tco2e == D("422000000") and caps["guangdong"].initial_tco2e == D("399000000")
    assert caps["hubei"].initial_tco2e == D("235000000")
    assert caps["chongqing"].cap_tco2e == D("100400000") and caps["chongqing"].reserve_tco2e == D("8000000")
    assert caps["tianjin"].reserve_tco2e == 0
    assert caps["shenzhen"].cap_tco2e == D("30000000") and "impossible" in caps["shenzhen"].note
    assert caps["fujian"].cap_tco2e is None


def test_a_key_reused_for_another_kind_of_movement_from_the_same_account_is_refused(funded, firm):
    mine, theirs = funded
    services.units_transfer(from_account=mine, to_account=theirs, unit=A25, quantity=10, idempotency_key="k1")
    with pytest.raises(LedgerError, match="already used for a different request"):
        services.units_surrender(firm=firm, year=2025, allowances={2025: 10}, idempotency_key="k1")

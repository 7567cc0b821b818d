"""Random sequences of issue, transfer, surrender, reversal and retries keep every ledger invariant."""

import itertools
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from registry import selectors, services
from registry.ledger import LedgerError, Unit, government_account, holding_account
from registry.models import ALLOWANCE, Account, Transaction
from tests.factories import FirmFactory

D = Decimal
CAP = D(5000)
UNIT = Unit(ALLOWANCE, 2025)
keys = itertools.count()


class LedgerMachine(RuleBasedStateMachine):
    firms: list = []
    market = None

    @initialize()
    def start(self):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.accounts = [holding_account(f) for f in self.firms]
        self.retirement = government_account(self.market, Account.Kind.RETIREMENT)
        self.expected = {a.pk: D(0) for a in self.accounts} | {self.retirement.pk: D(0)}
        self.issued = D(0)
        self.done: list[Transaction] = []  # reversible transactions
        self.reversed: set[int] = set()

    def teardown(self):
        if hasattr(self, "atomic"):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

    def _key(self) -> str:
        return f"k{next(keys)}"

    @rule(i=st.integers(0, 2), qty=st.integers(1, 2500))
    def issue(self, i, qty):
        ok = self.issued + qty <= CAP
        try:
            tx = services.allowances_issue(firm=self.firms[i], vintage=2025, quantity=qty, idempotency_key=self._key())
        except LedgerError:
            assert not ok
            return
        assert ok
        self.issued += qty
        self.expected[self.accounts[i].pk] += qty
        self.done.append(tx)

    @rule(i=st.integers(0, 2), j=st.integers(0, 2), qty=st.integers(1, 1500), retry=st.booleans())
    def transfer(self, i, j, qty, retry):
        src, dst = self.accounts[i], self.accounts[j]
        ok = i != j and self.expected[src.pk] >= qty
        key = self._key()
        try:
            tx = services.units_transfer(from_account=src, to_account=dst, unit=UNIT, quantity=qty, idempotency_key=key)
        except LedgerError:
            assert not ok
            return
        assert ok
        if retry:
            again = services.units_transfer(
                from_account=src, to_account=dst, unit=UNIT, quantity=qty, idempotency_key=key
            )
            assert again.pk == tx.pk
        self.expected[src.pk] -= qty
        self.expected[dst.pk] += qty
        self.done.append(tx)

    @rule(i=st.integers(0, 2), qty=st.integers(1, 1500))
    def surrender(self, i, qty):
        ok = self.expected[self.accounts[i].pk] >= qty
        try:
            tx = services.units_surrender(
                firm=self.firms[i], year=2025, allowances={2025: qty}, idempotency_key=self._key()
            )
        except LedgerError:
            assert not ok
            return
        assert ok
        self.expected[self.accounts[i].pk] -= qty
        self.expected[self.retirement.pk] += qty
        self.done.append(tx)

    @rule(data=st.data())
    def reverse(self, data):
        if not self.done:
            return
        tx = data.draw(st.sampled_from(self.done))
        legs = list(tx.entries.all())
        ok = tx.pk not in self.reversed and all(
            e.account.may_go_negative or self.expected[e.account_id] >= e.quantity for e in legs if e.quantity > 0
        )
        try:
            services.transaction_reverse(original=tx, idempotency_key=self._key())
        except LedgerError:
            assert not ok
            return
        assert ok
        self.reversed.add(tx.pk)
        for e in legs:
            if e.account_id in self.expected:
                self.expected[e.account_id] -= e.quantity
            else:
                self.issued += e.quantity  # a reversed issuance returns units to the issuance account

    @invariant()
    def balances_match_the_model_and_none_is_negative(self):
        if not hasattr(self, "expected"):
            return
        actual = selectors.account_balances(list(self.expected))
        for pk, amount in self.expected.items():
            assert actual.get(pk, D(0)) == amount
            assert amount >= 0

    @invariant()
    def every_unit_sums_to_zero_and_issuance_stays_under_the_cap(self):
        if not hasattr(self, "expected"):
            return
        assert all(v == 0 for v in selectors.unit_totals(self.market).values())
        assert selectors.issued_total(self.market, 2025) == self.issued <= CAP


@pytest.mark.django_db
def test_random_sequences_of_ledger_operations_keep_every_invariant(shanghai):
    from registry.models import MarketCap

    MarketCap.objects.create(market=shanghai, year=2025, cap_tco2e=CAP, reserve_tco2e=D(0))
    LedgerMachine.firms = [FirmFactory(market=shanghai) for _ in range(3)]
    LedgerMachine.market = shanghai
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )

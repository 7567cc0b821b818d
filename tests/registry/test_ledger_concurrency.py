"""Real concurrent connections on PostgreSQL: no double spend, and one key moves units once."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from registry import selectors, services
from registry.ledger import LedgerError, Unit, holding_account
from registry.models import ALLOWANCE, MarketCap, Transaction
from tests.factories import FirmFactory, market

D = Decimal
A25 = Unit(ALLOWANCE, 2025)
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks and real concurrent connections"),
]


def run_concurrently(n, work):
    """Start `n` threads at once, each with its own connection; returns their results or exceptions."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # collected and asserted by the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture
def world():
    shanghai = market("shanghai")
    MarketCap.objects.create(market=shanghai, year=2025, cap_tco2e=D(100000), reserve_tco2e=D(0))
    payer = FirmFactory(market=shanghai)
    receivers = [FirmFactory(market=shanghai) for _ in range(4)]
    services.allowances_issue(firm=payer, vintage=2025, quantity=1000, idempotency_key="fund")
    return shanghai, holding_account(payer), [holding_account(f) for f in receivers]


def test_concurrent_transfers_from_one_account_never_spend_more_than_it_holds(world):
    shanghai, payer, receivers = world
    # 1,000 t held, 16 transfers of 150 t: exactly 6 succeed (900 t), 10 are refused, 100 t remain.
    results = run_concurrently(
        16,
        lambda i: services.units_transfer(
            from_account=payer, to_account=receivers[i % 4], unit=A25, quantity=150, idempotency_key=f"spend{i}"
        ),
    )
    succeeded = [r for r in results if isinstance(r, Transaction)]
    refused = [r for r in results if isinstance(r, LedgerError)]
    assert (len(succeeded), len(refused)) == (6, 10)
    balances = selectors.account_balances([payer, *receivers])
    assert balances[payer.pk] == D(100)
    assert sum(balances.values()) == D(1000)
    assert all(v >= 0 for v in balances.values())
    assert all(v == 0 for v in selectors.unit_totals(shanghai).values())


def test_concurrent_retries_with_one_key_record_one_transaction(world):
    shanghai, payer, receivers = world
    results = run_concurrently(
        8,
        lambda i: services.units_transfer(
            from_account=payer, to_account=receivers[0], unit=A25, quantity=200, idempotency_key="same-key"
        ),
    )
    assert all(isinstance(r, Transaction) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Transaction.objects.filter(idempotency_key=f"{payer.pk}:same-key").count() == 1
    assert sum(r.replayed for r in results) == 7
    assert selectors.account_balances([payer, receivers[0]]) == {payer.pk: D(800), receivers[0].pk: D(200)}


def test_concurrent_reversals_of_one_transaction_reverse_it_once(world):
    shanghai, payer, receivers = world
    original = services.units_transfer(
        from_account=payer, to_account=receivers[0], unit=A25, quantity=100, idempotency_key="to-reverse"
    )
    results = run_concurrently(
        6, lambda i: services.transaction_reverse(original=original, idempotency_key=f"rev{i}", reason="error")
    )
    assert sum(isinstance(r, Transaction) for r in results) == 1
    assert all(isinstance(r, Transaction | LedgerError) for r in results), results
    assert Transaction.objects.filter(reverses=original).count() == 1
    assert selectors.account_balances([payer, receivers[0]]) == {payer.pk: D(1000), receivers[0].pk: D(0)}


def test_concurrent_proposals_never_exceed_the_daily_cap(world, settings):
    from mrv.models import User
    from registry.models import TransferProposal
    from tests.factories import UserFactory

    shanghai, payer, receivers = world
    settings.REGISTRY_TRANSFER_MAX_PER_DAY_T = 500
    approver = UserFactory(username="cap-approver", role=User.Role.FIRM_APPROVER, firm_id=payer.firm_id)
    # 8 proposals of 100 t at once against a cap of 500 t a day: exactly 5 are accepted.
    results = run_concurrently(
        8,
        lambda i: services.transfer_propose(
            from_account=payer, to_account=receivers[i % 4], unit=A25, quantity=100, acting_user=approver
        ),
    )
    assert sum(isinstance(r, TransferProposal) for r in results) == 5
    assert all(isinstance(r, TransferProposal | LedgerError) for r in results), results
    assert TransferProposal.objects.filter(from_account=payer).count() == 5


def test_a_cancel_racing_the_execution_leaves_one_outcome(world, settings):
    import datetime

    from django.utils import timezone

    from mrv.models import User
    from registry.models import TransferProposal
    from tests.factories import UserFactory

    shanghai, payer, receivers = world
    settings.REGISTRY_TRANSFER_DELAY_HOURS = 0
    a = UserFactory(username="rep-a", role=User.Role.FIRM_APPROVER, firm_id=payer.firm_id)
    b = UserFactory(username="rep-b", role=User.Role.FIRM_APPROVER, firm_id=payer.firm_id)
    proposal = services.transfer_propose(
        from_account=payer, to_account=receivers[0], unit=A25, quantity=100, acting_user=a
    )
    proposal = services.transfer_approve(proposal=proposal, acting_user=b)
    later = timezone.now() + datetime.timedelta(minutes=1)

    def work(i):
        if i % 2:
            return services.transfer_cancel(proposal=TransferProposal.objects.get(pk=proposal.pk), acting_user=a)
        return services.transfer_execute(proposal_id=proposal.pk, now=later)

    run_concurrently(6, work)
    proposal.refresh_from_db()
    moved = selectors.account_balances([receivers[0]]).get(receivers[0].pk, D(0))
    assert (proposal.status, moved) in {("executed", D(100)), ("cancelled", D(0))}
    assert Transaction.objects.filter(kind="transfer").count() == (1 if proposal.status == "executed" else 0)

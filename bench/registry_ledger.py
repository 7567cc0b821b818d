"""Ledger figures: the product's transfers per second beside a raw-SQL locked two-account transfer measured
in the same run (1 and 8 connections; the four-eyes propose + approve too) with their ratio, and the time
of balance queries with 10,000 accounts × 10 vintages of entries. PostgreSQL (DATABASE_URL) in a throw-away
database `<name>_bench` that is created and dropped; SQLite works too but says little about locking.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/mrv_registry .venv/bin/python bench/registry_ledger.py
"""

import os
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", 10000))
VINTAGES = 10
TRANSFERS = int(os.environ.get("BENCH_TRANSFERS", 400))
THREADS = 8


def bulk_ledger(market, firms):
    """One issuance transaction per vintage crediting every account, written in bulk (the data, not the test)."""
    from registry.ledger import government_account
    from registry.models import ALLOWANCE, Account, Entry, Transaction

    issuance = government_account(market, Account.Kind.ISSUANCE)
    accounts = Account.objects.bulk_create(
        Account(market=market, firm=f, kind="holding", number=f"B-{f.pk}") for f in firms
    )
    for vintage in range(2016, 2016 + VINTAGES):
        tx = Transaction.objects.create(market=market, kind="issuance", idempotency_key=f"b:{vintage}")
        entries = [
            Entry(transaction=tx, account=a, unit_type=ALLOWANCE, vintage=vintage, quantity=1000) for a in accounts
        ]
        entries.append(
            Entry(
                transaction=tx, account=issuance, unit_type=ALLOWANCE, vintage=vintage, quantity=-1000 * len(accounts)
            )
        )
        Entry.objects.bulk_create(entries, batch_size=10000)
    return accounts


def rate(work, threads: int) -> float:
    """Transfers per second of `work(thread, i)` run TRANSFERS times over `threads` connections."""
    per_thread = TRANSFERS // threads
    barrier = threading.Barrier(threads)
    errors = []

    def run(t):
        try:
            barrier.wait()
            for i in range(per_thread):
                work(t, i + 1000 * threads)
        except Exception as exc:  # reported below: a failing bench must not print a figure
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    start = time.perf_counter()
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    seconds = time.perf_counter() - start
    if errors:
        raise errors[0]
    return per_thread * threads / seconds


class RawTransfer:
    """The baseline: lock both accounts in key order, check the payer's balance, insert the transaction and
    its two entries, commit (what any locked double-entry transfer must do, without the product around it)."""

    def __init__(self, market_id: int):
        self.market_id = market_id

    def __call__(self, src: int, dst: int, vintage: int, key: str) -> None:
        from django.db import transaction

        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SELECT id FROM registry_account WHERE id IN (%s, %s) ORDER BY id FOR UPDATE", [src, dst])
            cur.execute(
                "SELECT COALESCE(SUM(quantity), 0) FROM registry_entry"
                " WHERE account_id = %s AND unit_type = 'ALLOWANCE' AND vintage = %s AND project = ''",
                [src, vintage],
            )
            if cur.fetchone()[0] < 1:
                raise RuntimeError("raw transfer not covered")
            cur.execute(
                "INSERT INTO registry_transaction (market_id, kind, idempotency_key, request_sha256, created_at, memo)"
                " VALUES (%s, 'transfer', %s, '', now(), '') RETURNING id",
                [self.market_id, key],
            )
            tx = cur.fetchone()[0]
            cur.execute(
                "INSERT INTO registry_entry (transaction_id, account_id, unit_type, vintage, project, quantity)"
                " VALUES (%s, %s, 'ALLOWANCE', %s, '', -1), (%s, %s, 'ALLOWANCE', %s, '', 1)",
                [tx, src, vintage, tx, dst, vintage],
            )


class FourEyes:
    """Propose by one representative, approve by another, to a trusted account (executes on approval)."""

    def __init__(self, accounts, firms):
        from mrv.models import User
        from registry import services
        from registry.models import TrustedAccount

        self.pairs = {}
        for t in range(THREADS):
            src, dst = accounts[2000 + t], accounts[3000 + t]
            a, b = (
                User.objects.create(username=f"bench-{t}-{n}", role=User.Role.FIRM_APPROVER, firm_id=src.firm_id)
                for n in "ab"
            )
            entry = services.trusted_account_propose(account=src, trusted=dst, acting_user=a)
            services.trusted_account_approve(entry=entry, acting_user=b)
            assert TrustedAccount.objects.filter(pk=entry.pk, status="approved").exists()
            self.pairs[t] = (src, dst, a, b)

    def __call__(self, t: int, i: int) -> None:
        from registry import services
        from registry.ledger import Unit
        from registry.models import ALLOWANCE

        src, dst, a, b = self.pairs[t]
        proposal = services.transfer_propose(
            from_account=src, to_account=dst, unit=Unit(ALLOWANCE, 2018), quantity=1, acting_user=a
        )
        services.transfer_approve(proposal=proposal, acting_user=b)


def count_queries(func, show: bool = False) -> int:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        func()
    if show or os.environ.get("BENCH_SHOW_QUERIES"):
        for q in ctx.captured_queries:
            print("    ", q["sql"][:160])
    return len(ctx.captured_queries)


def timed(label, func, n=1):
    start = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - start
    print(f"{label}: {seconds * 1000 / n:.2f} ms" + (f" each ({n} runs)" if n > 1 else ""))
    return result, seconds


def main() -> None:
    from django.conf import settings

    from mrv.credit_code import make_credit_code
    from mrv.models import Firm, Market, Sector
    from registry import selectors, services
    from registry.ledger import LedgerError, Unit, balance
    from registry.models import ALLOWANCE, MarketCap

    market, sector = Market.objects.get(code="shanghai"), Sector.objects.get(code="power")
    MarketCap.objects.create(market=market, year=2025, cap_tco2e=Decimal(10**9))
    firms = Firm.objects.bulk_create(
        Firm(name=f"B{i}", credit_code=make_credit_code(f"91310000{i:09d}"), market=market, sector=sector)
        for i in range(ACCOUNTS)
    )
    start = time.perf_counter()
    accounts = bulk_ledger(market, firms)
    print(
        f"setup: {ACCOUNTS} accounts × {VINTAGES} vintages = {ACCOUNTS * VINTAGES:,} holding entries "
        f"in {time.perf_counter() - start:.1f} s ({connection.vendor})"
    )

    unit = Unit(ALLOWANCE, 2016)
    payer, others = accounts[0], accounts[1:]
    services.allowances_issue(firm=firms[0], vintage=2025, quantity=10**6, idempotency_key="bench:fund")
    settings.REGISTRY_TRANSFER_MAX_T = settings.REGISTRY_TRANSFER_MAX_PER_DAY_T = 0  # no caps in the way
    settings.REGISTRY_TRUSTED_LIST_DELAY_HOURS = 0

    def product(t, i):
        services.units_transfer(
            from_account=accounts[1 + t * 100 + i % 100],
            to_account=accounts[len(accounts) // 2 + t * 100 + i % 100],
            unit=unit,
            quantity=1,
            idempotency_key=f"bench:p:{t}:{i}",
        )

    raw_sql = RawTransfer(market.pk)

    def raw(t, i):
        raw_sql(
            accounts[1 + t * 100 + i % 100].pk,
            accounts[len(accounts) // 2 + t * 100 + i % 100].pk,
            2017,
            f"bench:r:{t}:{i}",
        )

    four_eyes = FourEyes(accounts, firms)

    results = {}
    for threads in (1, THREADS):
        results[("product", threads)] = rate(product, threads)
        results[("raw", threads)] = rate(raw, threads)
        results[("four-eyes", threads)] = rate(four_eyes, threads)
    print("transfers/s (same run; each thread pays from its own accounts):")
    print(f"  {'':34}{'1 connection':>14}{f'{THREADS} connections':>16}")
    for label, key in (
        ("raw SQL locked two-account", "raw"),
        ("product units_transfer", "product"),
        ("product four-eyes propose+approve", "four-eyes"),
    ):
        print(f"  {label:34}{results[(key, 1)]:>14.0f}{results[(key, THREADS)]:>16.0f}")
    for key in ("product", "four-eyes"):
        print(
            f"  ratio {key} / raw: {100 * results[(key, 1)] / results[('raw', 1)]:.0f} % (1), "
            f"{100 * results[(key, THREADS)] / results[('raw', THREADS)]:.0f} % ({THREADS})"
        )
    print(f"  statements per product transfer: {count_queries(lambda: product(0, 99999))}")
    print(f"  statements per four-eyes propose + approve: {count_queries(lambda: four_eyes(0, 99999))}")

    if connection.vendor == "postgresql":

        def contended():
            def work(t):
                try:
                    for i in range(TRANSFERS // THREADS // 4):
                        try:
                            services.units_transfer(
                                from_account=payer,
                                to_account=others[t],
                                unit=unit,
                                quantity=1,
                                idempotency_key=f"bench:hot:{t}:{i}",
                            )
                        except LedgerError:
                            pass
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()

        n = TRANSFERS // THREADS // 4 * THREADS
        _, seconds = timed(f"{n} transfers on {THREADS} connections from ONE account", contended)
        print(f"  → {n / seconds:.0f} transfers/s (serialised by the account lock)")

    sample = accounts[123]
    timed("holdings of one account (10 vintages)", lambda: [selectors.holdings(sample) for _ in range(100)], 100)
    timed("balance of one account and unit", lambda: [balance(sample, unit) for _ in range(100)], 100)
    timed("balances of 100 accounts in one query", lambda: selectors.account_balances(accounts[:100]))
    timed(f"issued total of a vintage over {ACCOUNTS} accounts", lambda: selectors.issued_total(market, 2016))
    timed("ledger check: every unit sums to zero (whole market)", lambda: selectors.unit_totals(market))


if __name__ == "__main__":
    from django.conf import settings

    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":  # never the test database of a running pytest session
        db["TEST"]["NAME"] = f"{db['NAME']}_bench"
    config = setup_databases(verbosity=0, interactive=False, keepdb=False, aliases={"default"})
    try:
        main()
    finally:
        connections.close_all()
        teardown_databases(config, verbosity=0)

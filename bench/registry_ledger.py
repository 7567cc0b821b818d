"""Ledger figures: transfers per second (one thread and several concurrent connections) and the time of
balance queries with 10,000 accounts × 10 vintages of entries. PostgreSQL (DATABASE_URL) in a throw-away
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


def timed(label, func, n=1):
    start = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - start
    print(f"{label}: {seconds * 1000 / n:.2f} ms" + (f" each ({n} runs)" if n > 1 else ""))
    return result, seconds


def main() -> None:
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

    def sequential():
        for i in range(TRANSFERS):
            services.units_transfer(
                from_account=payer, to_account=others[i % 500], unit=unit, quantity=1, idempotency_key=f"bench:seq:{i}"
            )

    _, seconds = timed(f"{TRANSFERS} sequential transfers", sequential)
    print(f"  → {TRANSFERS / seconds:.0f} transfers/s (one connection, one paying account)")

    def concurrent():
        def work(t):
            try:
                for i in range(TRANSFERS // THREADS):
                    src = accounts[1 + t * 100 + i % 100]  # each thread pays from its own accounts
                    services.units_transfer(
                        from_account=src,
                        to_account=accounts[5000 + i % 1000],
                        unit=unit,
                        quantity=1,
                        idempotency_key=f"bench:par:{t}:{i}",
                    )
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()

    if connection.vendor == "postgresql":
        _, seconds = timed(f"{TRANSFERS} transfers on {THREADS} connections", concurrent)
        print(f"  → {TRANSFERS / seconds:.0f} transfers/s ({THREADS} connections, distinct paying accounts)")

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

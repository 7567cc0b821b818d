"""Compliance positions: one firm's position read, the all-firm compliance page and the statistics, read from
the firm-year position table, beside the raw SQL that sums the ledger for the same answer (same run).

Fills a throw-away database `<name>_bench` with BENCH_FIRMS firms (default 2,000) × BENCH_YEARS years (default
10) of determined emissions and one surrender per firm-year (entries written in bulk), builds the positions
with the `rebuild_positions` code, then measures. PostgreSQL (DATABASE_URL).

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/mrv_x .venv/bin/python bench/positions.py
"""

import datetime
import os
import statistics
import sys
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

from bench.querycount import count_queries  # noqa: E402

FIRMS = int(os.environ.get("BENCH_FIRMS", 2000))
YEARS = int(os.environ.get("BENCH_YEARS", 10))
LAST = 2025
FIRST = LAST - YEARS + 1


def fill(market, sector):
    """Firms, a determined annual report per firm-year and a surrender per firm-year (bulk: the data, not the test)."""
    from mrv.credit_code import make_credit_code
    from mrv.models import EmissionReport, Firm
    from registry.ledger import government_account
    from registry.models import ALLOWANCE, Account, Entry, Transaction

    firms = Firm.objects.bulk_create(
        Firm(name=f"B{i:05d}", credit_code=make_credit_code(f"91310000{i:09d}"), market=market, sector=sector)
        for i in range(FIRMS)
    )
    EmissionReport.objects.bulk_create(
        (
            EmissionReport(
                firm=f,
                market=market,
                year=y,
                status="determined",
                determined_emissions_tco2e=Decimal(1000 + (f.pk % 7) * 10),
            )
            for f in firms
            for y in range(FIRST, LAST + 1)
        ),
        batch_size=5000,
    )
    recorded = Transaction._meta.get_field("created_at")
    recorded.auto_now_add = False  # the surrenders were recorded in time: on 1 May of the next year
    holdings = Account.objects.bulk_create(
        Account(market=market, firm=f, kind="holding", number=f"B-{f.pk}") for f in firms
    )
    retirement = government_account(market, Account.Kind.RETIREMENT)
    for y in range(FIRST, LAST + 1):
        txs = Transaction.objects.bulk_create(
            (
                Transaction(
                    market=market,
                    kind="surrender",
                    idempotency_key=f"b:{f.pk}:{y}",
                    firm=f,
                    compliance_year=y,
                    created_at=datetime.datetime(y + 1, 5, 1, tzinfo=datetime.UTC),
                )
                for f in firms
            ),
            batch_size=5000,
        )
        entries = []
        for tx, account in zip(txs, holdings, strict=True):
            # every seventh firm is 50 t short; the others surrender what they owe
            qty = Decimal(1000 + (account.firm_id % 7) * 10 - (50 if account.firm_id % 7 == 0 else 0))
            entries += [
                Entry(transaction=tx, account=account, unit_type=ALLOWANCE, vintage=y, quantity=-qty),
                Entry(transaction=tx, account=retirement, unit_type=ALLOWANCE, vintage=y, quantity=qty),
            ]
        Entry.objects.bulk_create(entries, batch_size=10000)
    recorded.auto_now_add = True
    return firms


RAW_ONE = """
SELECT t.compliance_year, SUM(e.quantity)
FROM registry_entry e JOIN registry_transaction t ON t.id = e.transaction_id
JOIN registry_account a ON a.id = e.account_id
WHERE t.firm_id = %s AND a.kind = 'retirement' AND t.kind IN ('surrender', 'reversal') AND t.compliance_year <= %s
GROUP BY t.compliance_year
"""

RAW_ALL = """
SELECT t.firm_id, t.compliance_year, SUM(e.quantity)
FROM registry_entry e JOIN registry_transaction t ON t.id = e.transaction_id
JOIN registry_account a ON a.id = e.account_id
WHERE a.market_id = %s AND a.kind = 'retirement' AND t.kind IN ('surrender', 'reversal') AND t.compliance_year <= %s
GROUP BY t.firm_id, t.compliance_year
"""


def ms(func, n: int) -> float:
    """Median milliseconds of `n` runs."""
    runs = []
    for _ in range(n):
        start = time.perf_counter()
        func()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def main() -> None:
    from django.test import Client

    from mrv.models import Authority, Market, Sector, User
    from registry import positions, selectors

    market, sector = Market.objects.get(code="shanghai"), Sector.objects.get(code="power")
    start = time.perf_counter()
    firms = fill(market, sector)
    print(f"setup: {FIRMS} firms × {YEARS} years ({connection.vendor}) in {time.perf_counter() - start:.1f} s")

    with count_queries() as q:
        start = time.perf_counter()
        written = positions.rebuild_all()
    print(f"rebuild_positions: {written:,} rows in {time.perf_counter() - start:.1f} s, {len(q)} queries")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_firmyearposition")

    firm = firms[FIRMS // 2]
    firm.market  # noqa: B018  (loaded once, as a page has it)
    with count_queries() as q:
        status = selectors.compliance_status(firm, LAST)
    one = ms(lambda: selectors.compliance_status(firm, LAST), 200)
    one_raw = ms(lambda: raw(RAW_ONE, [firm.pk, LAST]), 200)
    floor = ms(lambda: list(Market.objects.filter(pk=market.pk)[:1]), 200)
    row_sql = ms(
        lambda: raw("SELECT * FROM registry_firmyearposition WHERE firm_id = %s AND year = %s", [firm.pk, LAST]), 200
    )
    print(
        f"one firm's position ({status.status}): {one:.2f} ms, {len(q)} query; raw ledger sum for the same firm: "
        f"{one_raw:.2f} ms; the position row in raw SQL: {row_sql:.2f} ms; "
        f"an ORM primary-key read of one market (any ORM query's floor, same run): {floor:.2f} ms"
    )

    for _ in range(3):  # warm
        selectors.compliance_status(firm, LAST)
    with count_queries() as q:
        statuses = selectors.compliance_statuses(market, LAST)
    all_ms = ms(lambda: selectors.compliance_statuses(market, LAST), 5)
    all_raw = ms(lambda: raw(RAW_ALL, [market.pk, LAST]), 5)
    short = sum(1 for s in statuses if s.status != selectors.Status.COMPLIANT)
    print(
        f"all {len(statuses)} firms' positions ({short} not compliant): {all_ms:.0f} ms, {len(q)} queries; "
        f"raw grouped ledger sum: {all_raw:.0f} ms (ratio {all_ms / all_raw:.2f}×)"
    )

    with count_queries() as q:
        stats = selectors.market_statistics(market, LAST)
    stats_ms = ms(lambda: selectors.market_statistics(market, LAST), 5)
    print(f"market statistics ({stats.compliance_rate_pct} % compliant): {stats_ms:.0f} ms, {len(q)} queries")

    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.MFA_REQUIRED = False
    authority = Authority.objects.create(name="bench", kind=Authority.Kind.REGULATOR, market=market)
    officer = User.objects.create(username="bench-officer", role=User.Role.REGULATOR_OFFICER, authority=authority)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(officer)
    url = f"/registry/compliance/?year={LAST}"
    first = client.get(url)
    assert first.status_code == 200, (first.status_code, first.get("Location"))
    with count_queries() as q:
        client.get(url)
    page_ms = ms(lambda: client.get(url), 5)
    print(
        f"compliance page (a page of 200 rows, the summary over all {len(statuses)} firms): {page_ms:.0f} ms, {len(q)} queries"
    )
    assert len(statuses) == FIRMS


if __name__ == "__main__":
    from django.conf import settings

    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":  # never the test database of a running pytest session
        db["TEST"]["NAME"] = f"{db['NAME']}_bench_positions"
    config = setup_databases(verbosity=0, interactive=False, keepdb=False, aliases={"default"})
    try:
        main()
    finally:
        connections.close_all()
        teardown_databases(config, verbosity=0)

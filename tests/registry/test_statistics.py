"""Market statistics for a small market, against hand-counted figures."""

import datetime
from decimal import Decimal

from registry import selectors, services
from registry.ledger import Unit, holding_account
from registry.models import ALLOWANCE, AllocationLine, AllocationTable
from tests.factories import FirmFactory
from tests.registry.conftest import determine, fund

D = Decimal
A25 = Unit(ALLOWANCE, 2025)


def test_statistics_of_a_small_market(firm, other_firm, cap_2025, shanghai):
    FirmFactory(market=shanghai)  # covered but nothing determined: obliged and not compliant
    table = AllocationTable.objects.create(market=shanghai, year=2025, status="approved")
    AllocationLine.objects.create(
        table=table, firm=firm, method="benchmark", formula="f", computed_tco2e=950, free_tco2e=900, auction_tco2e=50
    )
    AllocationLine.objects.create(
        table=table,
        firm=other_firm,
        method="benchmark",
        formula="f",
        computed_tco2e=600,
        free_tco2e=600,
        auction_tco2e=0,
    )
    fund(firm, 1100)
    fund(other_firm, 300)
    mine, theirs = holding_account(firm), holding_account(other_firm)

    def trade(src, dst, qty, day, key):
        return services.units_transfer(
            from_account=src,
            to_account=dst,
            unit=A25,
            quantity=qty,
            idempotency_key=key,
            kind="trade",
            price_cny_per_t=D("45.50"),
            trade_date=day,
        )

    trade(mine, theirs, 100, datetime.date(2025, 3, 1), "t1")
    wrong = trade(theirs, mine, 30, datetime.date(2025, 5, 5), "t2")
    services.transaction_reverse(original=wrong, idempotency_key="t2-rev")
    trade(mine, theirs, 20, datetime.date(2024, 12, 31), "t3")  # dated in 2024: not 2025's volume
    services.offsets_issue(firm=firm, offset_type="CCER", project="P1", vintage=2024, quantity=50, idempotency_key="o")
    determine(firm, 2025, 1000)
    determine(other_firm, 2025, 500)
    services.units_surrender(
        firm=firm, year=2025, allowances={2025: 950}, offsets={Unit("CCER", 2024, "P1"): 50}, idempotency_key="s1"
    )
    services.units_surrender(firm=other_firm, year=2025, allowances={2025: 200}, idempotency_key="s2")

    stats = selectors.market_statistics(shanghai, 2025, today=datetime.date(2026, 7, 1))
    assert (stats.obliged_firms, stats.compliant_firms, stats.compliance_rate_pct) == (3, 1, D("33.3"))
    assert stats.cap_tco2e == D(1000000)
    assert stats.allocated_tco2e == D(1550)  # 950 + 600
    assert stats.issued_tco2e == D(1400)  # 1,100 + 300
    assert stats.surrendered_tco2e == D(1200)  # 950 + 50 + 200
    assert stats.offsets_tco2e == D(50)
    assert stats.offsets_share_pct == D("4.2")  # 50 / 1,200 = 4.1667 %, half-up to one decimal
    assert stats.traded_tco2e == D(100)  # 100 + 30 − 30 (reversed); the 2024 trade not counted
    assert stats.trading_rate_pct == D("0.0")  # 100 / 1,000,000 = 0.01 %, one decimal


def test_a_market_without_obliged_firms_has_no_rates(shanghai):
    stats = selectors.market_statistics(shanghai, 2025)
    assert (stats.obliged_firms, stats.compliance_rate_pct, stats.offsets_share_pct, stats.trading_rate_pct) == (
        0,
        None,
        None,
        None,
    )


def test_compliance_rates_by_year_are_counted_from_the_registry(firm, other_firm, shanghai):
    from registry.models import MarketCap

    for year in (2023, 2024):
        MarketCap.objects.create(market=shanghai, year=year, cap_tco2e=D(10000))
    fund(firm, 300, vintage=2023)
    determine(firm, 2023, 100)
    determine(other_firm, 2023, 100)
    determine(firm, 2024, 150)
    services.units_surrender(firm=firm, year=2023, allowances={2023: 300}, idempotency_key="s")
    rates = selectors.compliance_rates(shanghai, [2022, 2023, 2024], today=datetime.date(2026, 1, 1))
    # Both firms are covered every year; a year without determined emissions is not complied with.
    # 2022: 0 of 2; 2023: 1 of 2 (50.0%); 2024: the firm, covered by the 200 t carried from 2023, of 2
    assert [(r.year, r.obliged_firms, r.compliant_firms, r.rate_pct) for r in rates] == [
        (2022, 2, 0, D("0.0")),
        (2023, 2, 1, D("50.0")),
        (2024, 2, 1, D("50.0")),
    ]

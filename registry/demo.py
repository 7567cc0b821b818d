"""Demo registry data (a step of `mrv.demo.STEPS`): caps, an issued allocation, trades, offsets and a surrender.

Idempotent: tables, transactions and proposals are found by their natural keys or idempotency keys.
Benchmarks and factors set here are illustrative demo values, not official figures.
"""

import datetime
from decimal import Decimal

from mrv.models import Firm, Market, MarketSector, User
from registry import services
from registry.ledger import Unit, holding_account
from registry.models import ALLOWANCE, AllocationTable, MarketCap, ProductionRecord, TransferProposal

D = Decimal
DEMO_YEAR = 2025
DEMO_NOTE = "Demo figure (the 2020 cap of table 6 reused for the demo year)."


def _caps() -> None:
    for cap in MarketCap.objects.filter(year=2020):
        MarketCap.objects.get_or_create(
            market=cap.market,
            year=DEMO_YEAR,
            defaults={"cap_tco2e": cap.cap_tco2e, "reserve_tco2e": cap.reserve_tco2e, "note": DEMO_NOTE},
        )


def _shanghai_inputs(power: Firm, steel: Firm) -> None:
    pack = power.market.rule_pack_for(DEMO_YEAR)
    MarketSector.objects.filter(rule_pack=pack, sector__code="power", benchmark__isnull=True).update(
        benchmark=D("0.58"), adjustment_factor=D("1.0")
    )
    MarketSector.objects.filter(rule_pack=pack, sector__code="steel", decline_factor__isnull=True).update(
        decline_factor=D("0.98")
    )
    ProductionRecord.objects.get_or_create(firm=power, year=DEMO_YEAR - 1, defaults={"output": D(1040000)})
    for year, output in ((2022, 1000000), (2023, 980000), (2024, 990000)):
        ProductionRecord.objects.get_or_create(firm=steel, year=year, defaults={"output": D(output)})


def _issued_table(market: Market) -> AllocationTable:
    officer = User.objects.get(username="sh_officer")
    head = User.objects.get(username="sh_head")
    table = AllocationTable.objects.filter(market=market, year=DEMO_YEAR, kind="preliminary").first()
    if table is None or table.status == AllocationTable.Status.DRAFT:
        table = services.allocation_table_compute(market=market, year=DEMO_YEAR, acting_user=officer)
    if table.status == AllocationTable.Status.DRAFT:
        services.allocation_table_approve(table=table, acting_user=head)
    if table.status == AllocationTable.Status.APPROVED:
        services.allocation_table_issue(table=table, acting_user=officer)
    return table


def seed_registry() -> None:
    _caps()
    shanghai = Market.objects.get(code="shanghai")
    power = Firm.objects.get(users__username="sh_reporter")
    steel = Firm.objects.get(users__username="sh2_reporter")
    _shanghai_inputs(power, steel)
    _issued_table(shanghai)
    seller, buyer = holding_account(power), holding_account(steel)
    unit = Unit(ALLOWANCE, DEMO_YEAR)
    for i, (qty, price, day) in enumerate([(20000, "52.30", 3), (15000, "53.10", 17), (8000, "51.75", 28)], start=1):
        services.units_transfer(
            from_account=seller,
            to_account=buyer,
            unit=unit,
            quantity=qty,
            idempotency_key=f"demo:trade:{i}",
            kind="trade",
            price_cny_per_t=D(price),
            trade_date=datetime.date(DEMO_YEAR, 5, day),
        )
    services.offsets_issue(
        firm=power,
        offset_type="CCER",
        project="CCER-SH-001",
        vintage=DEMO_YEAR - 1,
        quantity=20000,
        idempotency_key="demo:ccer:1",
    )
    services.units_surrender(
        firm=steel, year=DEMO_YEAR, allowances={DEMO_YEAR: 100000}, idempotency_key="demo:surrender:steel"
    )
    reporter = User.objects.get(username="sh_reporter")
    if not TransferProposal.objects.filter(from_account=seller).exists():
        services.transfer_propose(
            from_account=seller,
            to_account=buyer,
            unit=unit,
            quantity=5000,
            price_cny_per_t=D("54.00"),
            trade_date=datetime.date(DEMO_YEAR, 6, 2),
            acting_user=reporter,
        )

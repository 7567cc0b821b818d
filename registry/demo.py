"""Demo registry data (a step of `mrv.demo.STEPS`, after the verification demo that determines 2024 emissions).

Caps, an issued 2024 allocation for Shanghai, settled trades, CCER credits, surrenders (one firm short),
the non-compliance finding and a proposed penalty, and a transfer waiting for its second approver.
Idempotent: tables, transactions and proposals are found by natural keys or idempotency keys.
Benchmarks and factors set here are illustrative demo values, not official figures.
"""

import datetime
from decimal import Decimal

from mrv.models import Firm, Market, MarketSector, User
from registry import selectors, services
from registry.ledger import Unit, holding_account, recorded_as_of
from registry.models import ALLOWANCE, AllocationTable, MarketCap, ProductionRecord, TransferProposal

D = Decimal
DEMO_YEAR = 2024
DEMO_NOTE = "Demo figure (the 2020 cap of table 6 reused for the demo year)."


def _caps() -> None:
    for cap in MarketCap.objects.filter(year=2020):
        for year in (DEMO_YEAR, DEMO_YEAR + 1):
            MarketCap.objects.get_or_create(
                market=cap.market,
                year=year,
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
    for year, output in ((2022, 1000000), (2023, 980000)):
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


def _surrenders(shanghai: Market, power: Firm, steel: Firm, ccer: Unit, reporter: User, officer: User) -> None:
    if selectors.compliance_status(power, DEMO_YEAR).obligation_tco2e is not None:
        # 575,000 allowances + 20,000 CCER against the determined emissions: a few thousand tonnes short
        services.units_surrender(
            firm=power,
            year=DEMO_YEAR,
            allowances={DEMO_YEAR: 575000},
            offsets={ccer: 20000},
            idempotency_key="demo:surrender:power",
            acting_user=reporter,
        )
        services.compliance_mark_non_compliant(market=shanghai, year=DEMO_YEAR, acting_user=officer)
        if selectors.compliance_status(power, DEMO_YEAR).shortfall_tco2e > 0:
            services.penalty_propose(firm=power, year=DEMO_YEAR, acting_user=officer)
    services.units_surrender(
        firm=steel,
        year=DEMO_YEAR,
        allowances={DEMO_YEAR: 100000},
        idempotency_key="demo:surrender:steel",
        acting_user=User.objects.get(username="sh2_reporter"),
    )


def seed_registry() -> None:
    _caps()
    shanghai = Market.objects.get(code="shanghai")
    power = Firm.objects.get(users__username="sh_reporter")
    steel = Firm.objects.get(users__username="sh2_reporter")
    _shanghai_inputs(power, steel)
    _issued_table(shanghai)
    officer = User.objects.get(username="sh_officer")
    seller, buyer = holding_account(steel), holding_account(power)
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
    services.allowances_sell(
        firm=power,
        vintage=DEMO_YEAR,
        quantity=10000,
        price_cny_per_t=D("48.00"),
        idempotency_key="demo:auction:1",
        acting_user=officer,
    )
    ccer = Unit("CCER", DEMO_YEAR - 1, "CCER-SH-001")
    services.offsets_issue(
        firm=power,
        offset_type=ccer.unit_type,
        project=ccer.project,
        vintage=ccer.vintage,
        quantity=20000,
        idempotency_key="demo:ccer:1",
        acting_user=officer,
    )
    reporter = User.objects.get(username="sh_reporter")
    # The surrenders happened before the compliance deadline (30 June of the next year): recorded as of May.
    with recorded_as_of(datetime.datetime(DEMO_YEAR + 1, 5, 31, 10, tzinfo=datetime.UTC)):
        _surrenders(shanghai, power, steel, ccer, reporter, officer)
    # The reporter is designated an authorised representative of the firm's account (approvers are by role).
    services.representative_add(account=buyer, user=reporter, acting_user=officer)
    if not TransferProposal.objects.filter(from_account=buyer).exists():
        services.transfer_propose(
            from_account=buyer,
            to_account=seller,
            unit=unit,
            quantity=5000,
            price_cny_per_t=D("54.00"),
            trade_date=datetime.date(DEMO_YEAR, 6, 2),
            acting_user=reporter,
        )

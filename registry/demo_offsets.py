"""Demo: the local and national offset rules at work in 2025 — a Guangdong PHCER surrender, a Fujian FFCER
surrender and a national CCER surrender held to the 5 % cap.

A step of `mrv.demo.STEPS` after `registry.demo_allocation`. For these three firms the demo's 2025 annual
report stands determined (written in that state, as the verification demo writes its starting reports: the
review path is shown in the other markets), their 2025 tables are approved by the market's second head and
issued, offset credits enter their accounts, and each firm surrenders allowances plus the most offsets its
market allows. The national firm's 300,000 t CCER would exceed the cap (5 % of 5,100,000 t = 255,000 t): it
surrenders 255,000 t and keeps 45,000 t. Idempotent: reports, tables and ledger moves are found by natural keys
or idempotency keys.
"""

from decimal import ROUND_DOWN, Decimal

from mrv.credit_code import make_credit_code
from mrv.models import EmissionReport, Firm, Sector, User
from registry import selectors, services
from registry.ledger import Unit, holding_account
from registry.models import AllocationLine, AllocationTable

D = Decimal
YEAR = 2025
# reporter login → (market prefix, determined tCO2e, offset type, credits issued to the firm)
FIRMS = {
    "gd_reporter": ("gd", D(1180000), "PHCER", D(60000)),
    "fj_reporter": ("fj", D(99000), "FFCER", D(9900)),
    "cn_reporter": ("cn", D(5100000), "CCER", D(300000)),
}


def _determined(firm, tco2e: Decimal) -> None:
    if EmissionReport.objects.filter(firm=firm, year=YEAR, period="annual").exists():
        return
    EmissionReport(
        firm=firm,
        market=firm.market,
        year=YEAR,
        period="annual",
        status=EmissionReport.Status.DETERMINED,
        reported_emissions_tco2e=tco2e,
        determined_emissions_tco2e=tco2e,
    ).save()


def _issued(market, prefix: str) -> None:
    table = AllocationTable.objects.filter(market=market, year=YEAR, kind=AllocationTable.Kind.PRELIMINARY).first()
    if table is None:
        return
    if table.status == AllocationTable.Status.DRAFT:
        services.allocation_table_approve(table=table, acting_user=User.objects.get(username=f"{prefix}_head2"))
    if table.status == AllocationTable.Status.APPROVED:
        services.allocation_table_issue(table=table, acting_user=User.objects.get(username=f"{prefix}_officer"))


# The national exchange's settlement file (trading is the exchange's; the registry records the settlement).
EXCHANGE_TRADES = [("CEEX-2025-0001", "2025-07-16", 40000, "48.00"), ("CEEX-2025-0002", "2025-09-02", 25000, "51.20")]


def _exchange_trades() -> None:
    """A second national firm (covered from 2026, already trading) buys from the Fuzhou plant, imported from
    the exchange's CSV as a regulator does (registry → Import trades)."""
    seller_firm = User.objects.get(username="cn_reporter").firm
    buyer_firm, _created = Firm.objects.get_or_create(
        credit_code=make_credit_code("91350000000000077"),
        defaults={
            "name": "大唐福建发电有限公司",
            "market": seller_firm.market,
            "sector": Sector.objects.get(code="power"),
            "covered_since": YEAR + 1,
        },
    )
    seller, buyer = holding_account(seller_firm), holding_account(buyer_firm)
    lines = ["trade_id,trade_date,seller_account,buyer_account,vintage,quantity,price_cny_per_t"]
    lines += [f"{i},{d},{seller.number},{buyer.number},{YEAR},{q},{p}" for i, d, q, p in EXCHANGE_TRADES]
    if not seller.entries.filter(transaction__idempotency_key__startswith="trade:national:").exists():
        services.trades_import(
            market=seller_firm.market,
            data=("\n".join(lines) + "\n").encode(),
            acting_user=User.objects.get(username="cn_officer"),
        )


def seed_offset_surrenders() -> None:
    for login, (prefix, tco2e, kind, credits) in FIRMS.items():
        reporter = User.objects.select_related("firm__market").get(username=login)
        firm, market = reporter.firm, reporter.firm.market
        officer = User.objects.get(username=f"{prefix}_officer")
        _determined(firm, tco2e)
        _issued(market, prefix)
        unit = Unit(kind, YEAR, f"{kind}-{prefix.upper()}-DEMO-1")
        services.offsets_issue(
            firm=firm,
            offset_type=kind,
            project=unit.project,
            vintage=YEAR,
            quantity=credits,
            idempotency_key=f"demo:offsets:{prefix}:{YEAR}",
            acting_user=officer,
        )
        status = selectors.compliance_status(firm, YEAR)
        offsets = min(credits, status.offset_cap_tco2e.quantize(D(1), ROUND_DOWN))
        held = AllocationLine.objects.filter(firm=firm, table__year=YEAR, table__status=AllocationTable.Status.ISSUED)
        free = sum(held.values_list("free_tco2e", flat=True), D(0))
        allowances = min(tco2e - offsets, free)
        services.units_surrender(
            firm=firm,
            year=YEAR,
            allowances={YEAR: allowances} if allowances > 0 else {},
            offsets={unit: offsets},
            idempotency_key=f"demo:surrender:{prefix}:{YEAR}",
            acting_user=User.objects.get(username=f"{prefix}_approver"),
        )
    _exchange_trades()

"""Demo allocation inputs for every market, and a draft 2025 table per market showing its method at work.

A step of `mrv.demo.STEPS` after `registry.demo.seed_registry`. The tables are drafts: the market's head
approves them in the product (four eyes). Benchmarks, factors, outputs and the national and Fujian caps
are illustrative demo values, not official figures; they are set only where the rule pack leaves them
empty, and production records are created only where missing, so running the seed again changes nothing.

What each market's table shows (log in as <code>_officer, Registry → Allocation tables → 2025):
- Beijing, Tianjin: historical intensity (Σ emissions / Σ output × decline factor × output).
- Shenzhen: three-year baseline; the power plant is below its peers and keeps its own reduction rate.
- Shanghai: the power formula (supply benchmark × supply × correction factor) and historical intensity.
- Hubei: output × benchmark × market adjustment factor.
- Guangdong: the new entrant on design capacity × benchmark, from the reserve.
- Fujian, national: benchmark × output.
- Chongqing: the self-declaration, cut to the mean of the verified history.
"""

from decimal import Decimal

from mrv.models import Firm, FirmYearFigure, Market, MarketSector, User
from registry import services
from registry.models import AllocationTable, MarketCap, ProductionRecord

D = Decimal
YEAR = 2025
NOTE = "Demo figure (illustrative; the paper states no cap for this market-year)."

# market code → sector code → parameters set where the rule pack has none (illustrative demo values).
SECTOR_PARAMETERS = {
    "beijing": {"cement": {"decline_factor": D("0.98")}},
    "tianjin": {"chemicals": {"decline_factor": D("0.98")}, "steel": {"decline_factor": D("0.98")}},
    "shenzhen": {
        "power": {"decline_factor": D("0.97"), "benchmark": D("0.52")},
        "transport": {"decline_factor": D("0.97")},
    },
    "shanghai": {
        "power": {"benchmark": D("0.58"), "adjustment_factor": D("1.0")},
        "steel": {"decline_factor": D("0.98")},
    },
    "hubei": {"cement": {"benchmark": D("0.80"), "adjustment_factor": D("0.97")}},
    "guangdong": {"cement": {"benchmark": D("0.80")}},
    "fujian": {
        "flat_glass": {"benchmark": D("0.20")},
        "chemicals": {"benchmark": D("2.0"), "decline_factor": D("0.98")},
    },
    "national": {"power": {"benchmark": D("0.85")}},
}

# firm (by its reporter's login) → {year: output}; the year before YEAR is the preliminary table's output.
OUTPUTS = {
    "bj_reporter": {2022: 900000, 2023: 880000, 2024: 895000},
    "tj_reporter": {2022: 760000, 2023: 750000, 2024: 762000},
    "sz_reporter": {2022: 52000000, 2023: 51000000, 2024: 51500000},
    "sz2_reporter": {2022: 1640000, 2023: 1650000, 2024: 1660000},
    "sh_reporter": {2024: 1050000},
    "sh2_reporter": {2024: 990000},
    "hb_reporter": {2024: 1900000},
    "fj_reporter": {2024: 497500},
    "cn_reporter": {2024: 5950000},
    # The firms of the calculation methods (mrv/demo_calculation_methods.py): steel (t crude steel),
    # co-firing and CEMS-monitored power (MWh supplied), ammonia (t).
    "tjs_reporter": {2022: 176000, 2023: 175000, 2024: 174000},
    "cnb_reporter": {2024: 800000},
    "cnm_reporter": {2024: 2550000},
    "fjc_reporter": {2022: 368000, 2023: 369000, 2024: 370000},
}
# Chongqing's self-declaration for YEAR: above the verified mean, so the line shows the cut.
DECLARATIONS = {"cq_reporter": 300000}
CAPS = {"national": (D(4500000000), D(0)), "fujian": (D(120000000), D(0))}


def _parameters() -> None:
    for market in Market.objects.filter(code__in=SECTOR_PARAMETERS):
        pack = market.rule_pack_for(YEAR)
        for sector_code, values in SECTOR_PARAMETERS[market.code].items():
            for name, value in values.items():
                MarketSector.objects.filter(
                    rule_pack=pack, sector__code=sector_code, **{f"{name}__isnull": True}
                ).update(**{name: value})


def _caps() -> None:
    for code, (cap, reserve) in CAPS.items():
        market = Market.objects.get(code=code)
        row, _created = MarketCap.objects.get_or_create(
            market=market, year=YEAR, defaults={"cap_tco2e": cap, "reserve_tco2e": reserve, "note": NOTE}
        )
        if row.cap_tco2e is None:
            row.cap_tco2e, row.note = cap, NOTE
            row.save(update_fields=["cap_tco2e", "note"])


def _production() -> None:
    users = User.objects.filter(username__in=[*OUTPUTS, *DECLARATIONS]).select_related("firm")
    firms = {u.username: u.firm for u in users}
    for login, outputs in OUTPUTS.items():
        for year, output in outputs.items():
            ProductionRecord.objects.get_or_create(
                firm=firms[login],
                year=year,
                defaults={"output": D(output), "is_verified": True},
            )
    for login, declared in DECLARATIONS.items():
        record, created = ProductionRecord.objects.get_or_create(
            firm=firms[login], year=YEAR, defaults={"output": D(0), "declared_tco2e": D(declared)}
        )
        if not created and record.declared_tco2e is None:
            record.declared_tco2e = D(declared)
            record.save(update_fields=["declared_tco2e"])


def _history_figures() -> None:
    """The base years' recorded emissions, where the demo firm has none (the three-year methods need them)."""
    for firm in Firm.objects.filter(users__username__in=OUTPUTS).distinct():
        have = set(FirmYearFigure.objects.filter(firm=firm).values_list("year", flat=True))
        if have >= {YEAR - 3, YEAR - 2, YEAR - 1}:
            continue
        last = FirmYearFigure.objects.filter(firm=firm).order_by("-year").first()
        for year in {YEAR - 3, YEAR - 2, YEAR - 1} - have:
            FirmYearFigure.objects.create(firm=firm, year=year, emissions_tco2e=last.emissions_tco2e if last else D(0))


def _draft_tables() -> None:
    for market in Market.objects.order_by("code"):
        table = AllocationTable.objects.filter(market=market, year=YEAR, kind=AllocationTable.Kind.PRELIMINARY).first()
        if table is not None:
            continue
        officer = User.objects.filter(role=User.Role.REGULATOR_OFFICER, authority__market=market).order_by("pk").first()
        if officer is not None:
            services.allocation_table_compute(market=market, year=YEAR, acting_user=officer)


def seed_allocation_inputs() -> None:
    _parameters()
    _caps()
    _production()
    _history_figures()
    _draft_tables()

"""The nine markets' rules as of the 2020 compliance year, from the source paper (see DOMAIN.md).

Loaded by migration 0002 and by `seed_reference` (idempotent). Values marked (gk) are general
knowledge, not from the paper; everything else is stated in it or computed from it:
- reserve shares are computed from table 6 (e.g. Guangdong 0.23 / 4.22 = 5.45 %);
- compliance deadlines follow table 4's "month.tenth" notation (6.2 → 20 June, 5.3 → 30 May);
- the tCO2e/tce conversion of markets with an "or" threshold is the ratio of their own two thresholds
  (Hubei 120,000 / 60,000; Guangdong 20,000 / 10,000), i.e. 2.0.
"""

from decimal import Decimal as D

SECTORS = {
    "power": ("电力", "power generation"),
    "heat": ("热力", "heat supply"),
    "power_grid": ("电网", "power grid"),
    "cement": ("水泥", "cement"),
    "steel": ("钢铁", "iron and steel"),
    "petrochemicals": ("石化", "petrochemicals"),
    "chemicals": ("化工", "chemicals"),
    "paper": ("造纸", "paper"),
    "aviation": ("航空", "aviation"),
    "airports": ("机场", "airports"),
    "ports": ("港口", "ports"),
    "railways": ("铁路", "railways"),
    "construction": ("建筑", "construction"),
    "transport": ("交通运输", "transport"),
    "oil_gas_extraction": ("油气开采", "oil and gas extraction"),
    "non_ferrous": ("有色金属", "non-ferrous metals"),
    "building_materials": ("建材", "building materials"),
    "textiles": ("纺织", "textiles"),
    "rubber": ("橡胶", "rubber"),
    "chemical_fibre": ("化纤", "chemical fibre"),
    "hotels": ("宾馆", "hotels"),
    "retail": ("商场", "retail"),
    "finance": ("金融", "finance"),
    "ceramics": ("陶瓷", "ceramics"),
    "plastics": ("塑料", "plastics"),
    "services": ("服务业", "services"),
    "glass": ("玻璃", "glass"),
    "electrolytic_aluminium": ("电解铝", "electrolytic aluminium"),
    "flat_glass": ("平板玻璃", "flat glass"),
    "copper_smelting": ("铜冶炼", "copper smelting"),
    "crude_oil_processing": ("原油加工", "crude oil processing"),
    "ethylene": ("乙烯", "ethylene"),
    "aluminium_alloy": ("铝合金", "aluminium alloy"),
    "calcium_carbide": ("电石", "calcium carbide"),
    "caustic_soda": ("烧碱", "caustic soda"),
}

GF = "grandfathering"
HI = "historical_intensity"
BM = "benchmark"
BMA = "benchmark_market_adjusted"
AVG = "three_year_average_intensity"
SELF = "self_declaration"

# Deadlines shared by most markets (gk where the paper is silent): plan before the year starts,
# report by 31 March, verification season in April (paper: about one month from April), review in May.
_BASE_DEADLINES = [
    ("monitoring_plan", 0, 1, 31),
    ("annual_report", 1, 3, 31),
    ("verification", 1, 4, 30),
    ("review", 1, 5, 15),
]
_QUARTERLY = [("q1_report", 0, 4, 30), ("q2_report", 0, 7, 31), ("q3_report", 0, 10, 31), ("q4_report", 1, 1, 31)]

MARKETS = [
    {
        "code": "national",
        "name_zh": "全国碳市场",
        "name_en": "National ETS",
        "is_national": True,
        "first_compliance_year": 2019,
        "pack": dict(
            gases=["CO2"],
            gwp_set="SAR",
            covers_mobile_sources=False,
            tce_to_tco2e=D("2.6"),
            verifier_eligibility="registration",
            verification_plan_required=False,
            spot_check=False,
            free_allocation_pct=D("100"),
            auction_pct=D("0"),
            reserve_pct=D("0"),
            offset_cap_pct=D("5"),
            accepted_offset_types=["CCER"],
            max_consecutive_verification_years=3,
            penalty_text="(gk) 2021 measures: fine of CNY 20,000–30,000; the shortfall is deducted from the next year's allocation.",
            penalty_fine_min_cny=D("20000"),
            penalty_fine_max_cny=D("30000"),
            penalty_deduction_multiple=D("1"),
            notes="Power sector first (>2,000 firms, >4 Gt). Threshold 26,000 tCO2e (≈10,000 tce) in any year 2013–2019 (gk); CCER cap 5% (gk).",
        ),
        "thresholds": [(D("26000"), "tco2e", "any_year", -7, -1), (D("10000"), "tce", "any_year", -7, -1)],
        "sectors": [("power", BM, BM)],
        "deadlines": _BASE_DEADLINES + [("compliance", 1, 12, 31)],
    },
    {
        "code": "beijing",
        "name_zh": "北京",
        "name_en": "Beijing",
        "first_compliance_year": 2013,
        "pack": dict(
            gases=["CO2"],
            gwp_set="SAR",
            covers_mobile_sources=False,
            verifier_eligibility="sector_qualification",
            verification_plan_required=False,
            spot_check=True,
            spot_check_rate_pct=D("10"),
            reserve_pct=D("4.35"),
            offset_cap_pct=D("5"),
            accepted_offset_types=["CCER"],
            first_year_extension_days=30,
            penalty_text="(gk) Fine of 3–5 times the average market price of the last six months per tonne of shortfall.",
            penalty_fine_per_tonne_cny=D("240"),
            penalty_deduction_multiple=D("0"),
            notes="Threshold: average ≥10,000 tCO2 over 2017–2019. Reserve 0.02/0.46 of the cap (table 6). Spot-check rate 10% (gk).",
        ),
        "thresholds": [(D("10000"), "tco2e", "average", -3, -1)],
        "sectors": [
            ("heat", AVG, BM),
            ("power", AVG, BM),
            ("cement", HI, BM),
            ("petrochemicals", HI, BM),
            ("construction", HI, BM),
            ("services", HI, BM),
        ],
        "deadlines": _BASE_DEADLINES + [("compliance", 1, 6, 20)],
    },
    {
        "code": "tianjin",
        "name_zh": "天津",
        "name_en": "Tianjin",
        "first_compliance_year": 2013,
        "pack": dict(
            gases=["CO2"],
            gwp_set="SAR",
            covers_mobile_sources=False,
            plan_requires_third_party_check=True,
            verifier_eligibility="registration",
            verification_plan_required=False,
            spot_check=False,
            reserve_pct=D("0"),
            offset_cap_pct=D("10"),
            accepted_offset_types=["CCER"],
            first_year_extension_days=30,
            penalty_text="(gk) The shortfall is deducted from the next year's allocation; the firm loses support policies for three years.",
            penalty_deduction_multiple=D("1"),
            notes="Threshold ≥20,000 tCO2 in 2019. No adjustment reserve (table 6). The plan is checked by a third party and is a basis for allocation.",
        ),
        "thresholds": [(D("20000"), "tco2e", "single_year", -1, -1)],
        "sectors": [
            ("construction", GF, BM),
            ("transport", GF, BM),
            ("steel", HI, BM),
            ("chemicals", HI, BM),
            ("power", AVG, BM),
            ("heat", AVG, BM),
            ("petrochemicals", HI, BM),
            ("oil_gas_extraction", HI, BM),
        ],
        "deadlines": _BASE_DEADLINES + [("compliance", 1, 5, 30)],
    },
    {
        "code": "shanghai",
        "name_zh": "上海",
        "name_en": "Shanghai",
        "first_compliance_year": 2013,
        "pack": dict(
            gases=["CO2"],
            gwp_set="SAR",
            covers_mobile_sources=False,
            verifier_eligibility="sector_qualification",
            verification_plan_required=True,
            spot_check=True,
            spot_check_rate_pct=D("10"),
            offset_cap_pct=D("5"),
            accepted_offset_types=["CCER"],
            penalty_text="(gk) Fine of CNY 50,000–100,000; the shortfall is deducted from the next year's allocation.",
            penalty_fine_min_cny=D("50000"),
            penalty_fine_max_cny=D("100000"),
            penalty_deduction_multiple=D("1"),
            notes="Threshold ≥20,000 tCO2 in 2019. Cap 1.58 × 10^8 t, part auctioned. Spot-check rate 10% (gk).",
        ),
        "thresholds": [(D("20000"), "tco2e", "single_year", -1, -1)],
        "sectors": [
            ("steel", HI, BM),
            ("petrochemicals", HI, BM),
            ("chemicals", HI, BM),
            ("power", "shanghai_power", "shanghai_power"),
            ("power_grid", "shanghai_grid", "shanghai_grid"),
            ("heat", "shanghai_heat", "shanghai_heat"),
            ("non_ferrous", HI, BM),
            ("building_materials", HI, BM),
            ("textiles", HI, BM),
            ("paper", HI, BM),
            ("rubber", HI, BM),
            ("chemical_fibre", HI, BM),
            ("aviation", HI, BM),
            ("airports", HI, BM),
            ("ports", HI, BM),
            ("railways", HI, BM),
            ("hotels", HI, BM),
            ("retail", HI, BM),
            ("finance", HI, BM),
        ],
        "deadlines": _BASE_DEADLINES + [("compliance", 1, 6, 30)],
    },
    {
        "code": "guangdong",
        "name_zh": "广东",
        "name_en": "Guangdong",
        "first_compliance_year": 2013,
        "pack": dict(
            gases=["CO2"],
            gwp_set="SAR",
            covers_mobile_sources=False,
            tce_to_tco2e=D("2.0"),
            verifier_eligibility="sector_qualification",
            verification_plan_required=True,
            spot_check=False,
            reserve_pct=D("5.45"),
            offset_cap_pct=D("10"),
            accepted_offset_types=["CCER", "PHCER"],
            first_year_extension_days=30,
            penalty_text="(gk) Twice the shortfall is deducted from the next year's allocation, and a fine of CNY 50,000.",
            penalty_fine_min_cny=D("50000"),
            penalty_fine_max_cny=D("50000"),
            penalty_deduction_multiple=D("2"),
            notes="Threshold ≥20,000 tCO2 (or ≥10,000 tce) in 2019, Shenzhen excluded. Monitoring plans from 2018. Reserve 0.23/4.22 (table 6). Early warnings for power and cement.",
        ),
        "thresholds": [(D("20000"), "tco2e", "single_year", -1, -1), (D("10000"), "tce", "single_year", -1, -1)],
        "sectors": [
            ("power", BM, BM),
            ("cement", BM, BM),
            ("steel", BM, BM),
            ("petrochemicals", HI, BM),
            ("ceramics", GF, BM),
            ("textiles", GF, BM),
            ("non_ferrous", GF, BM),
            ("plastics", GF, BM),
            ("paper", GF, BM),
        ],
        "deadlines": [
            ("monitoring_plan", 0, 1, 31),
            ("annual_report", 1, 3, 15),
            ("verification", 1, 4, 30),
            ("review", 1, 5, 31),
            ("compliance", 1, 6, 20),
        ],
    },
    {
        "code": "shenzhen",
        "name_zh": "深圳",
        "name_en": "Shenzhen",
        "first_compliance_year": 2013,
        "pack": dict(
            gases=["CO2"],
            gwp_set="SAR",
            covers_mobile_sources=True,
            quarterly_reporting=True,
            quarterly_co_reviewers=["regulator", "statistics_bureau"],
            verifier_eligibility="registration",
            verification_plan_required=True,
            spot_check=False,
            offset_cap_pct=D("10"),
            accepted_offset_types=["CCER"],
            first_year_extension_days=30,
            penalty_text="(gk) The shortfall is deducted from the next year's allocation, and a fine of three times the average market price of the last six months per tonne.",
            penalty_fine_per_tonne_cny=D("150"),
            penalty_deduction_multiple=D("1"),
            notes="Threshold ≥3,000 tCO2 in 2019. Mobile sources (transport) covered. Quarterly reports co-reviewed by the DRC and the statistics bureau.",
        ),
        "thresholds": [(D("3000"), "tco2e", "single_year", -1, -1)],
        "sectors": [
            ("power", AVG, BM),
            ("cement", HI, BM),
            ("steel", HI, BM),
            ("petrochemicals", HI, BM),
            ("paper", AVG, BM),
            ("construction", AVG, BM),
            ("transport", AVG, BM),
            ("aviation", AVG, BM),
            ("services", AVG, BM),
        ],
        "deadlines": _BASE_DEADLINES + _QUARTERLY + [("compliance", 1, 6, 20)],
    },
    {
        "code": "hubei",
        "name_zh": "湖北",
        "name_en": "Hubei",
        "first_compliance_year": 2014,
        "pack": dict(
            gases=["CO2"],
            gwp_set="SAR",
            covers_mobile_sources=False,
            tce_to_tco2e=D("2.0"),
            verifier_eligibility="sector_qualification",
            verification_plan_required=True,
            spot_check=True,
            spot_check_rate_pct=D("10"),
            reserve_pct=D("8.56"),
            offset_cap_pct=D("10"),
            accepted_offset_types=["CCER"],
            penalty_text="(gk) Fine of 1–3 times the average market price per tonne of shortfall, at most CNY 150,000; twice the shortfall deducted from the next allocation.",
            penalty_fine_per_tonne_cny=D("60"),
            penalty_fine_max_cny=D("150000"),
            penalty_deduction_multiple=D("2"),
            notes="Threshold: energy ≥60,000 tce or ≥120,000 tCO2 in 2018 or 2019. Reserve 0.22/2.57 (table 6). Spot-check rate 10% (gk).",
        ),
        "thresholds": [(D("60000"), "tce", "any_year", -2, -1), (D("120000"), "tco2e", "any_year", -2, -1)],
        "sectors": [
            ("power", BMA, BMA),
            ("cement", BMA, BMA),
            ("steel", GF, BMA),
            ("petrochemicals", GF, BMA),
            ("paper", HI, BMA),
            ("aviation", GF, BMA),
            ("glass", HI, BMA),
            ("ceramics", HI, BMA),
        ],
        "deadlines": _BASE_DEADLINES + [("compliance", 1, 5, 30)],
    },
    {
        "code": "chongqing",
        "name_zh": "重庆",
        "name_en": "Chongqing",
        "first_compliance_year": 2014,
        "pack": dict(
            gases=["CO2", "CH4", "N2O", "HFCs", "PFCs", "SF6"],
            gwp_set="SAR",
            covers_mobile_sources=True,
            verifier_eligibility="registration",
            verification_plan_required=True,
            spot_check=False,
            reserve_pct=D("7.97"),
            offset_cap_pct=D("8"),
            accepted_offset_types=["CCER"],
            first_year_extension_days=365,
            penalty_text="(gk) Fine of three times the average market price per tonne of shortfall.",
            penalty_fine_per_tonne_cny=D("90"),
            notes="All six Kyoto gases. Threshold ≥20,000 tCO2e in 2017–2019. Reserve 0.08/1.004 (table 6). The first two years were merged (a 365-day first-year extension). Self-declaration.",
        ),
        "thresholds": [(D("20000"), "tco2e", "any_year", -3, -1)],
        "sectors": [
            ("electrolytic_aluminium", SELF, SELF),
            ("aluminium_alloy", SELF, SELF),
            ("calcium_carbide", SELF, SELF),
            ("caustic_soda", SELF, SELF),
            ("cement", SELF, SELF),
            ("steel", SELF, SELF),
        ],
        "deadlines": _BASE_DEADLINES + [("compliance", 1, 6, 20)],
    },
    {
        "code": "fujian",
        "name_zh": "福建",
        "name_en": "Fujian",
        "first_compliance_year": 2016,
        "pack": dict(
            gases=["CO2"],
            gwp_set="SAR",
            covers_mobile_sources=False,
            tce_to_tco2e=D("2.0"),
            verifier_eligibility="registration",
            verification_plan_required=False,
            spot_check=False,
            offset_cap_pct=D("10"),
            accepted_offset_types=["CCER", "FFCER"],
            penalty_text="(gk) Fine of 1–3 times the average market price per tonne of shortfall, at most CNY 30,000; the shortfall is deducted from the next allocation.",
            penalty_fine_per_tonne_cny=D("40"),
            penalty_fine_max_cny=D("30000"),
            penalty_deduction_multiple=D("1"),
            notes="Threshold: energy ≥10,000 tce in any year 2016–2019. Cap: existing-project + new-project + market-adjustment allowances. FFCER forestry offsets (2020: 1.41 Mt).",
        ),
        "thresholds": [(D("10000"), "tce", "any_year", -4, -1)],
        "sectors": [
            ("power", BM, BM),
            ("cement", BM, BM),
            ("electrolytic_aluminium", BM, BM),
            ("flat_glass", BM, BM),
            ("copper_smelting", HI, BM),
            ("steel", HI, BM),
            ("chemicals", HI, BM),
            ("crude_oil_processing", HI, BM),
            ("ethylene", HI, BM),
            ("paper", HI, BM),
            ("aviation", HI, BM),
            ("airports", HI, BM),
            ("construction", HI, BM),
            ("power_grid", HI, BM),
        ],
        "deadlines": _BASE_DEADLINES + [("compliance", 1, 6, 30)],
    },
]

RULES_VALID_FROM = 2020
# Tables 4 and 5 cover 2016–2020: the history packs let those years be loaded and compared. The paper
# states only the 2020 rules, so the history packs repeat them (thresholds are relative to the year).
HISTORY_VALID_FROM = 2016
HISTORY_NOTE = "Compliance years before 2020: the paper states only the 2020 rules, repeated here (table 5 years)."


def history_from(spec: dict) -> int:
    """A market's earliest rule-pack year: 2016 (table 5), or its first compliance year if later (national 2019)."""
    return max(HISTORY_VALID_FROM, spec["first_compliance_year"])


def load(apps) -> None:
    """Create or update sectors, markets, their 2020 rule packs and the history packs before them;
    running it twice changes nothing."""
    Sector = apps.get_model("mrv", "Sector")
    Market = apps.get_model("mrv", "Market")
    RulePack = apps.get_model("mrv", "RulePack")
    for code, (zh, en) in SECTORS.items():
        Sector.objects.update_or_create(code=code, defaults={"name_zh": zh, "name_en": en})
    sectors = {s.code: s for s in Sector.objects.all()}
    for spec in MARKETS:
        market, _ = Market.objects.update_or_create(
            code=spec["code"],
            defaults={k: spec[k] for k in ("name_zh", "name_en", "first_compliance_year")}
            | {"is_national": spec.get("is_national", False)},
        )
        _create_pack(RulePack, market, RULES_VALID_FROM, spec["pack"], spec, sectors)
        history = spec["pack"] | {"notes": f"{spec['pack'].get('notes', '')} {HISTORY_NOTE}".strip()}
        _create_pack(RulePack, market, history_from(spec), history, spec, sectors)


def _create_pack(RulePack, market, valid_from: int, fields: dict, spec: dict, sectors: dict) -> None:
    pack, created = RulePack.objects.get_or_create(market=market, valid_from_year=valid_from, defaults=fields)
    if created:
        for amount, unit, combination, first, last in spec["thresholds"]:
            pack.thresholds.create(
                amount=amount, unit=unit, combination=combination, first_year_offset=first, last_year_offset=last
            )
        for sector_code, method, new_method in spec["sectors"]:
            pack.sectors.create(sector=sectors[sector_code], allocation_method=method, new_entrant_method=new_method)
        for kind, year_offset, month, day in spec["deadlines"]:
            pack.deadlines.create(kind=kind, year_offset=year_offset, month=month, day=day)


# Deadlines that follow the work (findings' response, monthly deposits). The seed states none of them,
# so every value below is an assumption, listed in the pack's `assumed_fields` until a regulator confirms it.
# 30 days to answer a finding is a common verification practice; the national market's 40 days after each
# month for the power sector's monthly deposit follows the Ministry's 2022 data-quality notice; the product
# tracks deposits from 2026, the first year it collects them (earlier months were deposited elsewhere).
DEFAULT_FINDING_RESPONSE_DAYS = 30
MONTHLY_DEPOSITS = {
    "national": {"monthly_deposit_days": 40, "monthly_deposit_sectors": ["power"], "monthly_deposit_from_year": 2026}
}


def apply_work_deadline_defaults(apps) -> None:
    """Give every rule pack its work-deadline defaults, marked as assumed; running it twice changes nothing."""
    RulePack = apps.get_model("mrv", "RulePack")
    for pack in RulePack.objects.select_related("market"):
        assumed = set(pack.assumed_fields or [])
        if "finding_response_days" not in assumed and pack.finding_response_days == DEFAULT_FINDING_RESPONSE_DAYS:
            assumed.add("finding_response_days")
        for field, value in MONTHLY_DEPOSITS.get(pack.market.code, {}).items():
            if not getattr(pack, field):
                setattr(pack, field, value)
                assumed.add(field)
        pack.assumed_fields = sorted(assumed)
        pack.save(update_fields=["assumed_fields", *MONTHLY_DEPOSITS.get(pack.market.code, {})])

"""Each of the nine markets runs a whole compliance year through the services, and its own rule shows.

inclusion (covered-firm list, four eyes) → roll-over → monitoring plan → report with output data →
production data entered by the firm and confirmed by the verifier → verification (plan where required) →
spot check where the market has one → review and determination → allocation (true-up on verified output,
four eyes, issued) → surrender → compliance status and statistics.

Distinguishing rules asserted: Beijing's three-year-average threshold and the three-year intensity baseline
(below its peers: its own reduction rate); Shanghai's power formula on the supply of the report's output
data; Tianjin's third-party plan check and a verifier refused for missing registration; Chongqing's
self-declaration cut to the verified history; Hubei's tce threshold in either year and its market adjustment
factor; Guangdong's new entrant on design capacity from the reserve and a PHCER surrender; Shenzhen's
three-year baseline with the sector's decline factor; Fujian's tce threshold in any of four years and an
FFCER surrender; the national market's benchmark and its 5 % CCER cap.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

import pytest

from deadlines.services import rollover_open_year
from mrv.models import EmissionReport, MarketSector, User, VerificationBody
from mrv.services import coverage as coverage_svc
from mrv.services import plans as plan_svc
from mrv.services import reports as firm_reports
from mrv.services import review, spot_checks
from mrv.services import verification as verification_svc
from registry import production, selectors, services
from registry.ledger import LedgerError, Unit
from registry.models import AllocationTable, MarketCap
from tests import factories as f
from tests.mrv.reporting import monthly
from tests.mrv.test_plans import coal_stream

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = 2025
SPOT_CHECK = {"beijing", "shanghai", "hubei"}


@dataclass
class Case:
    sector: str
    figures: dict  # year → (tCO2e, tce) for the covered-firm list
    method: str
    allocation: int  # hand-computed, in the docstring of each case
    output: int  # the verified output of YEAR (report's output data)
    output_kind: str = "product"
    history_output: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    declared: int | None = None
    new_entrant_capacity: int | None = None
    offset: tuple[str, int] | None = None  # (type, share of the obligation in %) surrendered as offsets


CASES = {
    # 2024 alone (9,000) is below 10,000 but the 2022–2024 average is 21,000: covered.
    # Intensities 0.5, 0.48, 0.45 → baseline 1.43/3; below peers (0.5): own rate (0.04 + 0.0625)/2 = 0.05125
    # 1.43/3 × 0.94875 × 60,000 = 27,134.25 → 27,134 (the sector's 0.97 would give 27,742)
    "beijing": Case(
        "power",
        {2022: (30000, None), 2023: (24000, None), 2024: (9000, None)},
        "three_year_average_intensity",
        27134,
        60000,
        "product",
        {2022: 60000, 2023: 50000, 2024: 20000},
        {"benchmark": D("0.5"), "decline_factor": D("0.97")},
    ),
    # 0.6 × 50,000 MWh supplied (the report's output data) × 0.995 = 29,850
    "shanghai": Case(
        "power",
        {2024: (20000, None)},
        "shanghai_power",
        29850,
        50000,
        "electricity_supply",
        params={"benchmark": D("0.6"), "adjustment_factor": D("0.995")},
    ),
    # 96,000 / 300,000 × 0.98 × 100,000 = 31,360
    "tianjin": Case(
        "chemicals",
        {2022: (30000, None), 2023: (32000, None), 2024: (34000, None)},
        "historical_intensity",
        31360,
        100000,
        history_output={2022: 100000, 2023: 100000, 2024: 100000},
        params={"decline_factor": D("0.98")},
    ),
    # declared 40,000 > mean(28,000, 30,000, 32,000) = 30,000 → 30,000
    "chongqing": Case(
        "caustic_soda",
        {2022: (28000, None), 2023: (30000, None), 2024: (32000, None)},
        "self_declaration",
        30000,
        80000,
        declared=40000,
    ),
    # 61,000 tce in 2023 (CO2 of 2024 far below 120,000): covered. 40,000 t × 0.8 × 0.97 = 31,040
    "hubei": Case(
        "cement",
        {2023: (None, 61000), 2024: (5000, None)},
        "benchmark_market_adjusted",
        31040,
        40000,
        params={"benchmark": D("0.8"), "adjustment_factor": D("0.97")},
    ),
    # new entrant: design capacity 40,000 × 0.8 = 32,000 (its output 30,000 would give 24,000); PHCER 5 %
    "guangdong": Case(
        "cement",
        {2024: (21000, None)},
        "benchmark",
        32000,
        30000,
        params={"benchmark": D("0.8")},
        new_entrant_capacity=40000,
        offset=("PHCER", 5),
    ),
    # intensities 0.3 × 3 → baseline 0.3, no own decline, no peer benchmark: 0.3 × 0.97 × 100,000 = 29,100
    "shenzhen": Case(
        "transport",
        {2022: (30000, None), 2023: (30000, None), 2024: (30000, None)},
        "three_year_average_intensity",
        29100,
        100000,
        history_output={2022: 100000, 2023: 100000, 2024: 100000},
        params={"decline_factor": D("0.97")},
    ),
    # 12,000 tce in 2021 (four years back) alone: covered. 150,000 t × 0.2 = 30,000; FFCER 10 %
    "fujian": Case(
        "flat_glass",
        {2021: (None, 12000), 2024: (1000, None)},
        "benchmark",
        30000,
        150000,
        params={"benchmark": D("0.2")},
        offset=("FFCER", 10),
    ),
    # 11,000 tce in 2020: covered. 35,000 MWh × 0.85 = 29,750; CCER capped at 5 %
    "national": Case(
        "power",
        {2020: (None, 11000)},
        "benchmark",
        29750,
        35000,
        params={"benchmark": D("0.85")},
        offset=("CCER", 5),
    ),
}


def _people(market, sector):
    authority = f.AuthorityFactory(market=market)
    body = f.BodyFactory(markets=[market], sectors=[f.sector(sector)])
    spot_body = f.BodyFactory(kind=VerificationBody.Kind.SPOT_CHECK, markets=[market])
    code = market.code
    return {
        "body": body,
        "officer": f.UserFactory(username=f"{code}_off", role=User.Role.REGULATOR_OFFICER, authority=authority),
        "head": f.UserFactory(username=f"{code}_hd", role=User.Role.REGULATOR_HEAD, authority=authority),
        "lead": f.UserFactory(username=f"{code}_lead", role=User.Role.LEAD_VERIFIER, body=body),
        "member": f.UserFactory(username=f"{code}_mem", role=User.Role.VERIFIER, body=body),
        "checker": f.UserFactory(username=f"{code}_chk", role=User.Role.SPOT_CHECKER, body=spot_body),
    }


def _include(market, case, p):
    """The covered-firm list: the market's own rule covers the firm; the head approves; the year opens."""
    figures = {
        str(y): {k: str(v) for k, v in (("emissions_tco2e", t), ("energy_tce", e)) if v is not None}
        for y, (t, e) in case.figures.items()
    }
    coverage_list = coverage_svc.coverage_list_open(market=market, year=YEAR, acting_user=p["officer"])
    entry = coverage_svc.coverage_entry_save(
        coverage_list=coverage_list,
        acting_user=p["officer"],
        name=f"{market.code} 纳入企业",
        credit_code=f.credit_code(),
        sector=f.sector(case.sector),
        figures=figures,
        is_new_entrant=case.new_entrant_capacity is not None,
        design_capacity=D(case.new_entrant_capacity) if case.new_entrant_capacity else None,
    )
    assert entry.rule_included, entry.rule_reason
    coverage_svc.coverage_list_propose(coverage_list=coverage_list, acting_user=p["officer"])
    coverage_svc.coverage_list_approve(coverage_list=coverage_list, acting_user=p["head"])
    rollover_open_year(year=YEAR, market_id=market.pk)
    entry.refresh_from_db()
    return entry


def _plan(firm, p, reporter, approver):
    plan = plan_svc.plan_create(firm=firm, valid_from=datetime.date(YEAR, 1, 1), acting_user=reporter)
    coal_stream(plan, reporter)
    if firm.market.code == "tianjin":  # Tianjin: a registered third party checks the plan before approval
        plan_svc.plan_update(plan=plan, check_body=p["body"], acting_user=reporter)
        plan_svc.plan_submit(plan=plan, acting_user=approver)
        plan_svc.plan_check_by_third_party(plan=plan, acting_user=p["lead"], reason="现场核对")
    else:
        plan_svc.plan_submit(plan=plan, acting_user=approver)
    plan_svc.plan_approve(plan=plan, acting_user=p["officer"])
    plan.refresh_from_db()
    assert plan.status == "approved"


def _report(firm, case, approver) -> EmissionReport:
    report = EmissionReport.objects.get(firm=firm, year=YEAR, period="annual")  # opened by the roll-over
    firm_reports.report_save_output_data(
        report=report,
        rows=[
            {"kind": kind, "name": "产量", "amount": str(case.output), "unit": "MWh"}
            for kind in dict.fromkeys(["product", case.output_kind])
        ],
        acting_user=approver,
    )
    rows = monthly("coal", range(1, 13), activity="1000", ncv="20.908")
    checked = firm_reports.report_save_activity_data(report=report, rows=rows, acting_user=approver)
    assert checked.ok, [m.text for m in checked.errors]
    for warning in checked.warnings:
        firm_reports.report_acknowledge_warning(report=report, key=warning.key, reason="已核实", acting_user=approver)
    # The allocation input, entered with the report from its own output data (and Chongqing's declaration).
    production.production_enter(
        report=report,
        output=production.output_from_report(report),
        declared_tco2e=D(case.declared) if case.declared else None,
        acting_user=approver,
    )
    firm_reports.report_submit(report=report, acting_user=approver, certification=f.certified())
    report.refresh_from_db()
    return report


def _verify_and_determine(report, market, p):
    engagement = verification_svc.engagement_assign(
        firm=report.firm, year=YEAR, body=p["body"], acting_user=p["officer"]
    )
    verification_svc.engagement_accept(engagement=engagement, team=[p["member"]], acting_user=p["lead"])
    production.production_confirm(report=report, acting_user=p["member"])
    report.refresh_from_db()
    if market.rule_pack_for(YEAR).verification_plan_required:
        verification_svc.verification_plan_save(
            engagement=engagement,
            document_review="台账、发票",
            site_visit_dates=[f"{YEAR + 1}-04-10"],
            site_team=[p["lead"], p["member"]],
            sampling="3、7、11 月",
            acting_user=p["lead"],
        )
    reported = report.reported_emissions_tco2e
    verification_svc.report_sign_off(
        report=report,
        outcome="satisfactory",
        verified_emissions_tco2e=reported,
        acting_user=p["lead"],
        certification=f.certified("verifier_opinion"),
    )
    report.refresh_from_db()
    if market.code in SPOT_CHECK:
        spot_checks.spot_check_draw(market=market, year=YEAR, seed=1)
        report.refresh_from_db()
        spot_checks.spot_check_confirm(report=report, acting_user=p["checker"])
    else:
        review.report_send_to_review(report=report, acting_user=p["officer"])
    report.refresh_from_db()
    review.determination_propose(report=report, acting_user=p["officer"])
    review.determination_approve(report=report, acting_user=p["head"])
    review.report_close(report=report, acting_user=p["officer"])
    report.refresh_from_db()
    assert report.status == "closed" and report.determined_emissions_tco2e == reported
    return reported


def _allocate(market, firm, case, p):
    pack = market.rule_pack_for(YEAR)
    MarketSector.objects.filter(rule_pack=pack, sector__code=case.sector).update(**case.params)
    MarketCap.objects.update_or_create(
        market=market, year=YEAR, defaults={"cap_tco2e": D(10_000_000), "reserve_tco2e": D(1_000_000)}
    )
    if case.history_output:  # the regulator's bulk import of the base years' output
        sheet = "credit_code,year,output\n" + "".join(
            f"{firm.credit_code},{y},{v}\n" for y, v in case.history_output.items()
        )
        production.production_import(market=market, data=sheet.encode(), acting_user=p["officer"])
    table = services.allocation_table_compute(
        market=market, year=YEAR, kind=AllocationTable.Kind.TRUE_UP, acting_user=p["officer"]
    )
    services.allocation_table_approve(table=table, acting_user=p["head"])
    services.allocation_table_issue(table=table, acting_user=p["officer"])
    return table.lines.get(firm=firm)


@pytest.mark.parametrize("code", sorted(CASES))
def test_a_market_runs_its_whole_year_and_its_own_rule_shows(code):
    case, market = CASES[code], f.market(code)
    p = _people(market, case.sector)
    entry = _include(market, case, p)
    firm = entry.firm
    reporter = f.UserFactory(username=f"{code}_rep", role=User.Role.FIRM_REPORTER, firm=firm)
    approver = f.UserFactory(username=f"{code}_app", role=User.Role.FIRM_APPROVER, firm=firm)
    if code == "tianjin":  # a body not registered in Tianjin is refused
        stranger = f.BodyFactory(markets=[f.market("shanghai")], sectors=[f.sector(case.sector)])
        assert verification_svc.assignment_refusals(stranger, firm, YEAR) != []
    _plan(firm, p, reporter, approver)
    report = _report(firm, case, approver)
    obligation = _verify_and_determine(report, market, p)

    line = _allocate(market, firm, case, p)
    assert (line.method, int(line.computed_tco2e)) == (case.method, case.allocation)
    if code == "beijing":
        assert line.inputs["below_peers"] is True and line.inputs["decline_factor"] == "0.948750"
    if code == "chongqing":
        assert line.inputs["capped_by_history"] is True
    if code == "guangdong":
        assert line.from_reserve and "design_capacity" in line.inputs
    if code == "shanghai":
        assert line.inputs["supply"] == f"{case.output}.000"

    offsets = {}
    if case.offset:
        kind, pct = case.offset
        cap = (obligation * pack_offset_pct(market) / 100).quantize(D(1), ROUND_DOWN)
        wanted = min(cap, (obligation * pct / 100).quantize(D(1), ROUND_DOWN))
        unit = Unit(kind, YEAR, f"{kind}-{code}-1")
        services.offsets_issue(
            firm=firm,
            offset_type=kind,
            project=unit.project,
            vintage=YEAR,
            quantity=cap + 1,
            idempotency_key=f"offsets:{code}",
            acting_user=p["officer"],
        )
        with pytest.raises(LedgerError):  # one tonne above the market's offset cap is refused
            services.units_surrender(
                firm=firm, year=YEAR, offsets={unit: cap + 1}, idempotency_key=f"over:{code}", acting_user=approver
            )
        offsets = {unit: wanted}
    wanted_allowances = obligation.quantize(D(1)) - sum(offsets.values(), D(0))
    assert line.free_tco2e >= wanted_allowances, (line.free_tco2e, wanted_allowances)
    services.units_surrender(
        firm=firm,
        year=YEAR,
        allowances={YEAR: wanted_allowances},
        offsets=offsets,
        idempotency_key=f"surrender:{code}",
        acting_user=approver,
    )
    status = selectors.compliance_status(firm, YEAR)
    assert status.status == "compliant", status
    assert status.offsets_tco2e == sum(offsets.values(), D(0))
    stats = selectors.market_statistics(market, YEAR)
    assert (stats.obliged_firms, stats.compliant_firms) == (1, 1)
    assert stats.allocated_tco2e == stats.issued_tco2e == line.free_tco2e + line.auction_tco2e
    assert stats.surrendered_tco2e == wanted_allowances + sum(offsets.values(), D(0))


def pack_offset_pct(market) -> Decimal:
    return market.rule_pack_for(YEAR).offset_cap_pct

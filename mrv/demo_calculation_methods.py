"""Demo step: four firms whose emissions need the newer calculation methods, each taken from its
monitoring plan through its 2025 report, verification and determination by the services.

- Tianjin steel (`tjs`): a carbon mass balance of the blast furnace and converter: coke, pulverised
  coal and limestone in; crude steel and blast-furnace gas sold to a power plant out.
- National co-firing power plant (`cnb`): coal, and biomass pellets whose CO2 is reported apart
  and not counted (biomass fraction 100 %).
- Fujian chemicals (`fjc`): coal boiler and ammonia process CO2; captured CO2 sold to a food-grade
  gas company is deducted, the buyer named.
- National CEMS-monitored unit (`cnm`): the stack's continuous measurement counts; a coal
  calculation of the same unit is kept beside it as a cross-check only.

Monthly figures and the annual totals (hand computations in tests/mrv/test_demo_calculation_methods.py).
Idempotent: a firm, plan or report that exists is left as it is.
"""

import datetime
from decimal import Decimal

from mrv.models import EmissionReport, EmissionSource, Firm, FirmYearFigure, Market, Sector, User, VerificationBody
from mrv.records.certification import FIRM_SUBMISSION, VERIFIER_OPINION, demo_certification
from mrv.selectors.reports import report_validation
from mrv.services import plans, reports, review
from mrv.services import verification as svc

D = Decimal
YEAR = 2025
VALID_FROM = datetime.date(2024, 1, 1)

# prefix: market, firm name, sector, serial (credit code), sources, last three years' emissions
FIRMS = {
    "tjs": (
        "tianjin",
        "天津荣程联合钢铁集团有限公司",
        "steel",
        101,
        [("bf", "高炉—转炉长流程")],
        [325000, 322000, 320000],
    ),
    "cnb": (
        "national",
        "国能（连江）生物质耦合发电有限公司",
        "power",
        102,
        [("unit1", "1号机组（燃煤耦合生物质）")],
        [690000, 688000, 686000],
    ),
    "fjc": (
        "fujian",
        "福建三明化工合成氨有限公司",
        "chemicals",
        103,
        [("boiler", "动力锅炉"), ("ammonia", "合成氨装置"), ("capture", "二氧化碳捕集提纯装置")],
        [742000, 739000, 740000],
    ),
    "cnm": (
        "national",
        "大唐（福州）发电有限公司",
        "power",
        104,
        [("unit3", "3号机组（烟气连续监测）")],
        [2210000, 2190000, 2205000],
    ),
}


def _param(unit: str, how: str, default: str | None = None) -> tuple:
    return unit, how, default


# code, name, source, method, gas, activity unit, fuel, {parameter: (unit, source, default)}, extra fields
STREAMS = {
    "tjs": [
        ("coke", "焦炭（入炉）", "bf", "mass_balance_input", "t", "", {"carbon_content": _param("tC/t", "laboratory")}),
        ("pci", "喷吹煤粉", "bf", "mass_balance_input", "t", "", {"carbon_content": _param("tC/t", "laboratory")}),
        (
            "limestone",
            "石灰石熔剂",
            "bf",
            "mass_balance_input",
            "t",
            "",
            {"carbon_content": _param("tC/t", "default", "0.12")},
        ),
        (
            "crude_steel",
            "粗钢（产品）",
            "bf",
            "mass_balance_output",
            "t",
            "",
            {"carbon_content": _param("tC/t", "default", "0.0035")},
        ),
        (
            "bfg_sold",
            "外供高炉煤气（副产品）",
            "bf",
            "mass_balance_output",
            "10^4Nm3",
            "",
            {"carbon_content": _param("tC/10^4Nm3", "laboratory")},
        ),
    ],
    "cnb": [
        (
            "coal",
            "原煤",
            "unit1",
            "combustion_carbon_content",
            "t",
            "raw_coal",
            {
                "ncv": _param("GJ/t", "laboratory"),
                "carbon_content": _param("tC/TJ", "default", "26.37"),
                "oxidation_rate": _param("%", "default", "94"),
            },
        ),
        (
            "pellets",
            "农林生物质颗粒",
            "unit1",
            "emission_factor",
            "t",
            "",
            {"emission_factor": _param("tCO2/t", "default", "1.65"), "biomass_fraction": _param("%", "default", "100")},
        ),
    ],
    "fjc": [
        (
            "coal",
            "原煤",
            "boiler",
            "combustion_carbon_content",
            "t",
            "raw_coal",
            {
                "ncv": _param("GJ/t", "laboratory"),
                "carbon_content": _param("tC/TJ", "default", "26.37"),
                "oxidation_rate": _param("%", "default", "94"),
            },
        ),
        (
            "ammonia",
            "合成氨工艺排放",
            "ammonia",
            "process",
            "t",
            "",
            {"emission_factor": _param("tCO2/t", "default", "2.1")},
        ),
        (
            "co2_sold",
            "捕集二氧化碳外售",
            "capture",
            "co2_transferred_out",
            "tCO2",
            "",
            {"activity": _param("tCO2", "meter")},
        ),
    ],
    "cnm": [
        (
            "stack",
            "3号机组烟囱 CEMS",
            "unit3",
            "continuous_measurement",
            "h",
            "",
            {
                "flow_rate": _param("10^3Nm3/h", "meter"),
                "concentration": _param("g/Nm3", "meter"),
            },
        ),
        (
            "coal_check",
            "入炉煤（核算法校核）",
            "unit3",
            "combustion_carbon_content",
            "t",
            "raw_coal",
            {
                "ncv": _param("GJ/t", "laboratory"),
                "carbon_content": _param("tC/TJ", "default", "26.37"),
                "oxidation_rate": _param("%", "default", "94"),
            },
        ),
    ],
}
EXTRA = {
    ("fjc", "co2_sold"): {"counterparty": "福州盛达食品级二氧化碳有限公司"},
    ("cnm", "coal_check"): {"corroborates_measurement": True},
}
MONTHLY = {
    "tjs": {
        "coke": {"activity": "35000", "carbon_content": "0.86"},
        "pci": {"activity": "15000", "carbon_content": "0.78"},
        "limestone": {"activity": "10000"},
        "crude_steel": {"activity": "100000"},
        "bfg_sold": {"activity": "15000", "carbon_content": "2.36"},
    },
    "cnb": {"coal": {"activity": "30000", "ncv": "20.908"}, "pellets": {"activity": "3000"}},
    "fjc": {
        "coal": {"activity": "20000", "ncv": "20.908"},
        "ammonia": {"activity": "15000"},
        "co2_sold": {"activity": "8000"},
    },
    "cnm": {
        "stack": {"activity": "650", "flow_rate": "1200", "concentration": "235"},
        "coal_check": {"activity": "95000", "ncv": "20.908"},
    },
}
OUTPUT = {
    "tjs": ("粗钢", "1200000", "t"),
    "cnb": ("供电量", "1250000", "MWh"),
    "fjc": ("合成氨", "180000", "t"),
    "cnm": ("供电量", "4000000", "MWh"),
}


def _u(username: str) -> User:
    return User.objects.get(username=username)


def _firm(prefix: str, helpers) -> Firm:
    market_code, name, sector, serial, sources, history = FIRMS[prefix]
    market = Market.objects.get(code=market_code)
    firm, _created = Firm.objects.get_or_create(
        credit_code=helpers["code"](helpers["regions"][market_code], 700000000 + serial),
        defaults={
            "name": name,
            "market": market,
            "sector": Sector.objects.get(code=sector),
            "address": f"{market.name_zh}工业园区{serial}号",
            "contact_name": "张工",
            "covered_since": 2020,
        },
    )
    for code, source_name in sources:
        EmissionSource.objects.get_or_create(firm=firm, code=code, defaults={"name": source_name, "kind": "fixed"})
    for offset, amount in zip((3, 2, 1), history, strict=True):
        FirmYearFigure.objects.get_or_create(
            firm=firm,
            year=YEAR - offset,
            defaults={"emissions_tco2e": D(amount), "energy_tce": D(amount) / 2, "source": "verified report"},
        )
    helpers["user"](f"{prefix}_reporter", User.Role.FIRM_REPORTER, first="填报", last="赵", firm=firm)
    helpers["user"](f"{prefix}_approver", User.Role.FIRM_APPROVER, first="审批", last="钱", firm=firm)
    return firm


def _plan(prefix: str, firm: Firm, body: VerificationBody) -> None:
    if firm.plans.exists():
        return
    reporter = _u(f"{prefix}_reporter")
    plan = plans.plan_create(
        firm=firm, valid_from=VALID_FROM, acting_user=reporter, data_management_notes="按月汇总计量与化验数据。"
    )
    if plan.rule_pack().plan_requires_third_party_check:
        plans.plan_update(plan=plan, check_body=body, acting_user=reporter)
    for code, name, source_code, method, unit, fuel, parameters in STREAMS[prefix]:
        stream = plans.plan_add_stream(
            plan=plan,
            source=EmissionSource.objects.get(firm=firm, code=source_code),
            code=code,
            name=name,
            method=method,
            activity_unit=unit,
            fuel_code=fuel,
            acting_user=reporter,
            **EXTRA.get((prefix, code), {}),
        )
        for parameter, (punit, how, default) in parameters.items():
            plans.plan_set_parameter(
                stream=stream,
                name=parameter,
                unit=punit,
                source=how,
                default_value=D(default) if default else None,
                lab_frequency="每批次" if how == "laboratory" else "",
                meter_id=f"{code.upper()}-M01" if how == "meter" else "",
                meter_accuracy_pct=D("1.0") if how == "meter" else None,
                acting_user=reporter,
            )
    plans.plan_submit(plan=plan, acting_user=_u(f"{prefix}_approver"))
    if plan.rule_pack().plan_requires_third_party_check:
        checker = User.objects.filter(body=body, role=User.Role.LEAD_VERIFIER).first()
        plans.plan_check_by_third_party(plan=plan, acting_user=checker, reason="物料平衡边界与计量点核对一致")
    officer = _officer(firm)
    plans.plan_approve(plan=plan, acting_user=officer, reason="监测方法符合核算指南")


def _officer(firm: Firm) -> User:
    return User.objects.get(role=User.Role.REGULATOR_OFFICER, authority__market=firm.market)


def _head(firm: Firm) -> User:
    return User.objects.filter(role=User.Role.REGULATOR_HEAD, authority__market=firm.market).order_by("username")[0]


def _report(prefix: str, firm: Firm) -> EmissionReport | None:
    if EmissionReport.objects.filter(firm=firm, year=YEAR, period="annual").exists():
        return None
    approver = _u(f"{prefix}_approver")
    report = reports.report_create(firm=firm, year=YEAR, acting_user=_u(f"{prefix}_reporter"))
    name, amount, unit = OUTPUT[prefix]
    reports.report_save_output_data(
        report=report, rows=[{"name": name, "amount": amount, "unit": unit}], acting_user=approver
    )
    rows = [
        {"stream": stream, "month": month, **values}
        for stream, values in MONTHLY[prefix].items()
        for month in range(1, 13)
    ]
    reports.report_save_activity_data(report=report, rows=rows, acting_user=approver)
    for warning in report_validation(report).warnings:
        reports.report_acknowledge_warning(report=report, key=warning.key, acting_user=approver, reason="已核对台账")
    reports.report_submit(report=report, acting_user=approver, certification=demo_certification(FIRM_SUBMISSION))
    report.refresh_from_db()
    return report


def _verify_and_determine(report: EmissionReport, body: VerificationBody) -> None:
    """Verified as satisfactory at the reported figure, sent to review, proposed and approved."""
    officer, head = _officer(report.firm), _head(report.firm)
    lead, member = _u("verifier_lead"), _u("verifier")
    engagement = svc.engagement_assign(firm=report.firm, year=report.year, body=body, acting_user=officer)
    svc.engagement_accept(engagement=engagement, team=[member], acting_user=lead)
    if report.market.rule_pack_for(report.year).verification_plan_required:
        svc.verification_plan_save(
            engagement=engagement,
            document_review="物料台账、化验报告、CEMS 数据",
            site_visit_dates=[f"{report.year + 1}-04-09"],
            site_team=[lead, member],
            sampling="抽查 2、6、10 月",
            acting_user=lead,
        )
    report.refresh_from_db()
    svc.report_sign_off(
        report=report,
        outcome="satisfactory",
        verified_emissions_tco2e=report.reported_emissions_tco2e,
        comments="核算方法与监测计划一致",
        acting_user=lead,
        certification=demo_certification(VERIFIER_OPINION),
    )
    report.refresh_from_db()
    if report.status == EmissionReport.Status.VERIFIED:
        review.report_send_to_review(report=report, acting_user=officer)
        report.refresh_from_db()
    review.determination_propose(report=report, acting_user=officer, reasons="核查报告完整，数据可信")
    review.determination_approve(report=report, acting_user=head, reason="同意")


def seed_calculation_methods(*, code, regions, user) -> None:
    """`code`, `regions`, `user`: the demo's credit-code maker, region codes and login maker."""
    helpers = {"code": code, "regions": regions, "user": user}
    body = _u("verifier_lead").body
    for prefix in FIRMS:
        firm = _firm(prefix, helpers)
        _plan(prefix, firm, body)
        report = _report(prefix, firm)
        if report is not None:
            _verify_and_determine(report, body)
    _propose_correction()


# A later check of the CEMS unit found two days of missing readings substituted too low: the officer proposes
# a corrected figure (re-determination), which waits for a head (the demo's report in that state).
CORRECTION = (Decimal("2201350"), "烟气连续监测 3 月 14–15 日数据缺失，按替代值补正后增加 1,750 吨")
EVIDENCE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _propose_correction() -> None:
    from mrv.services.redetermination import redetermination_propose

    report = EmissionReport.objects.filter(
        firm__users__username="cnm_reporter",
        period=EmissionReport.Period.ANNUAL,
        status=EmissionReport.Status.DETERMINED,
    ).first()
    if report is None:
        return  # proposed already (a second run of the seed), or not determined
    figure, reasons = CORRECTION
    redetermination_propose(
        report=report,
        emissions_tco2e=figure,
        reasons=reasons,
        evidence=EVIDENCE,
        evidence_name="CEMS补正说明.pdf",
        acting_user=_officer(report.firm),
    )

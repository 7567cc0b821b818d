"""Demo monitoring plans and emission reports in every demo market, in several states.

Plans (all markets): versions approved, submitted, returned with reasons, third-party checked
(Tianjin) and draft. Reports: the 2025 annual reports are computed from monthly data and submitted
through the services (the verification step then takes them further); Shenzhen's bus company
submits Q1–Q4 2025 and its annual draft takes the quarters over; Chongqing reports coal, waste-water
CH4, truck diesel and N2O; Hubei submits after acknowledging a warning (+23 % against 2024). 2026
drafts show the firm's side: Shanghai steel with months missing (errors), Beijing cement complete,
and a Shenzhen Q1 with one month missing.

Idempotent: a firm whose plan version or report already exists is left as it is.
"""

import datetime
from decimal import Decimal

from mrv.models import EmissionReport, EmissionSource, Firm, MonitoringPlan, User, VerificationBody
from mrv.records.certification import FIRM_SUBMISSION, demo_certification
from mrv.selectors.reports import report_validation
from mrv.services import plans as plans
from mrv.services import reports as reports

D = Decimal
YEAR = 2025
V1_FROM = datetime.date(2024, 1, 1)
V2_FROM = datetime.date(2026, 1, 1)

GAS = (
    "gas",
    "天然气",
    "combustion_carbon_content",
    "CO2",
    "10^4Nm3",
    "natural_gas",
    {
        "ncv": ("GJ/10^4Nm3", "default", "389.31"),
        "carbon_content": ("tC/TJ", "default", "15.32"),
        "oxidation_rate": ("%", "default", "99"),
        "activity": ("10^4Nm3", "meter", None),
    },
)
COAL = (
    "coal",
    "原煤",
    "combustion_carbon_content",
    "CO2",
    "t",
    "raw_coal",
    {
        "ncv": ("GJ/t", "laboratory", None),
        "carbon_content": ("tC/TJ", "default", "26.37"),
        "oxidation_rate": ("%", "default", "94"),
        "activity": ("t", "meter", None),
    },
)
COKE = (
    "coke",
    "焦炭",
    "combustion_carbon_content",
    "CO2",
    "t",
    "coke",
    {
        "ncv": ("GJ/t", "default", "28.435"),
        "carbon_content": ("tC/TJ", "default", "29.42"),
        "oxidation_rate": ("%", "default", "93"),
    },
)
DIESEL = (
    "diesel",
    "柴油",
    "combustion_carbon_content",
    "CO2",
    "t",
    "diesel",
    {
        "ncv": ("GJ/t", "default", "42.652"),
        "carbon_content": ("tC/TJ", "default", "20.20"),
        "oxidation_rate": ("%", "default", "98"),
    },
)
GRID = ("grid", "外购电力", "purchased_electricity", "CO2", "MWh", "", {"activity": ("MWh", "meter", None)})
CLINKER = (
    "clinker",
    "熟料（碳酸盐分解）",
    "process",
    "CO2",
    "t",
    "",
    {"emission_factor": ("tCO2/t", "default", "0.538")},
)
WASTEWATER = (
    "wastewater",
    "废水处理甲烷",
    "process",
    "CH4",
    "t",
    "",
    {"emission_factor": ("tCH4/t", "default", "0.0625")},
)
TRUCK_N2O = (
    "truck_n2o",
    "运输车辆氧化亚氮",
    "emission_factor",
    "N2O",
    "t",
    "",
    {"emission_factor": ("kgN2O/t", "default", "0.0256")},
)

# firm prefix → {version: (valid_from, [(source, stream spec)], path)}; path: how far the version goes.
PLANS = {
    "sh": {1: (V1_FROM, [("gt1", GAS)], "approved"), 2: (V2_FROM, [("gt1", GAS), ("boiler", GRID)], "submitted")},
    "sh2": {1: (V1_FROM, [("bf", COKE)], "approved")},
    "sz": {1: (V1_FROM, [("depot", GAS), ("buses", DIESEL), ("depot", GRID)], "approved")},
    "sz2": {1: (V1_FROM, [("unit1", COAL)], "approved"), 2: (V2_FROM, [("unit1", COAL)], "returned")},
    "tj": {
        1: (V1_FROM, [("boiler", COAL)], "approved"),
        2: (V2_FROM, [("boiler", COAL), ("process", GRID)], "checked"),
    },
    "cq": {
        1: (
            V1_FROM,
            [("boiler", COAL), ("cell", WASTEWATER), ("trucks", DIESEL), ("trucks", TRUCK_N2O), ("cell", GRID)],
            "approved",
        )
    },
    "bj": {1: (V1_FROM, [("kiln", CLINKER), ("kiln", COAL)], "approved")},
    "hb": {
        1: (V1_FROM, [("kiln", CLINKER), ("kiln", COAL)], "approved"),
        2: (V2_FROM, [("kiln", CLINKER), ("kiln", COAL), ("kiln", GRID)], "draft"),
    },
}

# Monthly activity per stream (the plan's unit), and measured parameters.
MONTHLY = {
    "sh": {"gas": {"activity": "2300"}},
    "sh2": {"coke": {"activity": "53000"}},
    "sz": {"gas": {"activity": "20"}, "diesel": {"activity": "1000"}, "grid": {"activity": "400"}},
    "sz2": {"coal": {"activity": "34600", "ncv": "20.908"}},
    "tj": {"coal": {"activity": "19800", "ncv": "20.908"}},
    "cq": {
        "coal": {"activity": "10000", "ncv": "20.908"},
        "wastewater": {"activity": "40"},
        "diesel": {"activity": "50"},
        "truck_n2o": {"activity": "50"},
        "grid": {"activity": "5000"},
    },
    "bj": {"clinker": {"activity": "83000"}, "coal": {"activity": "4900", "ncv": "20.908"}},
    "hb": {"clinker": {"activity": "250000"}, "coal": {"activity": "10000", "ncv": "21.5"}},
}
OUTPUT = {
    "sh": ("供电量", "1500000", "MWh"),
    "sz": ("客运周转量", "120000", "10^4pkm"),
    "tj": ("纯碱", "1200000", "t"),
    "bj": ("熟料", "1000000", "t"),
    "hb": ("熟料", "3000000", "t"),
    "sh2": ("粗钢", "2000000", "t"),
    "sz2": ("供电量", "2000000", "MWh"),
}


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _regulator(firm: Firm) -> User:
    return User.objects.get(role=User.Role.REGULATOR_OFFICER, authority__market=firm.market)


def _add_streams(plan: MonitoringPlan, streams, reporter: User) -> None:
    copied = set(plan.streams.values_list("code", flat=True))  # a new version starts as a copy
    for source_code, (code, name, method, gas, unit, fuel, params) in streams:
        if code in copied:
            continue
        source = EmissionSource.objects.get(firm=plan.firm, code=source_code)
        stream = plans.plan_add_stream(
            plan=plan,
            source=source,
            code=code,
            name=name,
            method=method,
            gas=gas,
            activity_unit=unit,
            fuel_code=fuel,
            acting_user=reporter,
        )
        for pname, (punit, how, default) in params.items():
            plans.plan_set_parameter(
                stream=stream,
                name=pname,
                unit=punit,
                source=how,
                default_value=D(default) if default else None,
                lab_frequency="每批次入厂煤" if how == "laboratory" else "",
                meter_id=f"{code.upper()}-M01" if how == "meter" else "",
                meter_accuracy_pct=D("0.5") if how == "meter" else None,
                acting_user=reporter,
            )


def _walk(plan: MonitoringPlan, path: str, approver: User, regulator: User, checker: User | None) -> None:
    if path == "draft":
        return
    plans.plan_submit(plan=plan, acting_user=approver)
    if path == "submitted":
        return
    if plan.rule_pack().plan_requires_third_party_check:
        plans.plan_check_by_third_party(plan=plan, acting_user=checker, reason="文件审核与现场核对一致")
        if path == "checked":
            return
    if path == "returned":
        plans.plan_return(plan=plan, reasons="请补充燃煤元素碳含量的检测方法与频次", acting_user=regulator)
        return
    plans.plan_approve(plan=plan, acting_user=regulator, reason="监测计划完整，符合核算指南")


def _seed_plans(prefix: str, firm: Firm, body: VerificationBody) -> None:
    reporter, approver = _user(f"{prefix}_reporter"), _user(f"{prefix}_approver")
    checker = User.objects.filter(body=body, role=User.Role.LEAD_VERIFIER).first()
    for version, (valid_from, streams, path) in PLANS[prefix].items():
        if firm.plans.filter(version=version).exists():
            continue
        plan = plans.plan_create(
            firm=firm,
            valid_from=valid_from,
            acting_user=reporter,
            data_management_notes="能源计量数据按月汇总，由能源管理部门复核后录入。",
        )
        if plan.rule_pack().plan_requires_third_party_check:
            plans.plan_update(plan=plan, check_body=body, acting_user=reporter)
        _add_streams(plan, streams, reporter)
        _walk(plan, path, approver, _regulator(firm), checker)


def _rows(prefix: str, months) -> list[dict]:
    return [
        {"stream": stream, "month": month, **values} for stream, values in MONTHLY[prefix].items() for month in months
    ]


def _draft(prefix: str, firm: Firm, period: str = "annual", months=range(1, 13), year: int = YEAR):
    if EmissionReport.objects.filter(firm=firm, year=year, period=period).exists():
        return None
    approver = _user(f"{prefix}_approver")
    report = reports.report_create(firm=firm, year=year, period=period, acting_user=_user(f"{prefix}_reporter"))
    if period == "annual" and prefix in OUTPUT:
        name, amount, unit = OUTPUT[prefix]
        reports.report_save_output_data(
            report=report, rows=[{"name": name, "amount": amount, "unit": unit}], acting_user=approver
        )
    if prefix in MONTHLY and months:
        reports.report_save_activity_data(report=report, rows=_rows(prefix, months), acting_user=approver)
    return report


def _submit(prefix: str, report: EmissionReport | None, reason: str = "") -> None:
    if report is None:
        return
    approver = _user(f"{prefix}_approver")
    for warning in report_validation(report).warnings:
        reports.report_acknowledge_warning(
            report=report, key=warning.key, acting_user=approver, reason=reason or "产量变化所致，已附生产报表说明"
        )
    reports.report_submit(report=report, acting_user=approver, certification=demo_certification(FIRM_SUBMISSION))


def _seed_shenzhen_quarters(firm: Firm) -> None:
    for quarter, months in (("q1", (1, 2, 3)), ("q2", (4, 5, 6)), ("q3", (7, 8, 9)), ("q4", (10, 11, 12))):
        _submit("sz", _draft("sz", firm, quarter, months))
    annual = _draft("sz", firm, months=())
    if annual is not None:
        reports.report_take_over_quarterly(report=annual, acting_user=_user("sz_approver"))


def seed_plans_and_reports() -> None:
    firms = {prefix: Firm.objects.get(users__username=f"{prefix}_reporter") for prefix in PLANS}
    body = VerificationBody.objects.filter(kind=VerificationBody.Kind.THIRD_PARTY).order_by("pk").first()
    for prefix, firm in firms.items():
        _seed_plans(prefix, firm, body)
    _submit("sh", _draft("sh", firms["sh"]))
    _submit("sh2", _draft("sh2", firms["sh2"]))
    _seed_shenzhen_quarters(firms["sz"])
    _submit("sz2", _draft("sz2", firms["sz2"]))
    _submit("tj", _draft("tj", firms["tj"]))
    _submit("cq", _draft("cq", firms["cq"]))
    _submit("bj", _draft("bj", firms["bj"]))
    _submit("hb", _draft("hb", firms["hb"]), reason="2025年熟料产量增加，新增一条生产线")
    _draft("sh2", firms["sh2"], months=range(1, 7), year=YEAR + 1)
    _draft("bj", firms["bj"], year=YEAR + 1)
    _draft("sz2", firms["sz2"], "q1", months=(1, 2), year=YEAR + 1)

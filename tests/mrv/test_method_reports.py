"""The newer methods in a firm's plan and report: the plan services, the sheet, validation ranges,
evidence, the measurement's cross-check and the report diff (figures worked out in the comments)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from mrv import activity_sheet as sheet
from mrv import calculation
from mrv.calculation import LineInput, Method, Quantity, SourceKind
from mrv.models import MonitoringPlan, ReportVersion
from mrv.report_diff import report_diff
from mrv.selectors.reports import report_validation
from mrv.services import evidence
from mrv.services import plans as plan_svc
from mrv.services import reports as svc
from tests import factories as f
from tests.mrv.reporting import approved_plan, monthly, report, source

D = Decimal
YEAR = range(1, 13)

MASS_IN = {
    "code": "coke",
    "source": "bf",
    "method": "mass_balance_input",
    "unit": "t",
    "params": {"carbon_content": ("tC/t", "laboratory", None)},
}
MASS_OUT = {
    "code": "steel",
    "source": "bf",
    "method": "mass_balance_output",
    "unit": "t",
    "params": {"carbon_content": ("tC/t", "default", "0.004")},
}
STACK = {
    "code": "stack",
    "source": "unit1",
    "method": "continuous_measurement",
    "unit": "h",
    "params": {"flow_rate": ("10^3Nm3/h", "meter", None), "concentration": ("g/Nm3", "meter", None)},
}
CHECK = {
    "code": "coal_check",
    "source": "unit1",
    "method": "emission_factor",
    "unit": "t",
    "params": {"emission_factor": ("tCO2/t", "laboratory", None)},
    "extra": {"corroborates_measurement": True},
}
APPROVED = {
    "code": "mineralised",
    "source": "bf",
    "method": "approved_figure",
    "unit": "tCO2",
    "extra": {"approval_reference": "沪环气〔2025〕7号"},
}
SOLD = {
    "code": "co2_sold",
    "source": "bf",
    "method": "co2_transferred_out",
    "unit": "tCO2",
    "extra": {"counterparty": "上海食品级二氧化碳有限公司"},
}


def draft_with(firm, approver, streams):
    approved_plan(firm, streams)
    draft = report(firm)
    svc.report_save_output_data(
        report=draft, rows=[{"name": "供电量", "amount": "10000", "unit": "MWh"}], acting_user=approver
    )
    return draft


def save(draft, user, rows):
    return svc.report_save_activity_data(report=draft, rows=rows, acting_user=user)


def stack_rows(months=YEAR, **values):
    return monthly("stack", months, **({"activity": "600", "flow_rate": "350", "concentration": "183.4"} | values))


# --- Reports -----------------------------------------------------------------------------------


def test_a_mass_balance_report_computes_carbon_in_minus_out(firm, firm_approver):
    draft = draft_with(firm, firm_approver, [MASS_IN, MASS_OUT])
    # a month: 1000 t coke × 0.86 tC/t = 860 tC → 3153.333…; 2000 t steel × 0.004 (default) = 8 tC → −29.333…
    # 3153.333 − 29.333 = 3124.000 a month, 37488.000 a year
    checked = save(
        draft,
        firm_approver,
        monthly("coke", YEAR, activity="1000", carbon_content="0.86") + monthly("steel", YEAR, activity="2000"),
    )
    assert checked.ok, [m.text for m in checked.errors]
    assert checked.result.total_tco2e == D("37488.000")


def test_more_carbon_than_pure_carbon_is_an_error_naming_stream_month_and_field(firm, firm_approver):
    draft = draft_with(firm, firm_approver, [MASS_IN, MASS_OUT])
    rows = monthly("coke", YEAR, activity="1000", carbon_content="0.86") + monthly("steel", YEAR, activity="2000")
    rows[4] = {**rows[4], "carbon_content": "1200", "carbon_content_unit": "kgC/t"}  # May: 1.2 tC/t
    checked = save(draft, firm_approver, rows)
    assert [m.text for m in checked.errors] == [
        "Source stream coke, month 5, carbon_content: 1.2 tC/t is more carbon than pure carbon (1 tC/t)."
    ]


def test_more_operating_hours_than_the_month_has_is_an_error(firm, firm_approver):
    draft = draft_with(firm, firm_approver, [STACK])
    rows = stack_rows()
    rows[1] = {**rows[1], "activity": "673"}  # February 2025: 28 × 24 = 672 h
    checked = save(draft, firm_approver, rows)
    assert [m.text for m in checked.errors] == [
        "Source stream stack, month 2, activity: 673 operating hours are more than the 672 hours the month has."
    ]


def test_a_co2_concentration_outside_flue_gas_is_a_warning(firm, firm_approver):
    draft = draft_with(firm, firm_approver, [STACK])
    rows = stack_rows()
    rows[2] = {**rows[2], "concentration": "9500", "concentration_unit": "mg/Nm3"}  # March: 9.5 g/Nm3
    checked = save(draft, firm_approver, rows)
    assert checked.ok
    assert [m.text for m in checked.warnings] == [
        "Source stream stack, month 3, concentration: 9.5 g/Nm3 of CO2 is outside the range of flue gas (20–600 g/Nm3)."
    ]


def test_the_cross_check_is_not_counted_and_warns_when_it_differs_beyond_the_tolerance(firm, firm_approver):
    draft = draft_with(firm, firm_approver, [STACK, CHECK])
    # measured a month: 600 h × 350 ×10³Nm3/h × 183.4 g/Nm3 = 38514 t; a year 462168.000
    # calculated: 1000 t × 36 tCO2/t = 36000 a month, 432000 a year: +6.98… % → +7.0, beyond ±5 %
    checked = save(
        draft, firm_approver, stack_rows() + monthly("coal_check", YEAR, activity="1000", emission_factor="36")
    )
    assert checked.ok
    assert checked.result.total_tco2e == D("462168.000")  # the calculation kept beside it is not added
    (check,) = checked.cross_checks
    assert (check.measured_tco2e, check.calculated_tco2e, check.difference_pct) == (
        D("462168.000"),
        D("432000.000"),
        D("7.0"),
    )
    assert [m.text for m in checked.warnings] == [
        "Source stream stack, month *, cross_check: the measurement of source unit1 gives 462168 tCO2e, the "
        "calculation 432000 tCO2e: +7.0 % (more than ±5 %)."
    ]
    # 1000 t × 37.6 = 37600 a month, 451200 a year: +2.43 % → within the tolerance
    checked = save(draft, firm_approver, monthly("coal_check", YEAR, activity="1000", emission_factor="37.6"))
    assert checked.ok and checked.warnings == []


def test_an_approved_figure_may_be_negative_and_needs_evidence(firm, firm_approver):
    draft = draft_with(firm, firm_approver, [APPROVED])
    checked = save(draft, firm_approver, monthly("mineralised", YEAR, activity="-100.5"))
    assert [m.text for m in checked.errors] == [
        "Source stream mineralised, month *, evidence: a figure under a regulator-approved method "
        "(沪环气〔2025〕7号) needs its evidence attached to the report."
    ]
    assert checked.result.total_tco2e == D("-1206.000")  # 12 × −100.5
    evidence.report_attach_evidence(
        report=draft, data=b"%PDF-1.4 approval", file_name="approval.pdf", description="批复", acting_user=firm_approver
    )
    assert report_validation(draft).ok


def test_transferred_co2_names_its_counterparty_in_the_submitted_inputs(firm, firm_approver):
    draft = draft_with(firm, firm_approver, [MASS_IN, SOLD])
    # coke 1000 t × 0.86 × 44/12 = 3153.333 a month; sold 500 tCO2 a month: 2653.333 × 12 = 31839.996
    save(
        draft,
        firm_approver,
        monthly("coke", YEAR, activity="1000", carbon_content="0.86") + monthly("co2_sold", YEAR, activity="500"),
    )
    version = svc.report_submit(report=draft, acting_user=firm_approver, certification=f.certified())
    sold = next(entry for entry in version.data["inputs"] if entry["key"] == "co2_sold:01")
    assert sold["counterparty"] == "上海食品级二氧化碳有限公司"
    result = version.emission_result()
    assert result.transferred_out_tco2 == D("6000.000")
    assert result.total_tco2e == D("31839.996")
    assert {line.counterparty for line in result.lines if line.stream == "co2_sold"} == {"上海食品级二氧化碳有限公司"}


# --- The plan ----------------------------------------------------------------------------------


@pytest.fixture
def plan(firm, firm_user):
    return plan_svc.plan_create(firm=firm, valid_from=datetime.date(2025, 1, 1), acting_user=firm_user)


def add(plan, user, **values):
    base = {
        "source": source(plan.firm, "bf"),
        "code": "s",
        "name": "s",
        "method": "mass_balance_input",
        "activity_unit": "t",
    }
    return plan_svc.plan_add_stream(plan=plan, acting_user=user, **(base | values))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"method": "co2_transferred_out", "activity_unit": "tCO2"},
            "Source stream s, counterparty: name the installation the CO2 is transferred to or from.",
        ),
        (
            {"method": "approved_figure", "activity_unit": "tCO2"},
            "Source stream s, approval_reference: a figure under a regulator-approved method cites the approval.",
        ),
        (
            {"method": "continuous_measurement", "activity_unit": "t"},
            "Source stream s, activity: method continuous_measurement needs operating hours (h), not t.",
        ),
        (
            {"method": "co2_transferred_in", "activity_unit": "t", "counterparty": "X"},
            "Source stream s, activity: method co2_transferred_in needs a mass of CO2 (tCO2), not t.",
        ),
        (
            {"method": "mass_balance_input", "activity_unit": "GJ"},
            "Source stream s, activity: method mass_balance_input needs an amount of material (t, 10^4Nm3), not GJ.",
        ),
        (
            {"method": "continuous_measurement", "activity_unit": "h", "corroborates_measurement": True},
            "Source stream s: only a calculation (combustion, emission factor, process, mass balance) can "
            "cross-check a measurement.",
        ),
    ],
)
def test_the_plan_refuses_a_stream_the_method_cannot_use(plan, firm_user, values, message):
    with pytest.raises(ValidationError) as caught:
        add(plan, firm_user, **values)
    assert caught.value.messages == [message]
    assert not plan.streams.exists()


@pytest.mark.parametrize(
    ("method", "unit", "name", "parameter_unit", "message"),
    [
        (
            "mass_balance_input",
            "t",
            "carbon_content",
            "tC/10^4Nm3",
            "Source stream s, carbon_content: tC/10^4Nm3 is not mass of carbon per t.",
        ),
        (
            "mass_balance_input",
            "t",
            "carbon_content",
            "tC/TJ",
            "Source stream s, carbon_content: tC/TJ is not mass of carbon per t.",
        ),
        (
            "continuous_measurement",
            "h",
            "flow_rate",
            "10^3Nm3",
            "Source stream s, flow_rate: 10^3Nm3 is not flue-gas volume per h.",
        ),
        (
            "continuous_measurement",
            "h",
            "concentration",
            "%",
            "Source stream s, concentration: % is not mass of the gas per Nm3.",
        ),
        (
            "mass_balance_input",
            "t",
            "biomass_fraction",
            "%",
            "Source stream s: method mass_balance_input does not use biomass_fraction.",
        ),
    ],
)
def test_the_plan_refuses_a_parameter_unit_naming_the_field_and_why(
    plan, firm_user, method, unit, name, parameter_unit, message
):
    stream = add(plan, firm_user, method=method, activity_unit=unit)
    with pytest.raises(ValidationError) as caught:
        plan_svc.plan_set_parameter(
            stream=stream, name=name, unit=parameter_unit, source="default", default_value=D("1"), acting_user=firm_user
        )
    assert caught.value.messages == [message]


def test_a_mass_balance_on_gas_takes_carbon_per_gas_volume_and_a_process_takes_a_biomass_fraction(plan, firm_user):
    gas = add(plan, firm_user, code="bfg", activity_unit="10^4Nm3")
    plan_svc.plan_set_parameter(
        stream=gas,
        name="carbon_content",
        unit="tC/10^4Nm3",
        source="laboratory",
        lab_frequency="每周",
        acting_user=firm_user,
    )
    mixed = add(plan, firm_user, code="rdf", method="emission_factor")
    plan_svc.plan_set_parameter(
        stream=mixed,
        name="biomass_fraction",
        unit="%",
        source="laboratory",
        lab_frequency="每月 C14",
        acting_user=firm_user,
    )
    assert sorted(mixed.parameters.values_list("name", flat=True)) == ["biomass_fraction"]


def test_a_cross_check_without_a_measurement_of_the_same_source_blocks_the_plan(plan, firm_user):
    add(plan, firm_user, method="emission_factor", corroborates_measurement=True)
    assert (
        "Source stream s: a cross-check needs a continuous measurement of the same source (bf)."
        in plan_svc.plan_problems(plan)
    )


# --- The spreadsheet ---------------------------------------------------------------------------


def test_the_template_carries_the_new_columns_and_a_negative_approved_figure(firm, firm_approver):
    draft = draft_with(firm, firm_approver, [APPROVED, STACK])
    plan = MonitoringPlan.objects.get(firm=firm)
    context = sheet.activity_sheet_context(draft, plan)
    rows = sheet.template_rows(context)
    assert rows[1][-3:] == ["biomass fraction", "hourly mean flue-gas flow", "mean concentration"]
    stack = next(spec for spec in context.streams if spec.code == "stack")
    assert stack.parameters == ("flow_rate", "concentration")
    filled = [row[:] for row in rows]
    for row in filled[2:]:
        if row[0] == "mineralised":
            row[4] = "-10"
        else:
            row[4], row[-2], row[-1] = "600", "350", "183.4"
        row[-3] = None
    raw = [_raw(number, row) for number, row in enumerate(filled, start=1)]
    parsed = sheet.parse_rows(raw, context)
    assert parsed.ok, [issue.message for issue in parsed.issues]
    negative = [row for row in parsed.rows if row.activity < 0]
    assert {row.stream for row in negative} == {"mineralised"}
    filled[14][4] = "-600"  # the stack may not be negative
    parsed = sheet.parse_rows([_raw(number, row) for number, row in enumerate(filled, start=1)], context)
    assert [issue.field for issue in parsed.issues] == ["activity"]


def _raw(number, row):
    from mrv import uploads

    return uploads.RawRow(number, tuple(uploads.RawCell(value) for value in row))


# --- The report diff ---------------------------------------------------------------------------


def _version(number: int, biomass: str | None, flow: str):
    entry = LineInput(
        key="stack:01",
        source="unit1",
        source_kind=SourceKind.FIXED,
        stream="stack",
        method=Method.CONTINUOUS_MEASUREMENT,
        gas="CO2",
        activity=Quantity(D("600"), "h"),
        flow_rate=Quantity(D(flow), "10^3Nm3/h"),
        concentration=Quantity(D("183.4"), "g/Nm3"),
        biomass_fraction=Quantity(D(biomass), "%") if biomass else None,
    )
    result = calculation.calculate([entry], gwp_set="SAR")
    inputs = {"key": "stack:01", "flow_rate": {"value": flow, "unit": "10^3Nm3/h"}}
    if biomass:
        inputs["biomass_fraction"] = {"value": biomass, "unit": "%"}
    return ReportVersion(number=number, data={"inputs": [inputs]}, result=result.as_dict())


def test_the_diff_shows_a_changed_flow_and_a_biomass_share_that_appeared():
    # v1: 600 × 350 × 183.4 g = 38514 t, no biomass; v2: 600 × 360 × 183.4 = 39614.4 t, 10 % biomass
    # → 35653.0 (rounded 35652.960) counted, 3961.440 biomass
    diff = report_diff(_version(1, None, "350"), _version(2, "10", "360"))
    changes = {change.field: change for change in diff.changes}
    assert changes["flow_rate"].delta == D("10")
    assert (changes["biomass_fraction"].before, changes["biomass_fraction"].after) == (None, "10 %")
    assert (changes["biomass_co2_t"].before, changes["biomass_co2_t"].after) == (None, "3961.440 tCO2")
    assert changes["tco2e"].delta == D("35652.960") - D("38514.000")
    assert diff.total_delta_tco2e == D("35653") - D("38514")

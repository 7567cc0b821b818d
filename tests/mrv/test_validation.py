"""Every validation error and warning, with the message the firm sees (stream, month and field named)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from mrv import validation as v
from mrv.models import EmissionReport, GridFactor, OutputDataRow, ReportWarningAcknowledgement
from mrv.services import reports as svc
from tests import factories as f
from tests.factories import certified
from tests.mrv.reporting import COAL, ELECTRICITY, approved_plan, monthly, report

D = Decimal
YEAR = range(1, 13)
COAL_LAB = {**COAL, "params": {**COAL["params"], "carbon_content": ("tC/TJ", "laboratory", None)}}


def coal_rows(months=YEAR, **values):
    return monthly("coal", months, **({"activity": "1000", "activity_unit": "t", "ncv": "20.908"} | values))


@pytest.fixture
def draft(firm, firm_approver):
    """A Shanghai power firm's 2025 report with output data, and its approved plan with one coal stream."""
    approved_plan(firm, [COAL])
    draft = report(firm)
    svc.report_save_output_data(
        report=draft, rows=[{"name": "供电量", "amount": "10000", "unit": "MWh"}], acting_user=firm_approver
    )
    return draft


def save(draft, user, rows):
    return svc.report_save_activity_data(report=draft, rows=rows, acting_user=user)


def texts(messages):
    return [m.text for m in messages]


def test_clean_data_has_no_errors_and_no_warnings(draft, firm_approver):
    checked = save(draft, firm_approver, coal_rows())
    assert checked.ok and checked.warnings == [] and checked.result.reported_tco2e == D("22804")


# --- Errors --------------------------------------------------------------------------------------


def test_no_plan_in_force_is_an_error(firm, firm_approver):
    approved_plan(firm, [COAL], valid_from=datetime.date(2026, 1, 1))  # not yet in force in 2025
    checked = v.validate_report(report(firm))
    assert texts(checked.errors) == [
        "No approved monitoring plan is in force on 2025-12-31; the report is checked against it."
    ]


def test_a_stream_not_in_the_plan_is_an_error(draft, firm_approver):
    checked = save(draft, firm_approver, coal_rows() + monthly("gas", (3,), activity="5"))
    assert texts(checked.errors) == [
        "Source stream gas, month 3: the stream is not in the approved monitoring plan (version 1)."
    ]
    assert (checked.errors[0].stream, checked.errors[0].month, checked.errors[0].field) == ("gas", 3, "stream")


def test_a_missing_month_is_an_error(draft, firm_approver):
    checked = save(draft, firm_approver, coal_rows(months=range(1, 12)))
    assert texts(checked.errors) == ["Source stream coal, month 12, activity: the month has no data."]


def test_negative_values_are_errors(draft, firm_approver):
    rows = coal_rows(months=range(3, 13)) + [
        {"stream": "coal", "month": 1, "activity": "-5", "ncv": "20.908"},
        {"stream": "coal", "month": 2, "activity": "5", "ncv": "-20.908"},
    ]
    checked = save(draft, firm_approver, rows)
    assert texts(checked.errors) == [
        "Source stream coal, month 1, activity: must not be negative, got -5.",
        "Source stream coal, month 2, ncv: must not be negative, got -20.908.",
    ]


def test_a_required_parameter_missing_is_an_error(draft, firm_approver):
    rows = coal_rows(months=range(2, 13)) + [{"stream": "coal", "month": 1, "activity": "1000"}]
    checked = save(draft, firm_approver, rows)
    assert texts(checked.errors) == [
        "Source stream coal, month 1, ncv: the plan requires it (laboratory analysis), but it is missing."
    ]


def test_a_default_parameter_may_be_left_empty(draft, firm_approver):
    checked = save(draft, firm_approver, coal_rows())  # carbon content and oxidation rate come from the plan
    assert checked.ok and checked.lines[0].carbon_content.value == D("26.37")


def test_a_unit_not_matching_the_plan_is_an_error(draft, firm_approver):
    rows = coal_rows(months=range(3, 13)) + [
        {"stream": "coal", "month": 1, "activity": "1000", "activity_unit": "GJ", "ncv": "20.908"},
        {"stream": "coal", "month": 2, "activity": "1", "activity_unit": "kt", "ncv": "20.908", "ncv_unit": "GJ/kg"},
    ]
    checked = save(draft, firm_approver, rows)
    assert texts(checked.errors) == [
        "Source stream coal, month 1, activity: unit “GJ” does not match the plan's unit “t”.",
    ]
    # 1 kt and 20.908 GJ/kg are convertible: 1000 t × 20908 GJ/t — accepted, and computed in those units.
    line = next(line for line in checked.lines if line.key == "coal:02")
    assert line.activity.unit == "kt" and line.ncv.unit == "GJ/kg"


def test_a_missing_grid_factor_is_an_error(firm, firm_approver):
    approved_plan(firm, [ELECTRICITY])
    GridFactor.objects.all().delete()
    draft = report(firm)
    checked = save(draft, firm_approver, monthly("power", (1,), activity="10"))
    expected = (
        f"Source stream power, month 1, emission_factor: no grid or heat factor is set for {firm.market} in 2025."
    )
    assert expected in texts(checked.errors)


def test_an_impossible_line_is_reported_with_its_stream_month_and_field(draft, firm_approver):
    rows = coal_rows(months=range(2, 13)) + [
        {
            "stream": "coal",
            "month": 1,
            "activity": "1000",
            "ncv": "20.908",
            "oxidation_rate": "120",
            "oxidation_rate_unit": "%",
        }
    ]
    checked = save(draft, firm_approver, rows)
    assert texts(checked.errors) == [
        "Source stream coal, month 1, oxidation_rate: must be above 0 and at most 100 %, got 120 %"
    ]


def test_missing_output_data_is_an_error_where_allocation_needs_it(firm, firm_approver):
    approved_plan(firm, [COAL])
    draft = report(firm)
    checked = save(draft, firm_approver, coal_rows())
    assert texts(checked.errors) == [
        "Source stream *, month *, output: the allocation method of your sector "
        "(power: supply emission benchmark × supply × correction factor) needs the product output."
    ]
    assert checked.result is not None  # the emissions are still calculated


# --- Warnings ------------------------------------------------------------------------------------


def test_a_change_of_more_than_20_percent_against_last_year_is_a_warning(draft, firm_approver, firm):
    f.FigureFactory(firm=firm, year=2024, emissions_tco2e=D("18000"))
    checked = save(draft, firm_approver, coal_rows())
    # 22804 against 18000: (22804 − 18000) / 18000 = 26.69 % → +26.7 %.
    assert texts(checked.warnings) == [
        "Source stream *, month *, total: 22804 tCO2e is +26.7 % against 18000 tCO2e in 2024 (more than ±20 %)."
    ]
    assert checked.ok  # a warning does not block


def test_a_change_within_20_percent_is_no_warning(draft, firm_approver, firm):
    f.FigureFactory(firm=firm, year=2024, emissions_tco2e=D("19004"))  # 22804 / 19004 = +19.996 %
    assert save(draft, firm_approver, coal_rows()).warnings == []


def test_last_years_determined_emissions_come_before_the_recorded_figure(draft, firm_approver, firm):
    f.FigureFactory(firm=firm, year=2024, emissions_tco2e=D("22000"))
    f.ReportFactory(firm=firm, year=2024, determined_emissions_tco2e=D("30000"))
    # 22804 against 30000 determined: −23.99 % → −24.0 %.
    assert texts(save(draft, firm_approver, coal_rows()).warnings) == [
        "Source stream *, month *, total: 22804 tCO2e is -24.0 % against 30000 tCO2e in 2024 (more than ±20 %)."
    ]


def test_an_emission_factor_outside_the_plausible_range_is_a_warning(firm, firm_approver):
    approved_plan(firm, [COAL_LAB])
    draft = report(firm)
    svc.report_save_output_data(
        report=draft, rows=[{"name": "供电量", "amount": "10000", "unit": "MWh"}], acting_user=firm_approver
    )
    rows = coal_rows(months=range(2, 13), carbon_content="26.37") + coal_rows(months=(1,), carbon_content="40")
    checked = save(draft, firm_approver, rows)
    # Raw coal default EF: 20.908 GJ/t × 26.37 tC/TJ × 0.94 × 44/12 = 1.9002988 tCO2/t; ± 35 % → 1.2352–2.5654.
    # January: 20.908 × 40 × 0.94 × 44/12 / 1000 = 2.8825163 → 2.8825, above the range.
    assert texts(checked.warnings) == [
        "Source stream coal, month 1, ncv: the emission factor 2.8825 tCO2/t is outside the plausible range "
        "1.2352–2.5654 for raw coal."
    ]


def _peer(firm_name: str, emissions: str, output: str, unit: str = "MWh") -> EmissionReport:
    peer_firm = f.FirmFactory(name=firm_name, sector=f.sector("power"))
    peer = f.ReportFactory(
        firm=peer_firm, status=EmissionReport.Status.SUBMITTED, reported_emissions_tco2e=D(emissions)
    )
    user = f.UserFactory(role="firm_reporter", firm=peer_firm)
    OutputDataRow.objects.create(report=peer, name="供电量", amount=D(output), unit=unit, updated_by=user)
    return peer


def test_an_intensity_far_from_the_sector_median_is_a_warning(draft, firm_approver):
    # Peers: 4000/10000 = 0.4, 5000/10000 = 0.5, 6000/10000 = 0.6 tCO2e/MWh; median 0.5.
    for n, emissions in enumerate(("4000", "5000", "6000")):
        _peer(f"同行{n}", emissions, "10000")
    _peer("另一单位", "9000", "10", unit="t")  # another output unit: not comparable, left out
    checked = save(draft, firm_approver, coal_rows())
    # Ours: 22804 / 10000 = 2.2804, (2.2804 − 0.5) / 0.5 = +356.08 % → +356.1 %.
    assert texts(checked.warnings) == [
        "Source stream *, month *, intensity: 2.2804 tCO2e/MWh is +356.1 % from the median 0.5 of 3 sector peers "
        "(more than ±50 %)."
    ]


def test_the_sector_median_of_an_even_number_of_peers_is_the_mean_of_the_two_middle_ones(draft, firm_approver):
    # Peers 0.4, 0.5, 0.7, 0.9 tCO2e/MWh (two of them reported over two product lines); median (0.5 + 0.7) / 2 = 0.6.
    for n, emissions in enumerate(("4000", "5000", "9000")):
        _peer(f"同行{n}", emissions, "10000")
    split = _peer("同行3", "7000", "6000")
    OutputDataRow.objects.create(
        report=split, name="供热折算", amount=D("4000"), unit="MWh", updated_by=split.firm.users.first()
    )
    checked = save(draft, firm_approver, coal_rows())
    # Ours: 2.2804; (2.2804 − 0.6) / 0.6 = +280.07 % → +280.1 %.
    assert texts(checked.warnings) == [
        "Source stream *, month *, intensity: 2.2804 tCO2e/MWh is +280.1 % from the median 0.6 of 4 sector peers "
        "(more than ±50 %)."
    ]


def test_fewer_than_three_peers_give_no_intensity_warning(draft, firm_approver):
    _peer("同行甲", "1000", "10000")
    _peer("同行乙", "1000", "10000")
    assert save(draft, firm_approver, coal_rows()).warnings == []


# --- Acknowledgements ----------------------------------------------------------------------------


def test_a_warning_must_be_acknowledged_with_a_reason_before_submitting(draft, firm_approver, firm):
    f.FigureFactory(firm=firm, year=2024, emissions_tco2e=D("18000"))
    warning = save(draft, firm_approver, coal_rows()).warnings[0]
    with pytest.raises(ValidationError) as refused:
        svc.report_submit(report=draft, acting_user=firm_approver, certification=certified())
    assert refused.value.messages == [f"{warning.text} — acknowledge this warning with a reason before submitting."]
    draft.refresh_from_db()
    assert draft.status == "draft" and not draft.versions.exists()
    with pytest.raises(ValidationError):
        svc.report_acknowledge_warning(report=draft, key=warning.key, reason="  ", acting_user=firm_approver)
    svc.report_acknowledge_warning(
        report=draft, key=warning.key, reason="新机组投产，负荷上升", acting_user=firm_approver
    )
    version = svc.report_submit(report=draft, acting_user=firm_approver, certification=certified())
    assert version.data["acknowledgements"][0]["reason"] == "新机组投产，负荷上升"
    assert version.data["warnings"][0]["key"] == warning.key


def test_an_unknown_warning_cannot_be_acknowledged(draft, firm_approver):
    save(draft, firm_approver, coal_rows())
    with pytest.raises(ValidationError) as refused:
        svc.report_acknowledge_warning(report=draft, key="made|up|*|x", reason="x", acting_user=firm_approver)
    assert refused.value.messages == [str(svc.UNKNOWN_WARNING % {"key": "made|up|*|x"})]
    assert not ReportWarningAcknowledgement.objects.exists()

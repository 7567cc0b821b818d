"""Emission reports through the database: worked examples computed by hand, submission, withdrawal, quarters.

Every figure in a comment was worked out by hand (decimal arithmetic on paper), not by the engine.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mrv.models import AuditLog, EmissionReport, EmissionSource, OutboxMessage, User, VerificationEngagement
from mrv.selectors.reports import report_calculation
from mrv.services import reports as svc
from mrv.transitions import TransitionRefused
from tests import factories as f
from tests.factories import certified
from tests.mrv.reporting import COAL, ELECTRICITY, approved_plan, monthly, report

D = Decimal
YEAR = range(1, 13)

# --- Chongqing: six gases, mobile sources covered, GWP of the SAR (CH4 21, N2O 310) --------------
CQ_STREAMS = [
    COAL,
    {
        "code": "wastewater",
        "source": "cell",
        "method": "process",
        "gas": "CH4",
        "unit": "t",
        "params": {"emission_factor": ("tCH4/t", "default", "0.0625")},
    },
    {
        "code": "truck_n2o",
        "source": "trucks",
        "method": "emission_factor",
        "gas": "N2O",
        "unit": "t",
        "params": {"emission_factor": ("kgN2O/t", "default", "0.0256")},
    },
    {
        "code": "truck_diesel",
        "source": "trucks",
        "method": "combustion_carbon_content",
        "gas": "CO2",
        "unit": "t",
        "fuel": "diesel",
        "params": {
            "ncv": ("GJ/t", "default", "42.652"),
            "carbon_content": ("tC/TJ", "default", "20.20"),
            "oxidation_rate": ("%", "default", "98"),
        },
    },
]


@pytest.fixture
def chongqing_firm(db):
    return f.FirmFactory(name="重庆测试化工有限公司", market=f.market("chongqing"), sector=f.sector("caustic_soda"))


@pytest.fixture
def cq_approver(chongqing_firm):
    return f.UserFactory(username="cq_approver", role=User.Role.FIRM_APPROVER, firm=chongqing_firm)


@pytest.fixture
def cq_report(chongqing_firm, cq_approver):
    approved_plan(chongqing_firm, CQ_STREAMS, kinds={"trucks": EmissionSource.Kind.MOBILE})
    draft = report(chongqing_firm)
    rows = (
        monthly("coal", YEAR, activity="1000", activity_unit="t", ncv="20.908", ncv_unit="GJ/t")
        + monthly("wastewater", YEAR, activity="40", activity_unit="t")
        + monthly("truck_n2o", YEAR, activity="50", activity_unit="t")
        + monthly("truck_diesel", YEAR, activity="50", activity_unit="t")
    )
    checked = svc.report_save_activity_data(report=draft, rows=rows, acting_user=cq_approver)
    assert checked.ok and not checked.warnings, [m.text for m in checked.errors + checked.warnings]
    return draft


def test_chongqing_report_with_ch4_and_n2o_is_computed_by_hand(cq_report):
    result = report_calculation(cq_report).result
    lines = {line.key: line for line in result.lines}
    # Coal, a month: 1000 t × 20.908 GJ/t = 20.908 TJ; × 26.37 tC/TJ = 551.34396 tC; × 0.94 = 518.2633224 tC;
    # × 44/12 = 1900.2988488 tCO2 → 1900.299.
    assert lines["coal:01"].tco2e == D("1900.299")
    # Waste water CH4: 40 t × 0.0625 tCH4/t = 2.5 tCH4; × GWP 21 (SAR) = 52.5 tCO2e.
    assert (lines["wastewater:01"].gas_mass_t, lines["wastewater:01"].tco2e) == (D("2.500"), D("52.500"))
    # Truck N2O: 50 t × 0.0256 kgN2O/t = 1.28 kg = 0.00128 t → 0.001 t; tCO2e from the unrounded mass:
    # 0.00128 × 310 = 0.3968 → 0.397 (not 0.001 × 310 = 0.310).
    assert (lines["truck_n2o:01"].gas_mass_t, lines["truck_n2o:01"].tco2e) == (D("0.001"), D("0.397"))
    # Truck diesel: 50 t × 42.652 GJ/t = 2.1326 TJ; × 20.20 = 43.07852 tC; × 0.98 = 42.2169496; × 44/12 = 154.79548… → 154.795.
    assert lines["truck_diesel:01"].tco2e == D("154.795")
    # A month: 1900.299 + 52.500 + 0.397 + 154.795 = 2107.991; the year: × 12 = 25295.892 → 25296 t.
    assert result.total_tco2e == D("25295.892") and result.reported_tco2e == D("25296")
    # CO2: (1900.299 + 154.795) × 12 = 24661.128; CH4: 52.5 × 12 = 630; N2O: 0.397 × 12 = 4.764.
    assert result.by_gas == {"CO2": D("24661.128"), "CH4": D("630.000"), "N2O": D("4.764")}
    # Mobile (trucks): (0.397 + 154.795) × 12 = 1862.304; fixed: (1900.299 + 52.5) × 12 = 23433.588.
    assert (result.mobile_tco2e, result.fixed_tco2e) == (D("1862.304"), D("23433.588"))
    assert result.by_species_t["CH4"] == D("30.000") and result.by_species_t["N2O"] == D("0.012")


def test_submitting_the_chongqing_report_freezes_version_1(cq_report, cq_approver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        version = svc.report_submit(report=cq_report, acting_user=cq_approver, certification=certified())
    cq_report.refresh_from_db()
    assert cq_report.status == EmissionReport.Status.SUBMITTED
    assert cq_report.current_version == version and version.number == 1
    assert cq_report.reported_emissions_tco2e == D("25296") == version.reported_tco2e
    assert version.total_tco2e == D("25295.892")
    assert cq_report.plan == version.plan and cq_report.plan.version == 1
    assert cq_report.submitted_at is not None
    row = AuditLog.objects.get(action="mrv.emissionreport.submit")
    assert (row.actor, row.from_state, row.to_state) == (cq_approver, "draft", "submitted")
    assert row.changes["reported_emissions_tco2e"] == [None, "25296"]
    assert queued() == [("mrv.emissionreport.submit", cq_report.pk)]  # the notification of who must act next


def test_a_submitted_report_is_calculated_from_its_version_not_from_rows_changed_since(cq_report, cq_approver):
    assert (report_calculation(cq_report).source, report_calculation(cq_report).version) == ("draft", None)
    svc.report_submit(report=cq_report, acting_user=cq_approver, certification=certified())
    cq_report.refresh_from_db()
    cq_report.activity_rows.update(activity=D("0"))  # the rows alone; the frozen version stays
    calculated = report_calculation(cq_report)
    assert (calculated.source, calculated.version, calculated.errors) == ("version", 1, [])
    assert calculated.result.reported_tco2e == D("25296")


# --- Shenzhen: a bus fleet (mobile), purchased electricity, quarterly reports ---------------------
SZ_STREAMS = [
    {
        "code": "gas",
        "source": "depot",
        "method": "combustion_carbon_content",
        "unit": "10^4Nm3",
        "fuel": "natural_gas",
        "params": {
            "ncv": ("GJ/10^4Nm3", "default", "389.31"),
            "carbon_content": ("tC/TJ", "default", "15.32"),
            "oxidation_rate": ("%", "default", "99"),
        },
    },
    {
        "code": "bus_diesel",
        "source": "buses",
        "method": "combustion_carbon_content",
        "unit": "t",
        "fuel": "diesel",
        "params": {
            "ncv": ("GJ/t", "laboratory", None),
            "carbon_content": ("tC/TJ", "default", "20.20"),
            "oxidation_rate": ("%", "default", "98"),
        },
    },
    {**ELECTRICITY, "source": "depot", "code": "grid"},
]


@pytest.fixture
def shenzhen_firm(db):
    firm = f.FirmFactory(name="深圳测试公交有限公司", market=f.market("shenzhen"), sector=f.sector("transport"))
    approved_plan(firm, SZ_STREAMS, kinds={"buses": EmissionSource.Kind.MOBILE})
    return firm


@pytest.fixture
def sz_approver(shenzhen_firm):
    return f.UserFactory(username="sz_approver", role=User.Role.FIRM_APPROVER, firm=shenzhen_firm)


def sz_rows(months):
    return (
        monthly("gas", months, activity="2", activity_unit="10^4Nm3")
        + monthly("bus_diesel", months, activity="100", activity_unit="t", ncv="42.652", ncv_unit="GJ/t")
        + monthly("grid", months, activity="150", activity_unit="MWh")
    )


def test_shenzhen_quarterly_report_with_a_bus_fleet_is_computed_by_hand(shenzhen_firm, sz_approver):
    q1 = report(shenzhen_firm, period="q1")
    checked = svc.report_save_activity_data(report=q1, rows=sz_rows((1, 2, 3)), acting_user=sz_approver)
    assert checked.ok, [m.text for m in checked.errors]
    result = checked.result
    lines = {line.key: line for line in result.lines}
    # Gas: 2 × 10^4 Nm3 × 389.31 GJ/10^4Nm3 = 0.77862 TJ; × 15.32 = 11.9284584 tC; × 0.99 × 44/12 = 43.300303992 → 43.300.
    assert lines["gas:01"].tco2e == D("43.300")
    # Buses: 100 t × 42.652 GJ/t = 4.2652 TJ; × 20.20 = 86.15704 tC; × 0.98 × 44/12 = 309.59096… → 309.591 (mobile).
    assert lines["bus_diesel:02"].tco2e == D("309.591") and lines["bus_diesel:02"].source_kind == "mobile"
    # Electricity: 150 MWh × 0.5703 tCO2/MWh (national 2022 factor, still in force in 2025) = 85.545, indirect.
    assert lines["grid:03"].tco2e == D("85.545") and lines["grid:03"].scope == "indirect"
    # Q1: 3 × (43.300 + 309.591 + 85.545) = 3 × 438.436 = 1315.308 → 1315; mobile 3 × 309.591 = 928.773.
    assert (result.total_tco2e, result.reported_tco2e) == (D("1315.308"), D("1315"))
    assert (result.mobile_tco2e, result.indirect_tco2e) == (D("928.773"), D("256.635"))


def test_a_quarter_takes_only_its_own_months(shenzhen_firm, sz_approver):
    q2 = report(shenzhen_firm, period="q2")
    with pytest.raises(ValidationError) as refused:
        svc.report_save_activity_data(report=q2, rows=monthly("gas", (3,), activity="1"), acting_user=sz_approver)
    assert "Row 1 (gas, month 3): the month must be one of 4, 5, 6 for this period." in refused.value.messages
    assert not q2.activity_rows.exists()


def test_quarterly_reports_only_where_the_market_asks_for_them(firm, firm_approver):
    with pytest.raises(ValidationError) as refused:
        svc.report_create(firm=firm, year=2025, period="q1", acting_user=firm_approver)
    assert refused.value.messages == [str(svc.NO_QUARTERLY_REPORTS % {"market": firm.market})]
    assert not EmissionReport.objects.exists()


def test_annual_report_takes_over_the_four_submitted_quarters(shenzhen_firm, sz_approver):
    for quarter, months in (("q1", (1, 2, 3)), ("q2", (4, 5, 6)), ("q3", (7, 8, 9)), ("q4", (10, 11, 12))):
        draft = svc.report_create(firm=shenzhen_firm, year=2025, period=quarter, acting_user=sz_approver)
        svc.report_save_activity_data(report=draft, rows=sz_rows(months), acting_user=sz_approver)
        svc.report_submit(report=draft, acting_user=sz_approver, certification=certified())
    annual = svc.report_create(firm=shenzhen_firm, year=2025, acting_user=sz_approver)
    svc.report_save_output_data(
        report=annual, rows=[{"name": "客运周转量", "amount": "5000", "unit": "10^4pkm"}], acting_user=sz_approver
    )
    checked = svc.report_take_over_quarterly(report=annual, acting_user=sz_approver)
    assert checked.ok, [m.text for m in checked.errors]
    # 12 × 438.436 = 5261.232 → 5261, exactly four times the quarterly lines (1315.308 × 4).
    assert checked.result.total_tco2e == D("5261.232") and checked.result.reported_tco2e == D("5261")
    assert annual.activity_rows.count() == 36
    assert AuditLog.objects.filter(action="mrv.emissionreport.quarterly_taken_over").count() == 1


def test_take_over_needs_all_four_quarters_submitted(shenzhen_firm, sz_approver):
    q1 = svc.report_create(firm=shenzhen_firm, year=2025, period="q1", acting_user=sz_approver)
    svc.report_save_activity_data(report=q1, rows=sz_rows((1, 2, 3)), acting_user=sz_approver)
    svc.report_submit(report=q1, acting_user=sz_approver, certification=certified())
    annual = svc.report_create(firm=shenzhen_firm, year=2025, acting_user=sz_approver)
    with pytest.raises(ValidationError) as refused:
        svc.report_take_over_quarterly(report=annual, acting_user=sz_approver)
    assert refused.value.messages == [str(svc.QUARTERS_MISSING % {"quarters": "Q2, Q3, Q4"})]
    assert not annual.activity_rows.exists()


# --- Rounding ------------------------------------------------------------------------------------


def test_lines_round_half_up_to_a_kilogram_and_the_total_to_whole_tonnes(firm, firm_approver):
    approved_plan(
        firm,
        [
            {
                "code": "kiln",
                "source": "kiln",
                "method": "process",
                "unit": "t",
                "params": {"emission_factor": ("tCO2/t", "default", "0.5")},
            }
        ],
    )
    draft = report(firm)
    checked = svc.report_save_activity_data(
        report=draft, rows=monthly("kiln", YEAR, activity="83.249"), acting_user=firm_approver
    )
    # Each month: 83.249 t × 0.5 = 41.6245 → 41.625 (half up). Year: 12 × 41.625 = 499.5 → 500 (half up).
    # Summing unrounded lines would give 12 × 41.6245 = 499.494 → 499: the line rounding is what counts.
    assert {line.tco2e for line in checked.result.lines} == {D("41.625")}
    assert (checked.result.total_tco2e, checked.result.reported_tco2e) == (D("499.500"), D("500"))


def with_output(draft, user):
    """Shanghai power allocates on supplied electricity, so its annual report needs output data."""
    svc.report_save_output_data(
        report=draft, rows=[{"kind": "product", "name": "供电量", "amount": "1000000", "unit": "MWh"}], acting_user=user
    )


def test_a_convertible_unit_is_accepted_and_converted(firm, firm_approver):
    approved_plan(firm, [ELECTRICITY])
    draft = report(firm)
    with_output(draft, firm_approver)
    rows = monthly("power", YEAR, activity="150000", activity_unit="kWh")
    checked = svc.report_save_activity_data(report=draft, rows=rows, acting_user=firm_approver)
    # 150000 kWh = 150 MWh; Shanghai's own factor 0.42 tCO2/MWh (2022, in force in 2025): 63 t a month, 756 a year.
    assert checked.ok and checked.result.reported_tco2e == D("756")


def test_purchased_heat_uses_the_heat_factor(firm, firm_approver):
    approved_plan(firm, [{"code": "steam", "source": "boiler", "method": "purchased_heat", "unit": "GJ"}])
    draft = report(firm)
    checked = svc.report_save_activity_data(
        report=draft, rows=monthly("steam", YEAR, activity="1000"), acting_user=firm_approver
    )
    # 1000 GJ × 0.06 tCO2/GJ (Shanghai) = 60 t a month; 720 a year.
    assert checked.result.reported_tco2e == D("720")


# --- Entering data -------------------------------------------------------------------------------


def test_saving_is_all_or_nothing(firm, firm_approver):
    approved_plan(firm, [COAL])
    draft = report(firm)
    rows = [
        {"stream": "coal", "month": 1, "activity": "10", "ncv": "20"},
        {"stream": "coal", "month": 2, "activity": "abc"},
        {"stream": "coal", "month": 3, "activity": "5", "ncv": "20", "ncv_unit": "GJ/furlong"},
        {"stream": "coal", "month": 1, "activity": "7"},
    ]
    with pytest.raises(ValidationError) as refused:
        svc.report_save_activity_data(report=draft, rows=rows, acting_user=firm_approver)
    messages = refused.value.messages
    assert "Row 2 (coal, month 2), activity: “abc” is not a number." in messages
    assert any(m.startswith("Row 3 (coal, month 3), ncv: unknown unit") for m in messages)
    assert "Row 4 (coal, month 1): this stream and month appear twice." in messages
    assert not draft.activity_rows.exists()
    assert not AuditLog.objects.filter(action="mrv.emissionreport.data_saved").exists()


def test_saving_again_updates_the_row_of_that_stream_and_month(firm, firm_user):
    approved_plan(firm, [COAL])
    draft = report(firm)
    svc.report_save_activity_data(
        report=draft, rows=[{"stream": "coal", "month": 1, "activity": "10"}], acting_user=firm_user
    )
    svc.report_save_activity_data(
        report=draft, rows=[{"stream": "coal", "month": 1, "activity": "12.5"}], acting_user=firm_user
    )
    assert [(r.month, r.activity) for r in draft.activity_rows.all()] == [(1, D("12.5"))]
    assert AuditLog.objects.filter(action="mrv.emissionreport.data_saved", actor=firm_user).count() == 2


def test_submitted_data_cannot_be_changed(cq_report, cq_approver):
    svc.report_submit(report=cq_report, acting_user=cq_approver, certification=certified())
    with pytest.raises(ValidationError) as refused:
        svc.report_save_activity_data(
            report=cq_report, rows=[{"stream": "coal", "month": 1, "activity": "1"}], acting_user=cq_approver
        )
    assert "its data can be changed only while it is a draft" in refused.value.messages[0]
    assert cq_report.activity_rows.get(stream_code="coal", month=1).activity == D("1000")


# --- Submit, withdraw, resubmit ------------------------------------------------------------------


def test_a_firm_reporter_cannot_submit(chongqing_firm, cq_report):
    reporter = f.UserFactory(role=User.Role.FIRM_REPORTER, firm=chongqing_firm)
    with pytest.raises(PermissionDenied):
        svc.report_submit(report=cq_report, acting_user=reporter, certification=certified())
    cq_report.refresh_from_db()
    assert cq_report.status == EmissionReport.Status.DRAFT and not cq_report.versions.exists()


def test_errors_block_submission_and_change_nothing(firm, firm_approver):
    approved_plan(firm, [COAL])
    draft = report(firm)
    svc.report_save_activity_data(
        report=draft, rows=[{"stream": "coal", "month": 1, "activity": "10"}], acting_user=firm_approver
    )
    with pytest.raises(ValidationError) as refused:
        svc.report_submit(report=draft, acting_user=firm_approver, certification=certified())
    assert refused.value.messages[0] == str(svc.NOT_SUBMITTABLE)
    assert "Source stream coal, month 2, activity: the month has no data." in refused.value.messages
    draft.refresh_from_db()
    assert draft.status == "draft" and not draft.versions.exists() and draft.current_version is None
    assert not AuditLog.objects.filter(action="mrv.emissionreport.submit").exists()


def test_withdraw_returns_a_submitted_report_to_draft(cq_report, cq_approver, chongqing_firm):
    svc.report_submit(report=cq_report, acting_user=cq_approver, certification=certified())
    reporter = f.UserFactory(role=User.Role.FIRM_REPORTER, firm=chongqing_firm)
    svc.report_withdraw(report=cq_report, acting_user=reporter, reason="漏报一台锅炉")
    cq_report.refresh_from_db()
    assert cq_report.status == EmissionReport.Status.DRAFT and cq_report.submitted_at is None
    assert cq_report.current_version.number == 1  # the submitted version stays readable
    row = AuditLog.objects.get(action="mrv.emissionreport.withdraw")
    assert (row.actor, row.from_state, row.to_state, row.reason) == (reporter, "submitted", "draft", "漏报一台锅炉")
    assert queued() == [("mrv.emissionreport.submit", cq_report.pk), ("mrv.emissionreport.withdraw", cq_report.pk)]
    second = svc.report_submit(report=cq_report, acting_user=cq_approver, certification=certified())
    assert second.number == 2


def test_withdraw_is_refused_once_a_verifier_accepted_the_year(cq_report, cq_approver, chongqing_firm):
    f.EngagementFactory(firm=chongqing_firm, year=2025, status=VerificationEngagement.Status.ACCEPTED)
    svc.report_submit(report=cq_report, acting_user=cq_approver, certification=certified())
    with pytest.raises(TransitionRefused):
        svc.report_withdraw(report=cq_report, acting_user=cq_approver)
    cq_report.refresh_from_db()
    assert cq_report.status == EmissionReport.Status.SUBMITTED
    assert not AuditLog.objects.filter(action="mrv.emissionreport.withdraw").exists()


def _returned(report_obj):
    EmissionReport.objects.filter(pk=report_obj.pk).update(status=EmissionReport.Status.RETURNED_TO_FIRM)
    report_obj.refresh_from_db()


def test_resubmit_after_return_creates_a_new_version(cq_report, cq_approver):
    first = svc.report_submit(report=cq_report, acting_user=cq_approver, certification=certified())
    _returned(cq_report)  # the verification workflow's return, outside this feature
    svc.report_save_activity_data(
        report=cq_report,
        rows=[{"stream": "coal", "month": 1, "activity": "1100", "ncv": "20.908"}],
        acting_user=cq_approver,
    )
    second = svc.report_resubmit(
        report=cq_report, acting_user=cq_approver, certification=certified(), reason="按核查意见更正1月煤耗"
    )
    cq_report.refresh_from_db()
    assert cq_report.status == EmissionReport.Status.UNDER_VERIFICATION
    assert (first.number, second.number) == (1, 2) and cq_report.current_version == second
    # January coal +100 t adds 1900.2988488 / 10 = 190.02988488 → 2090.328787… → 2090.329 instead of 1900.299:
    # 25295.892 + 190.030 = 25485.922 → 25486.
    assert second.reported_tco2e == D("25486") == cq_report.reported_emissions_tco2e
    row = AuditLog.objects.get(action="mrv.emissionreport.resubmit")
    assert (row.from_state, row.to_state, row.actor) == ("returned_to_firm", "under_verification", cq_approver)
    assert queued() == [("mrv.emissionreport.submit", cq_report.pk), ("mrv.emissionreport.resubmit", cq_report.pk)]


def test_a_report_uses_the_plan_version_in_force_for_its_period(firm, firm_approver):
    old = approved_plan(firm, [COAL], version=1, valid_from=datetime.date(2024, 1, 1))
    new = approved_plan(firm, [COAL, ELECTRICITY], version=2, valid_from=datetime.date(2025, 7, 1))
    annual = report(firm)
    with_output(annual, firm_approver)
    rows = monthly("coal", YEAR, activity="10", ncv="20.908") + monthly("power", YEAR, activity="1")
    checked = svc.report_save_activity_data(report=annual, rows=rows, acting_user=firm_approver)
    assert checked.plan == new and checked.ok
    last_year = report(firm, year=2024)
    with_output(last_year, firm_approver)
    checked = svc.report_save_activity_data(report=last_year, rows=rows, acting_user=firm_approver)
    assert checked.plan == old
    assert {m.code for m in checked.errors} == {"stream_not_in_plan"}  # version 1 has no electricity stream


def test_saving_a_year_of_data_takes_a_bounded_number_of_queries(cq_report, cq_approver, django_assert_max_num_queries):
    rows = monthly("coal", YEAR, activity="1001", ncv="20.9") + monthly("wastewater", YEAR, activity="41")
    with django_assert_max_num_queries(22):  # 24 rows replaced, validation included: 19 measured
        checked = svc.report_save_activity_data(report=cq_report, rows=rows, acting_user=cq_approver)
    assert checked.ok
    assert cq_report.activity_rows.get(stream_code="coal", month=7).activity == D("1001")
    assert cq_report.activity_rows.count() == 48


def test_submitting_takes_a_bounded_number_of_queries(cq_report, cq_approver, django_assert_max_num_queries):
    with django_assert_max_num_queries(42):  # 37 measured: the engagement opened at submission and the seal
        svc.report_submit(report=cq_report, acting_user=cq_approver, certification=certified())


def test_exported_electricity_and_heat_are_subtracted(firm, firm_approver):
    approved_plan(
        firm,
        [
            {"code": "power", "source": "gt1", "method": "purchased_electricity", "unit": "MWh"},
            {"code": "export", "source": "gt1", "method": "exported_electricity", "unit": "MWh"},
            {"code": "steam_out", "source": "gt1", "method": "exported_heat", "unit": "TJ"},
        ],
    )
    draft = report(firm)
    with_output(draft, firm_approver)
    rows = (
        monthly("power", YEAR, activity="500")
        + monthly("export", YEAR, activity="100")
        + monthly("steam_out", YEAR, activity="0.5")
    )
    result = svc.report_save_activity_data(report=draft, rows=rows, acting_user=firm_approver).result
    lines = {line.key: line.tco2e for line in result.lines}
    # Bought 500 MWh × 0.42 = 210; exported 100 MWh × 0.42 = −42; exported 0.5 TJ = 500 GJ × 0.06 = −30 a month.
    assert (lines["power:01"], lines["export:01"], lines["steam_out:01"]) == (D("210.000"), D("-42.000"), D("-30.000"))
    # A year: 12 × (210 − 42 − 30) = 12 × 138 = 1656, all indirect.
    assert (result.reported_tco2e, result.indirect_tco2e, result.direct_tco2e) == (D("1656"), D("1656.000"), 0)


def queued() -> list[tuple[str, int]]:
    """The notification tasks queued in the outbox: (event, report id), oldest first."""
    messages = OutboxMessage.objects.filter(task_name="deadlines.notify_workflow_event").order_by("created_at")
    return [(m.kwargs["event"], m.kwargs["emissionreport_id"]) for m in messages]

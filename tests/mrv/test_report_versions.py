"""Submitted data is frozen in versions; every version stays readable; a diff says what changed and by how much."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction

from mrv.models import EmissionReport, ReportVersion, VerificationEngagement
from mrv.report_diff import Change, report_diff
from mrv.services import reports as svc
from mrv.validation import ValidationResult
from tests import factories as f
from tests.factories import certified
from tests.mrv.reporting import COAL, ELECTRICITY, approved_plan, monthly, report

REFUSED = (InternalError, IntegrityError, ProgrammingError)  # by trigger, or no privilege (the app role)

D = Decimal
YEAR = range(1, 13)


@pytest.fixture
def draft(firm, firm_approver):
    approved_plan(firm, [COAL, ELECTRICITY])
    draft = report(firm)
    svc.report_save_output_data(
        report=draft, rows=[{"name": "供电量", "amount": "100000", "unit": "MWh"}], acting_user=firm_approver
    )
    rows = monthly("coal", YEAR, activity="1000", ncv="20.908") + monthly("power", YEAR, activity="100")
    checked = svc.report_save_activity_data(report=draft, rows=rows, acting_user=firm_approver)
    assert checked.ok, [m.text for m in checked.errors]
    return draft


def _withdraw_and_correct(draft, user, rows):
    svc.report_withdraw(report=draft, acting_user=user)
    checked = svc.report_save_activity_data(report=draft, rows=rows, acting_user=user)
    assert isinstance(checked, ValidationResult) and checked.ok
    return svc.report_submit(report=draft, acting_user=user, certification=certified())


def test_a_version_cannot_be_changed_or_deleted(draft, firm_approver):
    version = svc.report_submit(report=draft, acting_user=firm_approver, certification=certified())
    version.total_tco2e = D("1")
    with pytest.raises(PermissionError):
        version.save()
    with pytest.raises(PermissionError):
        version.delete()
    with pytest.raises(PermissionError):
        ReportVersion.objects.filter(pk=version.pk).update(total_tco2e=D("1"))
    with pytest.raises(PermissionError):
        ReportVersion.objects.filter(pk=version.pk).delete()
    assert ReportVersion.objects.get(pk=version.pk).total_tco2e != D("1")


def test_every_version_stays_readable_with_its_own_data(draft, firm_approver):
    first = svc.report_submit(report=draft, acting_user=firm_approver, certification=certified())
    second = _withdraw_and_correct(
        draft, firm_approver, [{"stream": "coal", "month": 3, "activity": "1200", "ncv": "20.908"}]
    )
    assert [v.number for v in draft.versions.all()] == [1, 2]
    assert first.data["rows"][2] == {**first.data["rows"][2], "stream": "coal", "month": 3, "activity": "1000"}
    assert next(r for r in second.data["rows"] if (r["stream"], r["month"]) == ("coal", 3))["activity"] == "1200"
    assert first.emission_result().reported_tco2e == first.reported_tco2e
    assert first.data["plan"] == {"id": draft.versions.first().plan_id, "version": 1}


def test_the_diff_names_stream_month_and_field_and_the_size_of_each_change(draft, firm_approver):
    first = svc.report_submit(report=draft, acting_user=firm_approver, certification=certified())
    second = _withdraw_and_correct(
        draft,
        firm_approver,
        [
            {"stream": "coal", "month": 3, "activity": "1.2", "activity_unit": "kt", "ncv": "20.908"},
            {"stream": "power", "month": 12, "activity": "130"},
        ],
    )
    diff = report_diff(first, second)
    # Coal March: 1000 t → 1.2 kt, compared in kt: +0.2. Its tCO2e: 1900.299 → 1.2 × 1900.2988488 = 2280.35861856 → 2280.359.
    # Power December: 100 → 130 MWh × 0.42 tCO2/MWh (Shanghai): 42.000 → 54.600.
    assert diff.changes == [
        Change("coal", 3, "activity", "1000 t", "1.2 kt", D("0.2")),
        Change("power", 12, "activity", "100 MWh", "130 MWh", D("30")),
        Change("coal", 3, "tco2e", "1900.299 tCO2e", "2280.359 tCO2e", D("380.060")),
        Change("power", 12, "tco2e", "42.000 tCO2e", "54.600 tCO2e", D("12.600")),
    ]
    assert diff.streams == {
        "coal": (D("22803.588"), D("23183.648"), D("380.060")),
        "power": (D("504.000"), D("516.600"), D("12.600")),
    }
    # Totals: 22803.588 + 504 = 23307.588 → 23308; 23183.648 + 516.6 = 23700.248 → 23700; +392 (+1.68 %).
    assert (diff.total_before_tco2e, diff.total_after_tco2e, diff.total_delta_tco2e) == (
        D("23308"),
        D("23700"),
        D("392"),
    )
    assert diff.total_delta_pct == D("1.68")
    assert (diff.before_number, diff.after_number) == (1, 2)


def test_a_diff_of_a_version_with_itself_is_empty(draft, firm_approver):
    version = svc.report_submit(report=draft, acting_user=firm_approver, certification=certified())
    diff = report_diff(version, version)
    assert diff.changes == [] and diff.streams == {} and diff.total_delta_tco2e == 0


def test_a_stream_added_by_a_new_plan_version_shows_as_added(firm, firm_approver, draft):
    first = svc.report_submit(report=draft, acting_user=firm_approver, certification=certified())
    EmissionReport.objects.filter(pk=draft.pk).update(status=EmissionReport.Status.RETURNED_TO_FIRM)
    draft.refresh_from_db()
    approved_plan(
        firm,
        [COAL, ELECTRICITY, {"code": "steam", "source": "boiler", "method": "purchased_heat", "unit": "GJ"}],
        version=2,
    )
    svc.report_save_activity_data(report=draft, rows=monthly("steam", YEAR, activity="10"), acting_user=firm_approver)
    second = svc.report_resubmit(report=draft, acting_user=firm_approver, certification=certified())
    diff = report_diff(first, second)
    # Steam: 10 GJ × 0.06 tCO2/GJ = 0.6 t a month, 7.2 a year; new in version 2 of the report and of the plan.
    assert Change("steam", 1, "activity", None, "10 GJ", None) in diff.changes
    assert diff.streams == {"steam": (D("0.000"), D("7.200"), D("7.200"))}
    assert (diff.plan_before, diff.plan_after) == (1, 2)


def test_a_new_version_is_refused_while_a_verifier_holds_the_report(draft, firm_approver, firm):
    f.EngagementFactory(firm=firm, year=2025, status=VerificationEngagement.Status.ACCEPTED)
    svc.report_submit(report=draft, acting_user=firm_approver, certification=certified())
    with pytest.raises(ValidationError):
        svc.report_save_activity_data(
            report=draft, rows=[{"stream": "coal", "month": 1, "activity": "1"}], acting_user=firm_approver
        )
    assert draft.versions.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_versions_are_immutable_in_postgresql_itself(draft, firm_approver):
    version = svc.report_submit(report=draft, acting_user=firm_approver, certification=certified())
    with pytest.raises(REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE mrv_reportversion SET total_tco2e = 1")
    assert ReportVersion.objects.get(pk=version.pk).total_tco2e == version.total_tco2e

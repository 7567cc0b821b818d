"""Warnings that respect the user: one cause explained once; last year's verified figure is a yardstick too."""

from decimal import Decimal

import pytest

from mrv.models import EmissionReport, VerificationOpinion
from mrv.services import reports as svc
from tests import factories as f
from tests.factories import certified
from tests.mrv.reporting import COAL, approved_plan, report
from tests.mrv.test_validation import COAL_LAB, coal_rows, save, texts
from tests.verification_world import verified_report

D = Decimal


@pytest.fixture
def draft(firm, firm_approver):
    """A Shanghai power firm's 2025 report with output data, and its approved plan with one coal stream."""
    approved_plan(firm, [COAL])
    mine = report(firm)
    svc.report_save_output_data(
        report=mine, rows=[{"name": "供电量", "amount": "10000", "unit": "MWh"}], acting_user=firm_approver
    )
    return mine


def test_one_wrong_ncv_in_twelve_months_is_one_warning_naming_the_months(firm, firm_approver):
    approved_plan(firm, [COAL_LAB])
    mine = report(firm)
    svc.report_save_output_data(
        report=mine, rows=[{"name": "供电量", "amount": "10000", "unit": "MWh"}], acting_user=firm_approver
    )
    checked = save(mine, firm_approver, coal_rows(carbon_content="40"))  # a systematic error, every month
    # 20.908 × 40 × 0.94 × 44/12 / 1000 = 2.8825 tCO2/t in each month, above 1.2352–2.5654.
    assert texts(checked.warnings) == [
        "Source stream coal, months 1–12, ncv: the emission factor (2.8825 tCO2/t) is outside the plausible range "
        "1.2352–2.5654 for raw coal in each of these months: one cause, explained once."
    ]
    [warning] = checked.warnings
    svc.report_acknowledge_warning(
        report=mine, key=warning.key, reason="热值取值错误，已联系化验室", acting_user=firm_approver
    )
    svc.report_submit(report=mine, acting_user=firm_approver, certification=certified())
    mine.refresh_from_db()
    assert mine.status == EmissionReport.Status.SUBMITTED


def test_months_are_listed_as_ranges():
    from mrv.validation import _month_list

    assert _month_list([1, 2, 3, 5, 7, 8]) == "1–3, 5, 7, 8"


def test_last_years_verified_figure_is_compared_when_none_is_determined_yet(draft, firm_approver, firm, body, verifier):
    f.FigureFactory(firm=firm, year=2024, emissions_tco2e=D("22000"))  # within 20 %: would stay silent
    verified_report(firm, 16650, body=body, lead=verifier, year=2024, status=EmissionReport.Status.REGULATOR_REVIEW)
    assert VerificationOpinion.objects.filter(report__year=2024).exists()

    checked = save(draft, firm_approver, coal_rows())

    # 22804 against 16650 verified: +36.96 % → +37.0 %.
    assert texts(checked.warnings) == [
        "Source stream *, month *, total: 22804 tCO2e is +37.0 % against 16650 tCO2e in 2024 (more than ±20 %)."
    ]

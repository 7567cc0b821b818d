"""One due date: an extension the regulator grants a firm counts in every place that asks.

The calendar, the reminders, the lateness of a report (conservative estimates) and the compliance
marking once computed due dates separately, and only the calendar counted the firm's extension.
"""

import datetime
from decimal import Decimal

import pytest

from deadlines.calendar import firm_deadlines
from deadlines.services import deadline_extension_grant, reminders_send_due
from mrv.models import DeadlineRule, EmissionReport
from mrv.workflow import verification as rules
from registry import selectors, services
from registry.models import ComplianceRecord
from tests import factories as f

K = DeadlineRule.Kind
D = datetime.date


@pytest.fixture
def extended(firm, regulator):
    """Shanghai 2025, 30 more days for the firm's report, verification and surrender."""
    for kind in (K.ANNUAL_REPORT, K.VERIFICATION, K.COMPLIANCE):
        deadline_extension_grant(
            firm=firm, year=2025, kind=kind, extra_days=30, reason="Typhoon", acting_user=regulator
        )
    return firm


def on(monkeypatch, day: datetime.date) -> None:
    monkeypatch.setattr(rules, "today", lambda: day)


def test_the_calendar_shows_the_extended_dates(extended):
    due = {d.kind: d.due_date for d in firm_deadlines([extended], [2025])}
    assert (due[K.ANNUAL_REPORT], due[K.VERIFICATION], due[K.COMPLIANCE]) == (
        D(2026, 4, 30),
        D(2026, 5, 30),
        D(2026, 7, 30),
    )


def test_a_draft_inside_the_extended_report_deadline_is_not_late(extended, other_firm, monkeypatch):
    mine = f.ReportFactory(firm=extended, year=2025, status=EmissionReport.Status.DRAFT)
    theirs = f.ReportFactory(firm=other_firm, year=2025, status=EmissionReport.Status.DRAFT)
    on(monkeypatch, D(2026, 4, 15))  # after the market's 31 March
    assert (rules.is_late(mine), rules.is_late(theirs)) == (False, True)
    on(monkeypatch, D(2026, 5, 1))
    assert rules.is_late(mine)


def test_a_submitted_report_inside_the_extended_verification_deadline_is_not_late(extended, monkeypatch):
    report = f.ReportFactory(firm=extended, year=2025, status=EmissionReport.Status.SUBMITTED)
    on(monkeypatch, D(2026, 5, 15))  # after the market's 30 April
    assert not rules.conservative_estimate_allowed(report)
    on(monkeypatch, D(2026, 5, 31))
    assert rules.conservative_estimate_allowed(report)


def test_a_firm_inside_its_extended_compliance_deadline_is_not_marked(extended, other_firm):
    for short in (extended, other_firm):
        f.ReportFactory(firm=short, year=2025, status="determined", determined_emissions_tco2e=Decimal(1000))
    mid_july = D(2026, 7, 15)  # after the market's 30 June, before the firm's 30 July
    status = selectors.compliance_status(extended, 2025, today=mid_july)
    assert (status.status, status.deadline) == (selectors.Status.OUTSTANDING, D(2026, 7, 30))
    marked = services.compliance_mark_non_compliant(market=extended.market, year=2025, today=mid_july)
    assert [r.firm_id for r in marked] == [other_firm.pk]
    rates = selectors.compliance_rates(extended.market, [2025], today=mid_july)
    assert (rates[0].obliged_firms, rates[0].compliant_firms) == (2, 0)
    services.compliance_mark_non_compliant(market=extended.market, year=2025, today=D(2026, 7, 31))
    assert set(ComplianceRecord.objects.values_list("firm_id", flat=True)) == {extended.pk, other_firm.pk}


def test_reminders_move_with_the_extension(extended, firm_user):
    reminders_send_due(today=D(2026, 3, 30))  # the market's report deadline is tomorrow: not the firm's
    assert not extended.reminders.filter(kind=K.ANNUAL_REPORT, due_date=D(2026, 3, 31)).exists()
    reminders_send_due(today=D(2026, 4, 29))
    assert extended.reminders.filter(kind=K.ANNUAL_REPORT, due_date=D(2026, 4, 30), offset_days=1).exists()

"""Fixtures and helpers shared by the verification, spot-check and review tests.

Import with `from tests.verification_world import *` (fixtures are found through the module's names).
"""

from decimal import Decimal

import pytest

from mrv.models import AuditLog, EmissionReport, OutboxMessage, User, VerificationEngagement
from mrv.services import follow_ups
from tests import factories as f
from tests.factories import certified

NOTIFY = "deadlines.notify_workflow_event"
Status = EmissionReport.Status


@pytest.fixture
def wired(monkeypatch):
    """Every workflow event queues the notification task (as mrv/services/follow_ups.py wires it)."""
    monkeypatch.setattr(follow_ups, "FOLLOW_UP_TASKS", {event: NOTIFY for event in follow_ups.EVENTS})


def set_reported(report: EmissionReport, amount) -> None:
    """Record the firm's reported figure directly (for reports built in a state, without data)."""
    EmissionReport.objects.filter(pk=report.pk).update(reported_emissions_tco2e=Decimal(amount))
    report.refresh_from_db()


def submitted_report(firm, approver, *, period: str = "annual", months=range(1, 13)) -> EmissionReport:
    """A report submitted through the firm's own services: approved plan, monthly coal and power, version 1.

    Coal: 1,000 t a month at 20.908 GJ/t; power: 100 MWh a month (the plans code computes the figure).
    """
    from mrv.services import reports as firm_reports
    from tests.mrv.reporting import COAL, ELECTRICITY, approved_plan, monthly, report

    if not firm.plans.exists():
        approved_plan(firm, [COAL, ELECTRICITY])
    draft = report(firm, period=period)
    firm_reports.report_save_output_data(
        report=draft, rows=[{"name": "供电量", "amount": "100000", "unit": "MWh"}], acting_user=approver
    )
    rows = monthly("coal", months, activity="1000", ncv="20.908") + monthly("power", months, activity="100")
    checked = firm_reports.report_save_activity_data(report=draft, rows=rows, acting_user=approver)
    assert checked.ok, [m.text for m in checked.errors]
    for warning in checked.warnings:
        firm_reports.report_acknowledge_warning(report=draft, key=warning.key, reason="已核实", acting_user=approver)
    firm_reports.report_submit(report=draft, acting_user=approver, certification=certified())
    draft.refresh_from_db()
    return draft


def firm_resubmits(report: EmissionReport, approver) -> None:
    """The firm's approver resubmits the returned report as a new version (the plans code's service)."""
    from mrv.services import reports as firm_reports

    firm_reports.report_resubmit(report=report, acting_user=approver, certification=certified())
    report.refresh_from_db()


def firm_submits(report: EmissionReport, approver) -> None:
    from mrv.services import reports as firm_reports

    firm_reports.report_submit(report=report, acting_user=approver, certification=certified())
    report.refresh_from_db()


def last_audit(obj) -> AuditLog:
    return AuditLog.objects.for_object(obj).order_by("-id").first()


def assert_logged(obj, action: str, actor, from_state: str, to_state: str, reason: str | None = None) -> AuditLog:
    row = last_audit(obj)
    assert row is not None, "no audit row"
    assert (row.action, row.actor, row.from_state, row.to_state) == (action, actor, from_state, to_state)
    if reason is not None:
        assert row.reason == reason
    return row


def assert_queued(event: str, **ids) -> None:
    """The follow-up task of `event` is in the outbox with the object ids."""
    kwargs = [m.kwargs for m in OutboxMessage.objects.filter(task_name=NOTIFY)]
    assert {"event": event, **ids} in kwargs, kwargs


@pytest.fixture
def report(firm):
    """Shanghai, 2025, submitted; the firm reported 604,500 tCO2e."""
    r = f.ReportFactory(firm=firm, year=2025, status=Status.SUBMITTED)
    set_reported(r, 604500)
    return r


@pytest.fixture
def accepted(engagement, verifier, team_verifier):
    """The `engagement` fixture (accepted) with its lead verifier and team."""
    VerificationEngagement.objects.filter(pk=engagement.pk).update(lead_verifier=verifier)
    engagement.refresh_from_db()
    engagement.team.set([team_verifier])
    return engagement


@pytest.fixture
def under_verification(report, accepted):
    EmissionReport.objects.filter(pk=report.pk).update(status=Status.UNDER_VERIFICATION)
    report.refresh_from_db()
    return report


@pytest.fixture
def real_under_verification(firm, firm_approver, accepted, verifier):
    """Submitted through the firm's services (version 1), then taken under verification."""
    from mrv.services.verification import report_start_verification

    report = submitted_report(firm, firm_approver)
    report_start_verification(report=report, acting_user=verifier)
    report.refresh_from_db()
    return report


@pytest.fixture
def plan(accepted, verifier, team_verifier):
    from mrv.services.verification import verification_plan_save

    return verification_plan_save(
        engagement=accepted,
        document_review="Fuel invoices, meter logs",
        sampling="3 months",
        site_visit_dates=["2026-04-08"],
        site_team=[verifier, team_verifier],
        acting_user=verifier,
    )


def person(role: str, **org) -> User:
    return f.UserFactory(role=role, **org)


def verified_report(
    firm,
    figure,
    *,
    body,
    lead,
    year=2025,
    status=Status.VERIFIED,
    uncorrected="0",
    threshold="5",
    outcome="satisfactory",
    not_verified_reason="",
):
    """A report the lead verifier of `body` signed as verified at `figure` tCO2e (built directly, for sampling)."""
    from mrv.models import VerificationOpinion

    engagement = VerificationEngagement.objects.filter(firm=firm, year=year).first() or f.EngagementFactory(
        firm=firm, body=body, year=year, status=VerificationEngagement.Status.ACCEPTED, lead_verifier=lead
    )
    report = f.ReportFactory(firm=firm, year=year, status=status)
    set_reported(report, figure)
    VerificationOpinion.objects.create(
        report=report,
        engagement=engagement,
        outcome=outcome,
        not_verified_reason=not_verified_reason,
        reported_emissions_tco2e=Decimal(figure),
        verified_emissions_tco2e=Decimal(figure),
        difference_tco2e=0,
        uncorrected_misstatement_tco2e=Decimal(uncorrected),
        materiality_threshold_pct=Decimal(threshold),
        signed_by=lead,
    )
    return report


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The personas' passwords need no strength here; PBKDF2 made each test take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

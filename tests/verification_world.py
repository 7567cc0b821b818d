"""Fixtures and helpers shared by the verification, spot-check and review tests.

Import with `from tests.verification_world import *` (fixtures are found through the module's names).
"""

from decimal import Decimal

import pytest

from mrv.models import AuditLog, EmissionReport, FirmYearFigure, OutboxMessage, User, VerificationEngagement
from mrv.services import follow_ups
from tests import factories as f

NOTIFY = "notifications.notify"
Status = EmissionReport.Status


@pytest.fixture
def wired(monkeypatch):
    """Map every verification event to a (stand-in) notification task, as the merge will."""
    monkeypatch.setattr(follow_ups, "FOLLOW_UP_TASKS", {event: NOTIFY for event in follow_ups.EVENTS})


def set_reported(report: EmissionReport, amount) -> None:
    """Record the firm's reported figure (the report's field once the plans code lands, else the firm-year figure)."""
    if hasattr(report, "reported_emissions_tco2e"):
        EmissionReport.objects.filter(pk=report.pk).update(reported_emissions_tco2e=Decimal(amount))
        report.refresh_from_db()
    else:
        FirmYearFigure.objects.update_or_create(firm=report.firm, year=report.year,
                                                defaults={"emissions_tco2e": Decimal(amount)})


def firm_resubmits(report: EmissionReport, **_kwargs) -> None:
    """Stands in for the plans code's `resubmit` (returned_to_firm → under_verification), not on main yet."""
    assert report.status == Status.RETURNED_TO_FIRM
    EmissionReport.objects.filter(pk=report.pk).update(status=Status.UNDER_VERIFICATION)
    report.refresh_from_db()


def firm_submits(report: EmissionReport) -> None:
    """Stands in for the plans code's `submit` (draft → submitted), not on main yet."""
    assert report.status == Status.DRAFT
    EmissionReport.objects.filter(pk=report.pk).update(status=Status.SUBMITTED)
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
def plan(accepted, verifier, team_verifier):
    from mrv.services.verification import verification_plan_save

    return verification_plan_save(engagement=accepted, document_review="Fuel invoices, meter logs", sampling="3 months",
                                  site_visit_dates=["2026-04-08"], site_team=[verifier, team_verifier],
                                  acting_user=verifier)


def person(role: str, **org) -> User:
    return f.UserFactory(role=role, **org)


def verified_report(firm, figure, *, body, lead, year=2025, status=Status.VERIFIED, uncorrected="0", threshold="5"):
    """A report the lead verifier of `body` signed as verified at `figure` tCO2e (built directly, for sampling)."""
    from mrv.models import VerificationOpinion

    engagement = VerificationEngagement.objects.filter(firm=firm, year=year).first() or f.EngagementFactory(
        firm=firm, body=body, year=year, status=VerificationEngagement.Status.ACCEPTED, lead_verifier=lead)
    report = f.ReportFactory(firm=firm, year=year, status=status)
    set_reported(report, figure)
    VerificationOpinion.objects.create(
        report=report, engagement=engagement, outcome=VerificationOpinion.Outcome.SATISFACTORY,
        reported_emissions_tco2e=Decimal(figure), verified_emissions_tco2e=Decimal(figure), difference_tco2e=0,
        uncorrected_misstatement_tco2e=Decimal(uncorrected), materiality_threshold_pct=Decimal(threshold),
        signed_by=lead)
    return report


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The personas' passwords need no strength here; PBKDF2 made each test take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

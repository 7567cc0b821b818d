"""Reads of verification: the verification page of a report (findings with their response dues, opinions,
spot-check items) and the materiality of a report's misstatements."""

import datetime

from django.db.models import QuerySet

from mrv import access, due_dates
from mrv.models import (
    EmissionReport,
    Finding,
    SpotCheckItem,
    User,
    VerificationBody,
    VerificationEngagement,
    VerificationOpinion,
)
from mrv.workflow.verification import Materiality, materiality, reported_emissions

__all__ = [
    "Materiality",
    "active_users",
    "body_verifiers",
    "engagements_for_page",
    "findings_seen_by",
    "findings_with_report",
    "firm_year_reports",
    "materiality",
    "materiality_with_reported",
    "report_findings",
    "reported_emissions",
    "sees_engagement",
    "third_party_bodies",
    "verification_bodies",
    "verification_body",
    "verification_page_reads",
    "verification_state",
    "with_response_dues",
]


def verification_page_reads(report: EmissionReport) -> dict:
    """What the verification page of a report lists: findings with answers, opinions, spot-check items."""
    findings = report_findings(report)
    return {
        "findings": findings,
        "report_response_due": with_response_dues(findings),
        "opinions": VerificationOpinion.objects.filter(report=report).select_related("signed_by"),
        "spot_items": SpotCheckItem.objects.filter(report=report).select_related("body", "checked_by", "sample"),
    }


def report_findings(report: EmissionReport) -> list[Finding]:
    """A report's findings with who raised them, their answers and the requests about them (four queries)."""
    return list(
        Finding.objects.filter(report=report)
        .select_related("raised_by")
        .prefetch_related("answers__answered_by", "information_requests")
    )


def findings_with_answers(report: EmissionReport) -> QuerySet[Finding]:
    """A report's findings in the order raised, with the firm's answers and who gave them."""
    return Finding.objects.filter(report=report).prefetch_related("answers__answered_by").order_by("pk")


def findings_with_report(report: EmissionReport) -> QuerySet[Finding]:
    """A report's findings with the report loaded; callers scope them with `mrv.access`."""
    return Finding.objects.filter(report=report).select_related("report")


def findings_seen_by(user) -> QuerySet[Finding]:
    """The findings `user` may see with who raised them and their answers, by report."""
    queryset = Finding.objects.select_related("raised_by").prefetch_related("answers__answered_by")
    return access.visible_to(user, queryset.order_by("report_id", "pk"))


def engagements_for_page() -> QuerySet[VerificationEngagement]:
    """Engagements with what the engagement page shows loaded; callers scope them with `mrv.access`."""
    return VerificationEngagement.objects.select_related("firm", "market", "body", "lead_verifier")


def body_verifiers(body_id: int) -> QuerySet[User]:
    """The active verifiers of a body, by user name (whom an engagement's team is chosen among)."""
    return User.objects.filter(body_id=body_id, role__in=User.VERIFIER_ROLES, is_active=True).order_by("username")


def active_users() -> QuerySet[User]:
    """The active users (whom a team is named among; whether one may be on it is the service's check)."""
    return User.objects.filter(is_active=True)


def verification_bodies() -> QuerySet[VerificationBody]:
    return VerificationBody.objects.all()


def third_party_bodies() -> QuerySet[VerificationBody]:
    """The third-party verification bodies, by name."""
    return VerificationBody.objects.filter(kind=VerificationBody.Kind.THIRD_PARTY).order_by("name", "pk")


def verification_body(pk) -> VerificationBody | None:
    """The body of that id, or None (for an id typed into a form: empty or unknown gives None)."""
    return VerificationBody.objects.filter(pk=pk or 0).first()


def firm_year_reports(user, *, firm_id: int, year: int) -> QuerySet[EmissionReport]:
    """The reports of a firm's compliance year that `user` may see."""
    return access.visible_to(user, EmissionReport).filter(firm_id=firm_id, year=year)


def sees_engagement(user, *, firm_id: int, year: int) -> bool:
    """Whether `user` may see the engagement of a firm's compliance year."""
    return access.visible_to(user, VerificationEngagement).filter(firm_id=firm_id, year=year).exists()


def materiality_with_reported(report: EmissionReport) -> dict:
    """The materiality of a report's uncorrected misstatements, with the reported emissions it is measured on."""
    return {**materiality(report)._asdict(), "reported_emissions_tco2e": reported_emissions(report)}


def verification_state(user, report: EmissionReport) -> dict:
    """What the report's verification shows the caller (the API's view of the page), in a fixed number of queries."""
    reads = verification_page_reads(report)
    findings = (
        Finding.objects.filter(report=report).select_related("raised_by").prefetch_related("answers__answered_by")
    )
    engagement = access.visible_to(user, VerificationEngagement).filter(firm_id=report.firm_id, year=report.year)
    return {
        "report": report,
        "engagement": engagement.select_related("firm", "market", "body", "lead_verifier").first(),
        "materiality": materiality_with_reported(report),
        "findings": access.visible_to(user, findings.order_by("pk")),
        "opinions": reads["opinions"],
        "spot_checks": access.visible_to(user, SpotCheckItem).filter(report=report).select_related("sample"),
    }


def with_response_dues(findings: list[Finding]) -> datetime.date | None:
    """Set each finding's `response_due_now` (its date moved by the requests about it, `mrv.due_dates`) and
    return the report's response deadline: the earliest of the open findings' (one query)."""
    dues = due_dates.finding_response_dues(findings)
    for finding in findings:
        finding.response_due_now = dues.get(finding.pk)
    open_dues = [dues[f.pk] for f in findings if f.status in due_dates.OPEN_FINDING and f.pk in dues]
    return min(open_dues, default=None)

"""Reads of verification: the verification page of a report (findings with their response dues, opinions,
spot-check items) and the materiality of a report's misstatements."""

import datetime

from mrv import due_dates
from mrv.models import EmissionReport, Finding, SpotCheckItem, VerificationOpinion
from mrv.workflow.verification import Materiality, materiality, reported_emissions

__all__ = ["Materiality", "materiality", "reported_emissions", "verification_page_reads", "with_response_dues"]


def verification_page_reads(report: EmissionReport) -> dict:
    """What the verification page of a report lists: findings with answers, opinions, spot-check items."""
    findings = list(
        Finding.objects.filter(report=report)
        .select_related("raised_by")
        .prefetch_related("answers__answered_by", "information_requests")
    )
    return {
        "findings": findings,
        "report_response_due": with_response_dues(findings),
        "opinions": VerificationOpinion.objects.filter(report=report).select_related("signed_by"),
        "spot_items": SpotCheckItem.objects.filter(report=report).select_related("body", "checked_by", "sample"),
    }


def with_response_dues(findings: list[Finding]) -> datetime.date | None:
    """Set each finding's `response_due_now` (its date moved by the requests about it, `mrv.due_dates`) and
    return the report's response deadline: the earliest of the open findings' (one query)."""
    dues = due_dates.finding_response_dues(findings)
    for finding in findings:
        finding.response_due_now = dues.get(finding.pk)
    open_dues = [dues[f.pk] for f in findings if f.status in due_dates.OPEN_FINDING and f.pk in dues]
    return min(open_dues, default=None)

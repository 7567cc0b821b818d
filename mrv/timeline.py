"""The full timeline of one report: versions, transitions, assignments, findings and answers, opinions,
spot-check results and decisions, in time order, read in a fixed number of queries."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext as _

from mrv.models import (
    AuditLog,
    Determination,
    EmissionReport,
    Finding,
    FindingAnswer,
    QuarterlyReview,
    SpotCheckItem,
    VerificationEngagement,
    VerificationOpinion,
    VerificationPlan,
)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    kind: str  # transition, assignment, finding, answer, opinion, spot_check, decision, version, plan, review
    actor: object
    title: str
    detail: str = ""
    states: tuple[str, str] = ("", "")
    extra: dict = field(default_factory=dict)


_KIND_BY_MODEL = {
    EmissionReport: "transition",
    VerificationEngagement: "assignment",
    Finding: "finding",
    VerificationPlan: "plan",
    SpotCheckItem: "spot_check",
    QuarterlyReview: "review",
}


def share_pct(part, whole) -> str:
    """`part` as a percentage of `whole` to two decimals (half-up), or “–” without both."""
    if part is None or not whole:
        return "–"
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _audit_entries(targets: dict[type, list]) -> list[TimelineEntry]:
    wanted = Q(pk__in=[])
    kinds = {}
    for model, ids in targets.items():
        if ids:
            ct = ContentType.objects.get_for_model(model)
            kinds[ct.pk] = _KIND_BY_MODEL[model]
            wanted |= Q(content_type=ct, object_id__in=[str(i) for i in ids])
    rows = AuditLog.objects.filter(wanted).select_related("actor").order_by("at", "id")
    return [
        TimelineEntry(
            r.at,
            kinds[r.content_type_id],
            r.actor,
            f"{r.action} · {r.object_repr}",
            r.reason,
            (r.from_state, r.to_state),
            {"changes": r.changes},
        )
        for r in rows
    ]


def _data_entries(report, findings) -> list[TimelineEntry]:
    entries = []
    for answer in FindingAnswer.objects.filter(finding__in=findings).select_related("answered_by", "finding"):
        entries.append(
            TimelineEntry(
                answer.answered_at,
                "answer",
                answer.answered_by,
                _("Answer to %(f)s") % {"f": answer.finding},
                answer.text,
            )
        )
    for o in VerificationOpinion.objects.filter(report=report).select_related("signed_by"):
        detail = _(
            "verified %(v)s t, reported %(r)s t, difference %(d)s t %(why)s; uncorrected %(u)s t, "
            "%(share)s%% of the reported emissions (materiality threshold %(m)s%%)"
        ) % {
            "v": o.verified_emissions_tco2e,
            "r": o.reported_emissions_tco2e,
            "d": o.difference_tco2e,
            "why": o.difference_reason,
            "u": o.uncorrected_misstatement_tco2e,
            "share": share_pct(o.uncorrected_misstatement_tco2e, o.reported_emissions_tco2e),
            "m": o.materiality_threshold_pct,
        }
        title = o.get_outcome_display() + (f" ({o.get_not_verified_reason_display()})" if o.not_verified_reason else "")
        entries.append(TimelineEntry(o.signed_at, "opinion", o.signed_by, title, detail))
    for item in (
        SpotCheckItem.objects.filter(report=report).select_related("checked_by", "sample").exclude(checked_at=None)
    ):
        entries.append(
            TimelineEntry(
                item.checked_at, "spot_check", item.checked_by, item.get_outcome_display(), item.discrepancies
            )
        )
    for d in Determination.objects.filter(report=report).select_related("proposed_by", "decided_by"):
        entries.append(
            TimelineEntry(
                d.proposed_at,
                "decision",
                d.proposed_by,
                _("Proposed: %(e)s t (%(b)s)") % {"e": d.emissions_tco2e, "b": d.get_basis_display()},
                f"{d.basis_text}\n{d.reasons}".strip(),
            )
        )
        if d.decided_at:
            entries.append(
                TimelineEntry(d.decided_at, "decision", d.decided_by, d.get_decision_display(), d.decision_reason)
            )
    return entries


def _version_entries(report) -> list[TimelineEntry]:
    versions = getattr(report, "versions", None)
    if versions is None:
        return []
    return [
        TimelineEntry(
            v.created_at,
            "version",
            v.created_by,
            _("Version %(n)s: %(t)s tCO2e reported") % {"n": v.number, "t": v.reported_tco2e},
        )
        for v in versions.select_related("created_by")
    ]


def report_timeline(report: EmissionReport) -> list[TimelineEntry]:
    """Everything that happened to `report` (and its engagement, findings, samples and decisions), oldest first."""
    engagements = (
        list(
            VerificationEngagement.objects.filter(firm_id=report.firm_id, year=report.year).values_list("pk", flat=True)
        )
        if report.period == EmissionReport.Period.ANNUAL
        else []
    )
    findings = list(Finding.objects.filter(report=report).values_list("pk", flat=True))
    targets = {
        EmissionReport: [report.pk],
        VerificationEngagement: engagements,
        Finding: findings,
        VerificationPlan: list(
            VerificationPlan.objects.filter(engagement_id__in=engagements).values_list("pk", flat=True)
        ),
        SpotCheckItem: list(SpotCheckItem.objects.filter(report=report).values_list("pk", flat=True)),
        QuarterlyReview: list(QuarterlyReview.objects.filter(report=report).values_list("pk", flat=True)),
    }
    entries = _audit_entries(targets) + _data_entries(report, findings) + _version_entries(report)
    return sorted(entries, key=lambda e: e.at)

"""Yes/no rules of verification, spot check and review, used as transition permissions and conditions.

Permissions take `(instance, user)`, conditions take `(instance)`. Models are imported inside the
functions because the model modules import this one.
"""

import datetime
from decimal import Decimal
from typing import NamedTuple

from django.apps import apps
from django.utils import timezone

from mrv.due_dates import due_date as firm_due_date

HUNDRED = Decimal("100")


def _model(name: str):
    return apps.get_model("mrv", name)


def _role(user) -> str:
    return getattr(user, "role", "") or ""


# --- Lookups --------------------------------------------------------------------------------------


def engagement_of(report):
    """The firm-year's verification engagement, or None."""
    return _model("VerificationEngagement").objects.filter(firm_id=report.firm_id, year=report.year).first()


def latest_opinion(report):
    return _model("VerificationOpinion").objects.filter(report=report).order_by("-signed_at", "-id").first()


def pending_determination(report):
    return _model("Determination").objects.filter(report=report, decision="pending").order_by("-id").first()


def rule_pack(report):
    return report.market.rule_pack_for(report.year)


# --- Permissions (instance, user) -----------------------------------------------------------------


def regulates_market(obj, user) -> bool:
    """A case officer or head of the object's market."""
    return _role(user) in ("regulator_officer", "regulator_head") and user.market_id == obj.market_id


def is_body_lead_verifier(engagement, user) -> bool:
    """The lead verifier of the body assigned to the engagement."""
    return _role(user) == "lead_verifier" and engagement.body_id is not None and user.body_id == engagement.body_id


def _is_on_engagement(engagement, user) -> bool:
    if engagement is None or engagement.status != "accepted" or user.body_id != engagement.body_id:
        return False
    return engagement.lead_verifier_id == user.pk or engagement.team.filter(pk=user.pk).exists()


def is_engaged_verifier(report, user) -> bool:
    """The lead verifier or a named team member of the accepted engagement for the firm-year."""
    return _role(user) in ("verifier", "lead_verifier") and _is_on_engagement(engagement_of(report), user)


def is_signing_lead_verifier(report, user) -> bool:
    """Only the engagement's lead verifier signs the opinion."""
    engagement = engagement_of(report)
    return (
        _role(user) == "lead_verifier"
        and engagement is not None
        and engagement.status == "accepted"
        and engagement.lead_verifier_id == user.pk
    )


def is_assigned_spot_checker(report, user) -> bool:
    """A spot checker of the body the report's pending spot-check item is assigned to."""
    return (
        _role(user) == "spot_checker"
        and _model("SpotCheckItem").objects.filter(report=report, body_id=user.body_id, outcome="pending").exists()
    )


def is_approving_head(report, user) -> bool:
    """A regulator head of the market who did not propose the pending determination (four eyes)."""
    if _role(user) != "regulator_head" or user.market_id != report.market_id:
        return False
    proposal = pending_determination(report)
    return proposal is None or proposal.proposed_by_id != user.pk


def is_co_reviewer(report, user) -> bool:
    """The market's regulator or statistics officer, for the quarterly co-review."""
    return (
        _role(user) in ("regulator_officer", "regulator_head", "statistics_officer")
        and user.market_id == report.market_id
    )


def is_finding_firm_user(finding, user) -> bool:
    """Someone of the firm whose report the finding is on."""
    return _role(user) in ("firm_reporter", "firm_approver") and user.firm_id == finding.report.firm_id


def is_finding_verifier(finding, user) -> bool:
    return is_engaged_verifier(finding.report, user)


# --- Conditions (instance) ------------------------------------------------------------------------


def is_annual(report) -> bool:
    return report.period == "annual"


def is_quarterly(report) -> bool:
    return report.period != "annual"


def has_accepted_engagement(report) -> bool:
    engagement = engagement_of(report)
    return engagement is not None and engagement.status == "accepted"


def engagement_report_is_closed(engagement) -> bool:
    return (
        _model("EmissionReport")
        .objects.filter(firm_id=engagement.firm_id, year=engagement.year, period="annual", status="closed")
        .exists()
    )


def open_findings(report):
    return _model("Finding").objects.filter(report=report, status__in=("open", "reopened"))


def has_open_findings(report) -> bool:
    return open_findings(report).exists()


def verification_plan_in_place(report) -> bool:
    """Where the market requires a verification plan per firm, one exists for the engagement."""
    if not rule_pack(report).verification_plan_required:
        return True
    return (
        _model("VerificationPlan")
        .objects.filter(engagement__firm_id=report.firm_id, engagement__year=report.year)
        .exists()
    )


def latest_opinion_verified(report) -> bool:
    opinion = latest_opinion(report)
    return opinion is not None and opinion.is_verified


def latest_opinion_not_verified(report) -> bool:
    opinion = latest_opinion(report)
    return opinion is not None and not opinion.is_verified


def open_non_conformities(report):
    return (
        _model("Finding")
        .objects.filter(report=report, kind__in=("non_conformity", "non_compliance"))
        .exclude(status="closed")
    )


def reported_emissions(report) -> Decimal | None:
    """The firm's reported figure (whole tCO2e) of the version under verification."""
    return report.reported_emissions_tco2e


class Materiality(NamedTuple):
    uncorrected_tco2e: Decimal
    threshold_pct: Decimal
    ratio_pct: Decimal | None
    is_material: bool
    suggested_outcome: str


def materiality(report) -> Materiality:
    """Uncorrected misstatements (sum of absolute amounts) against the market's threshold.

    A rule of the verification workflow (it decides whether a satisfactory opinion may be signed), so
    it lives here with the other predicates and reads models through the app registry.
    """
    finding = _model("Finding")
    findings = finding.objects.filter(report=report, kind="misstatement").exclude(resolution="corrected")
    total = sum((abs(f.amount_tco2e or 0) for f in findings), Decimal("0"))
    reported = reported_emissions(report)
    threshold = rule_pack(report).materiality_threshold_pct(reported or Decimal("0"))
    exact = total * HUNDRED / reported if reported else None
    material = exact >= threshold if exact is not None else total > 0
    ratio = exact.quantize(Decimal("0.01")) if exact is not None else None
    open_nc = open_non_conformities(report).exists()
    remarks = total > 0 or open_nc or finding.objects.filter(report=report, kind="improvement").exists()
    if material:
        suggested = "not_verified"
    elif remarks:
        suggested = "with_comments"
    else:
        suggested = "satisfactory"
    return Materiality(total, threshold, ratio, material, suggested)


def satisfactory_opinion_allowed(report) -> bool:
    """No satisfactory opinion while material misstatements or open non-conformities remain."""
    opinion = latest_opinion(report)
    if opinion is None or opinion.outcome != "satisfactory":
        return True
    return not materiality(report).is_material and not open_non_conformities(report).exists()


def market_has_spot_checks(report) -> bool:
    return rule_pack(report).spot_check


def is_in_spot_check_sample(report) -> bool:
    return _model("SpotCheckItem").objects.filter(report=report, outcome="pending").exists()


def spot_check_settled(report) -> bool:
    """No fourth-party check in this market, or the market-year's sample has been drawn."""
    if not rule_pack(report).spot_check:
        return True
    return _model("SpotCheckSample").objects.filter(market_id=report.market_id, year=report.year).exists()


def has_pending_determination(report) -> bool:
    return pending_determination(report) is not None


# The proposing services write the pending Determination just before the transition: pages drawing
# buttons leave this condition out (see `mrv.transitions.transitions_for`).
has_pending_determination.established_by_service = True


def due_date(report, kind: str) -> datetime.date | None:
    """The report's firm's due date, its granted extension included (the one rule in `mrv.due_dates`)."""
    return firm_due_date(report.firm, report.year, kind)


def today() -> datetime.date:
    return timezone.localdate()


def is_late(report) -> bool:
    """Not submitted by the report deadline, or not verified by the verification deadline."""
    due = due_date(report, "annual_report" if report.status == "draft" else "verification")
    return due is not None and today() > due


def conservative_estimate_allowed(report) -> bool:
    """Not verified (signed "not verified"), or late in a state before verification."""
    if report.status == "regulator_review":
        return latest_opinion_not_verified(report)
    return is_late(report)


def spot_check_sample_open_to(report) -> bool:
    """The market checks by sample, the year's sample is drawn, and the report is not in it yet."""
    if not market_has_spot_checks(report):
        return False
    sample = _model("SpotCheckSample").objects.filter(market_id=report.market_id, year=report.year).first()
    return sample is not None and not _model("SpotCheckItem").objects.filter(report=report, sample=sample).exists()


def writes_verification_plan(engagement, user) -> bool:
    """An engaged verifier of the accepted engagement."""
    report_like = _model("EmissionReport")(
        firm_id=engagement.firm_id, year=engagement.year, market_id=engagement.market_id
    )
    return is_engaged_verifier(report_like, user)


def raises_findings(report, user) -> bool:
    """An engaged verifier while the report is under verification."""
    return report.status == "under_verification" and is_engaged_verifier(report, user)


#: The report states in which each finding transition may run (its condition, read fresh below).
FINDING_REPORT_STATES = {
    "answer": ("under_verification", "returned_to_firm"),
    "close": ("under_verification",),
    "reopen": ("under_verification",),
}


def finding_actions_open(report) -> frozenset[str]:
    """The finding transitions the report's state allows (pages use the loaded report: no query a finding)."""
    return frozenset(name for name, states in FINDING_REPORT_STATES.items() if report.status in states)


def _report_status(finding) -> str:
    """Read from the database: the report moves on while a finding object is held."""
    return _model("EmissionReport").objects.filter(pk=finding.report_id).values_list("status", flat=True).first()


def finding_report_is_under_verification(finding) -> bool:
    return _report_status(finding) in FINDING_REPORT_STATES["close"]


def finding_report_is_with_firm_or_verifier(finding) -> bool:
    return _report_status(finding) in FINDING_REPORT_STATES["answer"]


def all_co_reviewers_accepted(report) -> bool:
    wanted = set(rule_pack(report).quarterly_co_reviewers)
    accepted = set(
        _model("QuarterlyReview")
        .objects.filter(report=report, round=report.review_round, decision="accepted")
        .values_list("reviewer", flat=True)
    )
    return bool(wanted) and wanted <= accepted

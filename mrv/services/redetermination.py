"""Re-determination: the regulator corrects determined emissions after the fact (officer proposes, head approves).

The correction is a new `Determination` row (basis "redetermination") with its reason and evidence; the
determinations already recorded stay as they were (append-only), so the history shows every figure. While
the proposal waits, the determined figure in force is unchanged; on approval the report's figure moves and
everything that reads it (the registry's compliance positions, penalties and statistics) follows.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from mrv import uploads
from mrv.models import Determination, EmissionReport, StoredFile, User
from mrv.services.review import _decide, _record_decision
from mrv.services.verification import run_with_follow_ups
from mrv.transitions import REASON_REQUIRED, TransitionRefused, check_transition

FIGURE_REQUIRED = _("The corrected emissions are a whole number of tonnes CO2e, zero or more (got %(value)s).")
SAME_FIGURE = _("The corrected figure is the one already determined (%(value)s tCO2e): nothing to correct.")
REASONS_REQUIRED = _("Say why the determined emissions are corrected.")
EVIDENCE_REQUIRED = _("Attach the evidence of the correction (e.g. the later check's report).")


def _figure(value) -> Decimal:
    try:
        figure = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        figure = None
    if figure is None or not figure.is_finite() or figure < 0 or figure != figure.to_integral_value():
        raise TransitionRefused(FIGURE_REQUIRED % {"value": value}, code="redetermination")
    return figure


def redetermination_propose(
    *,
    report: EmissionReport,
    emissions_tco2e,
    reasons: str,
    evidence: bytes | None,
    evidence_name: str,
    acting_user: User,
    evidence_description: str = "",
) -> Determination:
    """A case officer proposes corrected emissions for a determined report, with reasons and evidence."""
    check_transition(report, "propose_redetermination", acting_user, conditions=False)
    figure = _figure(emissions_tco2e)
    if figure == report.determined_emissions_tco2e:
        raise TransitionRefused(SAME_FIGURE % {"value": figure}, code="redetermination")
    if not (reasons or "").strip():
        raise TransitionRefused(REASONS_REQUIRED, code="reason_required")
    if not evidence:
        raise TransitionRefused(EVIDENCE_REQUIRED, code="evidence_required")
    with transaction.atomic():
        proposal = Determination.objects.create(
            report=report,
            basis=Determination.Basis.REDETERMINATION,
            emissions_tco2e=figure,
            basis_text=(evidence_description or "").strip(),
            reasons=reasons.strip(),
            from_state=report.status,
            proposed_by=acting_user,
        )
        stored = uploads.store_file(
            owner=proposal,
            kind=StoredFile.Kind.EVIDENCE,
            data=evidence,
            original_name=evidence_name,
            description=evidence_description or "",
            acting_user=acting_user,
        )
        run_with_follow_ups(
            report,
            "propose_redetermination",
            acting_user=acting_user,
            reason=reasons,
            changes={
                "determination": (None, proposal.pk),
                "emissions_tco2e": (report.determined_emissions_tco2e, figure),
                "evidence": (None, stored.original_name),
            },
        )
    return proposal


def redetermination_approve(*, report: EmissionReport, acting_user: User, reason: str = "") -> Determination:
    """A regulator head other than the proposer approves: the corrected figure is in force from now on."""
    proposal = _decide(report, acting_user, "approve_redetermination")
    before = report.determined_emissions_tco2e
    with transaction.atomic():
        run_with_follow_ups(
            report,
            "approve_redetermination",
            acting_user=acting_user,
            reason=reason,
            emissions_tco2e=proposal.emissions_tco2e,
            back_to=proposal.from_state,
            changes={
                "determined_emissions_tco2e": (before, proposal.emissions_tco2e),
                "determination": (None, proposal.pk),
            },
        )
        _record_decision(proposal, Determination.Decision.APPROVED, acting_user, reason)
    return proposal


def redetermination_reject(*, report: EmissionReport, reason: str, acting_user: User) -> Determination:
    """A regulator head rejects the correction with reasons; the determined figure stands."""
    if not (reason or "").strip():
        raise TransitionRefused(REASON_REQUIRED, code="reason_required")
    proposal = _decide(report, acting_user, "reject_redetermination")
    with transaction.atomic():
        run_with_follow_ups(
            report,
            "reject_redetermination",
            acting_user=acting_user,
            reason=reason,
            back_to=proposal.from_state,
            changes={"determination": (None, proposal.pk)},
        )
        _record_decision(proposal, Determination.Decision.REJECTED, acting_user, reason)
    return proposal

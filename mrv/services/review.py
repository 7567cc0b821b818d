"""The regulator's review and determination (four eyes), closing, and Shenzhen's quarterly co-review."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrv.audit import log_action
from mrv.models import (
    Determination,
    EmissionReport,
    Firm,
    QuarterlyReview,
    Seal,
    User,
    VerificationEngagement,
)
from mrv.records.seals import seal_record
from mrv.services.verification import run_with_follow_ups
from mrv.transitions import REASON_REQUIRED, TransitionRefused, check_transition
from mrv.workflow import verification as rules

ESTIMATE_FIGURE_REQUIRED = _("A conservative estimate needs a positive figure in whole tonnes CO2e (got %(value)s).")
ESTIMATE_BASIS_REQUIRED = _("Give the basis of the conservative estimate (data and method used).")
ESTIMATE_REASONS_REQUIRED = _("Give the reasons for a conservative estimate.")
ESTIMATE_NOT_ALLOWED = _(
    "A conservative estimate is possible only when the report is not verified, or is late "
    "(not submitted or not verified by its deadline, %(due)s)."
)
NOTHING_VERIFIED = _("There is no verified figure to propose: the latest opinion is not a verified one.")
FOUR_EYES = _("The determination must be approved by a regulator head other than the person who proposed it.")
NO_PROPOSAL = _("There is no proposed determination to decide on.")
NOT_IN_CO_REVIEW = _("This quarterly report is not in co-review.")
ALREADY_REVIEWED = _("The %(reviewer)s has already decided on round %(round)s of this report.")
NOT_A_CO_REVIEWER = _("Only the market's competent authority or statistics bureau co-review quarterly reports.")
REPORT_ALREADY_EXISTS = _("A %(year)s report of this firm already exists.")


def report_send_to_review(*, report: EmissionReport, acting_user: User | None) -> EmissionReport:
    """A verified report goes to the regulator (after the spot-check draw where the market has one)."""
    run_with_follow_ups(report, "send_to_review", acting_user=acting_user)
    return report


def report_return_to_verifier(*, report: EmissionReport, reason: str, acting_user: User) -> EmissionReport:
    """The regulator sends the report back to the verifier with reasons."""
    run_with_follow_ups(report, "return_to_verifier", acting_user=acting_user, reason=reason)
    return report


def report_regulator_return_to_firm(*, report: EmissionReport, reason: str, acting_user: User) -> EmissionReport:
    """The regulator sends the report back to the firm with reasons."""
    run_with_follow_ups(report, "regulator_return_to_firm", acting_user=acting_user, reason=reason)
    return report


def determination_propose(*, report: EmissionReport, acting_user: User, reasons: str = "") -> Determination:
    """A case officer proposes the verified figure as the determined emissions."""
    check_transition(report, "propose_determination", acting_user, conditions=False)
    opinion = rules.latest_opinion(report)
    if opinion is None or not opinion.is_verified:
        raise TransitionRefused(NOTHING_VERIFIED, code="not_verified")
    with transaction.atomic():
        proposal = Determination.objects.create(
            report=report,
            basis=Determination.Basis.VERIFIED_FIGURE,
            emissions_tco2e=opinion.verified_emissions_tco2e,
            reasons=reasons,
            from_state=report.status,
            proposed_by=acting_user,
        )
        run_with_follow_ups(
            report,
            "propose_determination",
            acting_user=acting_user,
            reason=reasons,
            changes={"determination": (None, proposal.pk), "emissions_tco2e": (None, proposal.emissions_tco2e)},
        )
    return proposal


def _check_estimate(report: EmissionReport, emissions, basis_text: str, reasons: str) -> Decimal:
    try:
        figure = Decimal(emissions)
    except (ArithmeticError, TypeError, ValueError):
        figure = None
    if figure is None or figure <= 0 or figure != figure.to_integral_value():
        raise TransitionRefused(ESTIMATE_FIGURE_REQUIRED % {"value": emissions}, code="estimate")
    if not (basis_text or "").strip():
        raise TransitionRefused(ESTIMATE_BASIS_REQUIRED, code="estimate")
    if not (reasons or "").strip():
        raise TransitionRefused(ESTIMATE_REASONS_REQUIRED, code="estimate")
    if not rules.conservative_estimate_allowed(report):
        kind = "annual_report" if report.status == EmissionReport.Status.DRAFT else "verification"
        raise TransitionRefused(ESTIMATE_NOT_ALLOWED % {"due": rules.due_date(report, kind)}, code="estimate")
    return figure


def determination_propose_conservative_estimate(
    *, report: EmissionReport, emissions_tco2e, basis_text: str, reasons: str, acting_user: User
) -> Determination:
    """A case officer proposes a conservative estimate, with its basis and reasons."""
    check_transition(report, "propose_conservative_estimate", acting_user, conditions=False)
    figure = _check_estimate(report, emissions_tco2e, basis_text, reasons)
    with transaction.atomic():
        proposal = Determination.objects.create(
            report=report,
            basis=Determination.Basis.CONSERVATIVE_ESTIMATE,
            emissions_tco2e=figure,
            basis_text=basis_text,
            reasons=reasons,
            from_state=report.status,
            proposed_by=acting_user,
        )
        run_with_follow_ups(
            report,
            "propose_conservative_estimate",
            acting_user=acting_user,
            reason=reasons,
            changes={"determination": (None, proposal.pk), "emissions_tco2e": (None, figure)},
        )
    return proposal


def report_open_for_estimate(*, firm: Firm, year: int, acting_user: User) -> EmissionReport:
    """The regulator opens an (empty, draft) report for a firm that never reported, to estimate it."""
    if not (acting_user.is_regulator and acting_user.market_id == firm.market_id):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only the firm's regulator may do this."))
    if EmissionReport.objects.filter(firm=firm, year=year, period=EmissionReport.Period.ANNUAL).exists():
        raise TransitionRefused(REPORT_ALREADY_EXISTS % {"year": year}, code="exists")
    with transaction.atomic():
        report = EmissionReport.objects.create(firm=firm, market_id=firm.market_id, year=year)
        log_action(report, "mrv.emissionreport.opened_for_estimate", actor=acting_user, to_state=report.status)
    return report


def _decide(report: EmissionReport, acting_user: User, name: str) -> Determination:
    proposal = rules.pending_determination(report)
    if proposal is None:
        raise TransitionRefused(NO_PROPOSAL, code="no_proposal")
    if acting_user is not None and proposal.proposed_by_id == acting_user.pk:
        raise TransitionRefused(FOUR_EYES, code="four_eyes")
    check_transition(report, name, acting_user, conditions=False)
    return proposal


def _record_decision(proposal: Determination, decision: str, acting_user: User, reason: str) -> None:
    Determination.objects.filter(pk=proposal.pk).update(
        decision=decision, decided_by=acting_user, decided_at=timezone.now(), decision_reason=reason
    )
    proposal.refresh_from_db()


def determination_approve(*, report: EmissionReport, acting_user: User, reason: str = "") -> Determination:
    """A regulator head (not the proposer) approves: the determined emissions are set."""
    proposal = _decide(report, acting_user, "approve_determination")
    with transaction.atomic():
        run_with_follow_ups(
            report,
            "approve_determination",
            acting_user=acting_user,
            reason=reason,
            emissions_tco2e=proposal.emissions_tco2e,
            changes={
                "determined_emissions_tco2e": (None, proposal.emissions_tco2e),
                "determination": (None, proposal.pk),
            },
        )
        _record_decision(proposal, Determination.Decision.APPROVED, acting_user, reason)
        seal_record(Seal.Kind.DETERMINATION, proposal, signer=acting_user)
    return proposal


def determination_reject(*, report: EmissionReport, reason: str, acting_user: User) -> Determination:
    """A regulator head rejects the proposal with reasons; the report goes back to where it was."""
    if not (reason or "").strip():
        raise TransitionRefused(REASON_REQUIRED, code="reason_required")
    proposal = _decide(report, acting_user, "reject_determination")
    with transaction.atomic():
        run_with_follow_ups(
            report,
            "reject_determination",
            acting_user=acting_user,
            reason=reason,
            back_to=proposal.from_state,
            changes={"determination": (None, proposal.pk)},
        )
        _record_decision(proposal, Determination.Decision.REJECTED, acting_user, reason)
    return proposal


def report_close(*, report: EmissionReport, acting_user: User | None) -> EmissionReport:
    """The regulator (or the compliance step) closes the determined report; the engagement completes."""
    with transaction.atomic():
        run_with_follow_ups(report, "close", acting_user=acting_user)
        engagement = VerificationEngagement.objects.filter(
            firm_id=report.firm_id, year=report.year, status=VerificationEngagement.Status.ACCEPTED
        ).first()
        if engagement is not None:
            run_with_follow_ups(engagement, "complete", acting_user=acting_user)
    return report


# --- Quarterly co-review (Shenzhen) ----------------------------------------------------------------


def report_start_co_review(*, report: EmissionReport, acting_user: User | None) -> EmissionReport:
    """A submitted quarterly report goes to its co-reviewers (a new review round)."""
    run_with_follow_ups(report, "start_co_review", acting_user=acting_user)
    return report


def _reviewer_of(user: User) -> str:
    if user.role == User.Role.STATISTICS_OFFICER:
        return QuarterlyReview.Reviewer.STATISTICS_BUREAU
    return QuarterlyReview.Reviewer.REGULATOR


def _already_reviewed(report: EmissionReport, reviewer: str) -> bool:
    return QuarterlyReview.objects.filter(report=report, round=report.review_round, reviewer=reviewer).exists()


def _co_review(report: EmissionReport, acting_user: User, decision: str, reasons: str) -> QuarterlyReview:
    if not rules.is_co_reviewer(report, acting_user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(NOT_A_CO_REVIEWER)
    if report.status != EmissionReport.Status.CO_REVIEW:
        raise TransitionRefused(NOT_IN_CO_REVIEW, code="wrong_state")
    reviewer = _reviewer_of(acting_user)
    already = TransitionRefused(
        ALREADY_REVIEWED % {"reviewer": QuarterlyReview.Reviewer(reviewer).label, "round": report.review_round},
        code="already_reviewed",
    )
    if _already_reviewed(report, reviewer):
        raise already
    try:
        with transaction.atomic():  # a concurrent reviewer of the same side may insert between check and write
            review = QuarterlyReview.objects.create(
                report=report,
                round=report.review_round,
                reviewer=reviewer,
                decision=decision,
                reasons=reasons,
                reviewed_by=acting_user,
            )
    except IntegrityError:
        raise already from None
    log_action(
        review,
        f"mrv.quarterlyreview.{decision}",
        actor=acting_user,
        reason=reasons,
        changes={"reviewer": (None, reviewer), "round": (None, review.round)},
    )
    return review


def quarterly_review_accept(*, report: EmissionReport, acting_user: User, comment: str = "") -> QuarterlyReview:
    """One co-reviewer accepts; when all have accepted this round, the quarterly report is accepted."""
    with transaction.atomic():
        review = _co_review(report, acting_user, QuarterlyReview.Decision.ACCEPTED, comment)
        if rules.all_co_reviewers_accepted(report):
            run_with_follow_ups(report, "accept_quarterly", acting_user=acting_user, reason=comment)
    return review


def quarterly_review_return(*, report: EmissionReport, reasons: str, acting_user: User) -> QuarterlyReview:
    """Either co-reviewer returns the quarterly report to the firm, with reasons."""
    if not (reasons or "").strip():
        raise TransitionRefused(REASON_REQUIRED, code="reason_required")
    with transaction.atomic():
        review = _co_review(report, acting_user, QuarterlyReview.Decision.RETURNED, reasons)
        run_with_follow_ups(report, "return_quarterly", acting_user=acting_user, reason=reasons)
    return review

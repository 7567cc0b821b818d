"""Third-party verification: assignment, acceptance, plans, findings, materiality and sign-off.

One service per transition, each through `mrv.transitions.run_transition`; the input checks come
first and raise `TransitionRefused` with one of the messages below, changing nothing.
"""

import re
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrv import due_dates
from mrv.audit import log_action
from mrv.models import (
    EmissionReport,
    Finding,
    FindingAnswer,
    Firm,
    Seal,
    User,
    VerificationBody,
    VerificationEngagement,
    VerificationOpinion,
    VerificationPlan,
)
from mrv.records.certification import VERIFIER_OPINION, Certification, certification_check
from mrv.records.seals import seal_record
from mrv.selectors.assignment import (  # noqa: F401  (the refusals are read from here too)
    REFUSED_CONFLICT,
    REFUSED_CONSECUTIVE,
    REFUSED_NOT_QUALIFIED,
    REFUSED_NOT_REGISTERED,
    REFUSED_NOT_THIRD_PARTY,
    assignment_refusals,
)
from mrv.services.follow_ups import follow_ups
from mrv.transitions import NOT_PERMITTED, TransitionRefused, check_transition, run_transition
from mrv.workflow import verification as rules
from mrv.workflow.verification import Materiality, materiality, reported_emissions

TEAM_NOT_OF_BODY = _("%(user)s is not a verifier of %(body)s and cannot be on the team.")
PLAN_DOCUMENT_REVIEW_REQUIRED = _("Describe the document review.")
PLAN_SITE_VISIT_REQUIRED = _("Give at least one site-visit date (YYYY-MM-DD).")
PLAN_SITE_VISIT_BAD_DATE = _("Site-visit date “%(value)s” is not a date of the form YYYY-MM-DD.")
PLAN_SAMPLING_REQUIRED = _("Say what will be sampled.")
FINDING_AMOUNT_REQUIRED = _("A misstatement needs its amount in tCO2e (not zero).")
FINDING_AMOUNT_ONLY_FOR_MISSTATEMENT = _("Only a misstatement has an amount in tCO2e.")
FINDING_BAD_LINE_KEY = _(
    "Report line “%(value)s” must be a source stream code and a month of %(year)s, e.g. boiler-coal:%(year)s-03."
)
FINDING_DESCRIPTION_REQUIRED = _("Describe the finding.")
FINDING_NOT_UNDER_VERIFICATION = _("Findings can be raised only while the report is under verification.")
FINDING_BAD_KIND = _("Unknown kind of finding “%(value)s”.")
FINDING_BAD_RESOLUTION = _("Close a misstatement as corrected or as left uncorrected.")
ANSWER_REQUIRED = _("Write the answer to the finding.")
OPINION_BAD_OUTCOME = _("Unknown outcome “%(value)s”.")
OPINION_PLAN_REQUIRED = _("%(market)s requires a verification plan for this firm before sign-off.")
OPINION_FIGURE_REQUIRED = _("A verified opinion needs the verified emissions in whole tonnes CO2e.")
OPINION_WHOLE_TONNES = _("Verified emissions are recorded in whole tonnes CO2e (%(value)s is not).")
OPINION_NOT_VERIFIED_REASON_REQUIRED = _("Say why the report is not verified (choose one of the reasons).")
OPINION_DIFFERENCE_REASON_REQUIRED = _(
    "The verified figure differs from the reported one by %(difference)s tCO2e: give the reason for the difference."
)
OPINION_SATISFACTORY_MATERIAL = _(
    "A satisfactory opinion is refused: uncorrected misstatements of %(total)s tCO2e are %(ratio)s%% of the "
    "reported emissions, at or above the %(threshold)s%% materiality threshold."
)
OPINION_SATISFACTORY_OPEN_NON_CONFORMITY = _(
    "A satisfactory opinion is refused while non-conformities or non-compliances remain open (%(count)s)."
)

LINE_KEY = re.compile(r"^(?P<stream>[A-Za-z0-9_.-]+):(?P<year>\d{4})-(0[1-9]|1[0-2])$")
HUNDRED = Decimal("100")
ONE = Decimal("1")


def run_with_follow_ups(obj, name: str, *, acting_user, **kwargs):
    """`run_transition` with the follow-up tasks of the event (see mrv/services/follow_ups.py)."""
    event = f"{obj._meta.app_label}.{obj._meta.model_name}.{name}"
    ids = {f"{obj._meta.model_name}_id": obj.pk}
    if hasattr(obj, "report_id"):
        ids["report_id"] = obj.report_id
    return run_transition(obj, name, acting_user=acting_user, tasks=follow_ups(event, **ids), **kwargs)


# --- Assignment ---------------------------------------------------------------------------------


def _refuse_ineligible(body: VerificationBody, firm: Firm, year: int) -> None:
    refusals = assignment_refusals(body, firm, year)
    if refusals:
        raise TransitionRefused(" ".join(refusals), code="ineligible")


def engagement_assign(*, firm: Firm, year: int, body: VerificationBody, acting_user: User) -> VerificationEngagement:
    """The regulator assigns `body` to the firm-year (creating the engagement if needed)."""
    with transaction.atomic():
        engagement, _created = VerificationEngagement.objects.get_or_create(
            firm=firm, year=year, defaults={"market_id": firm.market_id}
        )
        check_transition(engagement, "assign", acting_user, conditions=False)
        _refuse_ineligible(body, firm, year)
        run_with_follow_ups(engagement, "assign", acting_user=acting_user, body=body, changes={"body": (None, body)})
    return engagement


def engagement_reassign(
    *, engagement: VerificationEngagement, body: VerificationBody, acting_user: User, reason: str = ""
) -> VerificationEngagement:
    """The regulator assigns another body after a decline (or before the first one accepted)."""
    check_transition(engagement, "reassign", acting_user, conditions=False)
    _refuse_ineligible(body, engagement.firm, engagement.year)
    before = engagement.body
    run_with_follow_ups(
        engagement, "reassign", acting_user=acting_user, body=body, reason=reason, changes={"body": (before, body)}
    )
    return engagement


def _check_team(engagement: VerificationEngagement, team: list[User]) -> None:
    for member in team:
        if member.body_id != engagement.body_id or member.role not in User.VERIFIER_ROLES:
            raise TransitionRefused(
                TEAM_NOT_OF_BODY % {"user": member.get_full_name() or member.username, "body": engagement.body},
                code="team",
            )


def engagement_accept(
    *, engagement: VerificationEngagement, team: list[User], acting_user: User
) -> VerificationEngagement:
    """The body's lead verifier accepts and names the team; a submitted report then goes under verification."""
    check_transition(engagement, "accept", acting_user, conditions=False)
    _check_team(engagement, team)
    with transaction.atomic():
        run_with_follow_ups(
            engagement,
            "accept",
            acting_user=acting_user,
            lead_verifier=acting_user,
            changes={"team": ([], sorted(m.pk for m in team))},
        )
        engagement.team.set(team)
        report = EmissionReport.objects.filter(
            firm_id=engagement.firm_id,
            year=engagement.year,
            period=EmissionReport.Period.ANNUAL,
            status=EmissionReport.Status.SUBMITTED,
        ).first()
        if report is not None:
            report_start_verification(report=report, acting_user=acting_user)
    return engagement


def engagement_decline(*, engagement: VerificationEngagement, reason: str, acting_user: User) -> VerificationEngagement:
    """The body's lead verifier declines with a reason; the regulator then reassigns."""
    check_transition(engagement, "decline", acting_user, conditions=False)
    run_with_follow_ups(engagement, "decline", acting_user=acting_user, reason=reason, decline_reason=reason)
    return engagement


# --- Verification plan ----------------------------------------------------------------------------


def _plan_dates(site_visit_dates) -> list[str]:
    import datetime

    dates = []
    for value in site_visit_dates or []:
        try:
            dates.append(datetime.date.fromisoformat(str(value)).isoformat())
        except ValueError:
            raise TransitionRefused(PLAN_SITE_VISIT_BAD_DATE % {"value": value}, code="plan") from None
    if not dates:
        raise TransitionRefused(PLAN_SITE_VISIT_REQUIRED, code="plan")
    return sorted(dates)


def verification_plan_save(
    *,
    engagement: VerificationEngagement,
    document_review: str,
    site_visit_dates: list,
    site_team: list[User],
    sampling: str,
    acting_user: User,
) -> VerificationPlan:
    """The engaged verifier writes (or revises) the firm-year's verification plan."""
    if not rules.writes_verification_plan(engagement, acting_user):
        raise PermissionDenied(
            NOT_PERMITTED % {"action": _("write the verification plan"), "object": engagement._meta.verbose_name}
        )
    if not (document_review or "").strip():
        raise TransitionRefused(PLAN_DOCUMENT_REVIEW_REQUIRED, code="plan")
    if not (sampling or "").strip():
        raise TransitionRefused(PLAN_SAMPLING_REQUIRED, code="plan")
    dates = _plan_dates(site_visit_dates)
    _check_team(engagement, site_team)
    with transaction.atomic():
        plan, created = VerificationPlan.objects.update_or_create(
            engagement=engagement,
            defaults={
                "document_review": document_review,
                "site_visit_dates": dates,
                "sampling": sampling,
                "written_by": acting_user,
            },
        )
        plan.site_team.set(site_team)
        log_action(
            plan,
            f"mrv.verificationplan.{'created' if created else 'changed'}",
            actor=acting_user,
            changes={"site_visit_dates": (None, dates), "site_team": (None, sorted(m.pk for m in site_team))},
        )
    return plan


# --- Findings -------------------------------------------------------------------------------------


def _check_finding(report: EmissionReport, kind: str, description: str, line_key: str, amount) -> None:
    if kind not in Finding.Kind.values:
        raise TransitionRefused(FINDING_BAD_KIND % {"value": kind}, code="finding")
    if not (description or "").strip():
        raise TransitionRefused(FINDING_DESCRIPTION_REQUIRED, code="finding")
    match = LINE_KEY.match(line_key) if line_key else None
    if line_key and (match is None or int(match["year"]) != report.year):
        raise TransitionRefused(FINDING_BAD_LINE_KEY % {"value": line_key, "year": report.year}, code="finding")
    if kind == Finding.Kind.MISSTATEMENT and not amount:
        raise TransitionRefused(FINDING_AMOUNT_REQUIRED, code="finding")
    if kind != Finding.Kind.MISSTATEMENT and amount is not None:
        raise TransitionRefused(FINDING_AMOUNT_ONLY_FOR_MISSTATEMENT, code="finding")


def finding_raise(
    *,
    report: EmissionReport,
    kind: str,
    description: str,
    acting_user: User,
    line_key: str = "",
    amount_tco2e: Decimal | None = None,
) -> Finding:
    """The engaged verifier raises a finding on a report line or on the whole report."""
    if not rules.is_engaged_verifier(report, acting_user):
        raise PermissionDenied(NOT_PERMITTED % {"action": _("raise a finding"), "object": report._meta.verbose_name})
    if report.status != EmissionReport.Status.UNDER_VERIFICATION:
        raise TransitionRefused(FINDING_NOT_UNDER_VERIFICATION, code="wrong_state")
    line_key = (line_key or "").strip()
    _check_finding(report, kind, description, line_key, amount_tco2e)
    with transaction.atomic():
        finding = Finding.objects.create(
            report=report,
            kind=kind,
            description=description,
            line_key=line_key,
            amount_tco2e=amount_tco2e,
            raised_by=acting_user,
            response_due=due_dates.finding_default_response_due(rules.rule_pack(report), timezone.localdate()),
        )
        log_action(
            finding,
            "mrv.finding.raised",
            actor=acting_user,
            to_state=finding.status,
            changes={"kind": (None, kind), "line_key": (None, line_key), "amount_tco2e": (None, amount_tco2e)},
            reason=description,
        )
    return finding


def finding_answer(*, finding: Finding, text: str, acting_user: User) -> FindingAnswer:
    """The firm answers an open or reopened finding."""
    check_transition(finding, "answer", acting_user, conditions=False)
    if not (text or "").strip():
        raise TransitionRefused(ANSWER_REQUIRED, code="answer")
    with transaction.atomic():
        run_with_follow_ups(finding, "answer", acting_user=acting_user, reason=text)
        return FindingAnswer.objects.create(finding=finding, text=text, answered_by=acting_user)


def finding_close(*, finding: Finding, acting_user: User, resolution: str = "", reason: str = "") -> Finding:
    """The verifier closes a finding; a misstatement is closed as corrected or as left uncorrected."""
    check_transition(finding, "close", acting_user, conditions=False)
    if finding.kind == Finding.Kind.MISSTATEMENT and resolution not in Finding.Resolution.values:
        raise TransitionRefused(FINDING_BAD_RESOLUTION, code="finding")
    resolution = resolution if finding.kind == Finding.Kind.MISSTATEMENT else ""
    run_with_follow_ups(
        finding,
        "close",
        acting_user=acting_user,
        resolution=resolution,
        reason=reason,
        changes={"resolution": ("", resolution)},
    )
    return finding


def finding_reopen(*, finding: Finding, reason: str, acting_user: User) -> Finding:
    """The verifier reopens a finding, saying why."""
    check_transition(finding, "reopen", acting_user, conditions=False)
    run_with_follow_ups(finding, "reopen", acting_user=acting_user, reason=reason)
    return finding


# --- Report transitions of the verifier -------------------------------------------------------------


def report_start_verification(*, report: EmissionReport, acting_user: User) -> EmissionReport:
    """The engaged verifier starts verifying a submitted report."""
    run_with_follow_ups(report, "start_verification", acting_user=acting_user)
    return report


def report_return_to_firm(*, report: EmissionReport, acting_user: User, reason: str = "") -> EmissionReport:
    """The verifier sends the report back to the firm with its open findings."""
    sent = sorted(rules.open_findings(report).values_list("pk", flat=True))
    run_with_follow_ups(
        report, "return_to_firm", acting_user=acting_user, reason=reason, changes={"findings": ([], sent)}
    )
    return report


def _check_opinion(report, outcome, verified, not_verified_reason, difference_reason, m: Materiality) -> None:
    if outcome not in VerificationOpinion.Outcome.values:
        raise TransitionRefused(OPINION_BAD_OUTCOME % {"value": outcome}, code="opinion")
    if not rules.verification_plan_in_place(report):
        raise TransitionRefused(OPINION_PLAN_REQUIRED % {"market": report.market}, code="plan_required")
    if verified is not None and verified != verified.to_integral_value():
        raise TransitionRefused(OPINION_WHOLE_TONNES % {"value": verified}, code="opinion")
    if outcome == VerificationOpinion.Outcome.NOT_VERIFIED:
        if not_verified_reason not in VerificationOpinion.NotVerifiedReason.values:
            raise TransitionRefused(OPINION_NOT_VERIFIED_REASON_REQUIRED, code="opinion")
        return
    if verified is None or verified < 0:
        raise TransitionRefused(OPINION_FIGURE_REQUIRED, code="opinion")
    if outcome == VerificationOpinion.Outcome.SATISFACTORY:
        if m.is_material:
            raise TransitionRefused(
                OPINION_SATISFACTORY_MATERIAL
                % {"total": m.uncorrected_tco2e, "ratio": m.ratio_pct, "threshold": m.threshold_pct},
                code="material",
            )
        count = rules.open_non_conformities(report).count()
        if count:
            raise TransitionRefused(OPINION_SATISFACTORY_OPEN_NON_CONFORMITY % {"count": count}, code="material")
    reported = reported_emissions(report)
    if reported is not None and verified != reported and not (difference_reason or "").strip():
        raise TransitionRefused(
            OPINION_DIFFERENCE_REASON_REQUIRED % {"difference": (verified - reported).quantize(ONE)}, code="difference"
        )


def report_sign_off(
    *,
    report: EmissionReport,
    outcome: str,
    acting_user: User,
    verified_emissions_tco2e: Decimal | None = None,
    not_verified_reason: str = "",
    comments: str = "",
    difference_reason: str = "",
    certification: Certification | None = None,
) -> VerificationOpinion:
    """The lead verifier signs the opinion; verified → "verified", not verified → regulator review.
    The certification statement must be confirmed after a fresh re-authentication; the opinion is sealed."""
    name = "sign_off_not_verified" if outcome == VerificationOpinion.Outcome.NOT_VERIFIED else "sign_off"
    check_transition(report, name, acting_user, conditions=False)
    verified = Decimal(verified_emissions_tco2e) if verified_emissions_tco2e is not None else None
    m = materiality(report)
    _check_opinion(report, outcome, verified, not_verified_reason, difference_reason, m)
    certification_check(certification, VERIFIER_OPINION)  # last: the opinion's own problems are said first
    reported = reported_emissions(report)
    with transaction.atomic():
        opinion = VerificationOpinion.objects.create(
            report=report,
            engagement=rules.engagement_of(report),
            outcome=outcome,
            not_verified_reason=not_verified_reason if outcome == VerificationOpinion.Outcome.NOT_VERIFIED else "",
            comments=comments,
            reported_emissions_tco2e=reported,
            verified_emissions_tco2e=verified,
            difference_tco2e=(verified - reported) if verified is not None and reported is not None else None,
            difference_reason=difference_reason,
            uncorrected_misstatement_tco2e=m.uncorrected_tco2e,
            materiality_threshold_pct=m.threshold_pct,
            signed_by=acting_user,
        )
        run_with_follow_ups(
            report,
            name,
            acting_user=acting_user,
            reason=comments,
            changes={"outcome": (None, outcome), "verified_emissions_tco2e": (None, verified)},
        )
        seal_record(Seal.Kind.OPINION, opinion, signer=acting_user, certification=certification)
    return opinion

"""Deadlines that follow the work: a finding's response date, requests for information that pause a
clock, and a firm's extension requests that the regulator grants or refuses.

Dates come from `mrv.due_dates`; every change is audited, and the people who must act next are told
through the outbox (`follow_ups`), as for the workflow transitions.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrv import due_dates
from mrv.audit import log_action
from mrv.models import DeadlineExtension, DeadlineRule, ExtensionRequest, Finding, Firm, InformationRequest, User
from mrv.models.clocks import WorkDeadline
from mrv.outbox import enqueue
from mrv.refusals import Refused
from mrv.services.follow_ups import follow_ups
from mrv.transitions import check_transition, run_transition
from mrv.workflow import clocks as rules
from mrv.workflow import verification as verification_rules


class ClockRefused(Refused, ValueError):
    """A request about a deadline refused for its input; nothing changed."""

    default_code = "deadline"


QUESTION_REQUIRED = _("Write the question for the firm.")
ANSWER_REQUIRED = _("Write the answer to the request.")
REASON_REQUIRED = _("Give a reason for the extension.")
NO_SUCH_DEADLINE = _("%(firm)s has no “%(deadline)s” deadline for %(year)s.")
NOT_ASKER = _("Only the firm's regulator or its engaged verifier may ask the firm for information.")
NOT_FIRM = _("Only the firm's own users may ask for an extension.")
ALREADY_REQUESTED = _("An extension of this deadline is already waiting for the regulator's decision.")
NEW_DATE_REQUIRED = _("Give the new due date (YYYY-MM-DD).")
NEW_DATE_NOT_LATER = _("The new due date must be after the current one (%(due)s).")
NEW_DATE_TOO_FAR = _("The new due date may be at most 365 days after the current one (%(due)s).")
WANTED_DATE_NOT_LATER = _("The date asked for must be after the current due date (%(due)s).")
FINDING_DUE_NOT_VERIFIER = _("Only the engaged verifiers set a finding's response date.")
FINDING_DUE_BEFORE_RAISED = _("The response date cannot be before the day the finding was raised (%(raised)s).")
FINDING_CLOSED = _("The finding is closed: it has no response date any more.")
MAX_EXTENSION_DAYS = 365


def _today() -> datetime.date:
    return timezone.localdate()


def _tell(event: str, obj) -> None:
    """Queue the notices of an event that is not a transition (the facts are declared with the model)."""
    for task, kwargs in follow_ups(event, **{f"{obj._meta.model_name}_id": obj.pk}):
        enqueue(task, **kwargs)


def _run(obj, name: str, *, acting_user, **kwargs):
    event = f"{obj._meta.app_label}.{obj._meta.model_name}.{name}"
    tasks = follow_ups(event, **{f"{obj._meta.model_name}_id": obj.pk})
    return run_transition(obj, name, acting_user=acting_user, tasks=tasks, **kwargs)


def current_due(firm: Firm, year: int, kind: str) -> datetime.date:
    due = due_dates.due_date(firm, year, kind)
    if due is None:
        label = DeadlineRule.Kind(kind).label if kind in DeadlineRule.Kind.values else kind
        raise ClockRefused(NO_SUCH_DEADLINE % {"firm": firm.name, "deadline": label, "year": year})
    return due


# --- A finding's response date -----------------------------------------------------------------


def finding_response_due_set(*, finding: Finding, response_due: datetime.date, acting_user: User) -> Finding:
    """The engaged verifier sets the date by which the firm must answer the finding (pauses still add)."""
    if not verification_rules.is_finding_verifier(finding, acting_user):
        raise PermissionDenied(FINDING_DUE_NOT_VERIFIER)
    if finding.status == Finding.Status.CLOSED:
        raise ClockRefused(FINDING_CLOSED)
    raised = timezone.localdate(finding.raised_at)
    if response_due < raised:
        raise ClockRefused(FINDING_DUE_BEFORE_RAISED % {"raised": raised.isoformat()})
    with transaction.atomic():
        before = finding.response_due
        Finding.objects.filter(pk=finding.pk).update(response_due=response_due)
        finding.response_due = response_due
        log_action(
            finding, "mrv.finding.response_due_set", actor=acting_user, changes={"response_due": (before, response_due)}
        )
    return finding


# --- Requests for information ------------------------------------------------------------------


def asks_firms(user: User) -> bool:
    """The roles that ask firms for information (which firm: `_may_ask`)."""
    return user.is_regulator or user.is_verifier


def _may_ask(firm: Firm, year: int, user: User) -> bool:
    return rules.regulates_firm_market(firm, user) or rules.is_engaged_verifier_of(firm.pk, year, user)


def information_request_open(
    *,
    question: str,
    acting_user: User,
    finding: Finding | None = None,
    firm: Firm | None = None,
    year: int | None = None,
    kind: str = "",
) -> InformationRequest:
    """A verifier or regulator asks the firm for information about one deadline (a finding's response, or a
    deadline of the firm's year); that deadline's clock stands still until the request is answered or withdrawn."""
    if finding is not None:
        firm, year, kind = finding.report.firm, finding.report.year, WorkDeadline.FINDING_RESPONSE
    if not _may_ask(firm, year, acting_user):
        raise PermissionDenied(NOT_ASKER)
    if finding is None:
        current_due(firm, year, kind)
    if not (question or "").strip():
        raise ClockRefused(QUESTION_REQUIRED)
    with transaction.atomic():
        request = InformationRequest.objects.create(
            firm=firm,
            market_id=firm.market_id,
            year=year,
            kind=kind,
            finding=finding,
            question=question.strip(),
            requested_by=acting_user,
        )
        log_action(
            request,
            "mrv.informationrequest.opened",
            actor=acting_user,
            to_state=request.status,
            changes={"deadline": (None, kind), "finding": (None, finding.pk if finding else None)},
            reason=request.question,
        )
        _tell("mrv.informationrequest.opened", request)
    return request


def information_request_answer(
    *, information_request: InformationRequest, answer: str, acting_user: User
) -> InformationRequest:
    """The firm answers; the clock runs again, the deadline later by the whole days the request was open."""
    check_transition(information_request, "respond", acting_user)
    if not (answer or "").strip():
        raise ClockRefused(ANSWER_REQUIRED)
    _run(information_request, "respond", acting_user=acting_user, answer=answer.strip(), reason=answer.strip())
    return information_request


def information_request_withdraw(
    *, information_request: InformationRequest, acting_user: User, reason: str = ""
) -> InformationRequest:
    """Whoever asked (the regulator, or the engaged verifiers) withdraws the request; the days open still count."""
    _run(information_request, "withdraw", acting_user=acting_user, reason=reason)
    return information_request


# --- Extension requests ------------------------------------------------------------------------


def extension_request_submit(
    *, firm: Firm, year: int, kind: str, reason: str, acting_user: User, wanted_due_date: datetime.date | None = None
) -> ExtensionRequest:
    """The firm asks its regulator for a later due date of one deadline, with a reason."""
    if not (acting_user.is_firm_user and acting_user.firm_id == firm.pk):
        raise PermissionDenied(NOT_FIRM)
    due = current_due(firm, year, kind)
    if not (reason or "").strip():
        raise ClockRefused(REASON_REQUIRED)
    if wanted_due_date is not None and wanted_due_date <= due:
        raise ClockRefused(WANTED_DATE_NOT_LATER % {"due": due.isoformat()})
    pending = ExtensionRequest.objects.filter(firm=firm, year=year, kind=kind, status=ExtensionRequest.Status.REQUESTED)
    with transaction.atomic():
        if pending.select_for_update().exists():
            raise ClockRefused(ALREADY_REQUESTED)
        request = ExtensionRequest.objects.create(
            firm=firm,
            market_id=firm.market_id,
            year=year,
            kind=kind,
            reason=reason.strip(),
            due_date_before=due,
            wanted_due_date=wanted_due_date,
            requested_by=acting_user,
        )
        log_action(
            request,
            "mrv.extensionrequest.requested",
            actor=acting_user,
            to_state=request.status,
            changes={"due_date": (due, wanted_due_date)},
            reason=request.reason,
        )
        _tell("mrv.extensionrequest.requested", request)
    return request


def extension_request_grant(
    *, extension_request: ExtensionRequest, new_due_date: datetime.date | None, acting_user: User, reason: str = ""
) -> ExtensionRequest:
    """The regulator grants the extension with the new due date; it becomes the firm's extension of that deadline,
    so the calendar, the reminders and the lateness all follow it."""
    check_transition(extension_request, "grant", acting_user)
    if new_due_date is None:
        raise ClockRefused(NEW_DATE_REQUIRED)
    firm = extension_request.firm
    due = current_due(firm, extension_request.year, extension_request.kind)
    if new_due_date <= due:
        raise ClockRefused(NEW_DATE_NOT_LATER % {"due": due.isoformat()})
    if (new_due_date - due).days > MAX_EXTENSION_DAYS:
        raise ClockRefused(NEW_DATE_TOO_FAR % {"due": due.isoformat()})
    with transaction.atomic():
        extension = (
            DeadlineExtension.objects.select_for_update()
            .filter(firm=firm, year=extension_request.year, kind=extension_request.kind)
            .first()
        )
        before = extension.extra_days if extension else 0
        extension = extension or DeadlineExtension(firm=firm, year=extension_request.year, kind=extension_request.kind)
        extension.extra_days = due_dates.extension_days_for_new_date(before, due, new_due_date)
        extension.reason, extension.granted_by = (reason or extension_request.reason).strip(), acting_user
        extension.save()
        log_action(
            extension,
            "deadlines.extension.granted",
            actor=acting_user,
            changes={"extra_days": (before, extension.extra_days), "due_date": (due, new_due_date)},
            reason=extension.reason,
        )
        _run(
            extension_request,
            "grant",
            acting_user=acting_user,
            new_due_date=new_due_date,
            by=acting_user,
            reason=reason or extension_request.reason,
            changes={"due_date": (due, new_due_date)},
        )
    return extension_request


def extension_request_refuse(
    *, extension_request: ExtensionRequest, reason: str, acting_user: User
) -> ExtensionRequest:
    """The regulator refuses the extension, with a reason; the due date stays."""
    _run(
        extension_request,
        "refuse",
        acting_user=acting_user,
        reason=reason,
        decision_reason=(reason or "").strip(),
        by=acting_user,
    )
    return extension_request


def extension_request_withdraw(
    *, extension_request: ExtensionRequest, acting_user: User, reason: str = ""
) -> ExtensionRequest:
    """The firm withdraws its request before the regulator decides; the due date stays as it was."""
    _run(extension_request, "withdraw", acting_user=acting_user, reason=reason)
    return extension_request

"""Tell the people who must act next when a workflow event happens: in-app and by email, once.

`run_transition` queues `deadlines.notify_workflow_event` through the outbox (see
mrv/services/follow_ups.py); the task calls `workflow_event_notify` with the outbox message id.
Who is told is declared on each transition (`custom=facts(notify=…)`); the groups are resolved here
against the event's object.
A `WorkflowNotice` row, unique per outbox message and written in the same transaction as the
notifications, makes a redelivered message tell nobody again.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from deadlines.services.notifications import notify
from mrv.models import (
    AuditLog,
    EmissionReport,
    ExtensionRequest,
    Finding,
    Firm,
    InformationRequest,
    MonitoringPlan,
    SpotCheckItem,
    User,
    VerificationEngagement,
)
from mrv.workflow.facts import (
    FIRM,
    HEADS,
    LEAD_VERIFIERS,
    OFFICERS,
    PLAN_CHECKERS,
    REQUESTER,
    SPOT_CHECKERS,
    STATISTICS,
    VERIFIERS,
    declared,
)
from mrv.workflow.plans import needs_third_party_check

from .models import Notification, WorkflowNotice

R = User.Role


def __getattr__(name: str):
    """WHO: event -> the groups told, derived from the transitions' declared facts (mrv/workflow/facts.py)."""
    if name == "WHO":
        return {event: found.notify for event, found in declared().items() if found.notify}
    raise AttributeError(name)


UNKNOWN_EVENT = "No recipients are defined for the workflow event “%s”."
NO_OBJECT = "The workflow event names no object id (monitoringplan_id, emissionreport_id, …)."
NOT_ENGAGED = [VerificationEngagement.Status.AWAITING_ASSIGNMENT, VerificationEngagement.Status.DECLINED]


@dataclass
class Subject:
    """The object of an event and what the recipients are resolved against."""

    obj: object
    firm: Firm
    year: int
    report: EmissionReport | None = None
    plan: MonitoringPlan | None = None
    engagement: VerificationEngagement | None = None
    params: dict = field(default_factory=dict)
    url: str = ""


def _engagement_of(firm_id: int, year: int) -> VerificationEngagement | None:
    return (
        VerificationEngagement.objects.filter(firm_id=firm_id, year=year, body__isnull=False)
        .exclude(status__in=NOT_ENGAGED)
        .first()
    )


def _report_url(report: EmissionReport | None) -> str:
    return reverse("ui:report_detail", args=[report.pk]) if report else ""


def _subject(ids: dict) -> Subject:
    if "monitoringplan_id" in ids:
        plan = MonitoringPlan.objects.select_related("firm__market").get(pk=ids["monitoringplan_id"])
        return Subject(
            plan,
            plan.firm,
            plan.valid_from.year,
            plan=plan,
            params={"version": plan.version, "state": plan.status},
            url=reverse("ui:plan_detail", args=[plan.pk]),
        )
    if "verificationengagement_id" in ids:
        engagement = VerificationEngagement.objects.select_related("firm__market").get(
            pk=ids["verificationengagement_id"]
        )
        report = EmissionReport.objects.filter(
            firm_id=engagement.firm_id, year=engagement.year, period=EmissionReport.Period.ANNUAL
        ).first()
        return Subject(
            engagement,
            engagement.firm,
            engagement.year,
            report=report,
            engagement=engagement,
            params={"state": engagement.status},
            url=_report_url(report),
        )
    if "finding_id" in ids:
        finding = Finding.objects.select_related("report__firm__market").get(pk=ids["finding_id"])
        report = finding.report
        return Subject(
            finding,
            report.firm,
            report.year,
            report=report,
            engagement=_engagement_of(report.firm_id, report.year),
            params={"state": finding.status, "period": report.period},
            url=_report_url(report),
        )
    if "emissionreport_id" in ids:
        report = EmissionReport.objects.select_related("firm__market").get(pk=ids["emissionreport_id"])
        open_findings = report.findings.exclude(status=Finding.Status.CLOSED).count()
        return Subject(
            report,
            report.firm,
            report.year,
            report=report,
            engagement=_engagement_of(report.firm_id, report.year),
            params={"state": report.status, "period": report.period, "findings": open_findings},
            url=_report_url(report),
        )
    for key in ("informationrequest_id", "extensionrequest_id"):
        if key in ids:
            return _deadline_request_subject(key, ids[key])
    raise ValueError(NO_OBJECT)


def _deadline_request_subject(key: str, pk: int) -> Subject:
    """A request about a deadline: told in the words of the deadline it concerns."""
    model = InformationRequest if key == "informationrequest_id" else ExtensionRequest
    request = model.objects.select_related("firm__market").get(pk=pk)
    params = {"state": request.status, "deadline": request.kind}
    if model is ExtensionRequest:
        params |= {
            "due_date_before": request.due_date_before.isoformat(),
            "new_due_date": request.new_due_date.isoformat() if request.new_due_date else "",
        }
        url = reverse("ui:extension_request_list")
    else:
        url = reverse("ui:information_request_list")
    return Subject(
        request,
        request.firm,
        request.year,
        engagement=_engagement_of(request.firm_id, request.year),
        params=params,
        url=url,
    )


def _body_users(body_id: int | None, roles) -> list[User]:
    if body_id is None:
        return []
    return list(User.objects.filter(is_active=True, body_id=body_id, role__in=roles))


def _market_users(subject: Subject, roles) -> list[User]:
    return list(User.objects.filter(is_active=True, authority__market_id=subject.firm.market_id, role__in=roles))


def _group(name: str, subject: Subject) -> list[User]:
    engaged_body = subject.engagement.body_id if subject.engagement else None
    if name == FIRM:
        return list(User.objects.filter(is_active=True, firm_id=subject.firm.pk, role__in=User.FIRM_ROLES))
    if name == VERIFIERS:
        return _body_users(engaged_body, User.VERIFIER_ROLES)
    if name == LEAD_VERIFIERS:
        return _body_users(engaged_body, [R.LEAD_VERIFIER])
    if name == PLAN_CHECKERS:
        plan = subject.plan
        if plan.check_body_id and needs_third_party_check(plan):
            return _body_users(plan.check_body_id, User.VERIFIER_ROLES)
        return _market_users(subject, [R.REGULATOR_OFFICER])
    if name == SPOT_CHECKERS:
        item = SpotCheckItem.objects.filter(report=subject.report).order_by("-id").first()
        return _body_users(item.body_id if item else None, [R.SPOT_CHECKER])
    if name == OFFICERS:
        return _market_users(subject, [R.REGULATOR_OFFICER])
    if name == HEADS:
        return _market_users(subject, [R.REGULATOR_HEAD])
    if name == STATISTICS:
        return _market_users(subject, [R.STATISTICS_OFFICER])
    if name == REQUESTER:
        requester = getattr(subject.obj, "requested_by", None)
        return [requester] if requester is not None and requester.is_active else []
    raise ValueError(name)


def _actor_id(event: str, obj) -> int | None:
    """Who made the event happen (the latest audit row of that action): not told of their own step."""
    row = AuditLog.objects.for_object(obj).filter(action=event).order_by("-id").values("actor_id").first()
    return row["actor_id"] if row else None


def workflow_event_recipients(event: str, ids: dict) -> tuple[Subject, list[User]]:
    who = __getattr__("WHO")
    if event not in who:
        raise ValueError(UNKNOWN_EVENT % event)
    subject = _subject(ids)
    actor = _actor_id(event, subject.obj)
    people = {u.pk: u for name in who[event] for u in _group(name, subject) if u.pk != actor}
    return subject, list(people.values())


def workflow_event_notify(*, event: str, message_id: str | uuid.UUID, **ids) -> int:
    """Notify the people who must act after `event` (once per outbox message); returns how many were told."""
    message_id = uuid.UUID(str(message_id))
    if WorkflowNotice.objects.filter(message_id=message_id).exists():
        return 0
    subject, people = workflow_event_recipients(event, ids)
    params = {"event": event, "firm": subject.firm.name, "year": subject.year, "period": "", **subject.params}
    try:
        with transaction.atomic():
            WorkflowNotice.objects.create(message_id=message_id, event=event, recipients=len(people))
            notify(people, Notification.Kind.WORKFLOW_EVENT, params, url=subject.url)
    except IntegrityError:  # a concurrent delivery of the same message got there first
        return 0
    return len(people)


def registry_event_notify(*, event: str, message_id: str | uuid.UUID, proposal_id: int) -> int:
    """Tell every representative of a transfer's paying account of its proposal, scheduling, execution,
    cancellation or failure (once per outbox message); returns how many were told."""
    from registry.models import TransferProposal
    from registry.selectors import representatives

    message_id = uuid.UUID(str(message_id))
    if WorkflowNotice.objects.filter(message_id=message_id).exists():
        return 0
    proposal = TransferProposal.objects.select_related("from_account", "to_account").get(pk=proposal_id)
    people = representatives(proposal.from_account)
    when = proposal.execute_after
    params = {
        "event": event,
        "account": proposal.from_account.number,
        "to_account": proposal.to_account.number,
        "quantity": str(proposal.quantity),
        "unit": f"{proposal.unit_type} {proposal.vintage} {proposal.project}".strip(),
        "execute_after": timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when else "",
    }
    url = reverse("registry:account", args=[proposal.from_account_id])
    try:
        with transaction.atomic():
            WorkflowNotice.objects.create(message_id=message_id, event=event, recipients=len(people))
            notify(people, Notification.Kind.WORKFLOW_EVENT, params, url=url)
    except IntegrityError:  # a concurrent delivery of the same message got there first
        return 0
    return len(people)


def repudiation_notify(*, message_id: str | uuid.UUID, repudiation_id: int) -> int:
    """Tell the market's officers and heads that a firm repudiated a submission (once per outbox message)."""
    from mrv.models import Repudiation

    message_id = uuid.UUID(str(message_id))
    if WorkflowNotice.objects.filter(message_id=message_id).exists():
        return 0
    repudiation = Repudiation.objects.select_related("seal__firm", "seal__report").get(pk=repudiation_id)
    seal = repudiation.seal
    people = list(
        User.objects.filter(
            is_active=True, authority__market_id=seal.market_id, role__in=[R.REGULATOR_OFFICER, R.REGULATOR_HEAD]
        )
    )
    version = (json.loads(seal.canonical).get("record") or {}).get("number", "")
    params = {
        "firm": seal.firm.name,
        "year": seal.year,
        "version": version,
        "digest": seal.digest[:12],
        "reason": repudiation.reason[:300],
    }
    try:
        with transaction.atomic():
            WorkflowNotice.objects.create(message_id=message_id, event="mrv.seal.repudiated", recipients=len(people))
            notify(
                people, Notification.Kind.SUBMISSION_REPUDIATED, params, url=reverse("ui:seal_detail", args=[seal.pk])
            )
    except IntegrityError:
        return 0
    return len(people)

"""What a notification says, rendered in the reader's language from its kind and details."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from mrv.models import (
    EmissionReport,
    ExtensionRequest,
    Finding,
    InformationRequest,
    MonitoringPlan,
    VerificationEngagement,
)
from mrv.models.clocks import deadline_label
from mrv.workflow.facts import declared


class NotificationKind(models.TextChoices):
    """What a notification is about; its sentence is in MESSAGES below."""

    DEADLINE_REMINDER = "deadline_reminder", _("deadline reminder")
    DEADLINE_OVERDUE = "deadline_overdue", _("deadline overdue")
    DEADLINE_ESCALATION = "deadline_escalation", _("missed deadline (escalation)")
    EXTENSION_GRANTED = "extension_granted", _("deadline extended")
    QUARTERLY_REPORT_OPENED = "quarterly_report_opened", _("quarterly report to prepare")
    QUARTERLY_SNAPSHOT = "quarterly_snapshot", _("quarterly snapshot")
    SPOT_CHECK_DRAWN = "spot_check_drawn", _("spot-check sample drawn")
    NON_COMPLIANCE_MARKED = "non_compliance_marked", _("non-compliance marked")
    FIRM_NON_COMPLIANT = "firm_non_compliant", _("your firm did not comply")
    WORKFLOW_EVENT = "workflow_event", _("workflow step to act on")
    SECURITY_BURST = "security_burst", _("burst of failed sign-ins")
    SUBMISSION_REPUDIATED = "submission_repudiated", _("submission repudiated by the firm")


K = NotificationKind
MESSAGES = {
    K.DEADLINE_REMINDER: _("%(firm)s: the %(deadline)s for %(year)s is due on %(due_date)s (%(days_left)s days left)."),
    K.DEADLINE_OVERDUE: _("%(firm)s: the %(deadline)s for %(year)s was due on %(due_date)s and is overdue."),
    K.DEADLINE_ESCALATION: _("%(firm)s has missed the %(deadline)s deadline for %(year)s (due on %(due_date)s)."),
    K.EXTENSION_GRANTED: _(
        "%(firm)s: the %(deadline)s for %(year)s is now due on %(due_date)s (extended by %(extra_days)s days)."
    ),
    K.QUARTERLY_REPORT_OPENED: _(
        "%(firm)s: the Q%(quarter)s %(year)s report is open for you to fill in; it is due on %(due_date)s."
    ),
    K.QUARTERLY_SNAPSHOT: _(
        "%(market)s, Q%(quarter)s %(year)s: %(short_count)s firms are projected to exceed their allocation."
    ),
    K.SECURITY_BURST: _("%(failures)s failed sign-ins from %(ip)s within %(minutes)s minutes."),
    K.SUBMISSION_REPUDIATED: _(
        "%(firm)s says it did not make the submission of its %(year)s report version %(version)s "
        "(sealed %(digest)s): %(reason)s"
    ),
    K.SPOT_CHECK_DRAWN: _("%(market)s: the spot-check sample of the %(year)s verification reports has been drawn."),
    K.FIRM_NON_COMPLIANT: _(
        "%(firm)s has not surrendered enough allowances for %(year)s by the deadline and has been marked non-compliant."
    ),
    K.NON_COMPLIANCE_MARKED: _(
        "%(market)s: the compliance deadline for %(year)s has passed; %(count)s firms have been marked non-compliant."
    ),
}


# --- Workflow events: "<what> <what happened>", the object named in the reader's language -------

REPORT = _("%(firm)s %(year)s %(period)s report")
PLAN = _("%(firm)s monitoring plan version %(version)s")
ENGAGEMENT = _("%(firm)s %(year)s verification")
DEADLINE = _("%(firm)s %(year)s %(deadline)s")


def __getattr__(name: str):
    """WORKFLOW_MESSAGES: event -> sentence of the events told through `run_transition`'s follow-ups, declared on
    each transition (mrv/workflow/facts.py). The registry's transfer events declare their sentence the same way
    but are told by the registry's own service (to every representative of the paying account)."""
    if name == "WORKFLOW_MESSAGES":
        return {event: found.message for event, found in declared().items() if found.message and found.notify}
    raise AttributeError(name)


STATES = {
    "monitoringplan": MonitoringPlan.Status,
    "verificationengagement": VerificationEngagement.Status,
    "finding": Finding.Status,
    "emissionreport": EmissionReport.Status,
    "informationrequest": InformationRequest.Status,
    "extensionrequest": ExtensionRequest.Status,
}


def workflow_text(params: dict) -> str:
    """The sentence of a workflow event, e.g. "… 2025 annual report was returned to you with 2 open findings."."""
    event = params["event"]
    if event.startswith("registry."):  # the registry's events carry their own figures (a transfer's quantity, …)
        return str(declared()[event].message % params)
    model = event.split(".")[1]
    names = dict(params)
    if params.get("period"):
        names["period"] = _g(EmissionReport.Period(params["period"]).label)
    if params.get("state") and model in STATES:
        names["state"] = _g(STATES[model](params["state"]).label)
    if model == "monitoringplan":
        subject = PLAN % names
    elif model == "verificationengagement":
        subject = ENGAGEMENT % names
    elif model in ("informationrequest", "extensionrequest"):
        subject = DEADLINE % {**names, "deadline": deadline_label(params.get("deadline", ""))}
    else:
        subject = REPORT % {**names, "period": names.get("period") or _g(EmissionReport.Period.ANNUAL.label)}
    text = str(__getattr__("WORKFLOW_MESSAGES")[event] % {**names, "subject": subject})
    return text[:1].upper() + text[1:]


def notification_text(notification) -> str:
    params = dict(notification.params)
    if notification.kind == K.WORKFLOW_EVENT:
        try:
            return workflow_text(params)
        except (KeyError, ValueError, TypeError):
            return str(K.WORKFLOW_EVENT.label)
    if "market_en" in params:
        params["market"] = params["market_zh"] if (get_language() or "").startswith("zh") else params["market_en"]
    if "deadline" in params:
        params["deadline"] = deadline_label(params["deadline"])
    try:
        return str(MESSAGES[notification.kind] % params)
    except (KeyError, ValueError, TypeError):
        return str(NotificationKind(notification.kind).label)

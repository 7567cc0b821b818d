"""What a notification says, rendered in the reader's language from its kind and details."""

from django.utils.translation import get_language
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from mrv.models import DeadlineRule, EmissionReport, Finding, MonitoringPlan, VerificationEngagement

from .models import Notification

K = Notification.Kind
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
WORKFLOW_MESSAGES = {
    "mrv.monitoringplan.submit": _("%(subject)s was submitted; please check it."),
    "mrv.monitoringplan.check_by_third_party": _("%(subject)s was checked by the third party; please review it."),
    "mrv.monitoringplan.approve": _("%(subject)s was approved."),
    "mrv.monitoringplan.return_to_firm": _("%(subject)s was returned to you; please correct it."),
    "mrv.emissionreport.submit": _("%(subject)s was submitted."),
    "mrv.emissionreport.withdraw": _("%(subject)s was withdrawn by the firm."),
    "mrv.emissionreport.resubmit": _("%(subject)s was corrected and resubmitted; please verify it."),
    "mrv.verificationengagement.assign": _("%(subject)s was assigned to your body; please accept or decline it."),
    "mrv.verificationengagement.reassign": _("%(subject)s was reassigned to your body; please accept or decline it."),
    "mrv.verificationengagement.accept": _("%(subject)s was accepted by the verification body."),
    "mrv.verificationengagement.decline": _(
        "%(subject)s was declined by the verification body; please assign another body."
    ),
    "mrv.verificationengagement.complete": _("%(subject)s is complete."),
    "mrv.finding.answer": _("The firm answered a finding on the %(subject)s; please review the answer."),
    "mrv.finding.close": _("A finding on the %(subject)s was closed."),
    "mrv.finding.reopen": _("A finding on the %(subject)s was reopened; please answer it."),
    "mrv.emissionreport.start_verification": _("%(subject)s is now being verified."),
    "mrv.emissionreport.return_to_firm": _("%(subject)s was returned to you with %(findings)s open findings."),
    "mrv.emissionreport.sign_off": _("%(subject)s was verified."),
    "mrv.emissionreport.sign_off_not_verified": _("%(subject)s could not be verified; please review it."),
    "mrv.emissionreport.select_for_spot_check": _("%(subject)s was selected for a spot check; please check it."),
    "mrv.emissionreport.confirm_spot_check": _("The spot check confirmed the verification of the %(subject)s."),
    "mrv.emissionreport.record_spot_check_discrepancy": _(
        "The spot check found discrepancies in the %(subject)s; please verify it again."
    ),
    "mrv.emissionreport.send_to_review": _("%(subject)s is ready for your review."),
    "mrv.emissionreport.return_to_verifier": _("%(subject)s was returned to the verifier; please verify it again."),
    "mrv.emissionreport.regulator_return_to_firm": _("%(subject)s was returned to you by the regulator."),
    "mrv.emissionreport.propose_determination": _(
        "A determination of the %(subject)s was proposed; please approve or reject it."
    ),
    "mrv.emissionreport.propose_conservative_estimate": _(
        "A conservative estimate of the %(subject)s was proposed; please approve or reject it."
    ),
    "mrv.emissionreport.approve_determination": _("The emissions of the %(subject)s were determined."),
    "mrv.emissionreport.reject_determination": _(
        "The proposed determination of the %(subject)s was rejected; please review it again."
    ),
    "mrv.emissionreport.close": _("%(subject)s was closed."),
    "mrv.emissionreport.start_co_review": _("%(subject)s is ready for co-review; please review it."),
    "mrv.emissionreport.accept_quarterly": _("%(subject)s was accepted."),
    "mrv.emissionreport.return_quarterly": _("%(subject)s was returned to you; please correct it."),
}
# Registry events: every representative of the paying account is told of each step of a transfer.
REGISTRY_MESSAGES = {
    "registry.transferproposal.proposed": _(
        "A transfer of %(quantity)s t %(unit)s from %(account)s to %(to_account)s was proposed; "
        "another representative must approve it."
    ),
    "registry.transferproposal.scheduled": _(
        "The transfer of %(quantity)s t %(unit)s from %(account)s to %(to_account)s (not a trusted account) "
        "was approved and will be executed after %(execute_after)s unless a representative cancels it."
    ),
    "registry.transferproposal.executed": _(
        "The transfer of %(quantity)s t %(unit)s from %(account)s to %(to_account)s was executed."
    ),
    "registry.transferproposal.cancelled": _(
        "The transfer of %(quantity)s t %(unit)s from %(account)s to %(to_account)s was cancelled."
    ),
    "registry.transferproposal.failed": _(
        "The transfer of %(quantity)s t %(unit)s from %(account)s to %(to_account)s failed at execution; nothing moved."
    ),
}
STATES = {
    "monitoringplan": MonitoringPlan.Status,
    "verificationengagement": VerificationEngagement.Status,
    "finding": Finding.Status,
    "emissionreport": EmissionReport.Status,
}


def workflow_text(params: dict) -> str:
    """The sentence of a workflow event, e.g. "… 2025 annual report was returned to you with 2 open findings."."""
    event = params["event"]
    if event in REGISTRY_MESSAGES:
        return str(REGISTRY_MESSAGES[event] % params)
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
    else:
        subject = REPORT % {**names, "period": names.get("period") or _g(EmissionReport.Period.ANNUAL.label)}
    text = str(WORKFLOW_MESSAGES[event] % {**names, "subject": subject})
    return text[:1].upper() + text[1:]


def notification_text(notification: Notification) -> str:
    params = dict(notification.params)
    if notification.kind == K.WORKFLOW_EVENT:
        try:
            return workflow_text(params)
        except (KeyError, ValueError, TypeError):
            return str(K.WORKFLOW_EVENT.label)
    if "market_en" in params:
        params["market"] = params["market_zh"] if (get_language() or "").startswith("zh") else params["market_en"]
    if "deadline" in params:
        params["deadline"] = _g(DeadlineRule.Kind(params["deadline"]).label)
    try:
        return str(MESSAGES[notification.kind] % params)
    except (KeyError, ValueError, TypeError):
        return str(Notification.Kind(notification.kind).label)

"""The one place that lists the work queued after plan, report, verification, spot-check and review events.

Every service of mrv/services/plans.py, reports.py, verification.py, spot_checks.py and review.py asks
`follow_ups(event, …ids)` for its tasks: each event notifies the people who must act next
(deadlines.notify_workflow_event; who they are is the table deadlines/workflow_notices.py WHO).
"""

EVENTS = [
    "mrv.monitoringplan.submit",
    "mrv.monitoringplan.check_by_third_party",
    "mrv.monitoringplan.approve",
    "mrv.monitoringplan.return_to_firm",
    "mrv.emissionreport.submit",
    "mrv.emissionreport.withdraw",
    "mrv.emissionreport.resubmit",
    "mrv.verificationengagement.assign",
    "mrv.verificationengagement.reassign",
    "mrv.verificationengagement.accept",
    "mrv.verificationengagement.decline",
    "mrv.verificationengagement.complete",
    "mrv.finding.answer",
    "mrv.finding.close",
    "mrv.finding.reopen",
    "mrv.emissionreport.start_verification",
    "mrv.emissionreport.return_to_firm",
    "mrv.emissionreport.sign_off",
    "mrv.emissionreport.sign_off_not_verified",
    "mrv.emissionreport.select_for_spot_check",
    "mrv.emissionreport.confirm_spot_check",
    "mrv.emissionreport.record_spot_check_discrepancy",
    "mrv.emissionreport.send_to_review",
    "mrv.emissionreport.return_to_verifier",
    "mrv.emissionreport.regulator_return_to_firm",
    "mrv.emissionreport.propose_determination",
    "mrv.emissionreport.propose_conservative_estimate",
    "mrv.emissionreport.approve_determination",
    "mrv.emissionreport.reject_determination",
    "mrv.emissionreport.close",
    "mrv.emissionreport.start_co_review",
    "mrv.emissionreport.accept_quarterly",
    "mrv.emissionreport.return_quarterly",
]

NOTIFY_TASK = "deadlines.notify_workflow_event"
# event -> Celery task name
FOLLOW_UP_TASKS: dict[str, str] = {event: NOTIFY_TASK for event in EVENTS}


def follow_ups(event: str, **ids) -> list[tuple[str, dict]]:
    """The (task name, kwargs) pairs to queue after `event`; kwargs are the event and the object ids."""
    task = FOLLOW_UP_TASKS.get(event)
    return [(task, {"event": event, **ids})] if task else []

"""The one place that lists the work queued after verification, spot-check and review events.

Every service of mrv/services/verification.py, spot_checks.py and review.py asks `follow_ups(event,
…ids)` for its tasks. The notification task does not exist yet: wire it here (and only here) by
mapping events to a registered Celery task name; until then nothing is queued.
"""

EVENTS = [
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

# event -> Celery task name; e.g. {event: "notifications.notify" for event in EVENTS} once that task exists.
FOLLOW_UP_TASKS: dict[str, str] = {}


def follow_ups(event: str, **ids) -> list[tuple[str, dict]]:
    """The (task name, kwargs) pairs to queue after `event`; kwargs are the event and the object ids."""
    task = FOLLOW_UP_TASKS.get(event)
    return [(task, {"event": event, **ids})] if task else []

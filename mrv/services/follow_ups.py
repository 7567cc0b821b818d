"""The one place that lists the work queued after plan, report, verification, spot-check and review events.

Every service of mrv/services/plans.py, reports.py, verification.py, spot_checks.py and review.py asks
`follow_ups(event, …ids)` for its tasks: each event that declares whom to notify (`custom=facts(notify=…)`
on its transition, see mrv/workflow/facts.py) queues deadlines.notify_workflow_event.
"""

from mrv.workflow.facts import declared

NOTIFY_TASK = "deadlines.notify_workflow_event"


def __getattr__(name: str):
    """EVENTS and FOLLOW_UP_TASKS, derived from the transitions' declared facts once the apps are loaded."""
    if name == "EVENTS":
        return [event for event, found in declared().items() if found.notify]
    if name == "FOLLOW_UP_TASKS":  # event -> Celery task name
        return {event: NOTIFY_TASK for event in __getattr__("EVENTS")}
    raise AttributeError(name)


def follow_ups(event: str, **ids) -> list[tuple[str, dict]]:
    """The (task name, kwargs) pairs to queue after `event`; kwargs are the event and the object ids."""
    task = (globals().get("FOLLOW_UP_TASKS") or __getattr__("FOLLOW_UP_TASKS")).get(event)
    return [(task, {"event": event, **ids})] if task else []

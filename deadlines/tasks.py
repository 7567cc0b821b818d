"""Thin Celery tasks: they take ids, call a service, and are safe to run twice.

Every task acknowledges late (a worker lost mid-task means the broker hands it out again) and
retries transient errors with capped exponential backoff; no countdown is longer than
RETRY_BACKOFF_MAX_SECONDS, well below the broker's visibility timeout, so no task waits in the
broker for a far-future ETA (periodic scans find what is due instead).
"""

import datetime
import smtplib

from celery import shared_task
from django.db import OperationalError

from mrv.selectors.markets import market_by_id

from . import services, workflow_notices
from .clock import shanghai_today

RETRY_BACKOFF_MAX_SECONDS = 600
TRANSIENT = (OperationalError, smtplib.SMTPException, ConnectionError, TimeoutError)
RETRYING = dict(
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    retry_backoff_max=RETRY_BACKOFF_MAX_SECONDS,
    retry_jitter=True,
    max_retries=8,
)


def _day(today: str | None) -> datetime.date:
    return datetime.date.fromisoformat(today) if today else shanghai_today()


@shared_task(name="deadlines.send_notification_emails", **RETRYING)
def send_notification_emails(notification_ids: list[int]) -> int:
    return services.notification_emails_send(notification_ids=notification_ids)


@shared_task(name="deadlines.send_reminders", **RETRYING)
def send_reminders(market_id: int | None = None, today: str | None = None) -> int:
    return services.reminders_send_due(today=_day(today), market_id=market_id)


@shared_task(name="deadlines.open_compliance_year", **RETRYING)
def open_compliance_year(market_id: int | None = None, today: str | None = None) -> int:
    """Fans the roll-over out in batches (the number of batch tasks queued)."""
    return services.rollover_queue_batches(year=_day(today).year, market_id=market_id)


@shared_task(name="deadlines.open_compliance_year_batch", **RETRYING)
def open_compliance_year_batch(market_id: int, year: int, firm_ids: list[int]) -> int:
    return services.rollover_open_batch(market_id=market_id, year=year, firm_ids=firm_ids)


@shared_task(name="deadlines.quarterly_work", **RETRYING)
def quarterly_work(market_id: int | None = None, today: str | None = None) -> dict:
    day = _day(today)
    return {
        "opened": services.quarterly_open_reports(today=day, market_id=market_id),
        "snapshots": services.quarterly_snapshots_build_due(today=day, market_id=market_id),
    }


@shared_task(name="deadlines.draw_spot_checks", **RETRYING)
def draw_spot_checks(market_id: int | None = None, today: str | None = None) -> int:
    return services.spot_checks_draw_due(today=_day(today), market_id=market_id)


@shared_task(name="deadlines.mark_non_compliance", **RETRYING)
def mark_non_compliance(market_id: int | None = None, today: str | None = None) -> int:
    """Fans the compliance marking out in batches (the number of market-years queued)."""
    return services.compliance_queue_due(today=_day(today), market_id=market_id)


@shared_task(name="deadlines.mark_non_compliance_batch", **RETRYING)
def mark_non_compliance_batch(market_id: int, year: int, firm_ids: list[int], today: str) -> int:
    return services.compliance_mark_batch(market_id=market_id, year=year, firm_ids=firm_ids, today=_day(today))


@shared_task(name="deadlines.build_snapshot", **RETRYING)
def build_snapshot(market_id: int, year: int, quarter: int) -> bool:
    market = market_by_id(pk=market_id)
    return services.quarterly_snapshot_build(market=market, year=year, quarter=quarter) is not None


@shared_task(name="deadlines.notify_registry_event", bind=True, **RETRYING)
def notify_registry_event(self, event: str, proposal_id: int) -> int:
    """Queued by the registry's transfer services through the outbox; the task id is the message id (told once)."""
    return workflow_notices.registry_event_notify(event=event, message_id=self.request.id, proposal_id=proposal_id)


@shared_task(name="deadlines.notify_workflow_event", bind=True, **RETRYING)
def notify_workflow_event(self, event: str, **ids) -> int:
    """Queued by run_transition through the outbox; the task id is the outbox message id (told once)."""
    return workflow_notices.workflow_event_notify(event=event, message_id=self.request.id, **ids)


@shared_task(name="deadlines.notify_repudiation", bind=True, **RETRYING)
def notify_repudiation(self, repudiation_id: int) -> int:
    """Queued by mrv's repudiation service through the outbox; the regulators of the market are told once."""
    return workflow_notices.repudiation_notify(message_id=self.request.id, repudiation_id=repudiation_id)

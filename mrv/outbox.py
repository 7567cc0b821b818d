"""Transactional outbox: tasks are recorded with the change that causes them and published after commit.

A web request never talks to the broker inside its transaction, and a failed publish leaves the
row unsent for the periodic `mrv.tasks.publish_outbox` to retry. Nothing is lost.
"""

import logging
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mrv.models import OutboxMessage

log = logging.getLogger(__name__)


def enqueue(task_name: str, **kwargs) -> OutboxMessage:
    """Record a task to run once the current transaction commits."""
    message = OutboxMessage.objects.create(task_name=task_name, kwargs=kwargs)
    transaction.on_commit(lambda: publish(message.pk))
    return message


def publish(message_id: UUID) -> bool:
    """Hand one message to Celery (or run it in-process when there is no broker); True if sent."""
    from config.celery import app

    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update(skip_locked=True).filter(pk=message_id, sent_at=None).first()
        if message is None:
            return False
        message.attempts += 1
        try:
            if settings.CELERY_TASK_ALWAYS_EAGER:
                app.tasks[message.task_name].apply(kwargs=message.kwargs, task_id=str(message.pk), throw=True)
            else:
                app.send_task(message.task_name, kwargs=message.kwargs, task_id=str(message.pk), retry=False)
        except Exception as exc:  # the broker may be down: keep the row for the next sweep
            log.warning("outbox publish of %s failed: %s", message.pk, exc)
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            message.save(update_fields=["attempts", "last_error"])
            return False
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "last_error", "sent_at"])
        return True


def publish_pending(limit: int = 500) -> int:
    """Publish what is still unsent, oldest first; returns how many were sent."""
    ids = list(OutboxMessage.objects.filter(sent_at=None).order_by("created_at").values_list("pk", flat=True)[:limit])
    return sum(publish(pk) for pk in ids)

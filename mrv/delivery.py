"""Exactly-once side effects outside the database: record the intent, act, stamp it delivered.

A Celery task acknowledges late, so a worker killed mid-task has its task handed out again. An e-mail sent
inside a database transaction that the kill then rolls back would be sent again; instead the intent is
committed *before* sending, and a redelivered task that finds it skips the effect. A failure that raises
(the mail server refused) removes the intent, so the task's retry tries again. The one case left is a
worker that dies after committing the intent and before stamping it: the effect is not repeated, and the
intent stays without `delivered_at` for an operator to check against the mail server's log (admin,
"Deliveries").
"""

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from mrv.models import DeliveryIntent


def deliver_once(*, key: str, recipient: str, send: Callable[[str], None], on_delivered: Callable[[], None]) -> bool:
    """Call `send(delivery_id)` unless an intent for `key` exists; then `on_delivered()` with the stamp."""
    try:
        with transaction.atomic():
            intent = DeliveryIntent.objects.create(key=key, recipient=recipient[:254])
    except IntegrityError:
        return False  # done, being done by another worker, or uncertain: never twice
    try:
        send(str(intent.delivery_id))
    except BaseException:
        DeliveryIntent.objects.filter(pk=intent.pk, delivered_at=None).delete()
        raise
    with transaction.atomic():
        DeliveryIntent.objects.filter(pk=intent.pk).update(delivered_at=timezone.now())
        on_delivered()
    return True

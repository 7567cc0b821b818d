from celery import shared_task

from mrv import outbox


@shared_task(name="mrv.publish_outbox", acks_late=True)
def publish_outbox() -> int:
    """Re-publish outbox rows whose first publish failed (e.g. the broker was down)."""
    return outbox.publish_pending()

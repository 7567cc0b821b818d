from celery import shared_task
from django.conf import settings

from mrv import outbox


@shared_task(name="mrv.publish_outbox", acks_late=True)
def publish_outbox() -> int:
    """Re-publish outbox rows whose first publish failed (e.g. the broker was down)."""
    return outbox.publish_pending()


@shared_task(name="mrv.run_job", acks_late=True, soft_time_limit=settings.JOB_SOFT_TIME_LIMIT)
def run_job(job_id: int) -> None:
    """Run a background job (an export beyond one page, a bulk import, bulk documents)."""
    import config.urls  # noqa: F401 - the list specs and job handlers are declared by the pages' modules
    from mrv import jobs

    jobs.job_run(job_id)


@shared_task(name="mrv.verify_chains", acks_late=True)
def verify_chains() -> bool:
    """The scheduled check of the hash chains; the result is recorded and shown to the regulators."""
    from mrv.models import ChainVerification
    from mrv.security import chains

    return chains.verify_chains(trigger=ChainVerification.Trigger.SCHEDULED).ok


@shared_task(name="mrv.purge_idempotency_keys", acks_late=True)
def purge_idempotency_keys() -> int:
    """Delete the API's expired idempotency keys (older than IDEMPOTENCY_KEY_TTL_HOURS); returns how many.
    A retry after expiry is a new request anyway, so the rows only take space; a second run deletes nothing."""
    from mrv.models import IdempotencyRecord

    return IdempotencyRecord.purge_expired()

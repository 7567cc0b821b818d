from celery import shared_task

from registry.services import transfers


@shared_task(name="registry.execute_due_transfers", acks_late=True)
def execute_due_transfers() -> int:
    """Every few minutes: execute the transfers whose delay has passed (each once; a rerun finds none)."""
    return transfers.transfers_execute_due()

from celery import shared_task

from mrv.models import Market
from registry import services


@shared_task(name="registry.mark_non_compliant", acks_late=True)
def mark_non_compliant(market_id: int, year: int) -> int:
    """After the compliance deadline: record the firms still short (idempotent)."""
    return len(services.compliance_mark_non_compliant(market=Market.objects.get(pk=market_id), year=year))


@shared_task(name="registry.execute_due_transfers", acks_late=True)
def execute_due_transfers() -> int:
    """Every few minutes: execute the transfers whose delay has passed (each once; a rerun finds none)."""
    return services.transfers_execute_due()

"""The registry demo step: an issued allocation, trades, offsets, a surrender; running it twice adds nothing."""

from mrv import demo
from registry import selectors
from registry.models import AllocationTable, Transaction, TransferProposal


def test_the_demo_seeds_the_registry_idempotently(db):
    demo.seed()
    counts = (Transaction.objects.count(), TransferProposal.objects.count())
    table = AllocationTable.objects.get(market__code="shanghai", year=2025)
    assert table.status == "issued" and table.lines.count() == 2
    demo.seed()
    assert (Transaction.objects.count(), TransferProposal.objects.count()) == counts
    stats = selectors.market_statistics(table.market, 2025)
    assert stats.traded_tco2e == 43000  # 20,000 + 15,000 + 8,000
    assert stats.issued_tco2e == stats.allocated_tco2e > 0

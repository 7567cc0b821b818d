"""The registry demo step: an issued allocation, trades, a sale, offsets, surrenders, a finding and a penalty;
running it twice adds nothing."""

from registry import selectors
from registry.models import AllocationTable, ComplianceRecord, Penalty, Transaction, TransferProposal
from tests.demo_seed import seed_demo


def test_the_demo_seeds_the_registry_idempotently(db):
    seed_demo()  # the migrations' caps put back if a transactional test's flush removed them
    counts = (Transaction.objects.count(), TransferProposal.objects.count(), Penalty.objects.count())
    table = AllocationTable.objects.get(market__code="shanghai", year=2024)
    assert table.status == "issued" and table.lines.count() == 2
    seed_demo()
    assert (Transaction.objects.count(), TransferProposal.objects.count(), Penalty.objects.count()) == counts
    stats = selectors.market_statistics(table.market, 2024)
    assert stats.traded_tco2e == 43000  # 20,000 + 15,000 + 8,000
    assert stats.issued_tco2e == stats.allocated_tco2e > 0
    assert stats.offsets_tco2e == 20000
    short = ComplianceRecord.objects.get(firm__users__username="sh_reporter", year=2024)
    assert short.shortfall_tco2e > 0
    assert Penalty.objects.get(firm=short.firm).deduction_tco2e == short.shortfall_tco2e  # Shanghai: 1 × shortfall

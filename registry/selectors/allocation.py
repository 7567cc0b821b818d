"""Reads of caps and allocation: a market's cap, a firm's allocation, the allocation tables."""

from decimal import Decimal

from django.db.models import QuerySet, Sum

from mrv import access
from mrv.models import Firm, Market
from registry.models import AllocationLine, AllocationTable, MarketCap
from registry.selectors.common import visible_or_404


def cap_for(market: Market, year: int) -> MarketCap | None:
    return MarketCap.objects.filter(market=market, year=year).first()


def allocation_for(firm: Firm, year: int) -> Decimal | None:
    """The firm's allocation of a vintage from approved or issued tables (free + auctioned); None if none."""
    return allocations_for([firm.pk], year).get(firm.pk)


def allocations_for(firm_ids, year: int) -> dict[int, Decimal]:
    """`allocation_for` of many firms in one query: firm id → allocation (firms without one are left out)."""
    rows = (
        AllocationLine.objects.filter(
            firm_id__in=list(firm_ids),
            table__year=year,
            table__status__in=[AllocationTable.Status.APPROVED, AllocationTable.Status.ISSUED],
        )
        .values("firm_id")
        .annotate(free=Sum("free_tco2e"), auction=Sum("auction_tco2e"))
        .order_by()
    )
    return {r["firm_id"]: r["free"] + r["auction"] for r in rows if r["free"] is not None}


def line_seals(table) -> dict[int, object]:
    """The sealed allocation notices of a table's lines, by line id (one query)."""
    from mrv.models import Seal

    lines = table.lines.values("pk")
    return {s.object_id: s for s in Seal.objects.filter(kind=Seal.Kind.ALLOCATION, object_id__in=lines)}


def allocation_tables_of(*, market: Market) -> QuerySet[AllocationTable]:
    """The market's allocation tables, with who approved each."""
    return AllocationTable.objects.filter(market=market).select_related("approved_by")


def market_caps(*, market: Market, limit: int = 10) -> QuerySet[MarketCap]:
    """The market's caps (the latest years first, as the model orders them)."""
    return market.caps.all()[:limit]


def allocation_table_visible(*, user, pk: int) -> AllocationTable:
    """An allocation table `user` may see, with its market and approver; else 404."""
    return visible_or_404(user, AllocationTable.objects.select_related("market", "approved_by"), pk)


def table_lines(*, table: AllocationTable) -> QuerySet:
    """A table's lines with their firms, by firm name."""
    return table.lines.select_related("firm").order_by("firm__name")


def allocation_tables_visible(*, user, with_lines: bool = False) -> QuerySet[AllocationTable]:
    """The allocation tables `user` may see with their markets, the latest year first; with each table's lines
    and their firms when asked."""
    queryset = AllocationTable.objects.select_related("market").order_by("-year", "kind", "pk")
    if with_lines:
        queryset = queryset.prefetch_related("lines__firm")
    return access.visible_to(user, queryset)

"""Which firms a market covers in a year: the approved covered-firm list, where there is one.

Before a market-year's list is approved, the firms on the market's register (active, covered since
the year or before) stand for it, as they did before lists existed.
"""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from mrv.models import CoverageEntry, CoverageList, Firm, Market


def approved_lists(market_ids: Iterable[int], years: Iterable[int]) -> dict[tuple[int, int], set[int]]:
    """(market id, year) → ids of the covered firms, for every approved list among them (one query)."""
    rows = CoverageEntry.objects.filter(
        coverage_list__market_id__in=list(market_ids),
        coverage_list__year__in=list(years),
        coverage_list__status=CoverageList.Status.APPROVED,
    ).values_list("coverage_list__market_id", "coverage_list__year", "firm_id", "rule_included", "override")
    lists = {
        key: set()
        for key in CoverageList.objects.filter(
            market_id__in=list(market_ids), year__in=list(years), status=CoverageList.Status.APPROVED
        ).values_list("market_id", "year")
    }
    for market_id, year, firm_id, included, override in rows:
        covered = override == CoverageEntry.Override.INCLUDE if override else included
        if covered and firm_id:
            lists[(market_id, year)].add(firm_id)
    return lists


def covered_firms(market: Market, year: int) -> QuerySet:
    """The firms obliged in the market-year: the approved list's, else the register's (one lazy query)."""
    approved = CoverageList.objects.filter(market=market, year=year, status=CoverageList.Status.APPROVED)
    on_list = CoverageEntry.objects.filter(coverage_list__in=approved, firm_id=OuterRef("pk")).filter(
        Q(override=CoverageEntry.Override.INCLUDE) | Q(override="", rule_included=True)
    )
    register = Q(market=market, is_active=True) & (Q(covered_since__isnull=True) | Q(covered_since__lte=year))
    if year < market.first_compliance_year:
        register = Q(pk__in=[])
    # A firm that closed is covered up to its last year, whatever a list says.
    ended = Q(covered_until__isnull=False, covered_until__lt=year)
    return Firm.objects.filter(Exists(on_list) | (register & ~Exists(approved))).exclude(ended)


def list_for(market: Market, year: int) -> CoverageList | None:
    return CoverageList.objects.filter(market=market, year=year).first()

"""Reads of the statistics the regulator needs: rates, volumes and the per-year, per-market tables."""

import datetime
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrv.models import Market
from registry import positions
from registry.models import Account, AllocationLine, AllocationTable, Entry
from registry.models import Transaction as Tx
from registry.positions import Status
from registry.selectors.allocation import cap_for
from registry.selectors.issuance import ZERO, issued_total


def rate_pct(part: Decimal | int, whole: Decimal | int | None) -> Decimal | None:
    """A percentage rounded half-up to one decimal (1,230 / 1,236 = 99.51… → 99.5); None without a whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def covered_firm_ids(market: Market, year: int) -> set[int]:
    """Firms the market covered in the year (its approved covered-firm list, else its register)."""
    from mrv.coverage import covered_firms

    return set(covered_firms(market, year).values_list("pk", flat=True))


def obliged_counts(market: Market, year: int, *, today: datetime.date | None = None) -> Counter:
    """By status, the firms obliged to comply for a year: every covered firm whose year the regulator did not
    exclude (one grouped query, `positions.status_counts`).

    A covered firm whose emissions were never determined is obliged and "emissions missing": it stays in the
    denominator of the compliance rate and is not compliant.
    """
    counts = positions.status_counts(market, year, today=today)
    del counts[Status.EXCLUDED]
    return counts


@dataclass
class MarketStatistics:
    market: Market
    year: int
    obliged_firms: int
    compliant_firms: int
    cap_tco2e: Decimal | None
    missing_firms: int
    allocated_tco2e: Decimal
    issued_tco2e: Decimal
    surrendered_tco2e: Decimal
    offsets_tco2e: Decimal
    traded_tco2e: Decimal

    @property
    def compliance_rate_pct(self) -> Decimal | None:
        return rate_pct(self.compliant_firms, self.obliged_firms)

    @property
    def offsets_share_pct(self) -> Decimal | None:
        return rate_pct(self.offsets_tco2e, self.surrendered_tco2e)

    @property
    def trading_rate_pct(self) -> Decimal | None:
        return rate_pct(self.traded_tco2e, self.cap_tco2e)

    def rows(self) -> list[tuple[str, object]]:
        return [
            (str(_("market")), str(self.market)),
            (str(_("year")), self.year),
            (str(_("obliged firms")), self.obliged_firms),
            (str(_("compliant firms")), self.compliant_firms),
            (str(_("compliance rate (%)")), self.compliance_rate_pct),
            (str(_("firms with emissions missing")), self.missing_firms),
            (str(_("cap (tCO2e)")), self.cap_tco2e),
            (str(_("allocated (tCO2e)")), self.allocated_tco2e),
            (str(_("issued (tCO2e)")), self.issued_tco2e),
            (str(_("surrendered (t)")), self.surrendered_tco2e),
            (str(_("offsets surrendered (t)")), self.offsets_tco2e),
            (str(_("offsets share (%)")), self.offsets_share_pct),
            (str(_("traded volume (t)")), self.traded_tco2e),
            (str(_("trading rate (%)")), self.trading_rate_pct),
        ]


def _sum(qs, name="quantity") -> Decimal:
    return qs.aggregate(q=Sum(name))["q"] or ZERO


def traded_volume(market: Market, year: int) -> Decimal:
    """Units moved between firms in trades and transfers dated in the year, net of their reversals.

    The market's transactions are found first (their index on market and kind), then their entries: every
    account of a transaction belongs to its market (`registry.ledger`), so this is the same sum as filtering
    the market's entries, without reading every holding account's entries.
    """
    moves = Tx.objects.filter(market=market, kind__in=[Tx.Kind.TRADE, Tx.Kind.TRANSFER], trade_date__year=year)
    reversals = Tx.objects.filter(
        market=market,
        kind=Tx.Kind.REVERSAL,
        reverses__kind__in=[Tx.Kind.TRADE, Tx.Kind.TRANSFER],
        reverses__trade_date__year=year,
    )
    holding = Entry.objects.filter(account__kind=Account.Kind.HOLDING)
    trades = holding.filter(transaction__in=moves.values("pk"), quantity__gt=0)
    reversed_ = holding.filter(transaction__in=reversals.values("pk"), quantity__lt=0)
    return _sum(trades) + _sum(reversed_)


def market_statistics(market: Market, year: int, *, today: datetime.date | None = None) -> MarketStatistics:
    obliged = obliged_counts(market, year, today=today)
    cap = cap_for(market, year)
    allocated = AllocationLine.objects.filter(
        table__market=market,
        table__year=year,
        table__status__in=[AllocationTable.Status.APPROVED, AllocationTable.Status.ISSUED],
    )
    surrendered, offsets = positions.surrendered_by_market(market, year)
    return MarketStatistics(
        market=market,
        year=year,
        obliged_firms=obliged.total(),
        compliant_firms=obliged[Status.COMPLIANT],
        cap_tco2e=cap.cap_tco2e if cap else None,
        missing_firms=obliged[Status.EMISSIONS_MISSING],
        allocated_tco2e=_sum(allocated, "free_tco2e") + _sum(allocated, "auction_tco2e"),
        issued_tco2e=issued_total(market, year),
        surrendered_tco2e=surrendered,
        offsets_tco2e=offsets,
        traded_tco2e=traded_volume(market, year),
    )


def unit_totals(market: Market) -> dict[tuple[str, int, str], Decimal]:
    """Per unit, the sum over all accounts of the market: zero for every unit when the ledger balances."""
    rows = (
        Entry.objects.filter(account__market=market)
        .values("unit_type", "vintage", "project")
        .annotate(q=Sum("quantity"))
    )
    return {(r["unit_type"], r["vintage"], r["project"]): r["q"] for r in rows}


@dataclass
class ComplianceRate:
    year: int
    obliged_firms: int
    compliant_firms: int
    missing_firms: int = 0

    @property
    def rate_pct(self) -> Decimal | None:
        return rate_pct(self.compliant_firms, self.obliged_firms)


def compliance_rates(market: Market, years: list[int], *, today: datetime.date | None = None) -> list[ComplianceRate]:
    """Obliged and compliant firms per year (the paper's tables 4 and 5, computed instead of copied)."""
    rates = []
    for year in years:
        obliged = obliged_counts(market, year, today=today)
        rates.append(
            ComplianceRate(year, obliged.total(), obliged[Status.COMPLIANT], obliged[Status.EMISSIONS_MISSING])
        )
    return rates


def statistics_years(today: datetime.date | None = None, span: int = 5) -> list[int]:
    """The compliance years the statistics page offers: the last `span` years up to last year."""
    last = (today or timezone.localdate()).year - 1
    return list(range(last - span + 1, last + 1))


def statistics_series(market: Market, years: list[int], *, today: datetime.date | None = None):
    """One `MarketStatistics` per year (the paper's tables 4 and 5 over time), a bounded number of queries a year."""
    supported = market.supported_years()
    return [market_statistics(market, y, today=today) for y in years if y in supported]


def statistics_across_markets(markets, year: int, *, today: datetime.date | None = None):
    """One `MarketStatistics` per market for a year: the national administrator's comparison."""
    return [market_statistics(m, year, today=today) for m in markets if year in m.supported_years()]

"""The deadline calendar of each firm-year, from its market's rule pack.

A due date is the rule's date for the compliance year, plus the rule pack's first-year extension
when the year is the market's first compliance year, plus any extension the regulator granted the
firm for that deadline.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from mrv.models import DeadlineRule, Firm, Market, RulePack

from .models import DeadlineExtension

QUARTERLY_KINDS = {
    DeadlineRule.Kind.Q1_REPORT: 1,
    DeadlineRule.Kind.Q2_REPORT: 2,
    DeadlineRule.Kind.Q3_REPORT: 3,
    DeadlineRule.Kind.Q4_REPORT: 4,
}


@dataclass(frozen=True)
class Deadline:
    firm: Firm
    year: int
    kind: str
    due_date: datetime.date
    extension_days: int

    @property
    def label(self) -> str:
        return DeadlineRule.Kind(self.kind).label

    def days_left(self, today: datetime.date) -> int:
        return (self.due_date - today).days


class RulePackCache:
    """Each market's rule packs with their deadlines, loaded once (two queries a market) for a scan or page."""

    def __init__(self):
        self._packs: dict[int, list[RulePack]] = {}

    def get(self, market: Market, year: int) -> RulePack | None:
        """The pack in force for the year: the latest one valid from or before it (as `Market.rule_pack_for`)."""
        if market.pk not in self._packs:
            packs = RulePack.objects.filter(market=market).order_by("-valid_from_year").prefetch_related("deadlines")
            self._packs[market.pk] = list(packs)
        return next((p for p in self._packs[market.pk] if p.valid_from_year <= year), None)


def first_year_extension_days(pack: RulePack, market: Market, year: int) -> int:
    return pack.first_year_extension_days if year == market.first_compliance_year else 0


def rules_in_force(pack: RulePack) -> list[DeadlineRule]:
    """The pack's deadlines; quarterly reports only where the market requires them."""
    return [r for r in pack.deadlines.all() if pack.quarterly_reporting or r.kind not in QUARTERLY_KINDS]


def market_due_date(market: Market, year: int, kind: str, packs: RulePackCache | None = None) -> datetime.date | None:
    """The market-wide due date of one deadline (first-year extension included, no firm extension)."""
    pack = (packs or RulePackCache()).get(market, year)
    rule = next((r for r in rules_in_force(pack) if r.kind == kind), None) if pack else None
    if rule is None:
        return None
    return rule.due_date(year, first_year_extension_days(pack, market, year))


def extensions_for(firms: Iterable[Firm], years: Iterable[int]) -> dict[tuple[int, int, str], int]:
    rows = DeadlineExtension.objects.filter(firm__in=list(firms), year__in=list(years))
    return {(e.firm_id, e.year, e.kind): e.extra_days for e in rows}


def is_covered(firm: Firm, year: int, listed: dict | None = None) -> bool:
    """On the market-year's approved covered-firm list (`listed`: `mrv.coverage.approved_lists`), or, where
    none is approved, on the register from its first compliance year (and the firm's covered-since year)."""
    if listed is not None and (firm.market_id, year) in listed:
        return firm.pk in listed[(firm.market_id, year)]
    return year >= firm.market.first_compliance_year and (firm.covered_since is None or year >= firm.covered_since)


def covered_lists(firms: list[Firm], years: list[int]) -> dict:
    from mrv.coverage import approved_lists

    return approved_lists({f.market_id for f in firms}, years)


def firm_deadlines(
    firms: Iterable[Firm], years: Iterable[int], *, packs: RulePackCache | None = None
) -> list[Deadline]:
    """Every deadline of the given firms (with `market` loaded) in the given compliance years."""
    firms, years, packs = list(firms), list(years), packs or RulePackCache()
    extensions = extensions_for(firms, years)
    listed = covered_lists(firms, years)
    result = []
    for firm in firms:
        for year in years:
            pack = packs.get(firm.market, year) if is_covered(firm, year, listed) else None
            if pack is None:
                continue
            first_year = first_year_extension_days(pack, firm.market, year)
            for rule in rules_in_force(pack):
                extra = first_year + extensions.get((firm.pk, year, rule.kind), 0)
                result.append(Deadline(firm, year, rule.kind, rule.due_date(year, extra), extra))
    return sorted(result, key=lambda d: (d.due_date, d.firm.name, d.kind))

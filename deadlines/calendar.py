"""The deadline calendar of each firm-year, from its market's rule pack.

Due dates come from `mrv.due_dates` (rule, first-year extension, the firm's granted extension), the one
place every other part of the product asks too.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from mrv.due_dates import (  # noqa: F401 (re-exported: the calendar's callers import them from here)
    QUARTERLY_KINDS,
    RulePackCache,
    due_date,
    extensions_for,
    first_year_extension_days,
    market_due_date,
    rules_in_force,
)
from mrv.models import DeadlineRule, Firm
from mrv.models.clocks import WorkDeadline, deadline_label

#: The deadlines a firm's own users must meet; the verification and review deadlines are the verifier's
#: and the regulator's (home pages list each user's own, the reminders go to whoever must act).
FIRM_KINDS = frozenset(
    {
        DeadlineRule.Kind.MONITORING_PLAN,
        DeadlineRule.Kind.ANNUAL_REPORT,
        DeadlineRule.Kind.COMPLIANCE,
        *QUARTERLY_KINDS,
        WorkDeadline.FINDING_RESPONSE,
        WorkDeadline.MONTHLY_DEPOSIT,
    }
)
VERIFIER_KINDS = frozenset({DeadlineRule.Kind.VERIFICATION})
WORK_KINDS = frozenset({WorkDeadline.FINDING_RESPONSE, WorkDeadline.MONTHLY_DEPOSIT})


@dataclass(frozen=True)
class Deadline:
    firm: Firm
    year: int
    kind: str
    due_date: datetime.date
    extension_days: int

    @property
    def label(self) -> str:
        return deadline_label(self.kind)

    def days_left(self, today: datetime.date) -> int:
        return (self.due_date - today).days


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
                due = due_date(firm, year, rule.kind, packs=packs, extensions=extensions)
                extra = first_year + extensions.get((firm.pk, year, rule.kind), 0)
                result.append(Deadline(firm, year, rule.kind, due, extra))
    return sorted(result, key=lambda d: (d.due_date, d.firm.name, d.kind))


def covered_condition(market, year: int, listed: dict) -> Q:
    """`is_covered` as a condition on `Firm` for one market-year (`listed`: `covered_lists`' answer)."""
    if (market.pk, year) in listed:
        return Q(pk__in=listed[(market.pk, year)])
    if year < market.first_compliance_year:
        return Q(pk__in=[])
    return Q(covered_since__isnull=True) | Q(covered_since__lte=year)

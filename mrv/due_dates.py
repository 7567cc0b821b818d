"""The one due-date rule: when a firm's deadline of a compliance year falls.

A due date is the rule pack's date for the compliance year, plus the pack's first-year extension when
the year is the market's first compliance year, plus any extension the regulator granted the firm for
that deadline. The calendar, the reminders, the lateness of a report, the compliance marking and the
statistics all ask here, so an extension counts everywhere or nowhere.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.apps import apps

if TYPE_CHECKING:
    from mrv.models import DeadlineRule, Firm, Market, RulePack

# The workflow predicates (imported by the models) ask for due dates, so this module reads the
# models through the app registry instead of importing them.
QUARTERLY_KINDS = {"q1_report": 1, "q2_report": 2, "q3_report": 3, "q4_report": 4}


def _model(name: str):
    return apps.get_model("mrv", name)


class RulePackCache:
    """Each market's rule packs with their deadlines, loaded once (one query a market) for a scan or page."""

    def __init__(self):
        self._packs: dict[int, list[RulePack]] = {}

    def get(self, market: Market, year: int) -> RulePack | None:
        """The pack in force for the year: the latest one valid from or before it (as `Market.rule_pack_for`)."""
        if market.pk not in self._packs:
            packs = (
                _model("RulePack")
                .objects.filter(market=market)
                .order_by("-valid_from_year")
                .prefetch_related("deadlines")
            )
            self._packs[market.pk] = list(packs)
        return next((p for p in self._packs[market.pk] if p.valid_from_year <= year), None)


def first_year_extension_days(pack: RulePack, market: Market, year: int) -> int:
    return pack.first_year_extension_days if year == market.first_compliance_year else 0


def rules_in_force(pack: RulePack) -> list[DeadlineRule]:
    """The pack's deadlines; quarterly reports only where the market requires them."""
    return [r for r in pack.deadlines.all() if pack.quarterly_reporting or r.kind not in QUARTERLY_KINDS]


def market_due_date(market: Market, year: int, kind: str, packs: RulePackCache | None = None) -> datetime.date | None:
    """The market-wide due date of one deadline (first-year extension included, no firm's extension)."""
    pack = (packs or RulePackCache()).get(market, year)
    rule = next((r for r in rules_in_force(pack) if r.kind == kind), None) if pack else None
    if rule is None:
        return None
    return rule.due_date(year, first_year_extension_days(pack, market, year))


def extensions_for(firms: Iterable[Firm], years: Iterable[int]) -> dict[tuple[int, int, str], int]:
    """Granted extra days by (firm id, year, kind), in one query."""
    rows = _model("DeadlineExtension").objects.filter(firm__in=list(firms), year__in=list(years))
    return {(e.firm_id, e.year, e.kind): e.extra_days for e in rows}


def due_date(
    firm: Firm,
    year: int,
    kind: str,
    *,
    packs: RulePackCache | None = None,
    extensions: dict[tuple[int, int, str], int] | None = None,
) -> datetime.date | None:
    """The firm's due date of one deadline of a compliance year, or None where its market has no such deadline.

    Pass `packs` and `extensions` (from `extensions_for`) when computing many, to keep queries bounded.
    """
    market_due = market_due_date(firm.market, year, kind, packs)
    if market_due is None:
        return None
    if extensions is None:
        extensions = extensions_for([firm], [year])
    return market_due + datetime.timedelta(days=extensions.get((firm.pk, year, kind), 0))


def due_dates(
    firms: Iterable[Firm], year: int, kind: str, *, packs: RulePackCache | None = None
) -> dict[int, datetime.date | None]:
    """`due_date` of many firms (with `market` loaded) by firm id, in a bounded number of queries."""
    firms = list(firms)
    packs, extensions = packs or RulePackCache(), extensions_for(firms, [year])
    return {f.pk: due_date(f, year, kind, packs=packs, extensions=extensions) for f in firms}

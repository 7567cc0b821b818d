"""The one due-date rule: when a firm's deadline of a compliance year falls.

A due date is the rule pack's date for the compliance year, plus the pack's first-year extension when
the year is the market's first compliance year, plus any extension the regulator granted the firm for
that deadline, plus the whole days a request for information about it was open (its clock stood still).
A finding's response deadline is its date (the pack's default days after it was raised, or the
verifier's) plus the whole days of the requests about it; a report's is the earliest of its open
findings'. A monthly deposit is due the pack's days after the month ends. The calendar, the reminders, the lateness of a report, the compliance marking and the
statistics all ask here, so an extension counts everywhere or nowhere.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone

if TYPE_CHECKING:
    from mrv.models import DeadlineRule, Firm, Market, RulePack

# The workflow predicates (imported by the models) ask for due dates, so this module reads the
# models through the app registry instead of importing them.
QUARTERLY_KINDS = {"q1_report": 1, "q2_report": 2, "q3_report": 3, "q4_report": 4}


def _model(name: str):
    return apps.get_model("mrv", name)


def _lazy(firms: Iterable[Firm]):
    """A queryset stays a queryset (a subquery), any other iterable becomes a list."""
    return firms if isinstance(firms, QuerySet) else list(firms)


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


def extensions_for(
    firms: Iterable[Firm], years: Iterable[int], *, now: datetime.datetime | None = None
) -> dict[tuple[int, int, str], int]:
    """Days each deadline moved by (firm id, year, kind): granted extra days plus paused days, in two queries.
    `firms` may be a queryset (read as a subquery: the cost follows the moved deadlines, not the firms)."""
    firms, years = _lazy(firms), list(years)
    moved = {
        (e.firm_id, e.year, e.kind): e.extra_days
        for e in _model("DeadlineExtension").objects.filter(firm__in=firms, year__in=years)
    }
    for key, days in paused_days_for(firms, years, now=now).items():
        moved[key] = moved.get(key, 0) + days
    return moved


# --- Requests for information: a clock that stands still -----------------------------------------

DAY = datetime.timedelta(days=1)


def whole_days_open(opened_at: datetime.datetime, closed_at: datetime.datetime | None, now: datetime.datetime) -> int:
    """Whole days (24 hours each) a request was open: to its closing, or to `now` while it is open."""
    return max(0, ((closed_at or now) - opened_at) // DAY)


def _requests(**where):
    return (
        _model("InformationRequest")
        .objects.filter(**where)
        .values_list("firm_id", "year", "kind", "finding_id", "opened_at", "closed_at")
    )


def paused_days_for(
    firms: Iterable[Firm], years: Iterable[int], *, now: datetime.datetime | None = None
) -> dict[tuple[int, int, str], int]:
    """Whole days the firms' calendar deadlines were paused, by (firm id, year, kind), in one query."""
    now, paused = now or timezone.now(), {}
    for firm_id, year, kind, _finding, opened, closed in _requests(
        firm__in=_lazy(firms), year__in=list(years), finding__isnull=True
    ):
        paused[(firm_id, year, kind)] = paused.get((firm_id, year, kind), 0) + whole_days_open(opened, closed, now)
    return paused


def finding_paused_days(finding_ids: Iterable[int], *, now: datetime.datetime | None = None) -> dict[int, int]:
    """Whole days each finding's response clock was paused, by finding id, in one query."""
    now, paused = now or timezone.now(), {}
    for _f, _y, _k, finding_id, opened, closed in _requests(finding_id__in=list(finding_ids)):
        paused[finding_id] = paused.get(finding_id, 0) + whole_days_open(opened, closed, now)
    return paused


# --- Findings and monthly deposits -------------------------------------------------------------

OPEN_FINDING = ("open", "reopened")


def finding_default_response_due(pack: RulePack, raised_on: datetime.date) -> datetime.date:
    """The response deadline a new finding gets: the pack's days after the day it was raised."""
    return raised_on + datetime.timedelta(days=pack.finding_response_days)


def finding_response_dues(findings: Iterable, *, now: datetime.datetime | None = None) -> dict[int, datetime.date]:
    """Each finding's response due date with its pauses, by finding id (findings without a date left out)."""
    findings = [f for f in findings if f.response_due]
    paused = finding_paused_days([f.pk for f in findings], now=now)
    return {f.pk: f.response_due + datetime.timedelta(days=paused.get(f.pk, 0)) for f in findings}


def report_response_due(findings: Iterable, *, now: datetime.datetime | None = None) -> datetime.date | None:
    """A report's response deadline: the earliest of its open (or reopened) findings' response dates."""
    dues = finding_response_dues([f for f in findings if f.status in OPEN_FINDING], now=now)
    return min(dues.values(), default=None)


def monthly_deposit_due(pack: RulePack, year: int, month: int) -> datetime.date | None:
    """A month's deposit is due the pack's days after the month's last day; None where the pack has none."""
    if not pack.monthly_deposit_days:
        return None
    last_day = datetime.date(year + month // 12, month % 12 + 1, 1) - DAY
    return last_day + datetime.timedelta(days=pack.monthly_deposit_days)


def extension_days_for_new_date(granted_days: int, current_due: datetime.date, new_due: datetime.date) -> int:
    """The firm's granted extra days once the regulator sets a new due date (pauses keep counting on top)."""
    return granted_days + (new_due - current_due).days


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

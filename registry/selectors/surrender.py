"""Reads of compliance: each firm-year's position, deadline and history, and the notices sealed for them.

Read from the firm-year positions (registry.positions), kept in step with the ledger and determinations.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from mrv.coverage import covered_firms
from mrv.due_dates import RulePackCache, due_date, extensions_for, market_due_date
from mrv.models import DeadlineRule, Firm, Market
from registry import positions
from registry.models import ComplianceRecord, Penalty
from registry.positions import ComplianceStatus


def compliance_deadline(market: Market, year: int) -> datetime.date | None:
    """The market-wide compliance deadline (a firm's own, with its extension, is `ComplianceStatus.deadline`)."""
    return market_due_date(market, year, DeadlineRule.Kind.COMPLIANCE)


def compliance_statuses(
    market: Market, year: int, *, firms=None, today: datetime.date | None = None
) -> list[ComplianceStatus]:
    """Status of every covered firm of the market (or of `firms`) for a year, in a fixed number of queries."""
    return positions.positions_of_market(market, year, firms=firms, today=today)


def compliance_firm_ids(market: Market, year: int) -> list[int]:
    """The ids of the market-year's covered firms in the compliance page's order (one query)."""
    return list(covered_firms(market, year).order_by("pk").values_list("pk", flat=True))


def compliance_statuses_of(market: Market, year: int, ids) -> list[ComplianceStatus]:
    """The statuses of these covered firms only (a page of the compliance page), in their id order."""
    return compliance_statuses(market, year, firms=Firm.objects.filter(pk__in=list(ids)))


def compliance_summary(market: Market, year: int) -> dict:
    """How many firms are obliged for the year, compliant and without determined emissions: counted in SQL
    (`positions.status_counts`), not from every firm's status."""
    from registry.selectors.statistics import obliged_counts

    counts = obliged_counts(market, year)
    return {
        "obliged": sum(counts.values()),
        "compliant": counts[positions.Status.COMPLIANT],
        "missing": counts[positions.Status.EMISSIONS_MISSING],
    }


def compliance_status(firm: Firm, year: int, *, today: datetime.date | None = None) -> ComplianceStatus:
    """One firm's status for a compliance year (cumulative across years): one indexed query."""
    return positions.position_of(firm, year, today=today)


def firms_by_id(*, ids) -> dict[int, Firm]:
    """The firms with these ids, by id (one query)."""
    return Firm.objects.in_bulk(list(ids))


def compliance_rows(*, market: Market, year: int) -> list[tuple[Firm, ComplianceStatus]]:
    """Every covered firm of the market with its status for the year (the compliance exports' rows)."""
    statuses = compliance_statuses(market, year)
    firms = firms_by_id(ids=[s.firm_id for s in statuses])
    return [(firms[s.firm_id], s) for s in statuses]


@dataclass
class YearPosition:
    """One compliance year of a firm, as its account page shows it."""

    status: ComplianceStatus
    record: ComplianceRecord | None = None
    penalty: object = None
    penalty_history: list = field(default_factory=list)


def coverage_span(firm: Firm, today: datetime.date) -> list[int]:
    """The firm's covered years that are over: from its first covered year to its last (or last year)."""
    first = max(firm.market.first_compliance_year, firm.covered_since or firm.market.first_compliance_year)
    last = min(firm.covered_until or today.year - 1, today.year - 1)
    return list(range(first, last + 1))


def compliance_history(firm: Firm, *, today: datetime.date | None = None) -> list[YearPosition]:
    """Every compliance year of a firm that is covered and over, or has an obligation, a surrender, a finding
    or a penalty, newest first; each with its deadline, shortfall, offset headroom, lateness and penalty (with
    the penalty's audit history). A fixed number of queries whatever the number of years."""
    from mrv.models import AuditLog

    today = today or timezone.localdate()
    rows = positions.positions_of_firm(firm)
    records = {r.year: r for r in ComplianceRecord.objects.filter(firm=firm)}
    penalties = {p.year: p for p in Penalty.objects.filter(firm=firm).select_related("decided_by")}
    logs = AuditLog.objects.filter(
        content_type__app_label="registry",
        content_type__model="penalty",
        object_id__in=[str(p.pk) for p in penalties.values()],
    ).select_related("actor")
    history = defaultdict(list)
    for log in logs.order_by("at", "id"):
        history[log.object_id].append(log)
    span = coverage_span(firm, today)
    covered = positions.covered_years(firm, set(span) | set(rows))
    years = set(rows) | set(records) | set(penalties) | covered
    packs = RulePackCache()
    extensions = extensions_for([firm], years)
    result = []
    for year in sorted(years, reverse=True):
        if packs.get(firm.market, year) is None:  # a year before the market's first rules: nothing to show
            continue
        row = rows.get(year)
        deadline = None
        if row is None:
            deadline = due_date(firm, year, DeadlineRule.Kind.COMPLIANCE, packs=packs, extensions=extensions)
        status = positions.status_of(firm.pk, year, row, covered=year in covered, today=today, deadline=deadline)
        penalty = penalties.get(year)
        result.append(
            YearPosition(
                status=status,
                record=records.get(year),
                penalty=penalty,
                penalty_history=history.get(str(penalty.pk), []) if penalty else [],
            )
        )
    return result


def notice_seals(market: Market, year: int, kind: str) -> dict[int, object]:
    """The sealed notices of a kind for a market-year, by firm (one query)."""
    from mrv.models import Seal

    return {s.firm_id: s for s in Seal.objects.filter(market=market, year=year, kind=kind).order_by("signed_at")}


def firm_credit_codes(*, ids) -> dict[int, str]:
    """The unified social credit codes of the firms with these ids, by id (one query)."""
    return dict(Firm.objects.filter(pk__in=list(ids)).values_list("pk", "credit_code"))


def firm_names(*, ids) -> dict[int, str]:
    """The names of the firms with these ids, by id (one query)."""
    return dict(Firm.objects.filter(pk__in=list(ids)).values_list("pk", "name"))

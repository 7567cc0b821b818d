"""Reads: holdings, compliance status, allocation and the statistics the regulator needs."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrv.due_dates import RulePackCache, due_date, extensions_for, market_due_date
from mrv.models import DeadlineRule, Firm, Market
from registry import positions
from registry.models import (
    ALLOWANCE,
    Account,
    AllocationLine,
    AllocationTable,
    ComplianceRecord,
    Entry,
    MarketCap,
    Penalty,
    TrustedAccount,
)
from registry.models import Transaction as Tx
from registry.positions import DETERMINED, ComplianceStatus, Status, offset_cap  # noqa: F401  (read from here)

ZERO = Decimal(0)


def holdings(account: Account) -> list[dict]:
    """Non-zero holdings by unit, vintage and project."""
    rows = (
        Entry.objects.filter(account=account)
        .values("unit_type", "vintage", "project")
        .annotate(quantity=Sum("quantity"))
        .order_by("unit_type", "vintage", "project")
    )
    return [r for r in rows if r["quantity"]]


def representatives(account: Account) -> list:
    """The authorised representatives of a holding account: its firm's approvers and the people designated for it."""
    from mrv.models import User

    if account.firm_id is None:
        return []
    return list(
        User.objects.filter(is_active=True, firm_id=account.firm_id).filter(
            Q(role=User.Role.FIRM_APPROVER) | Q(pk__in=account.representatives.values("user_id"))
        )
    )


def is_trusted(account: Account, other: Account, *, now: datetime.datetime | None = None) -> bool:
    """`other` is on `account`'s trusted list and its addition's delay has passed."""
    return TrustedAccount.objects.filter(
        account=account,
        trusted=other,
        status=TrustedAccount.Status.APPROVED,
        active_from__lte=now or timezone.now(),
    ).exists()


def account_balances(accounts) -> dict[int, Decimal]:
    """Total units (all kinds) per account, in one query."""
    rows = Entry.objects.filter(account__in=accounts).values("account").annotate(q=Sum("quantity"))
    return {r["account"]: r["q"] for r in rows}


def issued_total(market: Market, vintage: int) -> Decimal:
    """Allowances of a vintage that have left the issuance account (net)."""
    total = Entry.objects.filter(
        account__market=market, account__kind=Account.Kind.ISSUANCE, unit_type=ALLOWANCE, vintage=vintage
    ).aggregate(q=Sum("quantity"))["q"]
    return -(total or ZERO)


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


# --- Compliance --------------------------------------------------------------------------------
# Read from the firm-year positions (registry.positions), kept in step with the ledger and determinations.


def compliance_deadline(market: Market, year: int) -> datetime.date | None:
    """The market-wide compliance deadline (a firm's own, with its extension, is `ComplianceStatus.deadline`)."""
    return market_due_date(market, year, DeadlineRule.Kind.COMPLIANCE)


def compliance_statuses(
    market: Market, year: int, *, firms=None, today: datetime.date | None = None
) -> list[ComplianceStatus]:
    """Status of every covered firm of the market (or of `firms`) for a year, in a fixed number of queries."""
    return positions.positions_of_market(market, year, firms=firms, today=today)


def compliance_status(firm: Firm, year: int, *, today: datetime.date | None = None) -> ComplianceStatus:
    """One firm's status for a compliance year (cumulative across years): one indexed query."""
    return positions.position_of(firm, year, today=today)


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


def penalised_firm_ids(market: Market, year: int) -> set[int]:
    """Firms with a penalty for the year, whatever its state (one penalty per firm-year)."""
    return set(Penalty.objects.filter(firm__market=market, year=year).values_list("firm_id", flat=True))


# --- Statistics --------------------------------------------------------------------------------


def rate_pct(part: Decimal | int, whole: Decimal | int | None) -> Decimal | None:
    """A percentage rounded half-up to one decimal (1,230 / 1,236 = 99.51… → 99.5); None without a whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def covered_firm_ids(market: Market, year: int) -> set[int]:
    """Firms the market covered in the year (its approved covered-firm list, else its register)."""
    from mrv.coverage import covered_firms

    return set(covered_firms(market, year).values_list("pk", flat=True))


def obliged_statuses(market: Market, year: int, *, today: datetime.date | None = None) -> list[ComplianceStatus]:
    """The firms obliged to comply for a year: every covered firm whose year the regulator did not exclude.

    A covered firm whose emissions were never determined is obliged and "emissions missing": it stays in the
    denominator of the compliance rate and is not compliant.
    """
    return [s for s in compliance_statuses(market, year, today=today) if s.status != Status.EXCLUDED]


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
    """Units moved between firms in trades and transfers dated in the year, net of their reversals."""
    trades = Entry.objects.filter(
        account__market=market,
        account__kind=Account.Kind.HOLDING,
        quantity__gt=0,
        transaction__kind__in=[Tx.Kind.TRADE, Tx.Kind.TRANSFER],
        transaction__trade_date__year=year,
    )
    reversed_ = Entry.objects.filter(
        account__market=market,
        account__kind=Account.Kind.HOLDING,
        quantity__lt=0,
        transaction__kind=Tx.Kind.REVERSAL,
        transaction__reverses__kind__in=[Tx.Kind.TRADE, Tx.Kind.TRANSFER],
        transaction__reverses__trade_date__year=year,
    )
    return _sum(trades) + _sum(reversed_)


def market_statistics(market: Market, year: int, *, today: datetime.date | None = None) -> MarketStatistics:
    statuses = obliged_statuses(market, year, today=today)
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
        obliged_firms=len(statuses),
        compliant_firms=sum(1 for s in statuses if s.status == Status.COMPLIANT),
        cap_tco2e=cap.cap_tco2e if cap else None,
        missing_firms=sum(1 for s in statuses if s.status == Status.EMISSIONS_MISSING),
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
        obliged = obliged_statuses(market, year, today=today)
        compliant = sum(1 for s in obliged if s.status == Status.COMPLIANT)
        missing = sum(1 for s in obliged if s.status == Status.EMISSIONS_MISSING)
        rates.append(ComplianceRate(year, len(obliged), compliant, missing))
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


def notice_seals(market: Market, year: int, kind: str) -> dict[int, object]:
    """The sealed notices of a kind for a market-year, by firm (one query)."""
    from mrv.models import Seal

    return {s.firm_id: s for s in Seal.objects.filter(market=market, year=year, kind=kind).order_by("signed_at")}


def penalty_seals(penalties) -> dict[int, object]:
    """The sealed penalty notices of these penalties, by penalty id (one query)."""
    from mrv.models import Seal

    ids = [p.pk for p in penalties]
    return {s.object_id: s for s in Seal.objects.filter(kind=Seal.Kind.PENALTY, object_id__in=ids)}


def line_seals(table) -> dict[int, object]:
    """The sealed allocation notices of a table's lines, by line id (one query)."""
    from mrv.models import Seal

    lines = table.lines.values("pk")
    return {s.object_id: s for s in Seal.objects.filter(kind=Seal.Kind.ALLOCATION, object_id__in=lines)}

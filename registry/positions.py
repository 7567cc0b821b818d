"""The firm-year compliance position: kept in step with the ledger and the determinations, read in one query.

`refresh_firms` recomputes every year of the given firms from the ledger, the determined emissions, the
deadlines and the regulator's coverage changes, and writes `FirmYearPosition` rows (set-based: a fixed number
of queries per batch of firms). It runs inside the transaction of every surrender and reversal
(`registry.ledger.record`), of every save of a determined report and of every extension, finding and coverage
change (receivers in `registry.apps`), so a position is never behind what it summarises; `manage.py
rebuild_positions` fills it for existing data.

The status is not stored: it depends on today against the deadline and is derived by one rule,
`STATUS_RULE`, read by `status_of` for a firm-year and by `status_case` in SQL (the statistics' counts). After
the deadline the status is the one "on time" figures give (movements recorded by the end of the deadline day):
the year is frozen at its deadline, and what was surrendered later shows as late without rewriting it.
"""

import datetime
import functools
import operator
from collections import Counter, defaultdict, namedtuple
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrv.coverage import approved_lists, covered_firms
from mrv.due_dates import RulePackCache, due_date, extensions_for, market_due_date
from mrv.models import DeadlineRule, EmissionReport, Firm, Market
from registry.models import (
    ALLOWANCE,
    Account,
    ComplianceRecord,
    CoverageChange,
    Entry,
    FirmYearPosition,
    Penalty,
)
from registry.models import Transaction as Tx

ZERO = Decimal(0)
# The report states whose `determined_emissions_tco2e` is in force (a pending correction keeps the old figure).
DETERMINED = (
    EmissionReport.Status.DETERMINED,
    EmissionReport.Status.CLOSED,
    EmissionReport.Status.REDETERMINATION_PROPOSED,
)
BATCH = 500  # firms per set-based refresh


class Status:
    NO_OBLIGATION = "no_obligation"
    EMISSIONS_MISSING = "emissions_missing"
    OUTSTANDING = "outstanding"
    COMPLIANT = "compliant"
    NON_COMPLIANT = "non_compliant"
    EXCLUDED = "excluded"

    LABELS = {
        NO_OBLIGATION: _("no obligation yet"),
        EMISSIONS_MISSING: _("emissions missing"),
        OUTSTANDING: _("outstanding"),
        COMPLIANT: _("compliant"),
        NON_COMPLIANT: _("non-compliant"),
        EXCLUDED: _("excluded from coverage"),
    }


@dataclass
class ComplianceStatus:
    firm_id: int
    year: int
    status: str
    obligation_tco2e: Decimal | None
    allowances_tco2e: Decimal = ZERO
    offsets_tco2e: Decimal = ZERO
    offset_cap_tco2e: Decimal = ZERO
    carried_in_tco2e: Decimal = ZERO
    shortfall_tco2e: Decimal = ZERO  # what is still owed now
    frozen_shortfall_tco2e: Decimal = ZERO  # what was owed at the end of the deadline day
    late_tco2e: Decimal = ZERO  # counted for the year from movements recorded after its deadline
    deadline: datetime.date | None = None
    frozen: bool = False  # the deadline has passed: the status is the one at the deadline
    covered: bool = False
    marked: bool = False
    late: bool = False
    by_year: dict = field(default_factory=dict)

    @property
    def label(self):
        return Status.LABELS[self.status]

    @property
    def remaining_tco2e(self) -> Decimal:
        return self.shortfall_tco2e

    @property
    def offset_headroom_tco2e(self) -> Decimal:
        return max(ZERO, self.offset_cap_tco2e - self.offsets_tco2e)

    @property
    def is_missing(self) -> bool:
        return self.status == Status.EMISSIONS_MISSING


def offset_cap(obligation_tco2e: Decimal | None, offset_cap_pct: Decimal) -> Decimal:
    if not obligation_tco2e:
        return ZERO
    return (obligation_tco2e * offset_cap_pct / 100).quantize(Decimal(1), rounding=ROUND_DOWN)


# --- Deriving the status ---------------------------------------------------------------------------


#: The stored figures `status_of` reads from a position row.
STATUS_FIELDS = (
    "deadline",
    "obligation_tco2e",
    "allowances_tco2e",
    "offsets_tco2e",
    "offset_cap_tco2e",
    "carried_in_tco2e",
    "balance_tco2e",
    "on_time_balance_tco2e",
    "late_tco2e",
    "excluded",
    "marked",
)
#: The figures of a firm-year nothing was recorded for: none, and the deadline it would have.
Unrecorded = namedtuple("Unrecorded", STATUS_FIELDS, defaults=(None,) * len(STATUS_FIELDS))

#: The status of a firm-year: the first line whose facts all hold (`_facts` says what each one tests). `status_of`
#: reads it in Python for one firm-year and `status_case` in SQL for a market's, so the two cannot disagree.
STATUS_RULE = (
    (Status.EXCLUDED, ("excluded",)),
    (Status.EMISSIONS_MISSING, ("undetermined", "covered", "year_over")),
    (Status.NO_OBLIGATION, ("undetermined",)),
    (Status.COMPLIANT, ("past_deadline", "paid_on_time")),
    (Status.NON_COMPLIANT, ("past_deadline",)),
    (Status.COMPLIANT, ("paid",)),
    (Status.NON_COMPLIANT, ("marked",)),
    (Status.OUTSTANDING, ()),
)


@functools.lru_cache(maxsize=256)
def _facts(year: int, today: datetime.date, covered: bool) -> dict:
    """Each fact: known from the year, today and coverage (a bool), or a test of one stored figure,
    (figure, lookup, value), with SQL's meaning: a missing figure (None, NULL) passes no test."""
    past = ("deadline", "lt", today)
    return {
        "excluded": ("excluded", "exact", True),
        "undetermined": ("obligation_tco2e", "isnull", True),
        "covered": covered,
        "year_over": True if year < today.year else past,
        "past_deadline": past,
        "paid_on_time": ("on_time_balance_tco2e", "gte", ZERO),
        "paid": ("balance_tco2e", "gte", ZERO),
        "marked": ("marked", "exact", True),
    }


#: Each lookup of a test, as a predicate of the figures given how to read the figure and the value it tests against.
_LOOKUPS = {
    "exact": lambda figure, value: lambda figures: (f := figure(figures)) is not None and f == value,
    "isnull": lambda figure, value: lambda figures: (figure(figures) is None) == value,
    "lt": lambda figure, value: lambda figures: (f := figure(figures)) is not None and f < value,
    "gte": lambda figure, value: lambda figures: (f := figure(figures)) is not None and f >= value,
}


@functools.lru_cache(maxsize=256)
def _rule(year: int, today: datetime.date, covered: bool) -> tuple:
    """`STATUS_RULE` for a year, today and coverage: (status, tests of figures) per line that can still be the
    first to hold, known facts taken out, ending with the first line that always holds."""
    facts, lines = _facts(year, today, covered), []
    for status, needs in STATUS_RULE:
        if any(facts[n] is False for n in needs):
            continue
        tests = tuple(dict.fromkeys(facts[n] for n in needs if facts[n] is not True))
        if any(set(earlier) <= set(tests) for _status, earlier in lines):
            continue  # whenever it holds, an earlier line does
        lines.append((status, tests))
        if not tests:
            break
    return tuple(lines)


def _check(test):
    """A test of one figure as a predicate of the figures (a position row, or `Unrecorded`)."""
    name, lookup, value = test
    return _LOOKUPS[lookup](operator.attrgetter(name), value)


@functools.lru_cache(maxsize=256)
def _checks(year: int, today: datetime.date, covered: bool) -> tuple:
    """`_rule` with its tests as predicates (a page reads 10,000 firm-years through them), and "past deadline"."""
    lines = tuple((status, tuple(map(_check, tests))) for status, tests in _rule(year, today, covered))
    return lines, _check(_facts(year, today, covered)["past_deadline"])


def _first_holding(lines: tuple, figures) -> str:
    for status, checks in lines:
        for check in checks:
            if not check(figures):
                break
        else:
            return status
    raise AssertionError("the rule ends with a line that always holds")


def status_by_rule(figures, *, year: int, today: datetime.date, covered: bool) -> str:
    """The status `STATUS_RULE` gives a firm-year's figures (a position row, or `Unrecorded`)."""
    return _first_holding(_checks(year, today, covered)[0], figures)


def _unrecorded_status_needs_deadline(year: int, today: datetime.date) -> bool:
    """Whether the rule reads the deadline of a covered firm-year without a position (not once the year is over)."""
    blank = Unrecorded()
    for _status, tests in _rule(year, today, True):
        others = [t for t in tests if t[0] != "deadline"]
        if all(_check(t)(blank) for t in others):
            return len(others) < len(tests)
    raise AssertionError("the rule ends with a line that always holds")


def status_case(*, year: int, today: datetime.date, figures: dict[str, str]) -> Case:
    """`STATUS_RULE` in SQL for covered firms: `figures` names the expression of each figure it tests."""
    whens = []
    for status, tests in _rule(year, today, True):
        if not tests:
            return Case(*whens, default=Value(status), output_field=CharField())
        condition = Q(*(Q(**{f"{figures[name]}__{lookup}": value}) for name, lookup, value in tests))
        whens.append(When(condition, then=Value(status)))
    raise AssertionError("the rule ends with a line that always holds")


def status_of(
    firm_id: int,
    year: int,
    row,  # a FirmYearPosition, or a row of its STATUS_FIELDS; None: nothing recorded
    *,
    covered: bool,
    today: datetime.date,
    deadline: datetime.date | None = None,
) -> ComplianceStatus:
    """The status of a firm-year from its stored figures (None: nothing recorded) and today.

    A covered year without determined emissions is "emissions missing" once the year is over (never "no
    obligation", never compliant); an excluded year is "excluded"; after the deadline the status is frozen.
    """
    figures = row if row is not None else Unrecorded(deadline=deadline)
    lines, past_deadline = _checks(year, today, covered)
    status = _first_holding(lines, figures)
    result = ComplianceStatus(
        firm_id=firm_id, year=year, status=status, obligation_tco2e=None, deadline=figures.deadline, covered=covered
    )
    if row is None:
        return result
    result.obligation_tco2e = row.obligation_tco2e
    result.allowances_tco2e = row.allowances_tco2e
    result.offsets_tco2e = row.offsets_tco2e
    result.offset_cap_tco2e = row.offset_cap_tco2e
    result.carried_in_tco2e = row.carried_in_tco2e
    result.marked = row.marked
    result.late_tco2e = row.late_tco2e
    if row.excluded or row.obligation_tco2e is None:
        return result
    result.shortfall_tco2e = max(ZERO, -row.balance_tco2e)
    result.frozen_shortfall_tco2e = max(ZERO, -row.on_time_balance_tco2e)
    result.frozen = past_deadline(row)
    result.late = row.late_tco2e != 0 if result.frozen else status == Status.COMPLIANT and row.marked
    return result


# --- Reading ---------------------------------------------------------------------------------------


def position_of(firm: Firm, year: int, *, today: datetime.date | None = None) -> ComplianceStatus:
    """One firm's position for a year: one indexed query (by firm and year). Whether the firm is covered is
    asked only when nothing is determined (it tells "emissions missing" from "no obligation yet")."""
    today = today or timezone.localdate()
    row = next(iter(FirmYearPosition.objects.filter(firm_id=firm.pk, year=year).order_by()[:1]), None)
    if row is not None and (row.obligation_tco2e is not None or row.excluded):
        return status_of(firm.pk, year, row, covered=True, today=today)
    is_covered = covered_firms(firm.market, year).filter(pk=firm.pk).exists()
    deadline = None if row is not None else due_date(firm, year, DeadlineRule.Kind.COMPLIANCE)
    return status_of(firm.pk, year, row, covered=is_covered, today=today, deadline=deadline)


def positions_of_market(
    market: Market, year: int, *, firms=None, today: datetime.date | None = None
) -> list[ComplianceStatus]:
    """Every covered firm's (or `firms`') position for a year, in a fixed number of queries."""
    today = today or timezone.localdate()
    firm_qs = firms if firms is not None else covered_firms(market, year)
    ids = list(firm_qs.order_by("pk").values_list("pk", flat=True))
    # The stored figures as light named rows (what `status_of` reads), not model instances: at national scale a
    # page reads 10,000 a year, and building models was most of its time.
    stored = FirmYearPosition.objects.filter(year=year, firm_id__in=firm_qs.order_by().values("pk")).order_by()
    rows = {r.firm_id: r for r in stored.values_list("firm_id", *STATUS_FIELDS, named=True)}
    if firms is None:
        covered = set(ids)
    else:
        covered = set(covered_firms(market, year).filter(pk__in=ids).values_list("pk", flat=True))
    market_due, moved = None, {}
    if any(fid not in rows for fid in ids):
        market_due, moved = _unrecorded_deadlines(market, year, firm_qs)
    return [
        status_of(fid, year, rows.get(fid), covered=fid in covered, today=today, deadline=moved.get(fid, market_due))
        for fid in ids
    ]


def _unrecorded_deadlines(market: Market, year: int, firm_qs) -> tuple[datetime.date | None, dict]:
    """The compliance deadline of `firm_qs`' firms that have no position for the year: the market's, and by firm
    the ones an extension or a pause moved."""
    market_due = market_due_date(market, year, DeadlineRule.Kind.COMPLIANCE)
    if market_due is None:
        return None, {}
    # Read through the firms' query (a subquery), not a list of their ids: only the moved deadlines come back.
    extended = extensions_for(firm_qs.order_by(), [year])
    moved = {
        fid: market_due + datetime.timedelta(days=extra)
        for (fid, y, kind), extra in extended.items()
        if y == year and kind == DeadlineRule.Kind.COMPLIANCE
    }
    return market_due, moved


#: Where `status_counts` finds each figure `STATUS_RULE` tests: the firm's position for the year, joined.
_JOINED_FIGURES = {name: f"position__{name}" for name in STATUS_FIELDS} | {"deadline": "deadline_in_force"}


def status_counts(market: Market, year: int, *, today: datetime.date | None = None) -> Counter:
    """How many covered firms of the market have each status for the year: one grouped query, the status by
    `STATUS_RULE` in SQL (while the year is not over, first the due dates of the firms without a position, in a
    few queries), however many firms: the statistics' counts, without reading 10,000 positions into Python."""
    today = today or timezone.localdate()
    firms = covered_firms(market, year).order_by()
    deadline = _deadline_in_force(market, year, today, firms)
    rows = (
        firms.annotate(position=FilteredRelation("positions", condition=Q(positions__year=year)))
        .annotate(deadline_in_force=deadline)
        .annotate(status=status_case(year=year, today=today, figures=_JOINED_FIGURES))
        .values("status")
        .annotate(firms=Count("pk"))
    )
    return Counter({r["status"]: r["firms"] for r in rows})


def _deadline_in_force(market: Market, year: int, today: datetime.date, firms):
    """The deadline `status_of` reads, in SQL: the position's, else (no position) the firm's due date, where the
    rule needs it (the ones a firm's extension or pause moved, by firm, in the query)."""
    if not _unrecorded_status_needs_deadline(year, today):
        return F("position__deadline")
    market_due, moved = _unrecorded_deadlines(market, year, firms)
    by_day = defaultdict(list)
    for fid, day in moved.items():
        by_day[day].append(fid)
    due = Case(
        *(When(pk__in=ids, then=Value(day)) for day, ids in sorted(by_day.items())),
        default=Value(market_due),
        output_field=DateField(),
    )
    return Case(When(position__id__isnull=True, then=due), default=F("position__deadline"), output_field=DateField())


def firms_missing_emissions(market: Market, year: int):
    """The covered firms of a year that is over without determined emissions (and not excluded): one lazy query."""
    settled = FirmYearPosition.objects.filter(firm_id=OuterRef("pk"), year=year).filter(
        Q(obligation_tco2e__isnull=False) | Q(excluded=True)
    )
    return covered_firms(market, year).exclude(Exists(settled))


def positions_of_firm(firm: Firm) -> dict[int, FirmYearPosition]:
    return {r.year: r for r in FirmYearPosition.objects.filter(firm_id=firm.pk)}


def covered_years(firm: Firm, years: Iterable[int]) -> set[int]:
    """The years among `years` in which the market covered the firm (as `mrv.coverage.covered_firms`)."""
    years = sorted(set(years))
    market = firm.market
    lists = approved_lists([market.pk], years)
    result = set()
    for y in years:
        if firm.covered_until is not None and y > firm.covered_until:
            continue
        if (market.pk, y) in lists:
            if firm.pk in lists[(market.pk, y)]:
                result.add(y)
        elif (
            y >= market.first_compliance_year
            and firm.is_active
            and (firm.covered_since is None or firm.covered_since <= y)
        ):
            result.add(y)
    return result


def surrendered_by_market(market: Market, year: int) -> tuple[Decimal, Decimal]:
    """(all units, offsets) surrendered net for a compliance year by the market's firms, from the positions."""
    totals = FirmYearPosition.objects.filter(market=market, year=year).aggregate(
        a=Sum("allowances_tco2e"), o=Sum("offsets_tco2e")
    )
    allowances, offsets = totals["a"] or ZERO, totals["o"] or ZERO
    return allowances + offsets, offsets


# --- Writing ---------------------------------------------------------------------------------------


def _lock(firm_ids: list[int]) -> None:
    """Serialise refreshes of one firm (a surrender and a determination at once recompute from one state)."""
    if connection.vendor != "postgresql" or not firm_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext('registry_position'), f) FROM unnest(%s::int[]) AS f ORDER BY f",
            [sorted(firm_ids)],
        )


lock_firms = _lock  # for writers that read positions and then write what they summarise (the compliance marking)


def findings_recorded(firm_ids: Iterable[int], year: int) -> int:
    """Findings of non-compliance were just recorded for these firms' year (in bulk, so no signal): their
    positions say so, in one statement, in the caller's transaction. Call with the firms locked (`lock_firms`)
    so that a refresh under way cannot write the old flag back. What `refresh_firms` would write (`marked` is
    "a finding exists"); a firm-year is found short only from a stored position, so the row exists."""
    return FirmYearPosition.objects.filter(firm_id__in=list(firm_ids), year=year, marked=False).update(
        marked=True, updated_at=timezone.now()
    )


def _movements(firm_ids: list[int]) -> dict:
    """firm → year → list of (recorded day, unit kind, net quantity) of surrenders and their reversals."""
    rows = (
        Entry.objects.filter(
            account__kind=Account.Kind.RETIREMENT,
            transaction__firm_id__in=firm_ids,
            transaction__compliance_year__isnull=False,
            transaction__kind__in=[Tx.Kind.SURRENDER, Tx.Kind.REVERSAL],
        )
        .annotate(day=TruncDate("transaction__created_at"))
        .values("transaction__firm_id", "transaction__compliance_year", "unit_type", "day")
        .annotate(q=Sum("quantity"))
    )
    result: dict = defaultdict(lambda: defaultdict(list))
    for r in rows:
        kind = "allowances" if r["unit_type"] == ALLOWANCE else "offsets"
        result[r["transaction__firm_id"]][r["transaction__compliance_year"]].append((r["day"], kind, r["q"]))
    return result


def _counted(moves: list, owed: Decimal | None, pct: Decimal, cutoff: datetime.date | None) -> tuple:
    allowances = sum((q for day, kind, q in moves if kind == "allowances" and (cutoff is None or day <= cutoff)), ZERO)
    offsets = sum((q for day, kind, q in moves if kind == "offsets" and (cutoff is None or day <= cutoff)), ZERO)
    return allowances, offsets, allowances + min(offsets, offset_cap(owed, pct))


def _rows_for_firm(firm: Firm, obligations, moves, excluded, marked, packs, extensions) -> list[FirmYearPosition]:
    years = sorted(set(obligations) | set(moves) | excluded | marked)
    owed = {y: (None if y in excluded else obligations.get(y)) for y in years}
    pct, deadline = {}, {}
    for y in years:
        pack = packs.get(firm.market, y)
        pct[y] = pack.offset_cap_pct if pack else ZERO
        deadline[y] = due_date(firm, y, DeadlineRule.Kind.COMPLIANCE, packs=packs, extensions=extensions)
    rows, balance = [], ZERO
    for y in years:
        allowances, offsets, counted = _counted(moves.get(y, []), owed[y], pct[y], None)
        carried = balance
        balance += counted - (owed[y] or ZERO)
        cutoff = deadline[y]
        on_time = sum(
            (_counted(moves.get(x, []), owed[x], pct[x], cutoff)[2] - (owed[x] or ZERO) for x in years if x <= y),
            ZERO,
        )
        late = counted - _counted(moves.get(y, []), owed[y], pct[y], cutoff)[2] if cutoff else ZERO
        rows.append(
            FirmYearPosition(
                firm_id=firm.pk,
                market_id=firm.market_id,
                year=y,
                obligation_tco2e=obligations.get(y),
                allowances_tco2e=allowances,
                offsets_tco2e=offsets,
                offset_cap_tco2e=offset_cap(owed[y], pct[y]),
                carried_in_tco2e=carried,
                balance_tco2e=balance,
                on_time_balance_tco2e=on_time,
                late_tco2e=late,
                deadline=deadline[y],
                excluded=y in excluded,
                marked=y in marked,
            )
        )
    return rows


FIGURES = [
    "market",
    "obligation_tco2e",
    "allowances_tco2e",
    "offsets_tco2e",
    "offset_cap_tco2e",
    "carried_in_tco2e",
    "balance_tco2e",
    "on_time_balance_tco2e",
    "late_tco2e",
    "deadline",
    "excluded",
    "marked",
    "updated_at",
]


def refresh_firms(firm_ids: Iterable[int]) -> int:
    """Recompute and store every year of these firms; returns the number of rows written."""
    firm_ids = sorted({int(f) for f in firm_ids if f is not None})
    written = 0
    for start in range(0, len(firm_ids), BATCH):
        written += _refresh_batch(firm_ids[start : start + BATCH])
    return written


def _refresh_batch(firm_ids: list[int]) -> int:
    with transaction.atomic():
        _lock(firm_ids)
        firms = list(Firm.objects.filter(pk__in=firm_ids).select_related("market"))
        obligations: dict = defaultdict(dict)
        for fid, y, tco2e in EmissionReport.objects.filter(
            firm_id__in=firm_ids,
            period=EmissionReport.Period.ANNUAL,
            status__in=DETERMINED,
            determined_emissions_tco2e__isnull=False,
        ).values_list("firm_id", "year", "determined_emissions_tco2e"):
            obligations[fid][y] = tco2e
        moves = _movements(firm_ids)
        excluded: dict = defaultdict(set)
        for fid, y in CoverageChange.objects.filter(
            firm_id__in=firm_ids, kind=CoverageChange.Kind.EXCLUDE_YEAR, status=CoverageChange.Status.APPROVED
        ).values_list("firm_id", "year"):
            excluded[fid].add(y)
        marked: dict = defaultdict(set)
        for fid, y in ComplianceRecord.objects.filter(firm_id__in=firm_ids).values_list("firm_id", "year"):
            marked[fid].add(y)
        years = {y for d in (obligations, moves) for per in d.values() for y in per}
        years |= {y for s in (*excluded.values(), *marked.values()) for y in s}
        extensions = extensions_for(firms, years)
        packs = RulePackCache()
        before = {
            (fid, y): owed
            for fid, y, owed in FirmYearPosition.objects.filter(firm_id__in=firm_ids).values_list(
                "firm_id", "year", "obligation_tco2e"
            )
        }
        rows = []
        for firm in firms:
            rows += _rows_for_firm(
                firm,
                obligations.get(firm.pk, {}),
                moves.get(firm.pk, {}),
                excluded.get(firm.pk, set()),
                marked.get(firm.pk, set()),
                packs,
                extensions,
            )
        kept = {(r.firm_id, r.year) for r in rows}
        stale = [key for key in before if key not in kept]
        for fid, y in stale:
            FirmYearPosition.objects.filter(firm_id=fid, year=y).delete()
        now = timezone.now()
        for r in rows:
            r.updated_at = now
        FirmYearPosition.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["firm", "year"], update_fields=FIGURES
        )
        changed = [
            r for r in rows if (r.firm_id, r.year) in before and before[(r.firm_id, r.year)] != r.obligation_tco2e
        ]
        if changed:
            _penalties_follow(changed)
    return len(rows)


def _penalties_follow(rows: list[FirmYearPosition]) -> None:
    """A corrected obligation moves the figures of a penalty still proposed (a decided one is the decision's)."""
    from mrv.audit import log_action
    from registry.penalty_rules import penalty_compute

    by_key = {(r.firm_id, r.year): r for r in rows}
    proposed = Penalty.objects.filter(
        firm_id__in={r.firm_id for r in rows}, year__in={r.year for r in rows}, status=Penalty.Status.PROPOSED
    ).select_related("firm__market")
    for penalty in proposed:
        row = by_key.get((penalty.firm_id, penalty.year))
        if row is None:
            continue
        shortfall = max(ZERO, -row.balance_tco2e)
        if shortfall == penalty.shortfall_tco2e:
            continue
        fine, deduction = penalty_compute(shortfall, penalty.firm.market.rule_pack_for(penalty.year))
        changes = {
            "shortfall_tco2e": (penalty.shortfall_tco2e, shortfall),
            "fine_cny": (penalty.fine_cny, fine),
            "deduction_tco2e": (penalty.deduction_tco2e, deduction),
        }
        Penalty.objects.filter(pk=penalty.pk).update(
            shortfall_tco2e=shortfall, fine_cny=fine, deduction_tco2e=deduction
        )
        log_action(penalty, "registry.penalty.recomputed", actor=None, changes=changes)


def rebuild_all() -> int:
    """Every firm's positions from scratch (the `rebuild_positions` command)."""
    ids = list(Firm.objects.order_by("pk").values_list("pk", flat=True))
    return refresh_firms(ids)

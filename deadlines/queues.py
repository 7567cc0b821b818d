"""The home page's deadline queues, set-based: how many deadlines of many firms fall in a window (or passed
unmet) and the first of them, in the calendar's order, without building every firm's calendar.

The answers are those of filtering `calendar.firm_deadlines` + `work_deadlines.work_deadlines` (tests
compare them on a mixed case); the due dates come from `mrv.due_dates`, "met" from
`services.reminders` (`met_on`, and `met_condition` as its set-based form).
"""

import datetime
from functools import cached_property

from django.db import connections
from django.db.models import CharField, DateField, Exists, IntegerField, OuterRef, QuerySet, Value
from django.db.models.functions import Collate

from mrv.coverage import approved_lists
from mrv.due_dates import OPEN_FINDING, monthly_deposit_due
from mrv.models import Firm, Market, MonthlyDeposit
from mrv.models.clocks import WorkDeadline

from .calendar import (
    WORK_KINDS,
    Deadline,
    RulePackCache,
    covered_condition,
    extensions_for,
    firm_deadlines,
    first_year_extension_days,
    market_due_date,
    rules_in_force,
)
from .services.reminders import met_condition, met_on
from .work_deadlines import finding_response_deadlines


def _sort_key(d: Deadline):
    return (d.due_date, d.firm.name, d.kind, d.firm.pk, d.year)


class QueueReads:
    """What the queues of one page share, read once: the firms' markets and rule packs, the moved
    deadlines, the covered-firm lists, and the deadlines computed one by one."""

    def __init__(self, firms: QuerySet, years: list[int]):
        self.firms, self.years, self.packs = firms, years, RulePackCache()
        self.markets = list(Market.objects.filter(pk__in=firms.values("market_id")))
        self.moved = extensions_for(firms, years)
        self.listed = covered_lists_of(self.markets, years)

    @cached_property
    def moved_deadlines(self) -> list[tuple[Deadline, bool]]:
        """The deadlines that moved (an extension or a pause), each with whether it is met."""
        if not self.moved:
            return []
        ids = {f for f, _y, _k in self.moved}
        few = list(self.firms.filter(pk__in=ids).select_related("market", "sector"))
        met = met_on(few, self.years)
        return [
            (d, (d.firm.pk, d.year, d.kind) in met)
            for d in firm_deadlines(few, self.years, packs=self.packs)
            if (d.firm.pk, d.year, d.kind) in self.moved
        ]

    @cached_property
    def finding_deadlines(self) -> list[Deadline]:
        from mrv.models import Finding

        open_findings = Finding.objects.filter(status__in=OPEN_FINDING, response_due__isnull=False)
        answering = self.firms.filter(pk__in=open_findings.values("report__firm_id")).select_related("market")
        answering = list(answering)
        return finding_response_deadlines(answering) if answering else []


def deadline_queue(
    firms: QuerySet,
    years: list[int],
    *,
    kinds: frozenset[str] | None,
    due_from: datetime.date | None = None,
    due_to: datetime.date | None = None,
    unmet_only: bool = False,
    limit: int,
    reads: QueueReads | None = None,
) -> tuple[int, list[Deadline]]:
    """How many deadlines of `firms` (a queryset) fall in [due_from, due_to] (of `kinds`, None: every kind;
    with `unmet_only`, those not met), and the first `limit` of them in the calendar's order: the same as
    filtering `firm_deadlines` + `work_deadlines`, in a number of queries that does not follow the firms.
    (`reads`: the same firms' and years' `QueueReads`, when a page asks for several queues.)

    A market-year's deadline (or a month's deposit) falls on the same date for every firm that has no
    extension or pause of it: those firms are counted and paged by one UNION of a query per (market, year,
    kind or month), read once for the count and the first rows. The deadlines that moved and the findings'
    response deadlines are few: computed one by one, as the calendar does.
    """

    def wanted(kind: str, due: datetime.date) -> bool:
        in_window = (due_from is None or due >= due_from) and (due_to is None or due <= due_to)
        return in_window and (kinds is None or kind in kinds)

    reads = reads or QueueReads(firms, years)
    packs, markets, moved, listed = reads.packs, reads.markets, reads.moved, reads.listed

    # One by one: the deadlines that moved, and the findings' response deadlines.
    one_by_one = [d for d, met in reads.moved_deadlines if not (unmet_only and met) and wanted(d.kind, d.due_date)]
    if kinds is None or WorkDeadline.FINDING_RESPONSE in kinds:
        one_by_one += [d for d in reads.finding_deadlines if wanted(d.kind, d.due_date)]

    # Every other deadline: one date per (market, year, kind), or per month of the deposits.
    parts = []

    def add(part: QuerySet, year: int, kind: str, due: datetime.date) -> None:
        parts.append(
            part.order_by()
            .annotate(
                q_due=Value(due, output_field=DateField()),
                q_name=Collate("name", "C"),
                q_kind=Value(kind, output_field=CharField()),
                q_year=Value(year, output_field=IntegerField()),
            )
            .values_list("q_due", "q_name", "q_kind", "pk", "q_year")
        )

    for market in markets:
        for year in years:
            pack = packs.get(market, year)
            if pack is None:
                continue
            covered = firms.filter(covered_condition(market, year, listed), market=market)
            for rule in rules_in_force(pack):
                due = market_due_date(market, year, rule.kind, packs)
                if not wanted(rule.kind, due):
                    continue
                part = covered.exclude(pk__in=[f for f, y, k in moved if (y, k) == (year, rule.kind)])
                if unmet_only and (met := met_condition(year, rule.kind)) is not None:
                    part = part.exclude(met)
                add(part, year, rule.kind, due)
            depositing = [s for s in pack.monthly_deposit_sectors or [] if pack.deposits_monthly(s, year)]
            for month in range(1, 13) if depositing else []:
                due = monthly_deposit_due(pack, year, month)
                if not wanted(WorkDeadline.MONTHLY_DEPOSIT, due):
                    continue
                deposited = MonthlyDeposit.objects.filter(firm=OuterRef("pk"), year=year, month=month)
                add(
                    covered.filter(sector__code__in=depositing).exclude(Exists(deposited)),
                    year,
                    WorkDeadline.MONTHLY_DEPOSIT,
                    due,
                )
    count, rows = 0, []
    if parts:
        # The count (a window over the whole union) and the first rows in one pass over the firms.
        union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        sql, params = union.query.get_compiler(using=union.db).as_sql()
        with connections[union.db].cursor() as cursor:
            cursor.execute(
                f"SELECT q_due, q_name, q_kind, pk, q_year, COUNT(*) OVER () FROM ({sql}) AS queue"
                " ORDER BY q_due, q_name, q_kind, pk, q_year LIMIT %s",
                [*params, max(limit, 1)],
            )
            rows = cursor.fetchall()
        count, rows = (rows[0][-1] if rows else 0), [row[:-1] for row in rows[:limit]]
    by_pk = Firm.objects.select_related("market", "sector").in_bulk({pk for _d, _n, _k, pk, _y in rows})
    first = [
        Deadline(by_pk[pk], year, kind, due, _extension_days(by_pk[pk], year, kind, packs))
        for due, _n, kind, pk, year in rows
    ]
    return count + len(one_by_one), sorted(first + one_by_one, key=_sort_key)[:limit]


def _extension_days(firm: Firm, year: int, kind: str, packs: RulePackCache) -> int:
    """A deadline's extra days where the firm has none of its own: the first-year extension (none for a
    work deadline, as `work_deadlines` gives them)."""
    if kind in WORK_KINDS:
        return 0
    return first_year_extension_days(packs.get(firm.market, year), firm.market, year)


def covered_lists_of(markets: list, years: list[int]) -> dict:
    return approved_lists({m.pk for m in markets}, years)

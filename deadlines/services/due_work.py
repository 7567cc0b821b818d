"""The work due after the verification and compliance deadlines, and the daily run of every periodic job.

Every job is safe to run again: the row that records the work done is unique."""

import datetime
from collections import defaultdict

from django.db import IntegrityError, transaction

from deadlines import hooks
from deadlines.calendar import RulePackCache, market_due_date
from deadlines.models import DueWorkDone, Notification
from deadlines.services.common import CATCH_UP_DAYS, _market_params, _markets
from deadlines.services.notifications import notify, notify_each
from deadlines.services.reminders import reminders_send_due
from deadlines.services.rollover import quarterly_open_reports, rollover_open_year
from deadlines.services.snapshots import quarterly_snapshots_build_due
from mrv import outbox
from mrv.due_dates import due_date, extensions_for
from mrv.models import (
    DeadlineExtension,
    DeadlineRule,
    Market,
    User,
    VerificationBody,
)

#: Firms per compliance-marking batch (each batch one task, one transaction, the same few statements).
MARKING_BATCH = 500
MARKING_TASK = "deadlines.mark_non_compliance_batch"


def _markets_past(kind: str, today: datetime.date, market_id: int | None, wanted=lambda pack: True):
    packs = RulePackCache()
    for market in _markets(market_id):
        # A year's deadlines fall in it or the next (the national market's compliance on 31 December of the next
        # year), so a job up to CATCH_UP_DAYS after one runs in the year after that at the latest.
        for year in (today.year - 2, today.year - 1, today.year):
            pack = packs.get(market, year)
            if pack is None or year < market.first_compliance_year or not wanted(pack):
                continue
            due = market_due_date(market, year, kind, packs)
            if due and 0 < (today - due).days <= CATCH_UP_DAYS:
                yield market, year


def _once(job: str, market: Market, year: int) -> bool:
    """Record the job as done inside the caller's transaction; False if it was done before."""
    try:
        with transaction.atomic():
            DueWorkDone.objects.create(job=job, market=market, year=year)
    except IntegrityError:
        return False
    return True


def spot_checks_draw_due(*, today: datetime.date, market_id: int | None = None) -> int:
    """Once a spot-check market's verification deadline has passed: draw the sample and tell the spot-check bodies."""
    drawn = 0
    for market, year in _markets_past(DeadlineRule.Kind.VERIFICATION, today, market_id, lambda p: p.spot_check):
        with transaction.atomic():
            if not _once(DueWorkDone.Job.SPOT_CHECK_DRAW, market, year):
                continue
            sample = hooks.draw_spot_check_sample(market=market, year=year)
            if sample is None:
                continue  # drawn before by hand: recorded as done, the bodies were told then
            items = getattr(sample, "items", None)
            drawn_bodies = set(items.exclude(body=None).values_list("body_id", flat=True)) if items else set()
            registered = VerificationBody.objects.filter(
                kind=VerificationBody.Kind.SPOT_CHECK, registrations__market=market
            ).values("pk")
            bodies = drawn_bodies or registered
            checkers = User.objects.filter(is_active=True, role=User.Role.SPOT_CHECKER, body__in=bodies)
            notify(checkers, Notification.Kind.SPOT_CHECK_DRAWN, {**_market_params(market), "year": year})
            drawn += 1
    return drawn


def _tell_firms(records: list, year: int) -> None:
    """Each firm found non-compliant now is told, in one query and one INSERT whatever their number."""
    if not records:
        return
    people = User.objects.filter(
        is_active=True, firm__in={r.firm_id for r in records}, role__in=User.FIRM_ROLES
    ).select_related("firm")
    by_firm = defaultdict(list)
    for person in people:
        by_firm[person.firm].append(person)
    notify_each(
        [
            (people, {"firm": firm.name, "firm_id": firm.pk, "year": year})
            for firm, people in sorted(by_firm.items(), key=lambda item: item[0].pk)
        ],
        Notification.Kind.FIRM_NON_COMPLIANT,
    )


def compliance_mark_batch(*, market_id: int, year: int, firm_ids: list[int], today: datetime.date) -> int:
    """One batch of the compliance marking, in one transaction and a constant number of statements: the
    registry's findings for these firms and each firm found now told (in bulk). A redelivered batch finds
    nothing new, so it writes and tells nothing twice. Returns the number of findings made."""
    with transaction.atomic():
        records = hooks.mark_non_compliant_batch(market_id=market_id, year=year, firm_ids=firm_ids, today=today)
        _tell_firms(records, year)
    return len(records)


def _compliance_marking(today: datetime.date, market_id: int | None, mark) -> int:
    """Once per market-year whose compliance deadline has passed: `mark(market, year, firm ids)` marks the firms
    non-compliant then and not found before, and the regulators are told how many firms are non-compliant
    (found now or before, by hand). The job's record, the marking (or its tasks) and the regulators' notice are
    one transaction."""
    marked = 0
    for market, year in _markets_past(DeadlineRule.Kind.COMPLIANCE, today, market_id):
        with transaction.atomic():
            if not _once(DueWorkDone.Job.COMPLIANCE_MARKING, market, year):
                continue
            short = hooks.non_compliant_firms(market=market, year=year, today=today)
            mark(market, year, [firm_id for firm_id, found in short if not found])
            params = {**_market_params(market), "year": year, "count": len(short)}
            regulators = User.objects.filter(is_active=True, role__in=User.REGULATOR_ROLES, authority__market=market)
            notify(regulators, Notification.Kind.NON_COMPLIANCE_MARKED, params)
            marked += 1
    return marked


def _extended_firms_past(today: datetime.date, market_id: int | None) -> dict[tuple[int, int], list[int]]:
    """Firms whose compliance deadline was extended past their market's and has now passed (within CATCH_UP_DAYS),
    in market-years already marked: the market-year's marking skipped them while their extension ran.
    A fixed number of queries (the extended firms are few: one row each in DeadlineExtension)."""
    years = [today.year - 2, today.year - 1, today.year]
    extended = DeadlineExtension.objects.filter(kind=DeadlineRule.Kind.COMPLIANCE, year__in=years)
    if market_id is not None:
        extended = extended.filter(firm__market_id=market_id)
    extended = list(extended.select_related("firm__market"))
    if not extended:
        return {}
    packs, moved = RulePackCache(), extensions_for([e.firm for e in extended], years)
    marked = set(
        DueWorkDone.objects.filter(job=DueWorkDone.Job.COMPLIANCE_MARKING, year__in=years).values_list(
            "market_id", "year"
        )
    )
    due: dict[tuple[int, int], list[int]] = defaultdict(list)
    for e in extended:
        day = due_date(e.firm, e.year, DeadlineRule.Kind.COMPLIANCE, packs=packs, extensions=moved)
        if day and 0 < (today - day).days <= CATCH_UP_DAYS and (e.firm.market_id, e.year) in marked:
            due[(e.firm.market_id, e.year)].append(e.firm_id)
    return due


def _mark_extended(today: datetime.date, market_id: int | None) -> int:
    """Each day, the firms whose extended deadline has passed are marked as their market-year was (a batch each
    market-year; a firm found before is skipped, so the days after it find nothing). Returns the findings made."""
    made = 0
    for (market_pk, year), firm_ids in sorted(_extended_firms_past(today, market_id).items()):
        made += compliance_mark_batch(market_id=market_pk, year=year, firm_ids=firm_ids, today=today)
    return made


def compliance_mark_due(*, today: datetime.date, market_id: int | None = None) -> int:
    """Once a market's compliance deadline has passed: mark the non-compliant firm-years and tell the firms and
    the regulator (the number of market-years marked). Here the registry marks the market-year in its batches
    inside the transaction that records the job (`run_due_work`): a crash leaves nothing recorded, and the next
    run does it all."""

    def mark(market, year: int, pending: list[int]) -> None:
        records, found_now = hooks.mark_non_compliant(market=market, year=year, today=today), set(pending)
        _tell_firms([r for r in records if r.firm_id in found_now], year)

    marked = _compliance_marking(today, market_id, mark)
    _mark_extended(today, market_id)
    return marked


def compliance_queue_due(*, today: datetime.date, market_id: int | None = None) -> int:
    """The scheduled marking: as `compliance_mark_due`, but one task per batch of MARKING_BATCH firms, so that
    the workers share it. The tasks go through the outbox in the transaction that records the job: a crash
    before the commit leaves nothing recorded (the next run does it all); after it, every batch is delivered,
    and a batch delivered twice (a worker lost mid-batch) marks and tells nothing twice."""

    def mark(market, year: int, pending: list[int]) -> None:
        for start in range(0, len(pending), MARKING_BATCH):
            outbox.enqueue(
                MARKING_TASK,
                market_id=market.pk,
                year=year,
                firm_ids=pending[start : start + MARKING_BATCH],
                today=today.isoformat(),
            )

    marked = _compliance_marking(today, market_id, mark)
    _mark_extended(today, market_id)
    return marked


def due_work_run(*, today: datetime.date, market_id: int | None = None) -> dict[str, int]:
    """All the periodic work due on `today`, in order (used by `run_due_work` and the daily task)."""
    return {
        "reports_opened": rollover_open_year(year=today.year, market_id=market_id),
        "quarterly_reports_opened": quarterly_open_reports(today=today, market_id=market_id),
        "reminders_sent": reminders_send_due(today=today, market_id=market_id),
        "snapshots_built": quarterly_snapshots_build_due(today=today, market_id=market_id),
        "spot_check_draws": spot_checks_draw_due(today=today, market_id=market_id),
        "compliance_markings": compliance_mark_due(today=today, market_id=market_id),
    }

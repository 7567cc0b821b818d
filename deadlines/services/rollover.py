"""Opening the year's annual reports and the quarter's quarterly drafts."""

import datetime

from django.db import connection, transaction
from django.urls import reverse

from deadlines.calendar import RulePackCache, firm_deadlines
from deadlines.clock import last_finished_quarter
from deadlines.models import Notification
from deadlines.services.common import Q, Recipients, _markets
from deadlines.services.notifications import notify_each
from mrv import outbox
from mrv.audit import log_actions
from mrv.coverage import covered_firms
from mrv.models import (
    EmissionReport,
    Firm,
    VerificationEngagement,
)

QUARTER_PERIODS = {1: Q.Q1, 2: Q.Q2, 3: Q.Q3, 4: Q.Q4}
#: Firms opened per transaction by the roll-over: each batch costs the same few statements, whatever its size.
ROLLOVER_BATCH = 500


def rollover_pending(*, market, year: int) -> list[int]:
    """The covered firms of a market-year still lacking their annual report or their engagement (ids, in order)."""
    has_report = EmissionReport.objects.filter(market=market, year=year, period=Q.ANNUAL).values("firm_id")
    has_engagement = VerificationEngagement.objects.filter(market=market, year=year).values("firm_id")
    firms = covered_firms(market, year).exclude(pk__in=has_report, id__in=has_engagement)
    return list(firms.order_by("pk").values_list("pk", flat=True))


def rollover_open_batch(*, market_id: int, year: int, firm_ids: list[int]) -> int:
    """One batch of the roll-over in one transaction and a constant number of statements: the missing draft
    annual reports and engagements of these firms, each with its audit row. Safe to run twice or alongside
    another run (an advisory lock per market-year serialises them; what exists is skipped)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtext('deadlines.rollover'), %s)", [market_id * 10000 + year]
                )
        firms = Firm.objects.filter(pk__in=firm_ids).select_related("market").order_by("pk")
        with_report = set(
            EmissionReport.objects.filter(firm_id__in=firm_ids, year=year, period=Q.ANNUAL).values_list(
                "firm_id", flat=True
            )
        )
        with_engagement = set(
            VerificationEngagement.objects.filter(firm_id__in=firm_ids, year=year).values_list("firm_id", flat=True)
        )
        reports = EmissionReport.objects.bulk_create(
            [
                EmissionReport(firm=firm, market_id=firm.market_id, year=year, period=Q.ANNUAL)
                for firm in firms
                if firm.pk not in with_report
            ]
        )
        engagements = VerificationEngagement.objects.bulk_create(
            [
                VerificationEngagement(firm=firm, market_id=firm.market_id, year=year)
                for firm in firms
                if firm.pk not in with_engagement
            ]
        )
        log_actions(reports, "deadlines.rollover.report_opened", reason="periodic work")
        log_actions(engagements, "deadlines.rollover.engagement_opened", reason="periodic work")
    return len(reports)


def rollover_queue_batches(*, year: int, market_id: int | None = None) -> int:
    """The scheduled roll-over: one task per batch of firms still to open, so that the workers share it."""
    queued, packs = 0, RulePackCache()
    with transaction.atomic():
        for market in _markets(market_id):
            if packs.get(market, year) is None:
                continue
            pending = rollover_pending(market=market, year=year)
            for start in range(0, len(pending), ROLLOVER_BATCH):
                outbox.enqueue(
                    "deadlines.open_compliance_year_batch",
                    market_id=market.pk,
                    year=year,
                    firm_ids=pending[start : start + ROLLOVER_BATCH],
                )
                queued += 1
    return queued


def rollover_open_year(*, year: int, market_id: int | None = None) -> int:
    """At the start of a compliance year, per covered firm (the approved list's, else the register's): the
    draft annual report and an engagement awaiting assignment (also for a report opened earlier).

    In batches of ROLLOVER_BATCH firms, each its own transaction: a crash loses at most the batch under
    way, and the next run starts from what is still missing."""
    opened, packs = 0, RulePackCache()
    for market in _markets(market_id):
        if packs.get(market, year) is None:
            continue
        pending = rollover_pending(market=market, year=year)
        for start in range(0, len(pending), ROLLOVER_BATCH):
            opened += rollover_open_batch(
                market_id=market.pk, year=year, firm_ids=pending[start : start + ROLLOVER_BATCH]
            )
    return opened


def _quarterly_open_batch(firms: list[Firm], year: int, quarter: int, due: dict, recipients: Recipients) -> int:
    """One batch of quarterly drafts in one transaction and a constant number of statements: the missing drafts,
    their audit rows and the firms' notices. Safe alongside another run (an advisory lock per market-year
    serialises them; what exists is skipped)."""
    period = QUARTER_PERIODS[quarter]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtext('deadlines.quarterly'), %s)",
                    [firms[0].market_id * 10000 + year],
                )
        existing = set(
            EmissionReport.objects.filter(firm__in=firms, year=year, period=period).values_list("firm_id", flat=True)
        )
        reports = EmissionReport.objects.bulk_create(
            [
                EmissionReport(firm=firm, market_id=firm.market_id, year=year, period=period)
                for firm in firms
                if firm.pk not in existing
            ]
        )
        log_actions(reports, "deadlines.rollover.report_opened", reason="periodic work")
        notify_each(
            [
                (
                    recipients.firm_users[r.firm_id],
                    {
                        "firm": r.firm.name,
                        "firm_id": r.firm_id,
                        "year": year,
                        "quarter": quarter,
                        "due_date": due[r.firm_id].due_date.isoformat() if r.firm_id in due else "",
                    },
                )
                for r in reports
            ],
            Notification.Kind.QUARTERLY_REPORT_OPENED,
            url=reverse("deadlines:calendar"),
        )
    return len(reports)


def quarterly_open_reports(*, today: datetime.date, market_id: int | None = None) -> int:
    """After a quarter ends: the quarterly report drafts where the market requires them, and a reminder.

    In batches of ROLLOVER_BATCH firms, each its own transaction: a crash loses at most the batch under
    way, and the next run starts from what is still missing."""
    year, quarter = last_finished_quarter(today)
    kind, opened, packs = f"q{quarter}_report", 0, RulePackCache()
    for market in _markets(market_id):
        pack = packs.get(market, year)
        if pack is None or not pack.quarterly_reporting:
            continue
        has_report = EmissionReport.objects.filter(market=market, year=year, period=QUARTER_PERIODS[quarter])
        firms = list(
            covered_firms(market, year)
            .exclude(pk__in=has_report.values("firm_id"))
            .select_related("market")
            .order_by("pk")
        )
        if not firms:
            continue
        due = {d.firm.pk: d for d in firm_deadlines(firms, [year], packs=packs) if d.kind == kind}
        recipients = Recipients(firms, [year])
        for start in range(0, len(firms), ROLLOVER_BATCH):
            opened += _quarterly_open_batch(firms[start : start + ROLLOVER_BATCH], year, quarter, due, recipients)
    return opened

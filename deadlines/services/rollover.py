"""Opening the year's annual reports and the quarter's quarterly drafts."""

import datetime

from django.db import transaction
from django.urls import reverse

from deadlines.calendar import RulePackCache, firm_deadlines
from deadlines.clock import last_finished_quarter
from deadlines.models import Notification
from deadlines.services.common import Q, Recipients, _markets
from deadlines.services.notifications import notify
from mrv.audit import log_action
from mrv.coverage import covered_firms
from mrv.models import (
    EmissionReport,
    Firm,
    VerificationEngagement,
)

QUARTER_PERIODS = {1: Q.Q1, 2: Q.Q2, 3: Q.Q3, 4: Q.Q4}


def _open_report(firm: Firm, year: int, period: str) -> bool:
    """Create the firm's draft report for the period; False if it exists (another run made it)."""
    report, created = EmissionReport.objects.get_or_create(
        firm=firm, year=year, period=period, defaults={"market_id": firm.market_id}
    )
    if created:
        log_action(report, "deadlines.rollover.report_opened", reason="periodic work")
    return created


def rollover_open_year(*, year: int, market_id: int | None = None) -> int:
    """At the start of a compliance year, per covered firm (the approved list's, else the register's): the
    draft annual report and an engagement awaiting assignment (also for a report opened earlier)."""
    opened, packs = 0, RulePackCache()
    for market in _markets(market_id):
        if packs.get(market, year) is None:
            continue
        has_report = EmissionReport.objects.filter(market=market, year=year, period=Q.ANNUAL).values("firm_id")
        has_engagement = VerificationEngagement.objects.filter(market=market, year=year).values("firm_id")
        firms = covered_firms(market, year).exclude(pk__in=has_report, id__in=has_engagement).select_related("market")
        for firm in firms:
            with transaction.atomic():
                created = _open_report(firm, year, Q.ANNUAL)
                if not VerificationEngagement.objects.filter(firm=firm, year=year).exists():
                    engagement = VerificationEngagement.objects.create(firm=firm, market=market, year=year)
                    log_action(engagement, "deadlines.rollover.engagement_opened", reason="periodic work")
                opened += created
    return opened


def quarterly_open_reports(*, today: datetime.date, market_id: int | None = None) -> int:
    """After a quarter ends: the quarterly report drafts where the market requires them, and a reminder."""
    year, quarter = last_finished_quarter(today)
    kind, opened, packs = f"q{quarter}_report", 0, RulePackCache()
    for market in _markets(market_id):
        pack = packs.get(market, year)
        if pack is None or not pack.quarterly_reporting:
            continue
        has_report = EmissionReport.objects.filter(market=market, year=year, period=QUARTER_PERIODS[quarter])
        firms = list(covered_firms(market, year).exclude(pk__in=has_report.values("firm_id")).select_related("market"))
        if not firms:
            continue
        due = {d.firm.pk: d for d in firm_deadlines(firms, [year], packs=packs) if d.kind == kind}
        recipients = Recipients(firms, [year])
        for firm in firms:
            with transaction.atomic():
                if not _open_report(firm, year, QUARTER_PERIODS[quarter]):
                    continue
                params = {
                    "firm": firm.name,
                    "firm_id": firm.pk,
                    "year": year,
                    "quarter": quarter,
                    "due_date": due[firm.pk].due_date.isoformat() if firm.pk in due else "",
                }
                notify(
                    recipients.firm_users[firm.pk],
                    Notification.Kind.QUARTERLY_REPORT_OPENED,
                    params,
                    url=reverse("deadlines:calendar"),
                )
                opened += 1
    return opened

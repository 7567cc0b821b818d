"""An unmet deadline keeps its monthly overdue notice and escalation at any age (not only for last year
to next year), and the scan runs the same number of queries however many years it covers."""

import datetime

from deadlines import work_deadlines
from deadlines.models import Notification, Reminder
from deadlines.services import reminders_send_due
from mrv.models import DeadlineRule

K = DeadlineRule.Kind
D = datetime.date


def test_a_2021_annual_report_still_unmet_in_2026_gets_this_months_overdue_notice(firm, firm_user, regulator):
    # Shanghai's 2021 report was due 31 March 2022; on 2 December 2026 it is 1,707 days late:
    # the monthly step is 30 × (1707 // 30) = 1,680 days.
    today = D(2026, 12, 2)
    assert (today - D(2022, 3, 31)).days == 1707
    reminders_send_due(today=today)
    rows = Reminder.objects.filter(firm=firm, kind=K.ANNUAL_REPORT, year=2021).exclude(stage="before")
    assert sorted(rows.values_list("stage", "offset_days")) == [("escalation", -1680), ("overdue", -1680)]
    overdue = Notification.objects.filter(recipient=firm_user, kind=Notification.Kind.DEADLINE_OVERDUE)
    assert overdue.filter(params__year=2021, params__deadline=K.ANNUAL_REPORT).count() == 1
    # A month later, the next step; the one before is not sent again.
    reminders_send_due(today=today + datetime.timedelta(days=30))
    assert sorted(rows.values_list("offset_days", flat=True).filter(stage="overdue")) == [-1710, -1680]


def test_the_scan_covers_every_year_from_the_earliest_rule_pack(db):
    assert work_deadlines.scan_years(D(2026, 12, 2)) == list(range(2016, 2028))


def _queries(monkeypatch, years, today) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(work_deadlines, "scan_years", lambda today: years)
    reminders_send_due(today=today)  # first run sends; the second only checks
    with CaptureQueriesContext(connection) as captured:
        reminders_send_due(today=today)
    return len(captured)


def test_the_scan_queries_do_not_grow_with_the_years(firm, firm_user, monkeypatch):
    today = D(2026, 12, 2)
    three = _queries(monkeypatch, [2025, 2026, 2027], today)
    twelve = _queries(monkeypatch, list(range(2016, 2028)), today)
    assert twelve == three

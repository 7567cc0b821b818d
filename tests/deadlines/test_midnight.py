"""Deadlines are Shanghai dates: the day turns at 16:00 UTC, not at midnight UTC."""

import datetime

import pytest
from django.utils import timezone

from deadlines import tasks
from deadlines.clock import shanghai_today
from deadlines.models import Reminder
from mrv.models import DeadlineRule

UTC = datetime.UTC
K = DeadlineRule.Kind


@pytest.mark.parametrize(
    ("utc", "shanghai_date"),
    [
        (datetime.datetime(2026, 3, 30, 15, 59, tzinfo=UTC), datetime.date(2026, 3, 30)),  # 23:59 in Shanghai
        (datetime.datetime(2026, 3, 30, 16, 1, tzinfo=UTC), datetime.date(2026, 3, 31)),  # 00:01 in Shanghai
        (datetime.datetime(2026, 12, 31, 16, 0, tzinfo=UTC), datetime.date(2027, 1, 1)),
    ],
)
def test_today_is_the_date_in_shanghai(utc, shanghai_date):
    assert shanghai_today(utc) == shanghai_date


def run_scan_at(monkeypatch, utc: datetime.datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: utc)
    tasks.send_reminders.apply().get()


def stages(firm):
    rows = Reminder.objects.filter(firm=firm, kind=K.ANNUAL_REPORT, year=2025)
    return sorted(rows.values_list("stage", "offset_days"))


def test_one_day_reminder_at_2359_and_nothing_new_at_0001_on_the_due_date(monkeypatch, firm, firm_user):
    # Due 2026-03-31. At 23:59 on 30 March (Shanghai) one day is left: the 1-day reminder goes out.
    run_scan_at(monkeypatch, datetime.datetime(2026, 3, 30, 15, 59, tzinfo=UTC))
    assert stages(firm) == [("before", 1)]
    # Two minutes later it is the due date in Shanghai (UTC still says the 30th): due today, not overdue.
    run_scan_at(monkeypatch, datetime.datetime(2026, 3, 30, 16, 1, tzinfo=UTC))
    assert stages(firm) == [("before", 1)]


def test_overdue_starts_at_0001_shanghai_the_day_after(monkeypatch, firm, firm_user, regulator):
    run_scan_at(monkeypatch, datetime.datetime(2026, 3, 31, 15, 59, tzinfo=UTC))  # 23:59 on the due date
    assert ("overdue", 0) not in stages(firm)
    run_scan_at(monkeypatch, datetime.datetime(2026, 3, 31, 16, 1, tzinfo=UTC))  # 00:01 on 1 April; UTC: 31 March
    assert stages(firm) == [("before", 1), ("escalation", 0), ("overdue", 0)]


def test_seven_day_reminder_turns_at_shanghai_midnight(monkeypatch, firm, firm_user):
    run_scan_at(monkeypatch, datetime.datetime(2026, 3, 23, 15, 59, tzinfo=UTC))  # 23 March 23:59 in Shanghai
    assert stages(firm) == [("before", 30)]  # 8 days left: the 30-day reminder is caught up
    run_scan_at(monkeypatch, datetime.datetime(2026, 3, 23, 16, 1, tzinfo=UTC))  # 24 March 00:01: 7 days left
    assert stages(firm) == [("before", 7), ("before", 30)]

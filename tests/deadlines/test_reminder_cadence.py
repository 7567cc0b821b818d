"""Overdue notices and escalations go on at a steady cadence until the obligation is met, each step once."""

import datetime

from deadlines.models import Notification, Reminder
from deadlines.services import escalation_step, overdue_step, reminders_send_due
from mrv.models import DeadlineRule, EmissionReport
from tests import factories as f

K = DeadlineRule.Kind
D = datetime.date
REPORT_DUE = D(2026, 3, 31)  # Shanghai's 2025 annual report


def after(days: int) -> datetime.date:
    return REPORT_DUE + datetime.timedelta(days=days)


def stages(firm):
    rows = Reminder.objects.filter(firm=firm, kind=K.ANNUAL_REPORT, year=2025).exclude(stage="before")
    return sorted(rows.values_list("stage", "offset_days"))


def test_overdue_steps_are_a_day_a_week_a_month_then_monthly():
    assert [overdue_step(d) for d in (1, 6, 7, 29, 30, 59, 60, 246)] == [0, 0, 7, 7, 30, 30, 60, 240]
    assert [escalation_step(d) for d in (1, 29, 30, 246)] == [0, 0, 30, 240]


def test_a_draft_246_days_late_still_gets_an_overdue_notice_and_an_escalation(firm, firm_user, regulator):
    reminders_send_due(today=after(246))
    reminders_send_due(today=after(246))  # a re-run sends nothing twice

    assert stages(firm) == [("escalation", -240), ("overdue", -240)]
    overdue = Notification.objects.filter(recipient=firm_user, kind=Notification.Kind.DEADLINE_OVERDUE)
    escalated = Notification.objects.filter(recipient=regulator, kind=Notification.Kind.DEADLINE_ESCALATION)
    this = {"params__deadline": K.ANNUAL_REPORT, "params__year": 2025}
    assert overdue.filter(**this).count() == 1 and escalated.filter(**this).count() == 1


def test_daily_scans_over_three_months_send_each_step_once(firm, firm_user):
    for days in range(1, 95):
        reminders_send_due(today=after(days))

    assert stages(firm) == [
        ("escalation", -90),
        ("escalation", -60),
        ("escalation", -30),
        ("escalation", 0),
        ("overdue", -90),
        ("overdue", -60),
        ("overdue", -30),
        ("overdue", -7),
        ("overdue", 0),
    ]


def test_notices_stop_once_the_report_is_handed_in(firm, firm_user):
    reminders_send_due(today=after(10))
    f.ReportFactory(firm=firm, year=2025, status=EmissionReport.Status.SUBMITTED)
    reminders_send_due(today=after(40))

    assert stages(firm) == [("escalation", 0), ("overdue", -7)]

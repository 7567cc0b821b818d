import datetime

import pytest
from django.core import mail

from deadlines import tasks
from deadlines.models import Notification, Reminder
from deadlines.services import reminders_send_due
from mrv.models import DeadlineRule, EmissionReport, OutboxMessage, VerificationEngagement
from tests import factories as f

K = DeadlineRule.Kind
D = datetime.date
REPORT_DUE = D(2026, 3, 31)  # Shanghai's 2025 annual report


def report_reminders(firm):
    rows = Reminder.objects.filter(firm=firm, kind=K.ANNUAL_REPORT, year=2025)
    return sorted(rows.values_list("stage", "offset_days"))


def notes(user, kind=Notification.Kind.DEADLINE_REMINDER):
    return [
        n
        for n in Notification.objects.filter(recipient=user, kind=kind)
        if n.params["deadline"] == K.ANNUAL_REPORT and n.params["year"] == 2025
    ]


@pytest.mark.parametrize(("today", "offset"), [(D(2026, 3, 1), 30), (D(2026, 3, 24), 7), (D(2026, 3, 30), 1)])
def test_reminder_at_each_offset_goes_to_the_firms_people(
    firm, firm_user, firm_approver, other_firm_user, today, offset
):
    reminders_send_due(today=today)
    assert report_reminders(firm) == [("before", offset)]
    for user in (firm_user, firm_approver):
        [note] = notes(user)
        assert note.params["days_left"] == offset and note.params["due_date"] == "2026-03-31"
    assert notes(other_firm_user)[0].params["firm"] != firm.name


def test_no_reminder_between_offsets_or_before_the_first(firm, firm_user):
    for today in (D(2026, 2, 28), D(2026, 3, 2), D(2026, 3, 23)):  # 31, 29 and 8 days before
        reminders_send_due(today=today)
    assert report_reminders(firm) == [("before", 30)]  # only 2 March (29 days) caught up the 30-day one
    assert len(notes(firm_user)) == 1


def test_every_offset_once_over_a_month_of_daily_scans_run_twice(firm, firm_user):
    day = D(2026, 2, 20)
    while day <= REPORT_DUE:
        reminders_send_due(today=day)
        reminders_send_due(today=day)  # a second beat process, or a re-run
        day += datetime.timedelta(days=1)
    assert report_reminders(firm) == [("before", 1), ("before", 7), ("before", 30)]
    assert sorted(n.params["days_left"] for n in notes(firm_user)) == [1, 7, 30]


def test_a_duplicated_task_delivery_sends_nothing_twice(firm, firm_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.send_reminders.apply(kwargs={"today": "2026-03-24"}).get()
    with django_capture_on_commit_callbacks(execute=True):
        second = tasks.send_reminders.apply(kwargs={"today": "2026-03-24"}).get()
    assert first > 0 and second == 0
    assert len(notes(firm_user)) == 1
    report_mails = [m for m in mail.outbox if firm_user.email in m.to and "2026-03-31" in m.body]
    assert len(report_mails) == 1


def test_email_is_sent_once_even_if_the_email_task_is_delivered_twice(
    firm, firm_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send_due(today=D(2026, 3, 30))
    [note] = notes(firm_user)
    sent = len(mail.outbox)
    assert tasks.send_notification_emails.apply(kwargs={"notification_ids": [note.pk]}).get() == 0
    assert len(mail.outbox) == sent
    note.refresh_from_db()
    assert note.emailed_at is not None


def test_reminder_email_is_bilingual_with_subject_text_and_html(firm, firm_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send_due(today=D(2026, 3, 30))
    [message] = [m for m in mail.outbox if firm_user.email in m.to and "2026-03-31" in m.body]
    assert "Deadline reminder" in message.subject and firm.name in message.subject
    assert "1 days left" in message.body and "————" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html" and "2026-03-31" in html and "<hr>" in html
    assert OutboxMessage.objects.filter(task_name="deadlines.send_notification_emails", sent_at=None).count() == 0


def test_a_met_deadline_is_not_reminded(firm, firm_user):
    f.ReportFactory(firm=firm, year=2025, status=EmissionReport.Status.SUBMITTED)
    reminders_send_due(today=D(2026, 3, 24))
    assert report_reminders(firm) == []


def test_a_returned_report_is_reminded_again(firm, firm_user):
    f.ReportFactory(firm=firm, year=2025, status=EmissionReport.Status.RETURNED_TO_FIRM)
    reminders_send_due(today=D(2026, 3, 24))
    assert report_reminders(firm) == [("before", 7)]


def test_overdue_notice_to_the_firm_and_escalation_to_the_regulator(
    firm, firm_user, regulator, regulator_head, other_regulator
):
    reminders_send_due(today=D(2026, 4, 1))
    reminders_send_due(today=D(2026, 4, 2))
    assert report_reminders(firm) == [("escalation", 0), ("overdue", 0)]
    assert len(notes(firm_user, Notification.Kind.DEADLINE_OVERDUE)) == 1
    assert notes(firm_user, Notification.Kind.DEADLINE_ESCALATION) == []
    for head in (regulator, regulator_head):
        assert len(notes(head, Notification.Kind.DEADLINE_ESCALATION)) == 1
    assert not Notification.objects.filter(recipient=other_regulator).exists()


def test_verification_reminders_go_to_the_engaged_verifiers(
    firm, engagement, verifier, team_verifier, other_verifier, firm_user
):
    reminders_send_due(today=D(2026, 4, 23))  # verification due 30 April: 7 days
    got = lambda u: [n for n in Notification.objects.filter(recipient=u) if n.params["deadline"] == K.VERIFICATION]  # noqa: E731
    assert len(got(verifier)) == 1 and len(got(team_verifier)) == 1
    assert got(other_verifier) == [] and got(firm_user) == []


def test_verification_reminder_goes_to_the_regulator_while_no_body_is_assigned(firm, regulator):
    f.EngagementFactory(firm=firm, year=2025, status=VerificationEngagement.Status.AWAITING_ASSIGNMENT)
    reminders_send_due(today=D(2026, 4, 23))
    reminded = Notification.objects.filter(recipient=regulator, kind=Notification.Kind.DEADLINE_REMINDER)
    # Verification (30 Apr, 7 days) because nobody is assigned; review (15 May, 22 days) is theirs anyway.
    assert sorted(n.params["deadline"] for n in reminded) == [K.REVIEW, K.VERIFICATION]


def test_offsets_are_configurable(firm, firm_user, settings):
    settings.REMINDER_OFFSETS_DAYS = [14, 3]
    for today in (D(2026, 3, 1), D(2026, 3, 17), D(2026, 3, 24), D(2026, 3, 28)):
        reminders_send_due(today=today)
    assert report_reminders(firm) == [("before", 3), ("before", 14)]


def test_a_changed_due_date_is_reminded_again(firm, firm_user, regulator):
    reminders_send_due(today=D(2026, 3, 30))
    from deadlines.models import DeadlineExtension

    DeadlineExtension.objects.create(
        firm=firm, year=2025, kind=K.ANNUAL_REPORT, extra_days=7, reason="x", granted_by=regulator
    )
    reminders_send_due(today=D(2026, 4, 6))
    reminders = Reminder.objects.filter(firm=firm, kind=K.ANNUAL_REPORT, year=2025)
    dates = sorted(reminders.values_list("due_date", "offset_days"))
    assert dates == [(D(2026, 3, 31), 1), (D(2026, 4, 7), 1)]


def test_reminder_scan_queries_do_not_grow_with_firms(shanghai, django_assert_max_num_queries):
    for _ in range(10):
        f.UserFactory(role="firm_reporter", firm=f.FirmFactory(market=shanghai))
    reminders_send_due(today=D(2026, 3, 24))  # first run sends; the second only checks
    # 12 for the calendar's deadlines, +3 for the work's: the years scanned, paused days, open findings.
    with django_assert_max_num_queries(15):
        assert reminders_send_due(today=D(2026, 3, 24)) == 0


@pytest.mark.parametrize(("status", "reminded"), [("submitted", False), ("approved", False), ("draft", True)])
def test_a_handed_in_monitoring_plan_stops_its_reminders(firm, firm_user, status, reminded):
    from mrv.models import MonitoringPlan

    MonitoringPlan.objects.create(firm=firm, version=1, status=status, valid_from=D(2025, 1, 1), created_by=firm_user)
    reminders_send_due(today=D(2026, 1, 24))  # the 2026 plan is due 31 January: 7 days
    sent = Reminder.objects.filter(firm=firm, kind=K.MONITORING_PLAN, year=2026).exists()
    assert sent is reminded

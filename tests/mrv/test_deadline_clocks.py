"""Deadlines that follow the work, with hand computations: a request for information pauses the clock of
the deadline it concerns by the whole days it was open; a report's response deadline is the earliest of
its open findings'; a granted extension moves the due date, and the reminders follow it."""

import datetime
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from deadlines.models import Notification, Reminder
from deadlines.services import reminders_send_due
from deadlines.workflow_notices import workflow_event_notify
from mrv import due_dates
from mrv.models import (
    AuditLog,
    DeadlineExtension,
    ExtensionRequest,
    Finding,
    InformationRequest,
    OutboxMessage,
)
from mrv.services import clocks as svc
from mrv.services import verification as verification_svc
from mrv.transitions import REASON_REQUIRED, TransitionRefused
from tests.verification_world import *  # noqa: F403

D = datetime.date
SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(y, m, d, h=0, minute=0) -> datetime.datetime:
    return datetime.datetime(y, m, d, h, minute, tzinfo=SH)


def open_request(user, firm, *, opened, closed=None, kind="annual_report", year=2025, finding=None):
    """A request opened (and closed) at fixed instants: the service, then the instants set by hand."""
    if finding is not None:
        request = svc.information_request_open(finding=finding, question="请提供 3 月燃煤发票", acting_user=user)
    else:
        request = svc.information_request_open(firm=firm, year=year, kind=kind, question="请说明", acting_user=user)
    InformationRequest.objects.filter(pk=request.pk).update(opened_at=opened, closed_at=closed)
    request.refresh_from_db()
    return request


# --- Whole days ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opened", "closed", "days"),
    [
        (at(2026, 5, 10, 10), at(2026, 5, 14, 9), 3),  # 3 days 23 hours: 3 whole days
        (at(2026, 5, 10, 10), at(2026, 5, 14, 10), 4),  # exactly 96 hours
        (at(2026, 5, 10, 10), at(2026, 5, 10, 23, 59), 0),  # the same day: no whole day
        (at(2026, 5, 31, 20), at(2026, 6, 2, 21), 2),  # across a month end
    ],
)
def test_a_request_pauses_its_deadline_by_the_whole_days_it_was_open(opened, closed, days):
    assert due_dates.whole_days_open(opened, closed, now=at(2030, 1, 1)) == days


def test_an_open_request_pauses_up_to_now():
    assert due_dates.whole_days_open(at(2026, 3, 1, 9), None, now=at(2026, 3, 8, 8)) == 6  # 6 days 23 h


# --- A firm deadline paused ----------------------------------------------------------------------


def test_a_regulators_request_moves_the_annual_report_by_the_days_it_was_open(firm, regulator, firm_user):
    assert due_dates.due_date(firm, 2025, "annual_report") == D(2026, 3, 31)
    request = open_request(regulator, firm, opened=at(2026, 3, 1, 10))
    svc.information_request_answer(information_request=request, answer="见附件", acting_user=firm_user)
    InformationRequest.objects.filter(pk=request.pk).update(closed_at=at(2026, 3, 6, 12))
    # 1 March 10:00 → 6 March 12:00 is 5 days 2 hours: 5 whole days; 31 March + 5 = 5 April.
    assert due_dates.due_date(firm, 2025, "annual_report") == D(2026, 4, 5)
    # Only the deadline it concerns moves.
    assert due_dates.due_date(firm, 2025, "verification") == due_dates.market_due_date(
        firm.market, 2025, "verification"
    )


def test_two_requests_on_one_deadline_add_up(firm, regulator):
    open_request(regulator, firm, opened=at(2026, 3, 1, 8), closed=at(2026, 3, 3, 9))  # 2 days 1 h: 2
    open_request(regulator, firm, opened=at(2026, 3, 10, 8), closed=at(2026, 3, 13, 7))  # 2 days 23 h: 2
    assert due_dates.due_date(firm, 2025, "annual_report") == D(2026, 4, 4)  # 31 March + 4


def test_the_answer_is_audited_and_tells_who_asked(firm, regulator, firm_user):
    request = open_request(regulator, firm, opened=at(2026, 3, 1, 10))
    svc.information_request_answer(information_request=request, answer="见附件", acting_user=firm_user)
    request.refresh_from_db()
    assert (request.status, request.answer) == (InformationRequest.Status.ANSWERED, "见附件")
    row = AuditLog.objects.for_object(request).order_by("-id").first()
    assert (row.action, row.actor, row.from_state, row.to_state) == (
        "mrv.informationrequest.respond",
        firm_user,
        "open",
        "answered",
    )
    workflow_event_notify(
        event="mrv.informationrequest.respond", message_id=uuid.uuid4(), informationrequest_id=request.pk
    )
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {regulator.username}


def test_the_firm_is_told_of_a_request_through_the_outbox(firm, regulator, firm_user):
    request = open_request(regulator, firm, opened=at(2026, 3, 1, 10))
    kwargs = [m.kwargs for m in OutboxMessage.objects.filter(task_name="deadlines.notify_workflow_event")]
    assert {"event": "mrv.informationrequest.opened", "informationrequest_id": request.pk} in kwargs
    workflow_event_notify(
        event="mrv.informationrequest.opened", message_id=uuid.uuid4(), informationrequest_id=request.pk
    )
    [note] = Notification.objects.all()
    assert note.recipient == firm_user
    assert "annual emission report" in str(note)


def test_someone_elses_regulator_or_a_verifier_not_engaged_may_not_ask(firm, other_regulator, other_verifier):
    for user in (other_regulator, other_verifier):
        with pytest.raises(PermissionDenied):
            svc.information_request_open(firm=firm, year=2025, kind="annual_report", question="?", acting_user=user)
    assert not InformationRequest.objects.exists()


def test_a_request_without_a_question_or_about_no_deadline_is_refused(firm, regulator):
    with pytest.raises(svc.ClockRefused, match="Write the question"):
        svc.information_request_open(firm=firm, year=2025, kind="annual_report", question=" ", acting_user=regulator)
    with pytest.raises(svc.ClockRefused, match="no “Q1 report” deadline"):
        svc.information_request_open(firm=firm, year=2025, kind="q1_report", question="?", acting_user=regulator)
    assert not InformationRequest.objects.exists()


def test_only_the_firm_answers_and_only_the_asking_side_withdraws(firm, regulator, firm_user, other_firm_user):
    request = open_request(regulator, firm, opened=at(2026, 3, 1, 10))
    with pytest.raises(PermissionDenied):
        svc.information_request_answer(information_request=request, answer="x", acting_user=other_firm_user)
    with pytest.raises(PermissionDenied):
        svc.information_request_withdraw(information_request=request, acting_user=firm_user)
    svc.information_request_withdraw(information_request=request, acting_user=regulator)
    request.refresh_from_db()
    assert request.status == InformationRequest.Status.WITHDRAWN and request.closed_at is not None


# --- Findings: default, verifier's date, pause, earliest open ----------------------------------


def raise_finding(report, verifier, description="3 月燃煤量与发票不符"):
    return verification_svc.finding_raise(
        report=report, kind=Finding.Kind.NON_CONFORMITY, description=description, acting_user=verifier
    )


def test_a_finding_gets_the_rule_packs_response_days(under_verification, verifier):
    finding = raise_finding(under_verification, verifier)
    raised = finding.raised_at.astimezone(SH).date()
    assert finding.response_due == raised + datetime.timedelta(days=30)  # Shanghai's pack: 30 days (assumed)
    assert "finding_response_days" in under_verification.market.rule_pack_for(2025).assumed_fields


def test_the_verifier_sets_another_response_date_audited(under_verification, verifier, firm_user):
    finding = raise_finding(under_verification, verifier)
    svc.finding_response_due_set(finding=finding, response_due=D(2026, 12, 31), acting_user=verifier)
    finding.refresh_from_db()
    assert finding.response_due == D(2026, 12, 31)
    row = AuditLog.objects.filter(action="mrv.finding.response_due_set").get()
    assert row.changes["response_due"][1] == "2026-12-31"
    with pytest.raises(PermissionDenied):
        svc.finding_response_due_set(finding=finding, response_due=D(2027, 1, 31), acting_user=firm_user)


def test_the_report_is_due_on_its_earliest_open_findings_date_pauses_included(under_verification, verifier):
    a, b, c = (raise_finding(under_verification, verifier, f"finding {n}") for n in "abc")
    Finding.objects.filter(pk=a.pk).update(response_due=D(2026, 5, 20))
    Finding.objects.filter(pk=b.pk).update(response_due=D(2026, 5, 15))
    Finding.objects.filter(pk=c.pk).update(response_due=D(2026, 5, 10), status=Finding.Status.CLOSED)
    b.refresh_from_db()
    open_request(verifier, None, finding=b, opened=at(2026, 5, 1, 9), closed=at(2026, 5, 3, 10))  # 2 days 1 h: 2
    findings = list(Finding.objects.filter(report=under_verification))
    # Open: a 20 May; b 15 May + 2 = 17 May. c (10 May) is closed and does not count. Earliest: 17 May.
    assert due_dates.finding_response_dues(findings)[b.pk] == D(2026, 5, 17)
    assert due_dates.report_response_due(findings) == D(2026, 5, 17)


def test_a_request_about_a_finding_does_not_move_the_firms_calendar(under_verification, verifier):
    finding = raise_finding(under_verification, verifier)
    open_request(verifier, None, finding=finding, opened=at(2026, 3, 1), closed=at(2026, 3, 11))
    assert due_dates.due_date(under_verification.firm, 2025, "annual_report") == D(2026, 3, 31)


def test_the_findings_response_deadline_is_reminded_at_its_moved_date(under_verification, verifier, firm_user):
    finding = raise_finding(under_verification, verifier)
    Finding.objects.filter(pk=finding.pk).update(response_due=D(2026, 5, 15))
    finding.refresh_from_db()
    open_request(verifier, None, finding=finding, opened=at(2026, 5, 1, 9), closed=at(2026, 5, 4, 9))  # 3 days
    reminders_send_due(today=D(2026, 5, 11))  # 15 May + 3 paused days = 18 May: 7 days before
    [reminder] = Reminder.objects.filter(kind="finding_response")
    assert (reminder.due_date, reminder.offset_days, reminder.stage) == (D(2026, 5, 18), 7, "before")
    assert Notification.objects.filter(recipient=firm_user, kind="deadline_reminder").exists()


# --- Extension requests --------------------------------------------------------------------------


def ask(firm_user, firm, **overrides):
    values = dict(firm=firm, year=2025, kind="annual_report", reason="机组检修", acting_user=firm_user)
    return svc.extension_request_submit(**(values | overrides))


def test_the_firm_asks_and_the_regulator_is_told(firm, firm_user, regulator):
    request = ask(firm_user, firm, wanted_due_date=D(2026, 4, 30))
    assert (request.status, request.due_date_before) == (ExtensionRequest.Status.REQUESTED, D(2026, 3, 31))
    workflow_event_notify(
        event="mrv.extensionrequest.requested", message_id=uuid.uuid4(), extensionrequest_id=request.pk
    )
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {regulator.username}


def test_an_extension_request_needs_a_reason_a_later_date_and_no_request_pending(firm, firm_user):
    with pytest.raises(svc.ClockRefused, match="reason"):
        ask(firm_user, firm, reason="")
    with pytest.raises(svc.ClockRefused, match="after the current due date"):
        ask(firm_user, firm, wanted_due_date=D(2026, 3, 31))
    ask(firm_user, firm)
    with pytest.raises(svc.ClockRefused, match="already waiting"):
        ask(firm_user, firm)
    assert ExtensionRequest.objects.count() == 1


def test_another_firm_may_not_ask_for_this_firms_extension(firm, other_firm_user):
    with pytest.raises(PermissionDenied):
        ask(other_firm_user, firm)


def test_a_granted_extension_moves_the_due_date_and_the_reminders(firm, firm_user, regulator):
    request = ask(firm_user, firm)
    reminders_send_due(today=D(2026, 3, 24))  # 7 days before 31 March
    assert Reminder.objects.filter(kind="annual_report", year=2025, due_date=D(2026, 3, 31)).exists()
    svc.extension_request_grant(extension_request=request, new_due_date=D(2026, 4, 30), acting_user=regulator)
    request.refresh_from_db()
    assert (request.status, request.new_due_date, request.decided_by) == ("granted", D(2026, 4, 30), regulator)
    # 31 March → 30 April: 30 extra days.
    assert DeadlineExtension.objects.get(firm=firm, year=2025, kind="annual_report").extra_days == 30
    assert due_dates.due_date(firm, 2025, "annual_report") == D(2026, 4, 30)
    # The old date passes without an overdue notice; the new one is reminded 7 days before.
    reminders_send_due(today=D(2026, 4, 1))
    assert not Reminder.objects.filter(kind="annual_report", year=2025, stage="overdue").exists()
    reminders_send_due(today=D(2026, 4, 23))
    assert Reminder.objects.filter(kind="annual_report", due_date=D(2026, 4, 30), offset_days=7).exists()
    row = AuditLog.objects.for_object(request).order_by("-id").first()
    assert (row.action, row.from_state, row.to_state) == ("mrv.extensionrequest.grant", "requested", "granted")


def test_a_grant_after_a_pause_lands_on_the_date_the_regulator_gave(firm, firm_user, regulator):
    open_request(regulator, firm, opened=at(2026, 3, 1, 10), closed=at(2026, 3, 6, 12))  # 5 days: 5 April
    request = ask(firm_user, firm)
    assert request.due_date_before == D(2026, 4, 5)
    svc.extension_request_grant(extension_request=request, new_due_date=D(2026, 4, 30), acting_user=regulator)
    # Extra days 25, pause 5: 31 March + 30 = 30 April.
    assert DeadlineExtension.objects.get(firm=firm).extra_days == 25
    assert due_dates.due_date(firm, 2025, "annual_report") == D(2026, 4, 30)


def test_a_grant_must_give_a_later_date(firm, firm_user, regulator):
    request = ask(firm_user, firm)
    with pytest.raises(svc.ClockRefused, match="after the current one"):
        svc.extension_request_grant(extension_request=request, new_due_date=D(2026, 3, 31), acting_user=regulator)
    with pytest.raises(svc.ClockRefused, match="new due date"):
        svc.extension_request_grant(extension_request=request, new_due_date=None, acting_user=regulator)
    request.refresh_from_db()
    assert request.status == "requested" and not DeadlineExtension.objects.exists()


def test_the_regulator_refuses_with_a_reason_and_the_date_stays(firm, firm_user, regulator):
    request = ask(firm_user, firm)
    with pytest.raises(TransitionRefused, match=str(REASON_REQUIRED)):
        svc.extension_request_refuse(extension_request=request, reason="", acting_user=regulator)
    svc.extension_request_refuse(extension_request=request, reason="理由不充分", acting_user=regulator)
    request.refresh_from_db()
    assert (request.status, request.decision_reason) == ("refused", "理由不充分")
    assert due_dates.due_date(firm, 2025, "annual_report") == D(2026, 3, 31)
    workflow_event_notify(event="mrv.extensionrequest.refuse", message_id=uuid.uuid4(), extensionrequest_id=request.pk)
    [note] = Notification.objects.all()
    assert note.recipient == firm_user and "2026-03-31" in str(note)


def test_the_firm_withdraws_its_request_and_the_officers_are_told(firm, firm_user, other_firm_user, regulator):
    request = ask(firm_user, firm)
    for user in (other_firm_user, regulator):  # another firm's people and the regulator may not withdraw it
        with pytest.raises(PermissionDenied):
            svc.extension_request_withdraw(extension_request=request, acting_user=user)
    svc.extension_request_withdraw(extension_request=request, acting_user=firm_user, reason="检修已提前完成")
    request.refresh_from_db()
    assert request.status == ExtensionRequest.Status.WITHDRAWN
    assert due_dates.due_date(firm, 2025, "annual_report") == D(2026, 3, 31)
    row = AuditLog.objects.for_object(request).order_by("-id").first()
    assert (row.action, row.from_state, row.to_state, row.reason) == (
        "mrv.extensionrequest.withdraw",
        "requested",
        "withdrawn",
        "检修已提前完成",
    )
    workflow_event_notify(
        event="mrv.extensionrequest.withdraw", message_id=uuid.uuid4(), extensionrequest_id=request.pk
    )
    [note] = Notification.objects.filter(recipient=regulator)
    assert "withdrew its extension request" in str(note) and "2026-03-31" in str(note)
    with pytest.raises(TransitionRefused):  # decided (withdrawn): the regulator cannot grant it any more
        svc.extension_request_grant(extension_request=request, new_due_date=D(2026, 4, 30), acting_user=regulator)


def test_only_the_firms_regulator_decides(firm, firm_user, other_regulator, verifier):
    request = ask(firm_user, firm)
    for user in (other_regulator, verifier, firm_user):
        with pytest.raises(PermissionDenied):
            svc.extension_request_grant(extension_request=request, new_due_date=D(2026, 4, 30), acting_user=user)

"""Every workflow event tells the people who must act next, in-app and by email, once."""

import datetime
import uuid

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from deadlines import tasks
from deadlines.messages import WORKFLOW_MESSAGES
from deadlines.models import Notification, WorkflowNotice
from deadlines.workflow_notices import WHO, workflow_event_notify
from mrv.audit import log_action
from mrv.models import (
    Authority,
    EmissionReport,
    Finding,
    MonitoringPlan,
    OutboxMessage,
    SpotCheckItem,
    SpotCheckSample,
    User,
)
from mrv.services import follow_ups
from tests import factories as f

pytestmark = pytest.mark.django_db
K = Notification.Kind
PERSONAS = [
    "firm_user",
    "firm_approver",
    "other_firm_user",
    "verifier",
    "team_verifier",
    "other_verifier",
    "spot_checker",
    "regulator",
    "regulator_head",
    "other_regulator",
    "statistics_officer",
    "beijing_statistics_officer",
]
FIRM = {"firm_user", "firm_approver"}
BODY = {"verifier", "team_verifier"}
OFFICERS = {"regulator"}


@pytest.fixture
def statistics_officer(shanghai):
    bureau = f.AuthorityFactory(kind=Authority.Kind.STATISTICS_BUREAU, market=shanghai)
    return f.UserFactory(username="sh_stats", role=User.Role.STATISTICS_OFFICER, authority=bureau)


@pytest.fixture
def beijing_statistics_officer(beijing):
    bureau = f.AuthorityFactory(kind=Authority.Kind.STATISTICS_BUREAU, market=beijing)
    return f.UserFactory(username="bj_stats", role=User.Role.STATISTICS_OFFICER, authority=bureau)


@pytest.fixture
def everyone(request):
    """Every persona, by name: the right people and all the wrong ones (other firm, body, market)."""
    return {name: request.getfixturevalue(name) for name in PERSONAS}


@pytest.fixture
def report(firm, engagement, spot_body, regulator):
    """Shanghai 2025 annual report of `firm`, verified by `body` (engaged), drawn for the spot-check body."""
    r = f.ReportFactory(firm=firm, year=2025)
    sample = SpotCheckSample.objects.create(market=firm.market, year=2025, seed=1, rate_pct=10, drawn_by=regulator)
    SpotCheckItem.objects.create(sample=sample, report=r, risk_weight=1, body=spot_body, verifier_body=engagement.body)
    return r


@pytest.fixture
def plan(firm, firm_user):
    return MonitoringPlan.objects.create(
        firm=firm, version=1, valid_from=datetime.date(2025, 1, 1), created_by=firm_user
    )


@pytest.fixture
def finding(report, verifier):
    return Finding.objects.create(
        report=report, kind=Finding.Kind.MISSTATEMENT, description="1月煤耗少报", raised_by=verifier
    )


def ids_for(event: str, report, engagement, plan, finding) -> dict:
    model = event.split(".")[1]
    return {
        "monitoringplan": {"monitoringplan_id": plan.pk},
        "verificationengagement": {"verificationengagement_id": engagement.pk},
        "finding": {"finding_id": finding.pk, "report_id": report.pk},
        "emissionreport": {"emissionreport_id": report.pk},
    }[model]


def told(event: str) -> set[str]:
    return {n.recipient.username for n in Notification.objects.filter(kind=K.WORKFLOW_EVENT, params__event=event)}


# event → who is told (persona names); everybody else (other firm, other body, Beijing) is told nothing.
EXPECTED = {
    "mrv.monitoringplan.submit": OFFICERS,  # Shanghai needs no third-party check of the plan
    "mrv.monitoringplan.check_by_third_party": OFFICERS,
    "mrv.monitoringplan.approve": FIRM,
    "mrv.monitoringplan.return_to_firm": FIRM,
    "mrv.emissionreport.submit": OFFICERS | BODY,
    "mrv.emissionreport.withdraw": OFFICERS | BODY,
    "mrv.emissionreport.resubmit": BODY,
    "mrv.verificationengagement.assign": {"verifier"},  # the body's lead verifier, not the team
    "mrv.verificationengagement.reassign": {"verifier"},
    "mrv.verificationengagement.accept": FIRM,
    "mrv.verificationengagement.decline": OFFICERS,
    "mrv.verificationengagement.complete": FIRM,
    "mrv.finding.answer": BODY,
    "mrv.finding.close": FIRM,
    "mrv.finding.reopen": FIRM,
    "mrv.emissionreport.start_verification": FIRM,
    "mrv.emissionreport.return_to_firm": FIRM,
    "mrv.emissionreport.sign_off": OFFICERS,
    "mrv.emissionreport.sign_off_not_verified": OFFICERS,
    "mrv.emissionreport.select_for_spot_check": {"spot_checker"},
    "mrv.emissionreport.confirm_spot_check": OFFICERS,
    "mrv.emissionreport.record_spot_check_discrepancy": BODY,
    "mrv.emissionreport.send_to_review": OFFICERS,
    "mrv.emissionreport.return_to_verifier": BODY,
    "mrv.emissionreport.regulator_return_to_firm": FIRM,
    "mrv.emissionreport.propose_determination": {"regulator_head"},
    "mrv.emissionreport.propose_conservative_estimate": {"regulator_head"},
    "mrv.emissionreport.approve_determination": FIRM,
    "mrv.emissionreport.reject_determination": OFFICERS,
    "mrv.emissionreport.propose_redetermination": {"regulator_head"},
    "mrv.emissionreport.approve_redetermination": FIRM,
    "mrv.emissionreport.reject_redetermination": OFFICERS,
    "mrv.emissionreport.close": FIRM,
    "mrv.emissionreport.start_co_review": OFFICERS | {"statistics_officer"},
    "mrv.emissionreport.accept_quarterly": FIRM,
    "mrv.emissionreport.return_quarterly": FIRM,
}


# Requests about deadlines: who is told is tested in tests/mrv/test_deadline_requests.py.
REQUEST_EVENTS = {
    "mrv.informationrequest.opened",
    "mrv.informationrequest.respond",
    "mrv.informationrequest.withdraw",
    "mrv.extensionrequest.requested",
    "mrv.extensionrequest.grant",
    "mrv.extensionrequest.refuse",
    "mrv.extensionrequest.withdraw",
}


def test_every_event_is_wired_to_the_notification_task_with_recipients_and_a_message():
    assert set(follow_ups.EVENTS) == set(WHO) == set(WORKFLOW_MESSAGES) == set(EXPECTED) | REQUEST_EVENTS
    assert follow_ups.follow_ups("mrv.emissionreport.submit", emissionreport_id=7) == [
        ("deadlines.notify_workflow_event", {"event": "mrv.emissionreport.submit", "emissionreport_id": 7})
    ]


@pytest.mark.parametrize("event", sorted(EXPECTED))
def test_each_event_tells_the_people_who_must_act_and_nobody_else(event, everyone, report, engagement, plan, finding):
    count = workflow_event_notify(
        event=event, message_id=uuid.uuid4(), **ids_for(event, report, engagement, plan, finding)
    )
    expected = {everyone[name].username for name in EXPECTED[event]}
    assert told(event) == expected
    assert count == len(expected)
    assert Notification.objects.count() == len(expected)  # nobody else: other firm, body, market


def test_the_plan_goes_to_the_checking_body_where_the_market_requires_a_third_party_check(everyone, firm_user):
    tianjin = f.market("tianjin")
    tj_firm = f.FirmFactory(market=tianjin, sector=f.sector("power"))
    checker_body = f.BodyFactory(markets=[tianjin], sectors=[f.sector("power")])
    checker = f.UserFactory(username="tj_checker", role=User.Role.VERIFIER, body=checker_body)
    tj_officer = f.UserFactory(
        username="tj_officer", role=User.Role.REGULATOR_OFFICER, authority=f.AuthorityFactory(market=tianjin)
    )
    plan = MonitoringPlan.objects.create(
        firm=tj_firm, version=1, valid_from=datetime.date(2025, 1, 1), created_by=firm_user, check_body=checker_body
    )
    workflow_event_notify(event="mrv.monitoringplan.submit", message_id=uuid.uuid4(), monitoringplan_id=plan.pk)
    assert told("mrv.monitoringplan.submit") == {checker.username}
    workflow_event_notify(
        event="mrv.monitoringplan.check_by_third_party", message_id=uuid.uuid4(), monitoringplan_id=plan.pk
    )
    assert told("mrv.monitoringplan.check_by_third_party") == {tj_officer.username}


def test_a_head_who_proposes_is_not_told_of_their_own_proposal(report, regulator, regulator_head, shanghai_authority):
    second_head = f.UserFactory(username="sh_head_2", role=User.Role.REGULATOR_HEAD, authority=shanghai_authority)
    log_action(
        report,
        "mrv.emissionreport.propose_determination",
        actor=regulator_head,
        from_state="regulator_review",
        to_state="determination_proposed",
    )
    workflow_event_notify(
        event="mrv.emissionreport.propose_determination", message_id=uuid.uuid4(), emissionreport_id=report.pk
    )
    assert told("mrv.emissionreport.propose_determination") == {second_head.username}


def test_the_notice_names_the_firm_year_period_state_open_findings_and_links_the_report(
    report, finding, verifier, firm_user, firm
):
    Finding.objects.create(
        report=report, kind=Finding.Kind.NON_CONFORMITY, description="计量器具未校准", raised_by=verifier
    )
    closed = Finding.objects.create(
        report=report, kind=Finding.Kind.IMPROVEMENT, description="建议", raised_by=verifier
    )
    Finding.objects.filter(pk=closed.pk).update(status=Finding.Status.CLOSED)
    EmissionReport.objects.filter(pk=report.pk).update(status=EmissionReport.Status.RETURNED_TO_FIRM)
    workflow_event_notify(
        event="mrv.emissionreport.return_to_firm", message_id=uuid.uuid4(), emissionreport_id=report.pk
    )
    n = Notification.objects.get(recipient=firm_user)
    # three findings, one closed: 2 open
    assert n.params == {
        "event": "mrv.emissionreport.return_to_firm",
        "firm": firm.name,
        "year": 2025,
        "period": "annual",
        "state": "returned_to_firm",
        "findings": 2,
    }
    assert n.url == reverse("ui:report_detail", args=[report.pk])
    assert str(n) == f"{firm.name} 2025 annual report was returned to you with 2 open findings."
    with translation.override("zh-hans"):
        assert str(n) == f"{firm.name} 2025 年度报告已退回给您，有 2 项未关闭的发现问题。"


def test_the_email_is_queued_once_and_sent_once(report, engagement, regulator, django_capture_on_commit_callbacks):
    message_id = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        workflow_event_notify(event="mrv.emissionreport.sign_off", message_id=message_id, emissionreport_id=report.pk)
    [queued] = OutboxMessage.objects.filter(task_name="deadlines.send_notification_emails")
    [notice] = Notification.objects.filter(recipient=regulator)
    assert queued.kwargs == {"notification_ids": [notice.pk]} and queued.sent_at is not None
    [email] = mail.outbox
    assert email.to == [regulator.email] and "was verified" in email.body
    with django_capture_on_commit_callbacks(execute=True):
        workflow_event_notify(event="mrv.emissionreport.sign_off", message_id=message_id, emissionreport_id=report.pk)
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.filter(task_name="deadlines.send_notification_emails").count() == 1


def test_a_redelivered_task_notifies_once(
    report, engagement, regulator, verifier, team_verifier, django_capture_on_commit_callbacks
):
    kwargs = {"event": "mrv.emissionreport.submit", "emissionreport_id": report.pk}
    message_id = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.notify_workflow_event.apply(kwargs=kwargs, task_id=message_id, throw=True).get()
        again = tasks.notify_workflow_event.apply(kwargs=kwargs, task_id=message_id, throw=True).get()
    assert (first, again) == (3, 0)  # officer, lead verifier, team verifier; then nobody
    assert Notification.objects.count() == 3 and len(mail.outbox) == 3
    assert WorkflowNotice.objects.get().message_id == uuid.UUID(message_id)
    # another event of the same kind (a new outbox message) is news again
    tasks.notify_workflow_event.apply(kwargs=kwargs, task_id=str(uuid.uuid4()), throw=True)
    assert Notification.objects.count() == 6


def test_the_task_retries_late_and_on_transient_errors():
    task = tasks.notify_workflow_event
    assert task.acks_late is True and task.max_retries == 8
    assert task.autoretry_for == tasks.TRANSIENT


def test_submitting_a_report_tells_the_regulator_and_the_engaged_verifier(
    client,
    firm,
    firm_approver,
    engagement,
    verifier,
    team_verifier,
    regulator,
    other_regulator,
    other_verifier,
    other_firm_user,
    django_capture_on_commit_callbacks,
):
    from tests.mrv.reporting import COAL, ELECTRICITY, approved_plan
    from tests.verification_world import submitted_report

    with django_capture_on_commit_callbacks(execute=True):
        approved_plan(firm, [COAL, ELECTRICITY])
    client.force_login(regulator)
    before = client.get(reverse("home")).context["unread_notifications_count"]
    with django_capture_on_commit_callbacks(execute=True):
        report = submitted_report(firm, firm_approver)
    assert report.status == EmissionReport.Status.SUBMITTED
    assert told("mrv.emissionreport.submit") == {regulator.username, verifier.username, team_verifier.username}
    assert not Notification.objects.filter(recipient__in=[other_regulator, other_verifier, other_firm_user]).exists()
    n = Notification.objects.get(recipient=regulator, params__event="mrv.emissionreport.submit")
    assert n.url == reverse("ui:report_detail", args=[report.pk])
    assert {e.to[0] for e in mail.outbox} >= {regulator.email, verifier.email, team_verifier.email}
    assert client.get(reverse("home")).context["unread_notifications_count"] == before + 1


def test_telling_many_people_costs_a_bounded_number_of_queries(report, engagement, firm, django_assert_max_num_queries):
    def notify_firm() -> int:
        return workflow_event_notify(
            event="mrv.emissionreport.return_to_firm", message_id=uuid.uuid4(), emissionreport_id=report.pk
        )

    f.UserFactory(role=User.Role.FIRM_REPORTER, firm=firm)
    # done? report, open findings, engagement, (content type), actor, firm users; 2 savepoints, 3 inserts, 2 releases
    with django_assert_max_num_queries(14) as few:
        assert notify_firm() == 1
    f.UserFactory.create_batch(20, role=User.Role.FIRM_REPORTER, firm=firm)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert notify_firm() == 21

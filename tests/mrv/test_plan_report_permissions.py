"""Who may do what with monitoring plans and emission reports: role × action × expected, one row per persona."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from mrv import access
from mrv.models import EmissionReport, MonitoringPlan, VerificationEngagement
from mrv.services import plans as plan_svc
from mrv.services import reports as report_svc
from tests import factories as f
from tests.factories import certified
from tests.mrv.reporting import approved_plan, monthly, source

D = Decimal
KILN = {
    "code": "kiln",
    "source": "kiln",
    "method": "process",
    "unit": "t",
    "params": {"emission_factor": ("tCO2/t", "default", "0.5")},
}


@pytest.fixture
def plan_world(firm, firm_user, body):
    f.EngagementFactory(firm=firm, body=body, year=2025, status=VerificationEngagement.Status.ASSIGNED)
    plan = plan_svc.plan_create(firm=firm, valid_from=__import__("datetime").date(2025, 1, 1), acting_user=firm_user)
    stream = plan_svc.plan_add_stream(
        plan=plan,
        source=source(firm, "kiln"),
        code="kiln",
        name="窑",
        method="process",
        activity_unit="t",
        acting_user=firm_user,
    )
    plan_svc.plan_set_parameter(
        stream=stream,
        name="emission_factor",
        unit="tCO2/t",
        source="default",
        default_value=D("0.5"),
        acting_user=firm_user,
    )
    return plan


def _submitted(plan):
    MonitoringPlan.objects.filter(pk=plan.pk).update(status=MonitoringPlan.Status.SUBMITTED)
    plan.refresh_from_db()
    return plan


PLAN_ACTIONS = {
    "edit": lambda plan, user: plan_svc.plan_update(plan=plan, data_management_notes="改", acting_user=user),
    "submit": lambda plan, user: plan_svc.plan_submit(plan=plan, acting_user=user),
    "approve": lambda plan, user: plan_svc.plan_approve(plan=_submitted(plan), acting_user=user),
    "return": lambda plan, user: plan_svc.plan_return(plan=_submitted(plan), reasons="补充", acting_user=user),
    "view_submitted": lambda plan, user: access.can_view(user, _submitted(plan)) or _deny(),
}


def _deny():
    raise PermissionDenied


PLAN_TABLE = {
    #                  edit   submit approve return view_submitted
    "firm_user": (True, False, False, False, True),
    "firm_approver": (True, True, False, False, True),
    "other_firm_user": (False, False, False, False, False),
    "verifier": (False, False, False, False, True),
    "team_verifier": (False, False, False, False, True),
    "other_verifier": (False, False, False, False, False),
    "spot_checker": (False, False, False, False, False),
    "regulator": (False, False, True, True, True),
    "regulator_head": (False, False, True, True, True),
    "other_regulator": (False, False, False, False, False),
    "national_admin": (False, False, False, False, True),
    "outsider": (False, False, False, False, False),
}


def _allowed(action, obj, user) -> bool:
    try:
        action(obj, user)
    except PermissionDenied:
        return False
    return True


@pytest.mark.parametrize("persona", PLAN_TABLE)
@pytest.mark.parametrize("action", PLAN_ACTIONS)
def test_plan_permissions(request, plan_world, persona, action):
    user = request.getfixturevalue(persona)
    expected = PLAN_TABLE[persona][list(PLAN_ACTIONS).index(action)]
    assert _allowed(PLAN_ACTIONS[action], plan_world, user) is expected


@pytest.fixture
def report_world(firm, firm_user, firm_approver, body):
    f.EngagementFactory(firm=firm, body=body, year=2025, status=VerificationEngagement.Status.ASSIGNED)
    approved_plan(firm, [KILN])
    report = f.ReportFactory(firm=firm, year=2025)
    report_svc.report_save_output_data(
        report=report, rows=[{"name": "供电量", "amount": "100", "unit": "MWh"}], acting_user=firm_user
    )
    report_svc.report_save_activity_data(
        report=report, rows=monthly("kiln", range(1, 13), activity="10"), acting_user=firm_user
    )
    return report


def _submitted_report(report, user):
    return report_svc.report_submit(report=report, acting_user=user, certification=certified())


def _returned(report, approver):
    _submitted_report(report, approver)
    EmissionReport.objects.filter(pk=report.pk).update(status=EmissionReport.Status.RETURNED_TO_FIRM)
    report.refresh_from_db()
    return report


REPORT_ACTIONS = {
    "save_data": lambda r, user, approver: report_svc.report_save_activity_data(
        report=r, rows=[{"stream": "kiln", "month": 1, "activity": "11"}], acting_user=user
    ),
    "submit": lambda r, user, approver: report_svc.report_submit(report=r, acting_user=user, certification=certified()),
    "withdraw": lambda r, user, approver: (
        _submitted_report(r, approver) and report_svc.report_withdraw(report=r, acting_user=user)
    ),
    "resubmit": lambda r, user, approver: report_svc.report_resubmit(
        report=_returned(r, approver), acting_user=user, certification=certified()
    ),
    "view_version": lambda r, user, approver: access.can_view(user, _submitted_report(r, approver)) or _deny(),
}

REPORT_TABLE = {
    #                  save   submit withdraw resubmit view_version
    "firm_user": (True, False, True, False, True),
    "firm_approver": (True, True, True, True, True),
    "other_firm_user": (False, False, False, False, False),
    "verifier": (False, False, False, False, True),
    "team_verifier": (False, False, False, False, True),
    "other_verifier": (False, False, False, False, False),
    "spot_checker": (False, False, False, False, False),
    "regulator": (False, False, False, False, True),
    "regulator_head": (False, False, False, False, True),
    "other_regulator": (False, False, False, False, False),
    "national_admin": (False, False, False, False, True),
    "outsider": (False, False, False, False, False),
}


@pytest.mark.parametrize("persona", REPORT_TABLE)
@pytest.mark.parametrize("action", REPORT_ACTIONS)
def test_report_permissions(request, report_world, firm_approver, persona, action):
    user = request.getfixturevalue(persona)
    expected = REPORT_TABLE[persona][list(REPORT_ACTIONS).index(action)]
    status_before = None if expected else EmissionReport.objects.get(pk=report_world.pk).status
    action_fn = REPORT_ACTIONS[action]
    assert _allowed(lambda r, u: action_fn(r, u, firm_approver), report_world, user) is expected
    if status_before is not None and action in ("save_data", "submit"):
        report_world.refresh_from_db()
        assert report_world.status == status_before and not report_world.versions.exists()

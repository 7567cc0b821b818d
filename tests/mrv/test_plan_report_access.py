"""Plans, their parts, report data and versions: the list scope and the one-object predicate agree for every
persona; drafts stay with the firm; the admin shows plans and report versions to the market's regulator only."""

import datetime

import pytest
from django.urls import reverse

from mrv import access
from mrv.models import (
    ActivityDataRow,
    EmissionReport,
    MonitoringPlan,
    OutputDataRow,
    PlanParameter,
    PlanSourceStream,
    ReportVersion,
    VerificationEngagement,
)
from mrv.services import plans as plan_svc
from mrv.services import reports as report_svc
from tests import factories as f
from tests.factories import certified
from tests.mrv.reporting import approved_plan, monthly

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
    "national_admin",
    "outsider",
]
KILN = {
    "code": "kiln",
    "source": "kiln",
    "method": "process",
    "unit": "t",
    "params": {"emission_factor": ("tCO2/t", "default", "0.5")},
}


def _submitted_report(firm, user, *, year=2025):
    report = f.ReportFactory(firm=firm, year=year)
    report_svc.report_save_output_data(
        report=report, rows=[{"name": "产量", "amount": "100", "unit": "t"}], acting_user=user
    )
    report_svc.report_save_activity_data(
        report=report, rows=monthly("kiln", range(1, 13), activity="10"), acting_user=user
    )
    report_svc.report_submit(report=report, acting_user=user, certification=certified())
    return report


@pytest.fixture
def world(firm, other_firm, beijing_firm, body, firm_user, firm_approver):
    f.EngagementFactory(firm=firm, body=body, year=2025, status=VerificationEngagement.Status.ACCEPTED)
    approved = approved_plan(firm, [KILN])
    draft = plan_svc.plan_create(firm=firm, valid_from=datetime.date(2026, 1, 1), acting_user=firm_user)
    others = [approved_plan(x, [KILN]) for x in (other_firm, beijing_firm)]
    report = _submitted_report(firm, firm_approver)
    for other in (other_firm, beijing_firm):
        _submitted_report(other, f.UserFactory(role="firm_approver", firm=other))
    return {"approved": approved, "draft": draft, "others": others, "report": report}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "model", [MonitoringPlan, PlanSourceStream, PlanParameter, ReportVersion, ActivityDataRow, OutputDataRow]
)
def test_scope_and_predicate_agree(request, world, persona, model):
    user = request.getfixturevalue(persona)
    listed = set(access.visible_to(user, model).values_list("pk", flat=True))
    judged = {obj.pk for obj in model.objects.all() if access.can_view(user, obj)}
    assert listed == judged


def test_an_engaged_verifier_sees_the_firms_submitted_plans_but_not_its_draft(world, verifier):
    assert set(access.visible_to(verifier, MonitoringPlan)) == {world["approved"]}
    assert not access.can_view(verifier, world["draft"])
    assert set(access.visible_to(verifier, ReportVersion)) == set(world["report"].versions.all())


def test_the_firm_sees_its_own_versions_only(world, firm_user, firm):
    assert set(access.visible_to(firm_user, MonitoringPlan)) == {world["approved"], world["draft"]}
    assert {v.report.firm_id for v in access.visible_to(firm_user, ReportVersion)} == {firm.pk}


def test_a_regulator_sees_the_plans_and_versions_of_their_market_only(world, regulator, firm, other_firm):
    assert {p.firm_id for p in access.visible_to(regulator, MonitoringPlan)} == {firm.pk, other_firm.pk}
    assert {v.report.firm_id for v in access.visible_to(regulator, ReportVersion)} == {firm.pk, other_firm.pk}


def test_the_body_chosen_for_the_tianjin_check_sees_the_submitted_plan(db):
    tianjin = f.market("tianjin")
    firm = f.FirmFactory(market=tianjin, sector=f.sector("chemicals"))
    body = f.BodyFactory(markets=[tianjin])
    checker = f.UserFactory(role="lead_verifier", body=body)
    plan = approved_plan(firm, [KILN])
    MonitoringPlan.objects.filter(pk=plan.pk).update(status=MonitoringPlan.Status.SUBMITTED, check_body=body)
    plan.refresh_from_db()
    assert list(access.visible_to(checker, MonitoringPlan)) == [plan] and access.can_view(checker, plan)


def test_listing_plans_takes_a_bounded_number_of_queries(world, regulator, django_assert_max_num_queries):
    for n in range(5):
        approved_plan(f.FirmFactory(name=f"加测{n}"), [KILN])
    with django_assert_max_num_queries(3):
        plans = list(access.visible_to(regulator, MonitoringPlan).select_related("firm"))
        assert len(plans) == 8 and all(p.firm.name for p in plans)


# --- Admin ---------------------------------------------------------------------------------------


@pytest.fixture
def as_shanghai(client, regulator):
    client.force_login(regulator)
    return client


def test_the_regulator_lists_the_plans_of_their_market_in_the_admin(as_shanghai, world, beijing_firm, firm):
    page = as_shanghai.get(reverse("admin:mrv_monitoringplan_changelist"))
    content = page.content.decode()
    assert page.status_code == 200 and firm.name in content and beijing_firm.name not in content


def test_the_admin_shows_a_plans_streams_and_history(as_shanghai, world, firm_approver, regulator):
    plan = world["draft"]
    plan_svc.plan_add_stream(
        plan=plan,
        source=world["approved"].streams.get().source,
        code="gas",
        name="天然气",
        method="process",
        activity_unit="t",
        acting_user=firm_approver,
    )
    change = as_shanghai.get(reverse("admin:mrv_monitoringplan_change", args=[plan.pk]))
    assert change.status_code == 200 and "天然气" in change.content.decode()
    first = reverse("admin:mrv_monitoringplan_change", args=[world["approved"].pk])
    assert f'<a href="{first}">v1' in change.content.decode()  # every version of the firm, linked
    history = as_shanghai.get(reverse("admin:mrv_monitoringplan_history", args=[plan.pk]))
    assert history.status_code == 200 and "mrv.monitoringplan.stream_added" in history.content.decode()


def test_the_admin_shows_a_reports_versions_and_history(as_shanghai, world):
    report = world["report"]
    page = as_shanghai.get(reverse("admin:mrv_emissionreport_change", args=[report.pk]))
    content = page.content.decode()
    assert page.status_code == 200 and "reportversion" in content.lower()
    assert str(report.current_version.reported_tco2e) in content
    history = as_shanghai.get(reverse("admin:mrv_emissionreport_history", args=[report.pk]))
    assert "mrv.emissionreport.submit" in history.content.decode()
    version = as_shanghai.get(reverse("admin:mrv_reportversion_change", args=[report.current_version.pk]))
    assert version.status_code == 200


def test_another_markets_regulator_cannot_open_the_plan_or_the_version(client, other_regulator, world):
    client.force_login(other_regulator)
    plan = client.get(reverse("admin:mrv_monitoringplan_change", args=[world["approved"].pk]))
    version = client.get(reverse("admin:mrv_reportversion_change", args=[world["report"].current_version.pk]))
    history = client.get(reverse("admin:mrv_monitoringplan_history", args=[world["approved"].pk]))
    assert plan.status_code == 302 and version.status_code == 302 and history.status_code == 302
    listing = client.get(reverse("admin:mrv_monitoringplan_changelist")).content.decode()
    assert world["approved"].firm.name not in listing


def test_plans_cannot_be_changed_in_the_admin(as_shanghai, world):
    url = reverse("admin:mrv_monitoringplan_change", args=[world["draft"].pk])
    as_shanghai.post(url, {"data_management_notes": "改", "audit_reason": "x"})
    world["draft"].refresh_from_db()
    assert world["draft"].data_management_notes == ""


def test_the_report_admin_list_takes_a_bounded_number_of_queries(as_shanghai, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert as_shanghai.get(reverse("admin:mrv_emissionreport_changelist")).status_code == 200
    assert EmissionReport.objects.count() == 3

"""The monitoring plan editor: versions, streams and parameters of a draft, submission, reviewers' comments."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mrv.models import AuditLog, MonitoringPlan, PlanAttachment, PlanParameter, PlanSourceStream
from mrv.services import plans as svc
from tests.mrv.reporting import approved_plan, source

OUTSIDERS = ["other_firm_user", "other_verifier", "other_regulator", "outsider"]


@pytest.fixture
def draft(firm, firm_user):
    source(firm, "kiln")
    return svc.plan_create(firm=firm, valid_from=datetime.date(2025, 1, 1), acting_user=firm_user)


def url(name, plan, *args):
    return reverse(f"ui:{name}", args=[plan.pk, *args])


STREAM = {"code": "kiln", "name": "熟料窑", "method": "process", "gas": "CO2", "activity_unit": "t", "fuel_code": ""}


def test_a_firm_user_starts_a_version_from_the_list(client, firm, firm_user):
    client.force_login(firm_user)
    response = client.post(reverse("ui:plan_new"), {"valid_from": "2025-01-01", "data_management_notes": "每月抄表"})
    plan = MonitoringPlan.objects.get(firm=firm)
    assert response.url == url("plan_detail", plan) and plan.version == 1
    assert client.get(reverse("ui:plan_list")).content.decode().count(url("plan_detail", plan)) == 1


def test_adding_a_stream_and_its_parameter_then_submitting(client, firm, firm_user, firm_approver, draft):
    client.force_login(firm_user)
    kiln = firm.sources.get(code="kiln")
    assert client.post(url("plan_stream_add", draft), STREAM | {"source": kiln.pk}).status_code == 302
    stream = PlanSourceStream.objects.get(plan=draft)
    response = client.post(
        url("plan_parameter_set", draft),
        {
            "stream": stream.pk,
            "name": "emission_factor",
            "unit": "tCO2/t",
            "source": "default",
            "default_value": "0.52",
        },
    )
    assert response.status_code == 302
    assert PlanParameter.objects.get(stream=stream).default_value == Decimal("0.52")
    assert client.post(url("plan_submit", draft)).status_code == 403  # a reporter does not submit
    client.force_login(firm_approver)
    assert client.post(url("plan_submit", draft), {"reason": "首版"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == MonitoringPlan.Status.SUBMITTED
    row = AuditLog.objects.for_object(draft).get(action="mrv.monitoringplan.submit")
    assert (row.actor, row.to_state, row.reason) == (firm_approver, "submitted", "首版")


def test_an_incomplete_plan_is_not_submitted_and_says_why(client, firm_approver, draft):
    client.force_login(firm_approver)
    response = client.post(url("plan_submit", draft))
    assert response.status_code == 400 and str(svc.PLAN_EMPTY) in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == MonitoringPlan.Status.DRAFT


def test_a_gas_the_market_does_not_cover_is_refused_with_the_services_message(client, firm, firm_user, draft):
    client.force_login(firm_user)
    kiln = firm.sources.get(code="kiln")
    response = client.post(url("plan_stream_add", draft), STREAM | {"source": kiln.pk, "gas": "CH4"})
    assert response.status_code == 400 and "does not cover CH4" in response.content.decode()
    assert not PlanSourceStream.objects.exists()


def test_a_source_of_another_firm_cannot_be_chosen(client, other_firm, firm_user, draft):
    client.force_login(firm_user)
    foreign = source(other_firm, "oven")
    response = client.post(url("plan_stream_add", draft), STREAM | {"source": foreign.pk})
    assert response.status_code == 400 and not PlanSourceStream.objects.exists()


def test_an_approved_version_shows_no_edit_forms_and_refuses_changes(client, firm, firm_user):
    plan = approved_plan(
        firm,
        [
            {
                "code": "kiln",
                "source": "kiln",
                "method": "process",
                "unit": "t",
                "params": {"emission_factor": ("tCO2/t", "default", "0.5")},
            }
        ],
    )
    client.force_login(firm_user)
    html = client.get(url("plan_detail", plan)).content.decode()
    assert url("plan_stream_add", plan) not in html
    response = client.post(url("plan_edit", plan), {"valid_from": "2026-01-01"})
    assert response.status_code == 400
    plan.refresh_from_db()
    assert plan.valid_from == datetime.date(2025, 1, 1)


def test_reviewers_comments_are_shown_to_the_firm(client, firm, firm_user, firm_approver, regulator, draft):
    kiln = firm.sources.get(code="kiln")
    stream = svc.plan_add_stream(
        plan=draft, source=kiln, acting_user=firm_user, **{k: v for k, v in STREAM.items() if k != "fuel_code"}
    )
    svc.plan_set_parameter(
        stream=stream,
        name="emission_factor",
        unit="tCO2/t",
        source="default",
        default_value=Decimal("0.5"),
        acting_user=firm_user,
    )
    svc.plan_submit(plan=draft, acting_user=firm_approver)
    svc.plan_return(plan=draft, reasons="请补充计量器具编号", acting_user=regulator)
    client.force_login(firm_user)
    html = client.get(url("plan_detail", draft)).content.decode()
    assert "请补充计量器具编号" in html and 'data-state="returned"' in html
    assert "请补充计量器具编号" in client.get(reverse("home")).content.decode()


def test_attachments_are_checked_by_content(client, firm_user, draft):
    client.force_login(firm_user)
    bad = client.post(url("plan_attach", draft), {"file": SimpleUploadedFile("a.pdf", b"MZ\x90 program")})
    assert bad.status_code == 400 and not PlanAttachment.objects.exists()
    good = client.post(url("plan_attach", draft), {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4 meter list")})
    assert good.status_code == 302
    attachment = PlanAttachment.objects.get()
    response = client.get(url("plan_attachment_download", draft, attachment.pk))
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize(
    "name,method",
    [
        ("plan_detail", "get"),
        ("plan_edit", "post"),
        ("plan_stream_add", "post"),
        ("plan_parameter_set", "post"),
        ("plan_attach", "post"),
        ("plan_submit", "post"),
    ],
)
def test_others_get_404_on_every_plan_page(client, request, draft, persona, name, method):
    client.force_login(request.getfixturevalue(persona))
    assert getattr(client, method)(url(name, draft)).status_code == 404


@pytest.mark.parametrize("name", ["plan_edit", "plan_stream_add", "plan_parameter_set", "plan_attach", "plan_submit"])
def test_the_regulator_sees_the_plan_but_may_not_edit_it(client, regulator, firm_user, firm_approver, draft, name):
    client.force_login(regulator)
    assert client.get(url("plan_detail", draft)).status_code == 200
    assert client.post(url(name, draft)).status_code == 403


def test_a_verifier_without_engagement_does_not_see_a_draft(client, verifier, draft, engagement):
    client.force_login(verifier)
    assert client.get(url("plan_detail", draft)).status_code == 404  # drafts stay with the firm


def test_plan_list_queries_do_not_grow_with_versions(client, firm, regulator, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    approved_plan(firm, [], version=1)
    client.force_login(regulator)
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("ui:plan_list"))
    few = len(captured.captured_queries)
    for version in range(2, 30):
        approved_plan(firm, [], version=version)
    with django_assert_max_num_queries(few):
        assert client.get(reverse("ui:plan_list")).status_code == 200

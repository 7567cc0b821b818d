"""The pages of requests for information and extension requests: each side acts from its page, nobody
sees another tenant's requests, and the verifier sets a finding's response date and asks from the finding."""

import datetime

import pytest
from django.urls import reverse

from mrv.models import ExtensionRequest, Finding, InformationRequest
from mrv.services import clocks as svc
from mrv.services import verification as verification_svc
from tests.verification_world import *  # noqa: F403

D = datetime.date
pytestmark = pytest.mark.django_db


def test_the_firm_asks_for_an_extension_and_the_regulator_grants_it_from_the_page(client, firm, firm_user, regulator):
    client.force_login(firm_user)
    data = {"year": "2025", "kind": "annual_report", "reason": "机组检修", "wanted_due_date": "2026-04-30"}
    assert client.post(reverse("ui:extension_request_submit"), data).status_code == 302
    request = ExtensionRequest.objects.get(firm=firm)
    client.force_login(regulator)
    page = client.get(reverse("ui:extension_request_list")).content.decode()
    assert "机组检修" in page and reverse("ui:extension_request_grant", args=[request.pk]) in page
    client.post(reverse("ui:extension_request_grant", args=[request.pk]), {"new_due_date": "2026-04-30"})
    request.refresh_from_db()
    assert (request.status, request.new_due_date) == ("granted", D(2026, 4, 30))


def test_the_firm_withdraws_its_request_from_the_page_and_the_regulator_cannot(
    client, firm, firm_user, regulator, other_firm_user
):
    request = svc.extension_request_submit(
        firm=firm, year=2025, kind="annual_report", reason="机组检修", acting_user=firm_user
    )
    withdraw = reverse("ui:extension_request_withdraw", args=[request.pk])
    client.force_login(regulator)
    assert withdraw not in client.get(reverse("ui:extension_request_list")).content.decode()
    assert client.post(withdraw).status_code == 403 and ExtensionRequest.objects.get().status == "requested"
    client.force_login(other_firm_user)
    assert client.post(withdraw).status_code == 404
    client.force_login(firm_user)
    assert withdraw in client.get(reverse("ui:extension_request_list")).content.decode()
    response = client.post(withdraw, {"reason": "检修提前完成"}, follow=True)
    assert "Your extension request is withdrawn" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "withdrawn" and withdraw not in response.content.decode()


def test_a_refusal_without_a_reason_is_a_message_and_changes_nothing(client, firm, firm_user, regulator):
    request = svc.extension_request_submit(
        firm=firm, year=2025, kind="annual_report", reason="x", acting_user=firm_user
    )
    client.force_login(regulator)
    response = client.post(reverse("ui:extension_request_refuse", args=[request.pk]), {"reason": ""}, follow=True)
    assert response.status_code == 200 and "required" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "requested"


def test_another_tenants_requests_are_404_and_not_listed(
    client, firm, firm_user, regulator, other_firm_user, other_regulator
):
    extension = svc.extension_request_submit(
        firm=firm, year=2025, kind="annual_report", reason="机组检修", acting_user=firm_user
    )
    info = svc.information_request_open(
        firm=firm, year=2025, kind="annual_report", question="请说明", acting_user=regulator
    )
    for user in (other_firm_user, other_regulator):
        client.force_login(user)
        assert (
            client.post(
                reverse("ui:extension_request_grant", args=[extension.pk]), {"new_due_date": "2026-05-01"}
            ).status_code
            == 404
        )
        assert client.post(reverse("ui:information_request_answer", args=[info.pk]), {"answer": "x"}).status_code == 404
        assert "请说明" not in client.get(reverse("ui:information_request_list")).content.decode()
    extension.refresh_from_db()
    info.refresh_from_db()
    assert (extension.status, info.status) == ("requested", "open")


def test_the_regulator_asks_and_the_firm_answers_from_the_page(client, firm, firm_user, regulator):
    client.force_login(regulator)
    data = {"firm": firm.pk, "year": "2025", "kind": "annual_report", "question": "请提供燃煤发票"}
    assert client.post(reverse("ui:information_request_ask"), data).status_code == 302
    info = InformationRequest.objects.get(firm=firm)
    client.force_login(firm_user)
    page = client.get(reverse("ui:information_request_list")).content.decode()
    assert "请提供燃煤发票" in page and reverse("ui:information_request_answer", args=[info.pk]) in page
    client.post(reverse("ui:information_request_answer", args=[info.pk]), {"answer": "见附件"})
    info.refresh_from_db()
    assert (info.status, info.answer) == ("answered", "见附件")


def test_the_verifier_sets_the_response_date_and_asks_from_the_finding(client, under_verification, verifier):
    finding = verification_svc.finding_raise(
        report=under_verification, kind=Finding.Kind.NON_CONFORMITY, description="缺少化验报告", acting_user=verifier
    )
    client.force_login(verifier)
    page = client.get(reverse("ui:report_verification", args=[under_verification.pk])).content.decode()
    assert "response due" in page and "The firm's response to the findings is due on" in page
    args = [under_verification.pk, finding.pk]
    client.post(reverse("ui:finding_response_due", args=args), {"response_due": "2026-12-31"})
    client.post(reverse("ui:finding_ask", args=args), {"question": "请提供 3 月化验报告"})
    finding.refresh_from_db()
    assert finding.response_due == D(2026, 12, 31)
    assert InformationRequest.objects.get(finding=finding).kind == "finding_response"


@pytest.mark.parametrize("name", ["information_request_list", "extension_request_list", "deposit_overview"])
def test_the_pages_run_a_bounded_number_of_queries(
    client, firm, firm_user, regulator, name, django_assert_max_num_queries
):
    for year in range(2016, 2026):
        svc.information_request_open(firm=firm, year=year, kind="annual_report", question="?", acting_user=regulator)
        svc.extension_request_submit(firm=firm, year=year, kind="annual_report", reason="r", acting_user=firm_user)
    client.force_login(regulator)
    with django_assert_max_num_queries(20):
        assert client.get(reverse(f"ui:{name}")).status_code == 200

"""The firm answers each verifier finding on the report page (htmx partial update, or a plain POST)."""

import pytest
from django.urls import reverse

from mrv.models import AuditLog, EmissionReport, Finding, FindingAnswer
from mrv.services import verification as verification_svc
from tests.verification_world import accepted, submitted_report  # noqa: F401


@pytest.fixture
def returned(firm, firm_approver, verifier, accepted):  # noqa: F811
    report = submitted_report(firm, firm_approver)
    verification_svc.report_start_verification(report=report, acting_user=verifier)
    finding = verification_svc.finding_raise(
        report=report, kind=Finding.Kind.NON_CONFORMITY, description="1月煤耗与台账不符", acting_user=verifier
    )
    verification_svc.report_return_to_firm(report=report, acting_user=verifier, reason="请答复")
    report.refresh_from_db()
    assert report.status == EmissionReport.Status.RETURNED_TO_FIRM
    return report, finding


def answer_url(report, finding):
    return reverse("ui:finding_answer", args=[report.pk, finding.pk])


def test_the_firm_sees_the_finding_and_answers_it_with_htmx(client, firm_user, returned):
    report, finding = returned
    client.force_login(firm_user)
    page = client.get(reverse("ui:report_detail", args=[report.pk])).content.decode()
    assert "1月煤耗与台账不符" in page and answer_url(report, finding) in page
    response = client.post(answer_url(report, finding), {"text": "已按台账更正"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert (
        response.status_code == 200
        and html.strip().startswith(f'<li id="finding-{finding.pk}"')
        and "已按台账更正" in html
    )
    finding.refresh_from_db()
    assert finding.status == Finding.Status.ANSWERED
    assert FindingAnswer.objects.get(finding=finding).answered_by == firm_user
    row = AuditLog.objects.for_object(finding).get(action="mrv.finding.answer")
    assert (row.actor, row.from_state, row.to_state, row.reason) == (firm_user, "open", "answered", "已按台账更正")


def test_a_plain_post_answers_too(client, firm_user, returned):
    report, finding = returned
    client.force_login(firm_user)
    assert client.post(answer_url(report, finding), {"text": "已更正"}).status_code == 302
    finding.refresh_from_db()
    assert finding.status == Finding.Status.ANSWERED


def test_an_empty_answer_is_refused_next_to_the_field(client, firm_user, returned):
    report, finding = returned
    client.force_login(firm_user)
    response = client.post(answer_url(report, finding), {"text": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and f'aria-describedby="answer-{finding.pk}-error"' in response.content.decode()
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN


@pytest.mark.parametrize("persona", ["verifier", "regulator"])
def test_the_verifier_and_the_regulator_may_not_answer_for_the_firm(client, request, returned, persona):
    report, finding = returned
    client.force_login(request.getfixturevalue(persona))
    assert client.post(answer_url(report, finding), {"text": "x"}).status_code == 403
    assert not FindingAnswer.objects.exists()


@pytest.mark.parametrize("persona", ["other_firm_user", "other_verifier", "other_regulator"])
def test_others_get_404(client, request, returned, persona):
    report, finding = returned
    client.force_login(request.getfixturevalue(persona))
    assert client.post(answer_url(report, finding), {"text": "x"}).status_code == 404


def test_report_page_queries_do_not_grow_with_findings(
    client, firm_user, verifier, returned, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report, finding = returned
    client.force_login(firm_user)
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("ui:report_detail", args=[report.pk]))
    few = len(captured.captured_queries)
    for n in range(5):
        Finding.objects.create(
            report=report, kind=Finding.Kind.IMPROVEMENT, description=f"建议 {n}", raised_by=verifier
        )
    with django_assert_max_num_queries(few):
        assert client.get(reverse("ui:report_detail", args=[report.pk])).status_code == 200

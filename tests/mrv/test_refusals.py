"""One refusal type: every kind of refusal is a `Refused(message, code)`, answered the same way everywhere."""

import pytest
from django.contrib.messages import get_messages
from django.test import RequestFactory
from django.urls import reverse

from deadlines.services import ExtensionRefused
from mrv.api.conventions import api_exception_handler
from mrv.jobs import JobRefused
from mrv.models import EmissionReport
from mrv.records.certification import NotCertified
from mrv.refusals import RefusalMiddleware, Refused
from mrv.services.clocks import ClockRefused
from mrv.services.deposits import DepositRefused
from mrv.transitions import ChangedConcurrently, TransitionRefused
from mrv.uploads import UploadRejected
from registry.allocation import AllocationInputError
from registry.ledger import LedgerError
from registry.production import ProductionRefused
from registry.services import ImportRejected
from tests import factories as f


@pytest.mark.parametrize(
    ("refusal", "code"),
    [
        (TransitionRefused("no"), "refused"),
        (ChangedConcurrently("no", code="concurrent"), "concurrent"),
        (UploadRejected("no", row=3, column="fuel"), "upload"),
        (LedgerError("no"), "ledger"),
        (ImportRejected(["row 2: no"]), "import"),
        (AllocationInputError("no"), "allocation_input"),
        (ExtensionRefused("no"), "extension"),
        (JobRefused(["Row 2: no", "Row 3: no"]), "job_refused"),
        (ProductionRefused("no"), "production"),
        (DepositRefused("no"), "deposit"),
        (ClockRefused("no"), "deadline"),
        (NotCertified("no"), "not_certified"),
    ],
)
def test_every_refusal_is_a_refused_with_a_message_and_a_code(refusal, code):
    assert isinstance(refusal, Refused)
    assert refusal.code == code and refusal.messages


def test_a_refused_transition_is_a_400_with_the_message_for_htmx_and_changes_nothing(client, firm, firm_approver):
    report = f.ReportFactory(firm=firm, year=2025, status=EmissionReport.Status.VERIFIED)
    client.force_login(firm_approver)
    response = client.post(reverse("ui:report_withdraw", args=[report.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    report.refresh_from_db()
    assert report.status == EmissionReport.Status.VERIFIED


def test_a_refusal_no_view_catches_becomes_a_message_and_a_redirect_back(rf: RequestFactory, firm_user):
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = rf.post("/reports/1/x/", HTTP_REFERER="http://testserver/reports/1/")
    request.user, request.session = firm_user, {}
    request._messages = FallbackStorage(request)
    response = RefusalMiddleware(lambda r: None).process_exception(request, LedgerError("Account is short."))
    assert (response.status_code, response.url) == (302, "http://testserver/reports/1/")
    assert [str(m) for m in get_messages(request)] == ["Account is short."]


def test_the_api_answers_a_refusal_with_409_and_a_problem_document():
    response = api_exception_handler(TransitionRefused("Not now.", code="wrong_state"), {})
    assert response.status_code == 409 and response.content_type == "application/problem+json"
    assert response.data | {"title": ""} == {
        "type": "/api/v1/problems/wrong-state",
        "title": "",
        "status": 409,
        "detail": "Not now.",
        "code": "wrong_state",
    }

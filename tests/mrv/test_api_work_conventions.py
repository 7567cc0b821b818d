"""The verifier's and regulator's endpoints keep the API's conventions: an Idempotency-Key on every action,
If-Match against the ETag, validated filters (400, never 500), and the step-up of approving actions."""

import time

import pytest
from rest_framework.test import APIClient

from mrv.models import AuditLog, EmissionReport, User, VerificationEngagement
from signin.mfa import FRESH_AT
from tests import factories as f
from tests.mrv.api_work import api, second_factor
from tests.verification_world import verified_report

pytestmark = pytest.mark.django_db
E = VerificationEngagement.Status


@pytest.fixture
def assigned(firm, body, verifier):
    return f.EngagementFactory(firm=firm, body=body, year=2025, status=E.ASSIGNED)


def _declines(engagement) -> int:
    return AuditLog.objects.for_object(engagement).filter(action="mrv.verificationengagement.decline").count()


def test_the_same_key_and_body_replays_the_answer_and_another_body_is_409(assigned, verifier):
    client, url = api(verifier), f"/api/v1/engagements/{assigned.pk}/decline/"
    first = client.post(url, {"reason": "利益冲突"}, HTTP_IDEMPOTENCY_KEY="decline-1")
    again = client.post(url, {"reason": "利益冲突"}, HTTP_IDEMPOTENCY_KEY="decline-1")
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (200, 200, "true")
    assert first.json() == again.json() and first.json()["status"] == E.DECLINED
    assert _declines(assigned) == 1
    other = client.post(url, {"reason": "另一个理由"}, HTTP_IDEMPOTENCY_KEY="decline-1")
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_key_reused")


def test_an_action_without_an_idempotency_key_is_a_400_that_changes_nothing(assigned, verifier):
    client = api(verifier)  # its post() adds a key; the plain APIClient.post sends none
    answer = APIClient.post(client, f"/api/v1/engagements/{assigned.pk}/decline/", {"reason": "x"}, format="json")
    assert answer.status_code == 400 and answer.json()["errors"][0]["pointer"] == "#/Idempotency-Key"
    assert _declines(assigned) == 0


def test_a_stale_if_match_is_412_and_the_current_one_passes(assigned, verifier, team_verifier):
    client = api(verifier)
    read = client.get(f"/api/v1/engagements/{assigned.pk}/")
    etag = read["ETag"]
    from mrv.services import verification as svc

    svc.engagement_decline(engagement=assigned, reason="另一位负责人已拒绝", acting_user=verifier)
    stale = client.post(f"/api/v1/engagements/{assigned.pk}/accept/", {"team": []}, HTTP_IF_MATCH=etag)
    assert (stale.status_code, stale.json()["code"]) == (412, "stale")
    current = client.get(f"/api/v1/engagements/{assigned.pk}/")["ETag"]
    assert current != etag
    after = client.post(f"/api/v1/engagements/{assigned.pk}/accept/", {"team": []}, HTTP_IF_MATCH=current)
    assert after.status_code == 409  # the version is current; the state (declined) forbids accepting


@pytest.mark.parametrize(
    "url,query,field",
    [
        ("/api/v1/engagements/", {"year": "abc"}, "year"),
        ("/api/v1/engagements/", {"year": "99999"}, "year"),
        ("/api/v1/engagements/", {"status": "nonsense"}, "status"),
        ("/api/v1/findings/", {"report": "x'; --"}, "report"),
        ("/api/v1/findings/", {"kind": "misstatement;drop"}, "kind"),
        ("/api/v1/spot-check-items/", {"outcome": "🙂"}, "outcome"),
        ("/api/v1/spot-check-samples/", {"year": "-1"}, "year"),
    ],
)
def test_bad_filter_values_are_400_problems_naming_the_field(regulator, url, query, field):
    response = api(regulator).get(url, query)
    assert response.status_code == 400, response.content
    assert [e["pointer"] for e in response.json().get("errors", [])] == [f"#/{field}"], response.json()


@pytest.mark.parametrize(
    "url,query",
    [("/api/v1/registry/compliance/", {"year": "abc"}), ("/api/v1/registry/statistics/", {"year": ""})],
)
def test_registry_reads_refuse_a_bad_year_with_a_400(regulator, url, query):
    response = api(regulator).get(url, query)
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"


@pytest.fixture
def proposed(firm, body, verifier, regulator):
    from mrv.services import review

    report = verified_report(firm, 604500, body=body, lead=verifier, status=EmissionReport.Status.REGULATOR_REVIEW)
    review.determination_propose(report=report, reasons="", acting_user=regulator)
    return report


def test_approving_by_token_needs_a_second_factor_each_used_once(proposed, regulator_head):
    client, url = api(regulator_head), f"/api/v1/reports/{proposed.pk}/approve-determination/"
    assert client.post(url, {}).json()["detail"].startswith("This action needs a second factor, and you have none")
    codes = second_factor(regulator_head)
    wrong = client.post(url, {}, HTTP_X_SECOND_FACTOR="00000000")
    assert (wrong.status_code, wrong.json()["code"]) == (403, "step_up_required")
    assert client.post(url, {}, HTTP_X_SECOND_FACTOR=codes[0]).json()["status"] == "determined"
    proposed.refresh_from_db()
    assert proposed.determined_emissions_tco2e == 604500
    from django_otp.plugins.otp_static.models import StaticToken

    assert not StaticToken.objects.filter(token=codes[0]).exists()  # used up


def test_a_browser_session_that_stepped_up_approves_as_on_the_page(proposed, regulator_head):
    client = APIClient()
    client.force_login(regulator_head)
    session = client.session
    session[FRESH_AT] = time.time()
    session.save()
    response = client.post(
        f"/api/v1/reports/{proposed.pk}/approve-determination/", {}, format="json", HTTP_IDEMPOTENCY_KEY="a-1"
    )
    assert response.status_code == 200 and response.json()["status"] == "determined"


def test_the_proposer_may_not_approve_four_eyes_is_403(proposed, regulator):
    regulator.role = User.Role.REGULATOR_HEAD
    regulator.save(update_fields=["role"])
    codes = second_factor(regulator)
    response = api(regulator).post(
        f"/api/v1/reports/{proposed.pk}/approve-determination/", {}, HTTP_X_SECOND_FACTOR=codes[0]
    )
    assert (response.status_code, response.json()["code"]) == (403, "four_eyes")


def test_the_schema_documents_the_work_endpoints_with_their_headers(regulator):
    schema = api(regulator).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    assert {
        "/api/v1/engagements/{id}/accept/",
        "/api/v1/findings/{id}/close/",
        "/api/v1/reports/{id}/sign-off/",
        "/api/v1/reports/{id}/approve-determination/",
        "/api/v1/queues/",
        "/api/v1/registry/allocation-tables/{id}/issue/",
    } <= set(paths)
    accept = paths["/api/v1/engagements/{id}/accept/"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in accept["parameters"]}
    assert {"400", "403", "404", "409"} <= set(accept["responses"])
    listing = paths["/api/v1/engagements/"]["get"]
    assert {"year", "status", "firm"} <= {p["name"] for p in listing["parameters"]}


@pytest.mark.parametrize("decision,payload", [("accept", {}), ("return", {"reason": "季度数据缺失"})])
def test_a_co_review_decision_on_a_quarterly_report_not_in_co_review_is_409(decision, payload):
    shenzhen = f.market("shenzhen")
    officer = f.UserFactory(role=User.Role.REGULATOR_OFFICER, authority=f.AuthorityFactory(market=shenzhen))
    firm = f.FirmFactory(market=shenzhen, sector=f.sector("power"))
    quarterly = f.ReportFactory(firm=firm, market=shenzhen, year=2025, period="q1")
    response = api(officer).post(f"/api/v1/reports/{quarterly.pk}/co-review/{decision}/", payload)
    assert (response.status_code, response.json()["code"]) == (409, "wrong_state")

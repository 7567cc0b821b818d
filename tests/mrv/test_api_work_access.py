"""The verifier's, spot checker's and regulator's endpoints: another tenant's object is 404 for every endpoint and
every role; every action on an object in the wrong state is 409 with a problem document; a read token may not act.
"""

from decimal import Decimal

import pytest

from mrv.models import (
    CoverageEntry,
    CoverageList,
    EmissionReport,
    Finding,
    MonitoringPlan,
    SpotCheckItem,
    SpotCheckSample,
    User,
    VerificationBody,
    VerificationEngagement,
)
from registry.models import AllocationTable, Penalty
from tests import factories as f
from tests.mrv.api_work import api, second_factor

pytestmark = pytest.mark.django_db
S = EmissionReport.Status
E = VerificationEngagement.Status

# (method, url, body) with {report}, {engagement}, {finding}, {item}, {plan}, {firm}, {table} of the object
OBJECT_ENDPOINTS = [
    ("get", "/api/v1/engagements/{engagement}/", None),
    ("post", "/api/v1/engagements/{engagement}/accept/", {"team": []}),
    ("post", "/api/v1/engagements/{engagement}/decline/", {"reason": "x"}),
    ("post", "/api/v1/engagements/{engagement}/assign/", {"body": 1}),
    ("get", "/api/v1/engagements/{engagement}/eligibility/", None),
    ("get", "/api/v1/engagements/{engagement}/plan/", None),
    ("put", "/api/v1/engagements/{engagement}/plan/", {"document_review": "x", "sampling": "x"}),
    ("get", "/api/v1/findings/{finding}/", None),
    ("post", "/api/v1/findings/", {"report": "{report}", "kind": "improvement", "description": "x"}),
    ("post", "/api/v1/findings/{finding}/close/", {"reason": "x"}),
    ("post", "/api/v1/findings/{finding}/reopen/", {"reason": "x"}),
    ("get", "/api/v1/reports/{report}/verification/", None),
    ("get", "/api/v1/reports/{report}/materiality/", None),
    ("post", "/api/v1/reports/{report}/start-verification/", {}),
    ("post", "/api/v1/reports/{report}/return-to-firm/", {"reason": "x"}),
    ("post", "/api/v1/reports/{report}/sign-off/", {"outcome": "satisfactory", "verified_emissions_tco2e": "1"}),
    ("post", "/api/v1/reports/{report}/spot-check/confirm/", {"text": "x"}),
    ("post", "/api/v1/reports/{report}/spot-check/discrepancy/", {"text": "x"}),
    ("get", "/api/v1/reports/{report}/review/", None),
    ("post", "/api/v1/reports/{report}/send-to-review/", {}),
    ("post", "/api/v1/reports/{report}/return-to-verifier/", {"reason": "x"}),
    ("post", "/api/v1/reports/{report}/regulator-return-to-firm/", {"reason": "x"}),
    ("post", "/api/v1/reports/{report}/propose-determination/", {}),
    ("post", "/api/v1/reports/{report}/propose-estimate/", {"emissions_tco2e": "1", "basis_text": "x", "reasons": "x"}),
    ("post", "/api/v1/reports/{report}/approve-determination/", {}),
    ("post", "/api/v1/reports/{report}/reject-determination/", {"reason": "x"}),
    ("post", "/api/v1/reports/{report}/add-to-sample/", {}),
    ("post", "/api/v1/reports/{report}/close/", {}),
    ("post", "/api/v1/reports/{report}/co-review/accept/", {}),
    ("post", "/api/v1/reports/{report}/co-review/return/", {"reason": "x"}),
    ("get", "/api/v1/spot-check-items/{item}/", None),
    ("post", "/api/v1/spot-check-items/{item}/hand-over/", {"body": 1}),
    ("post", "/api/v1/firms/{firm}/open-report-for-estimate/", {"year": 2025}),
    ("post", "/api/v1/plans/{plan}/approve/", {}),
    ("post", "/api/v1/plans/{plan}/return/", {"reason": "x"}),
    ("post", "/api/v1/plans/{plan}/third-party-check/", {}),
    ("get", "/api/v1/registry/allocation-tables/{table}/", None),
    ("post", "/api/v1/registry/allocation-tables/{table}/approve/", {}),
    ("post", "/api/v1/registry/allocation-tables/{table}/issue/", {}),
    ("post", "/api/v1/registry/penalties/{penalty}/decide/", {"decision_text": "x"}),
    ("post", "/api/v1/registry/penalties/{penalty}/withdraw/", {"decision_text": "x"}),
    ("post", "/api/v1/coverage-entries/{coverage_entry}/close/", {"closed_on": "2025-06-30", "reason": "x"}),
]
LIST_ENDPOINTS = [
    "/api/v1/engagements/",
    "/api/v1/findings/",
    "/api/v1/spot-check-items/",
    "/api/v1/spot-check-samples/",
    "/api/v1/registry/allocation-tables/",
]
ROLES = ["firm_user", "firm_approver", "verifier", "team_verifier", "spot_checker", "regulator", "regulator_head"]


def _fill(value, ids: dict):
    if isinstance(value, str):
        return value.format(**ids) if "{" in value else value
    if isinstance(value, dict):
        filled = {k: _fill(v, ids) for k, v in value.items()}
        return {k: int(v) if isinstance(v, str) and v.isdigit() and k == "report" else v for k, v in filled.items()}
    return value


@pytest.fixture
def beijing_world(beijing, beijing_firm):
    """A Beijing firm's year, with a Beijing-only verification body and spot-check body: no Shanghai persona's."""
    body = f.BodyFactory(name="北京核查机构", markets=[beijing], sectors=[f.sector("cement")])
    spot = f.BodyFactory(name="北京抽查机构", kind=VerificationBody.Kind.SPOT_CHECK, markets=[beijing])
    lead = f.UserFactory(role=User.Role.LEAD_VERIFIER, body=body)
    engagement = f.EngagementFactory(firm=beijing_firm, body=body, year=2025, status=E.ACCEPTED, lead_verifier=lead)
    report = f.ReportFactory(firm=beijing_firm, year=2025, status=S.UNDER_VERIFICATION)
    finding = Finding.objects.create(report=report, kind="improvement", description="x", raised_by=lead)
    sample = SpotCheckSample.objects.create(market=beijing, year=2025, seed=1, rate_pct=Decimal("5"), population=[])
    item = SpotCheckItem.objects.create(sample=sample, report=report, risk_weight=1, body=spot)
    author = f.UserFactory(role=User.Role.FIRM_REPORTER, firm=beijing_firm)
    plan = MonitoringPlan.objects.create(
        firm=beijing_firm, version=1, valid_from="2025-01-01", status="submitted", created_by=author
    )
    table = AllocationTable.objects.create(market=beijing, year=2025)
    penalty = Penalty.objects.create(
        firm=beijing_firm, year=2024, shortfall_tco2e=10, fine_cny=1000, deduction_tco2e=10
    )
    coverage = CoverageList.objects.create(market=beijing, year=2025, status=CoverageList.Status.APPROVED)
    entry = CoverageEntry.objects.create(
        coverage_list=coverage, name="x", credit_code=f.credit_code(), sector=f.sector("cement")
    )
    return {
        "coverage_entry": entry.pk,
        "penalty": penalty.pk,
        "report": report.pk,
        "engagement": engagement.pk,
        "finding": finding.pk,
        "item": item.pk,
        "plan": plan.pk,
        "firm": beijing_firm.pk,
        "table": table.pk,
    }


@pytest.mark.parametrize("role", ROLES)
def test_another_tenants_objects_are_404_for_every_endpoint(request, role, beijing_world):
    user = request.getfixturevalue(role)
    client = api(user)
    codes = second_factor(user)
    wrong = []
    for index, (method, url, body) in enumerate(OBJECT_ENDPOINTS):
        target = url.format(**beijing_world)
        kwargs = {"format": "json", "HTTP_X_SECOND_FACTOR": codes[index % len(codes)]}
        response = getattr(client, method)(target, _fill(body, beijing_world), **kwargs)
        if response.status_code != 404:
            wrong.append((method, target, response.status_code))
    assert wrong == []
    for url in LIST_ENDPOINTS:
        response = client.get(url)
        ids = [row["id"] for row in response.json()["results"]] if response.status_code == 200 else []
        assert set(ids).isdisjoint(beijing_world.values()) or url.endswith("findings/"), (url, ids)
        assert response.status_code in (200, 403), (url, response.status_code)


def test_a_read_token_may_not_act(verifier, engagement):
    response = api(verifier, scope="read").post(f"/api/v1/engagements/{engagement.pk}/decline/", {"reason": "x"})
    assert response.status_code == 403


# --- every action × wrong state → 409 ----------------------------------------------------------------


@pytest.fixture
def drafts(firm, body, verifier, spot_body, shanghai, regulator, regulator_head, firm_user):
    """Shanghai objects whose state forbids each action, seen by the persona who would act on them."""
    engagement = f.EngagementFactory(firm=firm, body=body, year=2025, status=E.ACCEPTED, lead_verifier=verifier)
    report = f.ReportFactory(firm=firm, year=2025, status=S.DRAFT)
    spot_report = f.ReportFactory(firm=firm, year=2024, status=S.REGULATOR_REVIEW)
    closed_report = f.ReportFactory(firm=firm, year=2023, status=S.CLOSED)
    f.EngagementFactory(firm=firm, body=body, year=2024, status=E.ACCEPTED, lead_verifier=verifier)
    closed = Finding.objects.create(report=report, kind="improvement", description="x", raised_by=verifier)
    Finding.objects.filter(pk=closed.pk).update(status=Finding.Status.CLOSED)
    sample = SpotCheckSample.objects.create(market=shanghai, year=2024, seed=1, rate_pct=Decimal("5"), population=[])
    SpotCheckItem.objects.create(sample=sample, report=spot_report, risk_weight=1, body=spot_body)
    plan = MonitoringPlan.objects.create(firm=firm, version=1, valid_from="2025-01-01", created_by=firm_user)
    coverage = CoverageList.objects.create(market=shanghai, year=2025)
    table = AllocationTable.objects.create(market=shanghai, year=2025)
    penalty = Penalty.objects.create(firm=firm, year=2024, shortfall_tco2e=10, fine_cny=1000, deduction_tco2e=10)
    Penalty.objects.filter(pk=penalty.pk).update(status=Penalty.Status.DECIDED)
    return {
        "penalty": penalty.pk,
        "engagement": engagement.pk,
        "report": report.pk,
        "spot_report": spot_report.pk,
        "closed_report": closed_report.pk,
        "finding": closed.pk,
        "plan": plan.pk,
        "firm": firm.pk,
        "table": table.pk,
        "coverage": coverage.year,
    }


WRONG_STATE = [
    ("verifier", "/api/v1/engagements/{engagement}/accept/", {"team": []}),
    ("verifier", "/api/v1/engagements/{engagement}/decline/", {"reason": "x"}),
    ("regulator", "/api/v1/engagements/{engagement}/assign/", {"body": "{body}"}),
    ("verifier", "/api/v1/findings/", {"report": "{report}", "kind": "improvement", "description": "x"}),
    ("verifier", "/api/v1/findings/{finding}/close/", {"reason": "x"}),
    ("verifier", "/api/v1/findings/{finding}/reopen/", {"reason": "x"}),
    ("verifier", "/api/v1/reports/{report}/start-verification/", {}),
    ("verifier", "/api/v1/reports/{report}/return-to-firm/", {"reason": "x"}),
    ("verifier", "/api/v1/reports/{report}/sign-off/", {"outcome": "satisfactory", "verified_emissions_tco2e": "1"}),
    ("spot_checker", "/api/v1/reports/{spot_report}/spot-check/confirm/", {"text": "x"}),
    ("spot_checker", "/api/v1/reports/{spot_report}/spot-check/discrepancy/", {"text": "x"}),
    ("regulator", "/api/v1/reports/{report}/send-to-review/", {}),
    ("regulator", "/api/v1/reports/{report}/return-to-verifier/", {"reason": "x"}),
    ("regulator", "/api/v1/reports/{report}/regulator-return-to-firm/", {"reason": "x"}),
    ("regulator", "/api/v1/reports/{report}/propose-determination/", {}),
    (
        "regulator",
        "/api/v1/reports/{closed_report}/propose-estimate/",
        {"emissions_tco2e": "1", "basis_text": "x", "reasons": "x"},
    ),
    ("regulator_head", "/api/v1/reports/{report}/approve-determination/", {}),
    ("regulator_head", "/api/v1/reports/{report}/reject-determination/", {"reason": "x"}),
    ("regulator", "/api/v1/reports/{report}/add-to-sample/", {}),
    ("regulator", "/api/v1/reports/{report}/close/", {}),
    ("regulator", "/api/v1/spot-check-samples/", {"year": 2024}),
    ("regulator", "/api/v1/firms/{firm}/open-report-for-estimate/", {"year": 2025}),
    ("regulator", "/api/v1/plans/{plan}/approve/", {}),
    ("regulator", "/api/v1/plans/{plan}/return/", {"reason": "x"}),
    ("regulator_head", "/api/v1/coverage/{coverage}/approve/", {}),
    ("regulator_head", "/api/v1/coverage/{coverage}/return/", {"reason": "x"}),
    ("regulator_head", "/api/v1/coverage/{coverage}/reopen/", {"reason": "x"}),
    ("regulator_head", "/api/v1/registry/allocation-tables/{table}/issue/", {}),
    ("regulator_head", "/api/v1/registry/penalties/{penalty}/decide/", {"decision_text": "x"}),
    ("regulator", "/api/v1/registry/penalties/{penalty}/withdraw/", {"decision_text": "x"}),
]


@pytest.mark.parametrize("role,url,payload", WRONG_STATE, ids=[w[1].split("}/")[-1] or w[1] for w in WRONG_STATE])
def test_every_action_on_an_object_in_the_wrong_state_is_409_with_a_problem_document(
    request, role, url, payload, drafts, body_ids
):
    user = request.getfixturevalue(role)
    ids = {**drafts, **body_ids}
    filled = {k: (int(v.format(**ids)) if isinstance(v, str) and "{" in v else v) for k, v in payload.items()}
    response = api(user).post(url.format(**ids), filled, format="json", HTTP_X_SECOND_FACTOR=second_factor(user)[0])
    assert response.status_code == 409, (response.status_code, response.json())
    problem = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert (
        problem["status"] == 409 and problem["type"].endswith(problem["code"].replace("_", "-")) and problem["detail"]
    )


@pytest.fixture
def body_ids(body):
    return {"body": body.pk}

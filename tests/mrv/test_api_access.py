"""Access and state through the API: every firm endpoint on another tenant's object is 404 (the operations
are read from the OpenAPI document, so a new endpoint is covered when it is added), and every action in a
wrong state is a 409 problem document that changes nothing."""

import uuid

import pytest
from rest_framework.test import APIClient

from mrv.models import EmissionReport, MonitoringPlan
from mrv.selectors.reports import report_validation
from mrv.services import reports as svc
from mrv.services.mandates import mandate_grant
from registry import services as registry_services
from registry.ledger import Unit, holding_account
from signin.tokens import token_create
from tests import factories as f
from tests.mrv.reporting import COAL, approved_plan, monthly, report
from tests.registry.conftest import cap_2025, fund  # noqa: F401 (fixture)
from tests.test_fuzz_inputs import api_operations

FIRM_PREFIXES = (
    "reports/{id}",
    "plans/{id}",
    "registry/accounts/{id}",
    "registry/transfers/{id}",
    "registry/compliance/{id}",
    "mandates/{id}",
)
ROWS = monthly("coal", range(1, 13), activity="1000", activity_unit="t", ncv="20.908", ncv_unit="GJ/t")
ROWS[0] = ROWS[0] | {"ncv": "45"}  # a warning, acknowledged before submission
OUTPUT = [{"kind": "product", "name": "供电量", "amount": "1000000", "unit": "MWh"}]


def client_of(user) -> APIClient:
    _token, key = token_create(user=user, name="t", scope="write", days=1, acting_user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    return client


@pytest.fixture
def world(firm, other_firm, firm_approver, cap_2025):  # noqa: F811
    """The firm's objects: a submitted report, its approved plan, an account, a proposal."""
    plan = approved_plan(firm, [COAL])
    submitted = report(firm)
    svc.report_save_activity_data(report=submitted, rows=ROWS, acting_user=firm_approver)
    svc.report_save_output_data(report=submitted, rows=OUTPUT, acting_user=firm_approver)
    warning = report_validation(submitted).warnings[0]
    svc.report_acknowledge_warning(report=submitted, key=warning.key, reason="checked", acting_user=firm_approver)
    svc.report_submit(report=submitted, acting_user=firm_approver, certification=f.certified())
    fund(firm, 100)
    proposal = registry_services.transfer_propose(
        from_account=holding_account(firm),
        to_account=holding_account(other_firm),
        unit=Unit("allowance", 2025),
        quantity=5,
        acting_user=firm_approver,
    )
    registry_services.transfer_reject(proposal=proposal, acting_user=firm_approver)
    group = f.FirmFactory(market=firm.market, sector=firm.sector)
    f.UserFactory(username="group_head", role="firm_reporter", firm=group)
    mandate = mandate_grant(firm=firm, username="group_head", acting_user=firm_approver)
    return {
        "mandates": mandate,
        "reports": submitted,
        "plans": plan,
        "registry/accounts": holding_account(firm),
        "registry/transfers": proposal,
        "registry/compliance": firm,
        "warning": warning.key,
    }


def firm_operations() -> list[tuple[str, str]]:
    return [
        (path, method)
        for path, method, _op in api_operations()
        if path.removeprefix("/api/v1/").startswith(FIRM_PREFIXES)
    ]


def test_the_firm_endpoints_are_all_checked():
    assert len(firm_operations()) >= 30


@pytest.mark.parametrize("path,method", firm_operations())
def test_another_tenants_object_is_404_on_every_firm_endpoint(world, other_firm_user, path, method):
    prefix = next(p for p in FIRM_PREFIXES if path.removeprefix("/api/v1/").startswith(p)).removesuffix("/{id}")
    url = (
        path.replace("{id}", str(world[prefix].pk))
        .replace("{number}", "1")
        .replace("{finding_pk}", "1")
        .replace("{code}", "coal")
        .replace("{name}", "ncv")
    )
    response = getattr(client_of(other_firm_user), method)(url, {}, format="json")
    assert response.status_code == 404, (method, url, response.content[:300])
    assert response["Content-Type"] == "application/problem+json"


WRONG_STATE = [
    ("post", "reports/{id}/submit/", {}, "wrong_state"),
    ("post", "reports/{id}/resubmit/", {}, "wrong_state"),
    ("put", "reports/{id}/activity-data/", {"rows": ROWS[:1]}, "not_editable"),
    ("put", "reports/{id}/output-data/", {"rows": OUTPUT}, "not_editable"),
    ("post", "reports/{id}/evidence/", "file", "not_editable"),
    ("post", "reports/{id}/warnings/acknowledge/", "ack", "not_editable"),
    ("patch", "plans/{id}/", {"data_management_notes": "x"}, "not_editable"),
    ("post", "plans/{id}/submit/", {}, "wrong_state"),
    (
        "put",
        "plans/{id}/streams/coal/parameters/ncv/",
        {"unit": "GJ/t", "source": "laboratory", "lab_frequency": "monthly"},
        "not_editable",
    ),
    ("delete", "plans/{id}/streams/coal/", {}, "not_editable"),
    ("post", "registry/transfers/{id}/reject/", {}, "wrong_state"),
    ("post", "registry/transfers/{id}/cancel/", {}, "wrong_state"),
]


@pytest.mark.parametrize("method,path,body,code", WRONG_STATE, ids=[f"{m} {p}" for m, p, _b, _c in WRONG_STATE])
def test_every_action_in_a_wrong_state_is_a_409_problem_that_changes_nothing(
    world, firm_approver, method, path, body, code
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from mrv.models import AuditLog

    target = world[path.split("/{id}")[0]]
    url = "/api/v1/" + path.replace("{id}", str(target.pk))
    kwargs = {"format": "json"}
    if body == "file":
        body, kwargs = {"file": SimpleUploadedFile("e.pdf", b"%PDF-1.4\n")}, {"format": "multipart"}
    elif body == "ack":
        body = {"acknowledgements": [{"key": world["warning"], "reason": "again"}]}
    before = AuditLog.objects.count()
    response = getattr(client_of(firm_approver), method)(url, body, **kwargs)
    assert response.status_code == 409, (method, url, response.content[:300])
    problem = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert (problem["status"], problem["code"]) == (409, code) and problem["detail"] and problem["type"]
    assert AuditLog.objects.count() == before
    assert EmissionReport.objects.get(pk=world["reports"].pk).status == "submitted"
    assert MonitoringPlan.objects.get(pk=world["plans"].pk).status == "approved"


@pytest.mark.parametrize("year", ["abc", "٢٠٢٥", "2025.5", "1e999", "99999999999"])
def test_a_bad_year_is_a_400_on_every_list_that_takes_one(firm_approver, year):
    client = client_of(firm_approver)
    for url in ("/api/v1/reports/", "/api/v1/deadlines/", "/api/v1/markets/shanghai/rules/"):
        response = client.get(url, {"year": year})
        assert response.status_code == 400 and response.json()["errors"][0]["pointer"] == "#/year", (url, year)

"""A firm proposes a plan version through the API: the services' rules, tenant 404s, wrong state 409."""

import uuid

import pytest

from mrv.models import MonitoringPlan, User
from tests import factories as f
from tests.mrv.reporting import COAL, approved_plan
from tests.mrv.test_api import api


def key() -> dict:
    return {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}


@pytest.fixture
def approver(firm):
    approved_plan(firm, [COAL])
    return f.UserFactory(username="plan_approver", role=User.Role.FIRM_APPROVER, firm=firm)


def test_a_firm_proposes_a_new_version_through_the_api(approver):
    client = api(approver)
    created = client.post("/api/v1/plans/", {"valid_from": "2026-01-01"}, format="json", **key())
    assert created.status_code == 201, created.json()
    plan = created.json()
    assert (plan["version"], plan["status"], [s["code"] for s in plan["streams"]]) == (2, "draft", ["coal"])
    url = f"/api/v1/plans/{plan['id']}/"
    stream = {
        "source": "boiler",
        "code": "gas",
        "name": "natural gas",
        "method": "emission_factor",
        "activity_unit": "t",
    }
    added = client.post(url + "streams/", stream, format="json", **key())
    assert added.status_code == 201, added.json()
    parameter = {"unit": "tCO2/t", "source": "default", "default_value": "2.5"}
    set_ = client.put(url + "streams/gas/parameters/emission_factor/", parameter, format="json")
    assert set_.status_code == 200, set_.json()
    assert client.get(url + "problems/").json() == {"problems": []}
    etag = client.get(url)["ETag"]
    submitted = client.post(url + "submit/", {}, format="json", HTTP_IF_MATCH=etag, **key())
    assert submitted.status_code == 200, submitted.json()
    assert MonitoringPlan.objects.get(pk=plan["id"]).status == submitted.json()["status"] != "draft"
    again = client.patch(url, {"data_management_notes": "x"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "not_editable"
    second = client.post("/api/v1/plans/", {"valid_from": "2027-01-01"}, format="json", **key())
    assert second.status_code == 409 and second.json()["code"] == "wrong_state"


def test_another_firms_plan_is_404_and_a_reporter_cannot_submit(approver, firm, other_firm_user):
    plan = MonitoringPlan.objects.get(firm=firm)
    assert api(other_firm_user).get(f"/api/v1/plans/{plan.pk}/").status_code == 404
    response = api(other_firm_user).post(f"/api/v1/plans/{plan.pk}/submit/", {}, format="json", **key())
    assert response.status_code == 404 and response.json()["status"] == 404

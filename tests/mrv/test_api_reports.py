"""A firm's report through the API alone, equal to the same report through the services; the conventions
(idempotency keys, ETag/If-Match, problem documents with row numbers) on the firm's endpoints."""

import uuid

import pytest

from mrv.models import EmissionReport, User
from mrv.services import reports as svc
from tests import factories as f
from tests.mrv.reporting import COAL, approved_plan, monthly, report
from tests.mrv.test_api import api
from tests.mrv.ui.test_report_data import draft, filled_template  # noqa: F401 (fixture)

YEAR = range(1, 13)
OUTPUT = [{"kind": "product", "name": "供电量", "amount": "1000000", "unit": "MWh"}]
ROWS = monthly("coal", YEAR, activity="1000", activity_unit="t", ncv="20.908", ncv_unit="GJ/t")


def key() -> dict:
    return {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}


@pytest.fixture
def approver(firm):
    approved_plan(firm, [COAL])
    return f.UserFactory(username="api_approver", role=User.Role.FIRM_APPROVER, firm=firm)


def _open(client, year=2025) -> dict:
    response = client.post("/api/v1/reports/", {"year": year}, format="json", **key())
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_firms_year_through_the_api_equals_the_same_year_through_the_services(approver, firm, other_firm):
    client = api(approver)
    body = _open(client)
    url = f"/api/v1/reports/{body['id']}/"
    assert (body["status"], "submit" in body["actions"]) == ("draft", True)
    assert client.put(url + "activity-data/", {"rows": ROWS}, format="json").status_code == 200
    saved = client.put(url + "output-data/", {"rows": OUTPUT}, format="json")
    assert saved.status_code == 200 and saved.json()["ok"], saved.json()
    calc = client.get(url + "calculation/").json()
    assert calc["source"] == "draft" and len(calc["lines"]) == 12 and calc["totals"]["by_gas"]["CO2"]
    for warning in client.get(url + "warnings/").json():
        client.post(
            url + "warnings/acknowledge/",
            {"acknowledgements": [{"key": warning["key"], "reason": "checked"}]},
            format="json",
        )
    etag = client.get(url)["ETag"]
    submitted = client.post(url + "submit/", {"reason": ""}, format="json", HTTP_IF_MATCH=etag, **key())
    assert submitted.status_code == 200, submitted.json()
    assert (submitted.json()["report"]["status"], submitted.json()["version"]) == ("submitted", 1)
    # the same year through the services, for another firm of the same market
    approved_plan(other_firm, [COAL])
    other = f.UserFactory(role=User.Role.FIRM_APPROVER, firm=other_firm)
    other_draft = report(other_firm)
    svc.report_save_activity_data(report=other_draft, rows=ROWS, acting_user=other)
    svc.report_save_output_data(report=other_draft, rows=OUTPUT, acting_user=other)
    version = svc.report_submit(report=other_draft, acting_user=other)
    through_api = EmissionReport.objects.get(pk=body["id"]).current_version
    assert through_api.result == version.result and through_api.reported_tco2e == version.reported_tco2e
    assert through_api.data["rows"] == version.data["rows"]
    assert client.get(url + "versions/").json()[0]["reported_tco2e"] == str(version.reported_tco2e)


def test_a_retried_create_with_the_same_key_returns_the_same_report(approver):
    client = api(approver)
    headers = key()
    first = client.post("/api/v1/reports/", {"year": 2025}, format="json", **headers)
    again = client.post("/api/v1/reports/", {"year": 2025}, format="json", **headers)
    assert (first.status_code, again.status_code) == (201, 201) and first.json()["id"] == again.json()["id"]
    assert again["Idempotent-Replayed"] == "true" and EmissionReport.objects.count() == 1


def test_the_same_key_with_another_body_is_a_409_problem(approver):
    client = api(approver)
    headers = key()
    client.post("/api/v1/reports/", {"year": 2025}, format="json", **headers)
    response = client.post("/api/v1/reports/", {"year": 2024}, format="json", **headers)
    assert response.status_code == 409 and response.json()["code"] == "idempotency_key_reused"


def test_keys_belong_to_their_user(approver, firm):
    headers = key()
    api(approver).post("/api/v1/reports/", {"year": 2025}, format="json", **headers)
    colleague = f.UserFactory(role=User.Role.FIRM_APPROVER, firm=firm)
    response = api(colleague).post("/api/v1/reports/", {"year": 2024}, format="json", **headers)
    assert response.status_code == 201


def test_a_create_without_a_key_is_a_400_naming_the_header(approver):
    response = api(approver).post("/api/v1/reports/", {"year": 2025}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["pointer"] == "#/Idempotency-Key"


def test_a_failed_request_does_not_use_up_its_key(approver):
    client = api(approver)
    headers = key()
    assert client.post("/api/v1/reports/", {"year": "abc"}, format="json", **headers).status_code == 400
    assert client.post("/api/v1/reports/", {"year": 2025}, format="json", **headers).status_code == 201


def test_a_stale_if_match_is_412_and_changes_nothing(approver):
    client = api(approver)
    url = f"/api/v1/reports/{_open(client)['id']}/"
    etag = client.get(url)["ETag"]
    assert client.put(url + "activity-data/", {"rows": ROWS[:1]}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    stale = client.put(url + "activity-data/", {"rows": ROWS}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and stale.json()["code"] == "stale"
    assert len(client.get(url + "activity-data/").json()) == 1


def test_bad_rows_are_a_400_with_row_numbers_and_pointers(approver):
    client = api(approver)
    url = f"/api/v1/reports/{_open(client)['id']}/"
    rows = [ROWS[0], {"stream": "coal", "month": 2, "activity": "abc"}, {"stream": "coal", "month": 13, "activity": 1}]
    body = client.put(url + "activity-data/", {"rows": rows}, format="json").json()
    assert body["status"] == 400 and {(e["row"], e["pointer"]) for e in body["errors"]} == {
        (2, "#/rows/1"),
        (3, "#/rows/2"),
    }
    missing = client.put(url + "activity-data/", {"rows": [{"month": 1}]}, format="json").json()
    assert {e["pointer"] for e in missing["errors"]} == {"#/rows/0/stream", "#/rows/0/activity"}
    assert missing["errors"][0]["row"] == 1


def test_submitting_with_unacknowledged_warnings_or_errors_is_a_400_and_changes_nothing(approver):
    client = api(approver)
    url = f"/api/v1/reports/{_open(client)['id']}/"
    response = client.post(url + "submit/", {}, format="json", **key())
    assert response.status_code == 400 and response.json()["errors"]
    assert client.get(url).json()["status"] == "draft"


def test_the_template_upload_saves_every_row_and_answers_the_validation(client, firm_user, draft):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(firm_user)  # the browser's template builder fills the cells
    url = f"/api/v1/reports/{draft.pk}/"
    template = api(firm_user).get(url + "activity-data/template/")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    data = filled_template(client, draft)
    upload = SimpleUploadedFile("data.xlsx", data)
    response = api(firm_user).post(url + "activity-data/upload/", {"file": upload}, format="multipart", **key())
    assert response.status_code == 200, response.json()
    assert response.json()["totals"]["reported_tco2e"] == "500"
    bad = SimpleUploadedFile("data.xlsx", filled_template(client, draft, E6="much"))
    refused = api(firm_user).post(url + "activity-data/upload/", {"file": bad}, format="multipart", **key())
    assert refused.status_code == 400 and refused.json()["errors"][0]["row"] == 6


def test_wrong_state_actions_are_409_problems(approver):
    client = api(approver)
    url = f"/api/v1/reports/{_open(client)['id']}/"
    client.put(url + "activity-data/", {"rows": ROWS}, format="json")
    client.put(url + "output-data/", {"rows": OUTPUT}, format="json")
    assert client.post(url + "submit/", {}, format="json", **key()).status_code == 200
    for path, body in [("submit/", {}), ("resubmit/", {}), ("activity-data/upload/", None)]:
        if body is None:
            continue
        response = client.post(url + path, body, format="json", **key())
        assert response.status_code == 409 and response.json()["code"] == "wrong_state", (path, response.json())
    for path in ("activity-data/", "output-data/"):
        response = client.put(
            url + path,
            {"rows": [{"stream": "coal", "month": 1, "activity": 1, "name": "x", "amount": 1, "unit": "t"}]},
            format="json",
        )
        assert response.status_code == 409 and response.json()["code"] == "not_editable", response.json()

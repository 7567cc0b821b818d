"""The API's conventions: problem documents, per-token throttling, capped counts, validated filters."""

import pytest

from tests import factories as f
from tests.mrv.test_api import api

PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert PROBLEM_KEYS <= set(body) and body["status"] == status
    return body


def test_a_bad_filter_value_is_a_400_problem_naming_the_field(firm_user):
    body = _problem(api(firm_user).get("/api/v1/reports/", {"year": "abc"}), 400)
    assert body["code"] == "invalid" and [e["pointer"] for e in body["errors"]] == ["#/year"]


def test_an_unknown_status_filter_is_a_400_not_a_500(firm_user):
    body = _problem(api(firm_user).get("/api/v1/reports/", {"status": "nonsense"}), 400)
    assert body["errors"][0]["pointer"] == "#/status"


def test_another_tenants_object_is_a_404_problem(firm_user, other_firm):
    report = f.ReportFactory(firm=other_firm)
    assert _problem(api(firm_user).get(f"/api/v1/reports/{report.pk}/"), 404)["code"] == "not_found"


def test_no_token_is_a_401_problem(db):
    assert _problem(api().get("/api/v1/reports/"), 401)["code"] == "not_authenticated"


def test_a_read_token_may_not_write_403_problem(firm_user):
    from rest_framework.test import APIClient

    from signin.tokens import token_create

    _token, key = token_create(user=firm_user, name="r", scope="read", days=1, acting_user=firm_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert _problem(client.post("/api/v1/reports/", {}, format="json"), 403)["code"] == "permission_denied"


def test_each_token_is_throttled_with_retry_after(firm_user, settings):
    settings.API_TOKEN_RATE = "2/m"
    client = api(firm_user)
    assert [client.get("/api/v1/firms/").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/firms/")
    assert _problem(response, 429)["code"] == "throttled" and int(response["Retry-After"]) >= 1
    assert api(firm_user).get("/api/v1/firms/").status_code == 200  # another token of the same user has its own


def test_counts_are_exact_up_to_the_cap_then_say_so(regulator, shanghai, settings):
    f.FirmFactory.create_batch(4, market=shanghai)
    client = api(regulator)
    settings.API_COUNT_CAP = 100
    body = client.get("/api/v1/firms/", {"page_size": 2}).json()
    assert (body["count_is_exact"], len(body["results"])) == (True, 2) and body["count"] >= 4
    settings.API_COUNT_CAP = 3
    body = client.get("/api/v1/firms/", {"page_size": 2}).json()
    assert (body["count"], body["count_is_exact"]) == (4, False)


@pytest.mark.parametrize("page", ["abc", "99999"])
def test_a_bad_page_is_a_404_problem(firm_user, page):
    _problem(api(firm_user).get("/api/v1/reports/", {"page": page}), 404)

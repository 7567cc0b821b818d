"""The REST API applies the same access rules as the browser and the admin."""

import pytest
from rest_framework.test import APIClient

from signin.tokens import token_create
from tests import factories as f


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        _token, key = token_create(user=user, name="test", scope="write", days=30, acting_user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_anonymous_callers_are_refused(db):
    assert api().get("/api/v1/firms/").status_code == 401


def test_a_firm_system_lists_only_its_own_firm(firm_user, firm, other_firm):
    body = api(firm_user).get("/api/v1/firms/").json()
    assert [row["credit_code"] for row in body["results"]] == [firm.credit_code]


def test_another_markets_regulator_gets_404_on_a_firm(other_regulator, firm):
    assert api(other_regulator).get(f"/api/v1/firms/{firm.pk}/").status_code == 404


def test_reports_are_scoped_and_filterable(firm_user, firm, other_firm):
    f.ReportFactory(firm=firm, year=2024)
    f.ReportFactory(firm=firm, year=2025)
    f.ReportFactory(firm=other_firm, year=2025)
    rows = api(firm_user).get("/api/v1/reports/", {"year": 2025}).json()["results"]
    assert [(r["firm"], r["year"]) for r in rows] == [(firm.pk, 2025)]


def test_other_firms_report_is_404(firm_user, other_firm):
    report = f.ReportFactory(firm=other_firm)
    assert api(firm_user).get(f"/api/v1/reports/{report.pk}/").status_code == 404


def test_market_rules_for_a_year(firm_user):
    body = api(firm_user).get("/api/v1/markets/shenzhen/rules/", {"year": 2025}).json()
    assert body["quarterly_reporting"] is True and body["covers_mobile_sources"] is True
    assert {t["amount"] for t in body["thresholds"]} == {"3000.00"}
    assert {"kind": "q1_report", "year_offset": 0, "month": 4, "day": 30} in body["deadlines"]


@pytest.mark.parametrize("year,status", [("", 400), ("abc", 400), ("2015", 404)])
def test_market_rules_need_a_year_with_rules(firm_user, year, status):
    response = api(firm_user).get("/api/v1/markets/shenzhen/rules/", {"year": year})
    body = response.json()
    assert (
        response.status_code == status
        and body["status"] == status
        and "year" in body["detail"].lower() + str(body.get("errors", ""))
    )


def test_the_schema_documents_the_endpoints(firm_user):
    schema = api(firm_user).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {"/api/v1/firms/", "/api/v1/reports/", "/api/v1/markets/{code}/rules/"} <= set(schema["paths"])


def test_firm_list_queries_do_not_grow_with_rows(firm_user, regulator, django_assert_max_num_queries, shanghai):
    f.FirmFactory.create_batch(30, market=shanghai)
    client = api(regulator)
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/firms/").status_code == 200

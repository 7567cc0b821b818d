"""Anonymous visitors read what is published, in both languages, fast and rate-limited; nothing private leaks."""

import pytest
from django.test import Client

from disclosure import selectors, services
from tests.disclosure.conftest import SECRETS, YEAR

pytestmark = pytest.mark.django_db

PUBLIC_URLS = [
    "/public/",
    "/public/shanghai/",
    f"/public/shanghai/{YEAR}/",
    f"/public/shanghai/{YEAR}/firms.csv",
    f"/public/shanghai/{YEAR}/firms.xlsx",
    f"/public/shanghai/{YEAR}/totals.csv",
    f"/public/shanghai/{YEAR}/totals.xlsx",
    "/public/history.csv",
    "/public/history.xlsx",
    "/public/api/v1/markets/",
    f"/public/api/v1/markets/shanghai/{YEAR}/",
    "/public/api/v1/history/",
    "/public/beijing/",
    "/api/v1/markets/",
]


def _text(response) -> str:
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        import io

        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row)
    return response.content.decode("utf-8")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_personal_confidential_or_unpublished_field_on_any_public_page(published, language):
    client = Client()
    client.post("/i18n/setlang/", {"language": language, "next": "/public/"})
    for url in PUBLIC_URLS:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text(response)
        leaked = [name for name, secret in SECRETS.items() if secret in text]
        assert leaked == [], f"{url} shows {leaked}"


def test_the_published_figures_are_on_the_page_export_and_api(published, world):
    client = Client()
    page = client.get(f"/public/shanghai/{YEAR}/").content.decode()
    firm = world["firm"]
    for shown in (firm.name, firm.credit_code, "604780", "50000.00", "2000", world["other_firm"].name):
        assert shown in page
    assert firm.name in _text(client.get(f"/public/shanghai/{YEAR}/firms.xlsx"))
    api = client.get(f"/public/api/v1/markets/shanghai/{YEAR}/").json()
    rows = {row["credit_code"]: row for row in api["firms"]}
    assert rows[firm.credit_code]["emissions_tco2e"] == "604780"
    assert rows[firm.credit_code]["fine_cny"] == "50000.00"
    assert set(rows[firm.credit_code]) == {
        "name",
        "credit_code",
        "sector_code",
        "sector_zh",
        "sector_en",
        "covered_since",
        "new_entrant",
        "on_approved_list",
        "reported",
        "emissions_tco2e",
        "compliance",
        "fine_cny",
        "deduction_tco2e",
    }


def test_unpublished_market_years_are_not_found(world, shanghai, regulator):
    services.publication_propose(market=shanghai, year=YEAR, note="", acting_user=regulator)  # proposed only
    client = Client()
    for url in (
        f"/public/shanghai/{YEAR}/",
        f"/public/shanghai/{YEAR}/firms.csv",
        f"/public/api/v1/markets/shanghai/{YEAR}/",
        f"/public/beijing/{YEAR}/",
        "/public/nowhere/",
    ):
        assert client.get(url).status_code == 404, url
    assert world["firm"].name not in client.get("/public/").content.decode()


def test_language_switch_works_for_anonymous_visitors(published):
    client = Client()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/public/"})
    assert "履约率" in client.get(f"/public/shanghai/{YEAR}/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": f"/public/shanghai/{YEAR}/"})
    assert response.status_code == 302
    page = client.get(f"/public/shanghai/{YEAR}/").content.decode()
    assert "compliance rate (%)" in page and "履约率" not in page


def test_a_cached_public_page_costs_no_database_query(published, django_assert_num_queries):
    client = Client()
    client.get(f"/public/shanghai/{YEAR}/")
    for url in (f"/public/shanghai/{YEAR}/", f"/public/shanghai/{YEAR}/firms.csv"):
        client.get(url)
        with django_assert_num_queries(0):
            assert Client().get(url).status_code == 200  # another visitor: same cached answer
    Client().get(f"/public/api/v1/markets/shanghai/{YEAR}/")
    with django_assert_num_queries(0):
        assert Client().get(f"/public/api/v1/markets/shanghai/{YEAR}/").status_code == 200


def test_anonymous_clients_are_rate_limited_with_retry_after(published, settings):
    settings.DISCLOSURE_ANON_RATES = {"public_pages": "3/min", "public_api": "2/min"}
    client = Client()
    statuses = [client.get(f"/public/shanghai/{YEAR}/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/public/")
    assert limited.status_code == 429 and 0 < int(limited["Retry-After"]) <= 60
    api = [client.get("/public/api/v1/history/") for _ in range(3)]
    assert [r.status_code for r in api] == [200, 200, 429] and int(api[-1]["Retry-After"]) > 0
    other_visitor = Client(REMOTE_ADDR="10.0.0.8")
    assert other_visitor.get(f"/public/shanghai/{YEAR}/").status_code == 200


def test_signed_in_users_are_not_rate_limited(published, settings, regulator):
    settings.DISCLOSURE_ANON_RATES = {"public_pages": "1/min", "public_api": "1/min"}
    client = Client()
    client.force_login(regulator)
    assert {client.get("/public/").status_code for _ in range(3)} == {200}


def test_the_markets_endpoint_answers_without_a_token_and_the_firm_api_still_needs_one(published):
    client = Client()
    response = client.get("/api/v1/markets/")
    assert response.status_code == 200
    assert "shanghai" in response.content.decode()
    assert client.get("/api/v1/firms/").status_code == 401
    assert client.get("/api/v1/reports/").status_code == 401
    assert client.get("/public/api/v1/markets/", HTTP_AUTHORIZATION="Token not-a-token").status_code == 200


def test_public_pages_link_from_every_layout(published):
    assert "/public/" in Client().get("/accounts/login/").content.decode()


def test_a_large_list_is_paged_and_every_page_is_refreshed_by_a_correction(
    world, shanghai, regulator, regulator_head, django_capture_on_commit_callbacks
):
    from tests import factories as f

    for _ in range(150):
        f.FirmFactory(market=shanghai, covered_since=2020)
    proposal = services.publication_propose(market=shanghai, year=YEAR, note="", acting_user=regulator)
    services.publication_publish(publication=proposal, acting_user=regulator_head)
    client = Client()
    first, second = client.get(f"/public/shanghai/{YEAR}/"), client.get(f"/public/shanghai/{YEAR}/?page=2")
    assert "Page 1 of 2" in first.content.decode() and "Page 2 of 2" in second.content.decode()
    assert client.get(f"/public/shanghai/{YEAR}/?page=3").status_code == 404
    assert client.get(f"/public/shanghai/{YEAR}/?page=x").status_code == 404
    assert len(client.get(f"/public/api/v1/markets/shanghai/{YEAR}/").json()["firms"]) == 152
    late = f.FirmFactory(name="最后加入企业有限公司", market=shanghai, covered_since=2020)
    correction = services.publication_propose(
        market=shanghai, year=YEAR, note="one firm was missing", acting_user=regulator
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.publication_publish(publication=correction, acting_user=regulator_head)
    pages = client.get(f"/public/shanghai/{YEAR}/").content.decode()
    pages += client.get(f"/public/shanghai/{YEAR}/?page=2").content.decode()
    assert late.name in pages and "one firm was missing" in pages


def test_a_forged_forwarded_for_header_does_not_escape_the_rate_limit(published, settings):
    settings.DISCLOSURE_ANON_RATES = {"public_pages": "2/min", "public_api": "2/min"}
    statuses = [
        Client(HTTP_X_FORWARDED_FOR=f"10.9.9.{n}").get(f"/public/shanghai/{YEAR}/").status_code for n in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_an_approved_covered_firm_list_decides_who_is_published(world, shanghai, regulator, regulator_head):
    from mrv.models import CoverageList, Firm
    from tests import factories as f

    listed = f.FirmFactory(name="名单内企业", market=shanghai)
    left_out = Firm.objects.filter(market=shanghai).exclude(pk=listed.pk).first()
    coverage_list = CoverageList.objects.create(market=shanghai, year=YEAR)
    coverage_list.entries.create(
        firm=listed, name=listed.name, credit_code=listed.credit_code, sector=listed.sector, rule_included=True
    )
    CoverageList.objects.filter(pk=coverage_list.pk).update(status=CoverageList.Status.APPROVED)
    snapshot = selectors.market_year_snapshot(shanghai, YEAR)
    names = {row["name"]: row for row in snapshot["firms"]}
    assert set(names) == {"名单内企业"} and names["名单内企业"]["on_approved_list"]
    assert left_out is None or left_out.name not in names
    assert "approved covered-firm list" in selectors.inclusion_reason(names["名单内企业"], YEAR)


def test_the_market_year_page_states_the_inclusion_rule_as_the_seeds_table_2(world, published):
    from mrv.models import Market

    page = Client().get(f"/public/shanghai/{YEAR}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    threshold = Market.objects.get(code="shanghai").rule_pack_for(YEAR).thresholds.first()
    assert "Inclusion rule" in page or "纳入标准" in page
    assert f"{threshold.amount:,.0f}" in page

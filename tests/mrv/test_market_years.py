"""Every market runs its years from 2016 (the national market from its first year, 2019); a year
outside what a market supports is refused with the range, never a 500."""

import pytest
from django.utils import timezone

from mrv.models import Market, YearNotSupported
from tests import factories as f

pytestmark = pytest.mark.django_db

ALL_MARKETS = ["national", "beijing", "tianjin", "shanghai", "guangdong", "shenzhen", "hubei", "chongqing", "fujian"]


@pytest.mark.parametrize("code", ALL_MARKETS)
def test_every_market_has_rules_from_2016_or_its_first_year(code):
    market = Market.objects.get(code=code)
    first = 2019 if code == "national" else 2016
    years = market.supported_years()
    assert years[0] == first
    assert years[-1] == timezone.localdate().year + 1
    assert all(market.rule_pack_for(y).thresholds.exists() for y in years)


def test_national_market_starts_in_2019():
    national = Market.objects.get(code="national")
    with pytest.raises(YearNotSupported) as refused:
        national.check_year(2018)
    assert "2019" in refused.value.message and "2018" in refused.value.message


def test_history_packs_keep_the_market_rules():
    hubei = Market.objects.get(code="hubei")
    old, new = hubei.rule_pack_for(2017), hubei.rule_pack_for(2021)
    assert old.valid_from_year == 2016 and new.valid_from_year == 2020
    assert [(t.amount, t.unit) for t in old.thresholds.all()] == [(t.amount, t.unit) for t in new.thresholds.all()]


@pytest.mark.parametrize("page", ["/registry/statistics/", "/registry/compliance/"])
def test_regulator_opens_2019_pages(client, regulator, page):
    client.force_login(regulator)
    response = client.get(page, {"year": 2019})
    assert response.status_code == 200
    assert "2019" in response.content.decode()


@pytest.mark.parametrize("page", ["/registry/statistics/", "/registry/compliance/"])
def test_year_outside_the_rules_names_the_range_instead_of_a_500(client, regulator, page):
    client.force_login(regulator)
    response = client.get(page, {"year": 2015})
    assert response.status_code == 400
    body = response.content.decode()
    assert "2016" in body and "2015" in body


def test_every_market_regulator_opens_every_year_from_2016(client):
    this_year = timezone.localdate().year
    for code in ALL_MARKETS:
        market = Market.objects.get(code=code)
        officer = f.UserFactory(
            username=f"{code}_off", role="regulator_officer", authority=f.AuthorityFactory(market=market)
        )
        client.force_login(officer)
        for year in market.supported_years():
            if year > this_year:
                continue
            for page in ("/registry/statistics/", "/registry/compliance/"):
                assert client.get(page, {"year": year}).status_code == 200, (code, year, page)

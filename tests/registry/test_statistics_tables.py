"""The paper's compliance tables reproduced from the registry: counts per market, rates rounded half-up."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.test import Client

from mrv.models import EmissionReport, Firm
from registry import positions, selectors
from registry.ledger import government_account
from registry.models import ALLOWANCE, Account, Entry, Transaction
from tests import factories as f

D = Decimal
TODAY = datetime.date(2021, 12, 31)


def covered_market(code: str, obliged: int, compliant: int, year: int = 2020) -> None:
    """`obliged` covered firms; `compliant` of them determined at 1 t and surrendered 1 allowance, the rest nothing."""
    market = f.market(code)
    sector = f.sector("power")
    firms = Firm.objects.bulk_create(
        Firm(name=f"{code}-{i}", credit_code=f.credit_code(), market=market, sector=sector) for i in range(obliged)
    )
    paying = firms[:compliant]
    EmissionReport.objects.bulk_create(
        EmissionReport(
            firm=firm,
            market=market,
            year=year,
            period=EmissionReport.Period.ANNUAL,
            status=EmissionReport.Status.DETERMINED,
            determined_emissions_tco2e=D(1),
        )
        for firm in paying
    )
    retirement = government_account(market, Account.Kind.RETIREMENT)
    issuance = government_account(market, Account.Kind.ISSUANCE)
    recorded = Transaction._meta.get_field("created_at")
    with mock.patch.object(recorded, "auto_now_add", False):  # surrendered in time: on 1 May of the next year
        txs = Transaction.objects.bulk_create(
            Transaction(
                market=market,
                kind=Transaction.Kind.SURRENDER,
                idempotency_key=f"stat:{code}:{firm.pk}",
                firm=firm,
                compliance_year=year,
                created_at=datetime.datetime(year + 1, 5, 1, tzinfo=datetime.UTC),
            )
            for firm in paying
        )
    Entry.objects.bulk_create(
        entry
        for tx in txs
        for entry in (
            Entry(transaction=tx, account=issuance, unit_type=ALLOWANCE, vintage=year, quantity=-1),
            Entry(transaction=tx, account=retirement, unit_type=ALLOWANCE, vintage=year, quantity=1),
        )
    )
    positions.refresh_firms(firm.pk for firm in paying)  # rows written around the services: as rebuild_positions


@pytest.mark.django_db
def test_shenzhen_and_tianjin_2020_compliance_rates_follow_from_their_counts():
    covered_market("shenzhen", 1236, 1230)
    covered_market("tianjin", 1112, 1111)

    shenzhen = selectors.market_statistics(f.market("shenzhen"), 2020, today=TODAY)
    tianjin = selectors.market_statistics(f.market("tianjin"), 2020, today=TODAY)

    assert (shenzhen.obliged_firms, shenzhen.compliant_firms, shenzhen.compliance_rate_pct) == (1236, 1230, D("99.5"))
    assert (tianjin.obliged_firms, tianjin.compliant_firms, tianjin.compliance_rate_pct) == (1112, 1111, D("99.9"))


@pytest.mark.django_db
def test_a_covered_firm_without_determined_emissions_counts_as_not_compliant():
    covered_market("beijing", 2, 1)
    stats = selectors.market_statistics(f.market("beijing"), 2020, today=TODAY)
    assert (stats.obliged_firms, stats.compliant_firms, stats.compliance_rate_pct) == (2, 1, D("50.0"))


def test_rates_are_rounded_half_up_to_one_decimal():
    assert selectors.rate_pct(1, 8) == D("12.5")
    assert selectors.rate_pct(1, 16) == D("6.3")  # 6.25: half-up, not half-even
    assert selectors.rate_pct(5, 0) is None


@pytest.mark.django_db
def test_national_administrator_compares_markets_and_sees_compliance_by_year(national_admin):
    covered_market("shenzhen", 4, 3)
    client = Client()
    client.force_login(national_admin)

    response = client.get("/registry/statistics/?market=shenzhen&year=2020")

    assert response.status_code == 200
    body = response.content.decode()
    assert "75.0" in body  # Shenzhen 2020 in the series and in the comparison across markets
    rows = {row[0]: row for row in response.context["across_rows"]}
    assert rows[str(f.market("shenzhen"))][2:5] == [4, 3, D("75.0")]
    series = {s.year: s for s in response.context["rates"]}
    assert series[2020].compliance_rate_pct == D("75.0")


@pytest.mark.django_db
def test_regulator_exports_its_market_by_year_as_csv(regulator):
    client = Client()
    client.force_login(regulator)

    response = client.get("/registry/statistics/?year=2020&format=csv&market=beijing")

    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert response.status_code == 200
    assert len(lines) == 1 + len(selectors.statistics_years()) + (2020 not in selectors.statistics_years())
    assert all(line.startswith(str(f.market("shanghai"))) for line in lines[1:])  # its own market, not ?market=

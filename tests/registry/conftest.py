"""Registry fixtures: a Shanghai cap for 2025 and helpers to fund accounts and determine emissions."""

from decimal import Decimal

import pytest

from registry import services
from registry.ledger import holding_account
from registry.models import MarketCap
from tests.factories import ReportFactory

D = Decimal


@pytest.fixture
def cap_2025(shanghai):
    return MarketCap.objects.create(market=shanghai, year=2025, cap_tco2e=D("1000000"), reserve_tco2e=D("100000"))


def fund(firm, quantity, vintage=2025, key=None):
    """Issue allowances straight to the firm (needs a cap for the vintage)."""
    return services.allowances_issue(
        firm=firm, vintage=vintage, quantity=D(quantity), idempotency_key=key or f"fund:{firm.pk}:{vintage}:{quantity}"
    )


def determine(firm, year, tco2e):
    return ReportFactory(firm=firm, year=year, status="determined", determined_emissions_tco2e=D(tco2e))


@pytest.fixture
def funded(firm, other_firm, cap_2025):
    fund(firm, 1000)
    return holding_account(firm), holding_account(other_firm)

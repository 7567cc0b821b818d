"""Registry fixtures: a Shanghai cap for 2025 and helpers to fund accounts and determine emissions."""

import datetime
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


@pytest.fixture
def ledger_clock(monkeypatch):
    """Record ledger movements as of a given day: `ledger_clock(datetime.date(2026, 6, 1))`."""

    def set_day(day: datetime.date):
        moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
        monkeypatch.setattr("registry.ledger.recorded_at", lambda: moment)

    return set_day


@pytest.fixture(autouse=True)
def _movements_recorded_in_time(ledger_clock):
    """The registry's tests pass `today` to the compliance reads, but the ledger records the real time, which
    is after the deadlines of the years they use: unless a test sets the clock, its movements are recorded on
    1 January 2000, in time for every deadline, so that only the tests about lateness see a late surrender."""
    ledger_clock(datetime.date(2000, 1, 1))


def determine(firm, year, tco2e):
    return ReportFactory(firm=firm, year=year, status="determined", determined_emissions_tco2e=D(tco2e))


@pytest.fixture
def funded(firm, other_firm, cap_2025):
    fund(firm, 1000)
    return holding_account(firm), holding_account(other_firm)


@pytest.fixture
def firm_representative(funded, firm_user, regulator):
    """The firm's reporter, designated by the regulator as an authorised representative of the firm's account."""
    services.representative_add(account=funded[0], user=firm_user, acting_user=regulator)
    return firm_user


def trust(account, other, proposer, approver, settings):
    """Put `other` on `account`'s trusted list through the services, with the list's delay set to zero."""
    settings.REGISTRY_TRUSTED_LIST_DELAY_HOURS = 0
    entry = services.trusted_account_propose(account=account, trusted=other, acting_user=proposer)
    return services.trusted_account_approve(entry=entry, acting_user=approver)


@pytest.fixture
def trusted(funded, firm_representative, firm_approver, settings):
    """The other firm's account is on the firm's trusted list (in force)."""
    return trust(funded[0], funded[1], firm_representative, firm_approver, settings)

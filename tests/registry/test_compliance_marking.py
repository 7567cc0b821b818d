"""The compliance marking in batches: a constant number of statements per batch, nothing twice, and the same
findings as each firm's own status read one by one.

Shanghai, compliance year 2025, deadline 30 June 2026; the marking runs on 1 July 2026.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deadlines.services import deadline_extension_grant
from mrv.models import AuditLog, DeadlineRule
from registry import positions, selectors, services
from registry.models import ComplianceRecord, FirmYearPosition, MarketCap
from registry.selectors import Status
from tests.factories import FirmFactory
from tests.registry.conftest import determine, fund

D = Decimal
YEAR = 2025
AFTER = datetime.date(2026, 7, 1)


def _short_firms(market, n):
    firms = [FirmFactory(market=market) for _ in range(n)]
    for firm in firms:
        determine(firm, YEAR, 100)
    return firms


def _position_figures():
    fields = [f.name for f in FirmYearPosition._meta.fields if f.name not in ("id", "updated_at")]
    return sorted(FirmYearPosition.objects.values_list(*fields))


def test_a_batch_costs_the_same_statements_whatever_its_size(shanghai):
    small, large = _short_firms(shanghai, 2), _short_firms(shanghai, 40)
    ContentType.objects.get_for_model(ComplianceRecord)  # cached once per process, as in a worker
    counts = []
    for firms in (small, large):
        with CaptureQueriesContext(connection) as queries:
            made = services.compliance_mark_batch(
                market_id=shanghai.pk, year=YEAR, firm_ids=[x.pk for x in firms], today=AFTER
            )
        assert len(made) == len(firms)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert ComplianceRecord.objects.filter(year=YEAR).count() == 42
    assert FirmYearPosition.objects.filter(year=YEAR, marked=True).count() == 42


def test_a_redelivered_batch_writes_nothing_twice(shanghai):
    firms = _short_firms(shanghai, 3)
    ids = [x.pk for x in firms]
    first = services.compliance_mark_batch(market_id=shanghai.pk, year=YEAR, firm_ids=ids, today=AFTER)
    figures = _position_figures()
    again = services.compliance_mark_batch(market_id=shanghai.pk, year=YEAR, firm_ids=ids, today=AFTER)
    assert (len(first), again) == (3, [])
    assert ComplianceRecord.objects.count() == 3
    assert AuditLog.objects.filter(action="registry.compliance.non_compliant").count() == 3
    assert _position_figures() == figures


def test_a_batch_leaves_out_firms_of_another_market_and_firms_not_short(shanghai, beijing_firm):
    short = _short_firms(shanghai, 1)[0]
    missing = FirmFactory(market=shanghai)  # nothing determined: emissions missing, not marked
    determine(beijing_firm, YEAR, 100)
    made = services.compliance_mark_batch(
        market_id=shanghai.pk, year=YEAR, firm_ids=[short.pk, missing.pk, beijing_firm.pk], today=AFTER
    )
    assert [r.firm_id for r in made] == [short.pk]


@pytest.fixture
def mixed(shanghai, regulator, ledger_clock):
    """Compliant, short in part, short in full, extended (its own deadline is 30 July), emissions missing."""
    MarketCap.objects.create(market=shanghai, year=YEAR, cap_tco2e=D(1000000), reserve_tco2e=D(0))
    compliant, partly, fully, extended, missing = (FirmFactory(market=shanghai) for _ in range(5))
    for firm, owed in ((compliant, 500), (partly, 500), (fully, 700), (extended, 400)):
        determine(firm, YEAR, owed)
    fund(compliant, 500)
    fund(partly, 200)
    ledger_clock(datetime.date(2026, 6, 1))
    services.units_surrender(firm=compliant, year=YEAR, allowances={YEAR: 500}, idempotency_key="c")
    services.units_surrender(firm=partly, year=YEAR, allowances={YEAR: 200}, idempotency_key="p")
    deadline_extension_grant(
        firm=extended, year=YEAR, kind=DeadlineRule.Kind.COMPLIANCE, extra_days=30, reason="台风", acting_user=regulator
    )
    return {"compliant": compliant, "partly": partly, "fully": fully, "extended": extended, "missing": missing}


def test_the_batches_find_what_each_firms_own_status_says(mixed, shanghai, monkeypatch):
    per_firm = {
        firm.pk: selectors.compliance_status(firm, YEAR, today=AFTER).frozen_shortfall_tco2e
        for firm in mixed.values()
        if selectors.compliance_status(firm, YEAR, today=AFTER).status == Status.NON_COMPLIANT
    }
    assert per_firm == {mixed["partly"].pk: D(300), mixed["fully"].pk: D(700)}
    monkeypatch.setattr(services.surrender, "MARKING_BATCH", 1)  # one batch per firm
    marked = services.compliance_mark_non_compliant(market=shanghai, year=YEAR, today=AFTER)
    assert {r.firm_id: r.shortfall_tco2e for r in marked} == per_firm
    logs = AuditLog.objects.filter(action="registry.compliance.non_compliant")
    assert sorted((int(a.object_id), a.changes["shortfall_tco2e"]) for a in logs) == sorted(
        (r.pk, [None, str(r.shortfall_tco2e)]) for r in marked
    )
    # the positions are what a refresh from scratch writes
    figures = _position_figures()
    positions.refresh_firms([x.pk for x in mixed.values()])
    assert _position_figures() == figures
    assert selectors.compliance_status(mixed["fully"], YEAR, today=AFTER).marked
    # after its own deadline the extended firm is short too, and a later run marks it alone
    later = datetime.date(2026, 7, 31)
    assert [
        r.firm_id for r in services.compliance_mark_non_compliant(market=shanghai, year=YEAR, today=later)
    ] == sorted([mixed["partly"].pk, mixed["fully"].pk, mixed["extended"].pk])
    assert ComplianceRecord.objects.count() == 3

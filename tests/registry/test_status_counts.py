"""The statistics count the firms of each compliance status in SQL, one grouped query a market-year, by the rule
`status_of` applies to one firm-year (`registry.positions.STATUS_RULE`): the same figures as counting the
firm-by-firm statuses, whatever the number of firms.

The world (Shanghai, compliance year 2025, deadline 30 June 2026; today 1 July 2026 unless said):
- `firm`: determined 1,000 t, surrenders 1,000 t on 1 June 2026 → compliant (at the deadline).
- `other_firm`: determined 500 t, 200 t on 1 June and 300 t on 15 July 2026 → non-compliant (at the deadline).
- `silent`: covered, nothing determined → emissions missing.
- `excluded`: determined 300 t, its year excluded by the regulator → excluded (not obliged).
- `extended_short`: 30 more days (to 30 July), determined 400 t, 100 t surrendered → outstanding.
- `extended_found`: determined 200 t, found non-compliant on 1 July, then 30 more days → non-compliant (found).
- `extended_paid`: 30 more days, determined 300 t, 300 t surrendered on 1 July → compliant.
Obliged 6, compliant 2, emissions missing 1: compliance rate 2 / 6 = 33.3 %. In 2026 (its deadline 30 June 2027
is ahead) the 7 covered firms have no obligation yet.
"""

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deadlines.services import deadline_extension_grant
from mrv.models import DeadlineRule
from registry import coverage_end, positions, selectors, services
from registry.models import CoverageChange, FirmYearPosition, MarketCap
from registry.positions import Status
from tests.factories import FirmFactory
from tests.registry.conftest import determine, fund

D = Decimal
YEAR = 2025
BEFORE = datetime.date(2026, 6, 1)
AFTER = datetime.date(2026, 7, 1)
EVERY_STATUS = set(Status.LABELS)


def old_counts(market, year, today):
    """The statistics' counts as they were computed: each covered firm's status in Python, then counted."""
    return Counter(s.status for s in selectors.compliance_statuses(market, year, today=today))


def extend(firm, regulator, days=30):
    deadline_extension_grant(
        firm=firm,
        year=YEAR,
        kind=DeadlineRule.Kind.COMPLIANCE,
        extra_days=days,
        reason="Typhoon",
        acting_user=regulator,
    )


@pytest.fixture
def world(shanghai, firm, other_firm, regulator, regulator_head, ledger_clock):
    MarketCap.objects.create(market=shanghai, year=YEAR, cap_tco2e=D(1000000), reserve_tco2e=D(0))
    firms = {"firm": firm, "other": other_firm}
    for name in ("silent", "excluded", "extended_short", "extended_found", "extended_paid"):
        firms[name] = FirmFactory(name=f"上海{name}有限公司", market=shanghai)
    for name, tonnes in [
        ("firm", 1000),
        ("other", 500),
        ("excluded", 300),
        ("extended_short", 400),
        ("extended_found", 200),
        ("extended_paid", 300),
    ]:
        determine(firms[name], YEAR, tonnes)
        fund(firms[name], tonnes)
    change = coverage_end.coverage_change_propose(
        firm=firms["excluded"], kind=CoverageChange.Kind.EXCLUDE_YEAR, year=YEAR, reason="shut", acting_user=regulator
    )
    coverage_end.coverage_change_approve(change=change, acting_user=regulator_head)
    extend(firms["extended_short"], regulator)
    extend(firms["extended_paid"], regulator)
    ledger_clock(BEFORE)
    services.units_surrender(firm=firm, year=YEAR, allowances={YEAR: 1000}, idempotency_key="a")
    services.units_surrender(firm=other_firm, year=YEAR, allowances={YEAR: 200}, idempotency_key="b")
    services.units_surrender(firm=firms["extended_short"], year=YEAR, allowances={YEAR: 100}, idempotency_key="c")
    ledger_clock(AFTER)
    services.units_surrender(firm=firms["extended_paid"], year=YEAR, allowances={YEAR: 300}, idempotency_key="d")
    services.compliance_mark_non_compliant(market=shanghai, year=YEAR, today=AFTER)  # `other` and `extended_found`
    extend(firms["extended_found"], regulator)  # after the finding: short before its new deadline, and found
    ledger_clock(datetime.date(2026, 7, 15))
    services.units_surrender(firm=other_firm, year=YEAR, allowances={YEAR: 300}, idempotency_key="e")
    return firms


def test_the_counts_of_every_status_are_the_firm_by_firm_counts(world, shanghai):
    expected = {
        Status.COMPLIANT: 2,
        Status.NON_COMPLIANT: 2,
        Status.OUTSTANDING: 1,
        Status.EMISSIONS_MISSING: 1,
        Status.EXCLUDED: 1,
    }
    assert positions.status_counts(shanghai, YEAR, today=AFTER) == old_counts(shanghai, YEAR, AFTER) == expected
    ahead = positions.status_counts(shanghai, YEAR + 1, today=AFTER)
    assert ahead == old_counts(shanghai, YEAR + 1, AFTER) == {Status.NO_OBLIGATION: 7}


def test_the_statistics_show_the_figures_of_the_firm_by_firm_statuses(world, shanghai):
    stats = selectors.market_statistics(shanghai, YEAR, today=AFTER)
    assert (stats.obliged_firms, stats.compliant_firms, stats.missing_firms, stats.compliance_rate_pct) == (
        6,
        2,
        1,
        D("33.3"),
    )
    assert (stats.surrendered_tco2e, stats.offsets_tco2e) == (D(1900), D(0))  # 1,000 + 500 + 100 + 300
    for year in (YEAR, YEAR + 1):
        old = old_counts(shanghai, year, AFTER)
        obliged = old.total() - old[Status.EXCLUDED]
        stats = selectors.market_statistics(shanghai, year, today=AFTER)
        rate = selectors.compliance_rates(shanghai, [year], today=AFTER)[0]
        figures = (obliged, old[Status.COMPLIANT], old[Status.EMISSIONS_MISSING])
        assert (stats.obliged_firms, stats.compliant_firms, stats.missing_firms) == figures
        assert (rate.obliged_firms, rate.compliant_firms, rate.missing_firms) == figures
    assert [
        (s.year, s.obliged_firms, s.compliance_rate_pct)
        for s in selectors.statistics_across_markets([shanghai], YEAR + 1, today=AFTER)
    ] == [(YEAR + 1, 7, D("0.0"))]


DAYS = [
    datetime.date(2025, 6, 1),  # in the year
    datetime.date(2025, 12, 15),  # in the year, after the market's deadline moved into it (below), before a firm's
    BEFORE,
    datetime.date(2026, 6, 30),  # the deadline day of most positions: not yet past
    AFTER,
    datetime.date(2026, 7, 30),  # the extended deadline day
    datetime.date(2026, 8, 1),
]


def test_the_sql_rule_and_status_of_agree_on_stored_figures(shanghai, regulator):
    """Figures written straight into positions, edges included (zero balances, no deadline, nothing recorded, a
    moved deadline without a position), on days around the deadlines: the SQL counts equal the counts of
    `status_of`, and every status of the rule shows up."""
    rule = shanghai.rule_pack_for(YEAR).deadlines.get(kind=DeadlineRule.Kind.COMPLIANCE)
    rule.year_offset, rule.month, rule.day = 0, 12, 1  # 1 December 2025: a firm without a position can be past it
    rule.save()
    FirmFactory(market=shanghai)  # nothing recorded, its deadline the market's
    extend(FirmFactory(market=shanghai), regulator)  # nothing recorded, its deadline 31 December 2025
    due, extended = datetime.date(2026, 6, 30), datetime.date(2026, 7, 30)
    stored = [
        {"excluded": True, "obligation_tco2e": D(100)},
        {"excluded": True, "marked": True},
        {"deadline": due},
        {"deadline": None, "marked": True},
        {"obligation_tco2e": D(100), "deadline": due},
        {"obligation_tco2e": D(100), "balance_tco2e": D(50), "on_time_balance_tco2e": D(-10), "deadline": due},
        {"obligation_tco2e": D(100), "balance_tco2e": D(-1), "on_time_balance_tco2e": D(-1), "deadline": due},
        {"obligation_tco2e": D(100), "balance_tco2e": D(-1), "on_time_balance_tco2e": D(-1), "deadline": extended},
        {"obligation_tco2e": D(100), "balance_tco2e": D(-1), "marked": True, "deadline": extended},
        {"obligation_tco2e": D(100), "balance_tco2e": D(5), "marked": True, "deadline": extended},
        {"obligation_tco2e": D(100), "balance_tco2e": D(-1), "deadline": None},
    ]
    for figures in stored:
        FirmYearPosition.objects.create(firm=FirmFactory(market=shanghai), market=shanghai, year=YEAR, **figures)
    seen = set()
    for today in DAYS:
        old = old_counts(shanghai, YEAR, today)
        assert (today, positions.status_counts(shanghai, YEAR, today=today)) == (today, old)
        assert old.total() == len(stored) + 2
        seen |= set(old)
    assert seen == EVERY_STATUS
    # 15 December 2025: the firm without a position is past the market's deadline, the one with 30 more days is not
    assert old_counts(shanghai, YEAR, DAYS[1])[Status.EMISSIONS_MISSING] == 1


def test_the_statistics_page_runs_the_same_queries_for_3_and_30_firms(
    firm, other_firm, shanghai, client, national_admin
):
    MarketCap.objects.create(market=shanghai, year=YEAR, cap_tco2e=D(1000000), reserve_tco2e=D(0))
    FirmFactory(market=shanghai)  # nothing recorded
    determine(firm, YEAR, 100)
    determine(other_firm, YEAR, 100)
    fund(firm, 100)
    services.units_surrender(firm=firm, year=YEAR, allowances={YEAR: 100}, idempotency_key="a")
    client.force_login(national_admin)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(reverse("registry:statistics"), {"market": "shanghai", "year": YEAR})
        assert page.status_code == 200
        return len(ctx), page.context["stats"]

    few, stats = count()
    assert (stats.obliged_firms, stats.compliant_firms, stats.missing_firms) == (3, 1, 1)
    for i in range(12):
        determine(FirmFactory(market=shanghai), YEAR, 100 + i)
    FirmFactory.create_batch(15, market=shanghai)
    many, stats = count()
    assert (stats.obliged_firms, stats.compliant_firms, stats.missing_firms) == (30, 1, 16)
    assert many == few

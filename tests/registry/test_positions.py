"""Compliance that never hides a gap: the firm-year positions, "emissions missing", the status frozen at the
deadline, partial reversals and the end of coverage, on pages, in the public API and in the statistics.

The world (Shanghai, compliance year 2025, deadline 30 June 2026; today is after it):
- `firm`: determined 1,000 t, surrenders 1,000 t on 1 June 2026 → compliant.
- `other_firm`: determined 500 t, surrenders 200 t on 1 June 2026 → short by 300 t at the deadline: non-compliant;
  surrenders the 300 t on 15 July 2026 → still non-compliant (frozen), shown with 300 t surrendered late.
- `silent`: covered, nothing determined → emissions missing.
Obliged 3, compliant 1, emissions missing 1: compliance rate 1 / 3 = 33.3 %.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from disclosure import services as disclosure
from mrv.models import Firm
from registry import coverage_end, selectors, services
from registry.ledger import LedgerError
from registry.models import CoverageChange, FirmYearPosition, MarketCap
from registry.selectors import Status
from registry.services import reversals
from tests.factories import FirmFactory
from tests.registry.conftest import determine, fund

D = Decimal
YEAR = 2025
AFTER = datetime.date(2026, 7, 1)
BEFORE = datetime.date(2026, 6, 1)


@pytest.fixture
def world(shanghai, firm, other_firm, ledger_clock):
    MarketCap.objects.create(market=shanghai, year=YEAR, cap_tco2e=D(1000000), reserve_tco2e=D(0))
    silent = FirmFactory(name="上海未报告企业有限公司", market=shanghai)
    determine(firm, YEAR, 1000)
    determine(other_firm, YEAR, 500)
    fund(firm, 1000)
    fund(other_firm, 500)
    ledger_clock(BEFORE)
    services.units_surrender(firm=firm, year=YEAR, allowances={YEAR: 1000}, idempotency_key="a-on-time")
    services.units_surrender(firm=other_firm, year=YEAR, allowances={YEAR: 200}, idempotency_key="b-on-time")
    ledger_clock(datetime.date(2026, 7, 15))
    services.units_surrender(firm=other_firm, year=YEAR, allowances={YEAR: 300}, idempotency_key="b-late")
    return {"firm": firm, "other": other_firm, "silent": silent}


def by_firm(statuses):
    return {s.firm_id: s for s in statuses}


def test_every_status_from_the_stored_position(world):
    statuses = by_firm(selectors.compliance_statuses(world["firm"].market, YEAR, today=AFTER))
    a, b, c = statuses[world["firm"].pk], statuses[world["other"].pk], statuses[world["silent"].pk]
    assert (a.status, a.shortfall_tco2e, a.late) == (Status.COMPLIANT, 0, False)
    # frozen at the deadline: 200 − 500 = −300; the 300 t of 15 July pay the debt but are late
    assert (b.status, b.frozen_shortfall_tco2e, b.shortfall_tco2e, b.late_tco2e, b.late) == (
        Status.NON_COMPLIANT,
        D(300),
        D(0),
        D(300),
        True,
    )
    assert (c.status, c.obligation_tco2e) == (Status.EMISSIONS_MISSING, None)
    # before the deadline the year is open: what was surrendered so far counts, whenever it was recorded
    before = by_firm(selectors.compliance_statuses(world["firm"].market, YEAR, today=BEFORE))
    assert before[world["other"].pk].status == Status.COMPLIANT  # 200 + 300 ≥ 500
    assert before[world["silent"].pk].status == Status.EMISSIONS_MISSING  # 2025 is over on 1 June 2026


def test_one_firms_position_is_one_indexed_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        status = selectors.compliance_status(world["other"], YEAR, today=AFTER)
    assert (status.status, status.late_tco2e) == (Status.NON_COMPLIANT, D(300))


def test_marking_uses_the_frozen_status_and_the_shortfall_at_the_deadline(world):
    marked = services.compliance_mark_non_compliant(market=world["firm"].market, year=YEAR, today=AFTER)
    assert [(r.firm_id, r.shortfall_tco2e) for r in marked] == [(world["other"].pk, D(300))]
    assert FirmYearPosition.objects.get(firm=world["other"], year=YEAR).marked


def test_statistics_count_emissions_missing_as_not_compliant(world):
    stats = selectors.market_statistics(world["firm"].market, YEAR, today=AFTER)
    assert (stats.obliged_firms, stats.compliant_firms, stats.missing_firms) == (3, 1, 1)
    assert stats.compliance_rate_pct == D("33.3")  # 1 / 3 = 33.33… → 33.3
    assert (stats.surrendered_tco2e, stats.offsets_tco2e) == (D(1500), D(0))  # 1,000 + 200 + 300, from positions


@pytest.fixture
def regulator_client(client, regulator):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(regulator)
    return client


def test_the_compliance_page_shows_emissions_missing_and_late_surrenders(world, regulator_client):
    page = regulator_client.get(reverse("registry:compliance"), {"year": YEAR}).content.decode()
    assert "emissions missing" in page
    assert "300 t surrendered late" in page
    assert "1 of 3 obliged firms compliant; emissions missing for 1." in page
    csv = regulator_client.get(reverse("registry:compliance"), {"year": YEAR, "format": "csv"}).content.decode()
    assert "emissions missing" in csv


def test_the_compliance_page_in_chinese(world, client, regulator, settings):
    client.force_login(regulator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(reverse("registry:compliance"), {"year": YEAR}).content.decode()
    assert "排放量缺失" in page and "逾期清缴 300 吨" in page and "emissions missing" not in page


def test_the_statistics_page_shows_the_missing_firms(world, regulator_client):
    page = regulator_client.get(reverse("registry:statistics"), {"year": YEAR}).content.decode()
    assert "firms with emissions missing" in page and "33.3" in page


def test_the_firms_account_page_and_home_show_the_missing_year(world, client, shanghai):
    from mrv.models import User
    from tests.factories import UserFactory

    user = UserFactory(username="silent_approver", role=User.Role.FIRM_APPROVER, firm=world["silent"])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(user)
    fund(world["silent"], 10)  # the firm's account exists
    account = client.get(reverse("registry:index"), follow=True).content.decode()
    assert "emissions missing" in account
    home = client.get(reverse("home")).content.decode()
    assert f"Emissions of {datetime.date.today().year - 1} missing" in home


def test_the_regulators_home_lists_covered_firms_with_emissions_missing(world, regulator_client, regulator):
    from registry.desk import regulator_emissions_missing

    last_year = datetime.date.today().year - 1
    section = regulator_emissions_missing(regulator)
    names = [item.label for item in section.items]
    if last_year == YEAR:
        assert names == [f"{world['silent'].name} {YEAR}"]
    else:  # every firm of the register is covered and nothing is determined for last year
        assert f"{world['silent'].name} {last_year}" in names
    assert "Covered firms with emissions missing" in regulator_client.get(reverse("home")).content.decode()


def test_the_public_api_shows_emissions_missing(world, regulator, regulator_head):
    publication = disclosure.publication_propose(market=world["firm"].market, year=YEAR, note="", acting_user=regulator)
    disclosure.publication_publish(publication=publication, acting_user=regulator_head)
    data = Client().get(f"/public/api/v1/markets/shanghai/{YEAR}/").json()
    compliance = {row["credit_code"]: row["compliance"] for row in data["firms"]}
    assert compliance[world["silent"].credit_code] == "emissions_missing"
    assert compliance[world["other"].credit_code] == "non_compliant"
    assert compliance[world["firm"].credit_code] == "compliant"
    assert (data["totals"]["missing_firms"], data["totals"]["compliance_rate_pct"]) == (1, "33.3")


def test_the_compliance_page_runs_the_same_queries_for_more_firms(world, regulator_client, shanghai):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert regulator_client.get(reverse("registry:compliance"), {"year": YEAR}).status_code == 200
        return len(ctx)

    few = count()
    for i in range(6):
        determine(FirmFactory(market=shanghai), YEAR, 100 + i)
    FirmFactory.create_batch(3, market=shanghai)
    assert count() == few


# --- Partial reversal --------------------------------------------------------------------------------


def test_a_partial_reversal_of_a_surrender(world, regulator, regulator_head, ledger_clock):
    from registry.models import Transaction

    firm = world["firm"]
    firm_surrender = Transaction.objects.get(idempotency_key__endswith=":a-on-time")
    with pytest.raises(LedgerError) as too_much:
        services.reversal_propose(original=firm_surrender, reason="wrong", quantity=1000, acting_user=regulator)
    assert "less than the 1000 t" in str(too_much.value.message)
    request = services.reversal_propose(
        original=firm_surrender, reason="150 t surrendered twice by mistake", quantity=150, acting_user=regulator
    )
    with pytest.raises(PermissionDenied):  # four eyes: the proposer may not approve, nor an officer
        services.reversal_approve(request=request, acting_user=regulator)
    ledger_clock(datetime.date(2026, 8, 1))
    services.reversal_approve(request=request, acting_user=regulator_head)
    request.refresh_from_db()
    tx = request.reversal
    assert sorted(e.quantity for e in tx.entries.all()) == [D(-150), D(150)]
    # 1,000 − 150 = 850 against 1,000: 150 short now; at the deadline it was compliant, and it stays so
    status = selectors.compliance_status(firm, YEAR, today=AFTER)
    assert (status.status, status.allowances_tco2e, status.shortfall_tco2e) == (Status.COMPLIANT, D(850), D(150))
    live = selectors.compliance_status(firm, YEAR, today=BEFORE)
    assert (live.status, live.shortfall_tco2e) == (Status.OUTSTANDING, D(150))
    with pytest.raises(LedgerError):  # a transaction is reversed once, wholly or in part
        services.reversal_propose(original=firm_surrender, reason="again", acting_user=regulator)


def test_only_a_surrender_is_reversed_in_part(world, regulator):
    from registry.models import Transaction

    issuance = Transaction.objects.filter(kind=Transaction.Kind.ISSUANCE).first()
    with pytest.raises(LedgerError) as refused:
        services.reversal_propose(original=issuance, reason="wrong", quantity=1, acting_user=regulator)
    assert refused.value.message == reversals.PARTIAL_ONLY_SURRENDER


def test_the_transaction_page_asks_for_a_partial_reversal(world, regulator_client):
    from registry.models import ReversalRequest, Transaction

    tx = Transaction.objects.get(idempotency_key__endswith=":b-late")
    url = reverse("registry:transaction", args=[tx.pk])
    regulator_client.post(url, {"reason": "100 t too many", "quantity": "100"})
    assert ReversalRequest.objects.get(original=tx).quantity == D(100)
    assert "100" in regulator_client.get(url).content.decode()


# --- End of coverage ---------------------------------------------------------------------------------


def test_an_excluded_year_with_four_eyes_leaves_the_obliged_firms(world, regulator, regulator_head):
    silent = world["silent"]
    with pytest.raises(LedgerError):
        coverage_end.coverage_change_propose(
            firm=silent, kind=CoverageChange.Kind.EXCLUDE_YEAR, year=YEAR, reason=" ", acting_user=regulator
        )
    change = coverage_end.coverage_change_propose(
        firm=silent, kind=CoverageChange.Kind.EXCLUDE_YEAR, year=YEAR, reason="shut for works", acting_user=regulator
    )
    assert selectors.compliance_status(silent, YEAR, today=AFTER).status == Status.EMISSIONS_MISSING
    with pytest.raises(PermissionDenied):
        coverage_end.coverage_change_approve(change=change, acting_user=regulator)
    coverage_end.coverage_change_approve(change=change, acting_user=regulator_head)
    assert selectors.compliance_status(silent, YEAR, today=AFTER).status == Status.EXCLUDED
    stats = selectors.market_statistics(silent.market, YEAR, today=AFTER)
    assert (stats.obliged_firms, stats.compliant_firms, stats.missing_firms) == (2, 1, 0)  # 1 / 2 = 50.0 %
    assert stats.compliance_rate_pct == D("50.0")


def test_a_closed_firm_is_covered_up_to_its_last_year(world, regulator, regulator_head):
    silent = world["silent"]
    change = coverage_end.coverage_change_propose(
        firm=silent, kind=CoverageChange.Kind.LAST_YEAR, year=YEAR - 1, reason="closed in 2024", acting_user=regulator
    )
    coverage_end.coverage_change_approve(change=change, acting_user=regulator_head)
    silent.refresh_from_db()
    assert silent.covered_until == YEAR - 1
    ids = [s.firm_id for s in selectors.compliance_statuses(silent.market, YEAR, today=AFTER)]
    assert silent.pk not in ids and world["firm"].pk in ids
    assert selectors.compliance_status(silent, YEAR - 1, today=AFTER).status == Status.EMISSIONS_MISSING
    assert selectors.coverage_span(silent, AFTER)[-1] == YEAR - 1


def test_the_coverage_page_proposes_and_a_head_rejects(world, regulator_client, regulator_head, client):
    url = reverse("registry:coverage_changes")
    regulator_client.post(url, {"firm": world["silent"].pk, "kind": "exclude_year", "year": YEAR, "reason": "flooded"})
    change = CoverageChange.objects.get()
    assert "flooded" in regulator_client.get(url).content.decode()
    head = Client(HTTP_ACCEPT_LANGUAGE="en")
    head.force_login(regulator_head)
    head.post(reverse("registry:coverage_change_reject", args=[change.pk]), {"reason": "not flooded"})
    change.refresh_from_db()
    assert change.status == CoverageChange.Status.REJECTED


def test_another_markets_regulator_sees_no_coverage_change(world, regulator, other_regulator):
    change = coverage_end.coverage_change_propose(
        firm=world["silent"], kind="exclude_year", year=YEAR, reason="why", acting_user=regulator
    )
    other = Client()
    other.force_login(other_regulator)
    assert other.post(reverse("registry:coverage_change_reject", args=[change.pk])).status_code == 404


# --- The rebuild -------------------------------------------------------------------------------------


def test_the_rebuild_command_restores_the_positions(world):
    before = {
        (r.firm_id, r.year): (r.balance_tco2e, r.on_time_balance_tco2e, r.late_tco2e)
        for r in FirmYearPosition.objects.all()
    }
    FirmYearPosition.objects.all().delete()
    call_command("rebuild_positions")
    after = {
        (r.firm_id, r.year): (r.balance_tco2e, r.on_time_balance_tco2e, r.late_tco2e)
        for r in FirmYearPosition.objects.all()
    }
    assert after == before and after[(world["other"].pk, YEAR)] == (D(0), D(-300), D(300))


def test_a_refused_figure_changes_nothing(world, regulator):
    with pytest.raises(LedgerError):
        coverage_end.coverage_change_propose(
            firm=world["silent"], kind="exclude_year", year=1990, reason="why", acting_user=regulator
        )
    assert not CoverageChange.objects.exists()
    assert Firm.objects.get(pk=world["silent"].pk).covered_until is None


def test_the_compliance_page_shows_a_page_of_rows_and_counts_them_all(world, regulator_client, monkeypatch):
    from registry.views import surrender

    monkeypatch.setattr(surrender, "COMPLIANCE_PAGE_ROWS", 2)
    url = reverse("registry:compliance")
    first = regulator_client.get(url, {"year": YEAR}).content.decode()
    second = regulator_client.get(url, {"year": YEAR, "page": 2}).content.decode()
    names = [world["firm"].name, world["other"].name, world["silent"].name]
    assert [n in first for n in names].count(True) == 2 and [n in second for n in names].count(True) == 1
    assert "1 of 3 obliged firms compliant; emissions missing for 1." in second
    assert "1 / 2" in first

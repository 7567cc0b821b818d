"""Allocation tables: computed per the rule pack, draft → approved (head) → issued in one transaction."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied

from mrv.models import AuditLog, MarketSector
from mrv.transitions import TransitionRefused
from registry import allocation, selectors, services
from registry.ledger import LedgerError, government_account, holding_account
from registry.models import Account, AllocationTable, MarketCap, Penalty, ProductionRecord
from tests.factories import FigureFactory, FirmFactory, market, sector

D = Decimal


@pytest.fixture
def shanghai_inputs(shanghai, firm, other_firm, cap_2025):
    pack = shanghai.rule_pack_for(2025)
    MarketSector.objects.filter(rule_pack=pack, sector__code="power").update(
        benchmark=D("0.6"), adjustment_factor=D("0.995")
    )
    MarketSector.objects.filter(rule_pack=pack, sector__code="steel").update(decline_factor=D("0.97"))
    ProductionRecord.objects.create(firm=firm, year=2024, output=D(1000000))
    for year, tco2e, output in [(2022, 200000, 100000), (2023, 210000, 100000), (2024, 220000, 110000)]:
        FigureFactory(firm=other_firm, year=year, emissions_tco2e=D(tco2e))
        ProductionRecord.objects.create(firm=other_firm, year=year, output=D(output))


def compute(regulator, kind="preliminary"):
    return services.allocation_table_compute(market=market("shanghai"), year=2025, kind=kind, acting_user=regulator)


def test_a_table_has_one_line_per_firm_with_method_inputs_and_formula(shanghai_inputs, firm, other_firm, regulator):
    table = compute(regulator)
    lines = {line.firm_id: line for line in table.lines.all()}
    # power: 0.6 × 1,000,000 MWh × 0.995 = 597,000; 95% free = 567,150, 29,850 auctioned
    power = lines[firm.pk]
    assert (power.method, power.computed_tco2e, power.free_tco2e, power.auction_tco2e) == (
        "shanghai_power",
        D(597000),
        D(567150),
        D(29850),
    )
    assert power.inputs == {"benchmark": "0.600000", "supply": "1000000.000", "correction_factor": "0.995000"}
    # steel: 630,000 / 310,000 × 0.97 × 110,000 = 216,841.9 → 216,841; 95% = 205,998 free, 10,843 auctioned
    steel = lines[other_firm.pk]
    assert (steel.method, steel.computed_tco2e, steel.free_tco2e, steel.auction_tco2e) == (
        "historical_intensity",
        D(216841),
        D(205998),
        D(10843),
    )
    assert table.status == AllocationTable.Status.DRAFT
    assert selectors.allocation_for(firm, 2025) is None  # a draft allocates nothing yet


def test_the_table_page_shows_each_formula_with_labelled_inputs_in_the_readers_language(
    client, shanghai_inputs, other_firm, regulator
):
    from django.utils import translation

    table = compute(regulator)
    client.force_login(regulator)
    page = client.get(f"/registry/allocation/{table.pk}/").content.decode()
    assert "historical_intensity" not in page and "shanghai_power" not in page
    assert "[&#x27;" not in page and "['" not in page
    assert "historical emissions (tCO2e)" in page and "200,000 · 210,000 · 220,000" in page
    assert "supply emission benchmark × annual comprehensive supply × correction factor" in page
    with translation.override("zh-hans"):
        line = table.lines.get(firm=other_firm)
        assert line.method_label == "历史强度下降法"
        assert dict(line.input_rows)["历史排放量（tCO2e）"] == "200,000 · 210,000 · 220,000"
        assert line.formula_text.startswith("Σ 历史排放量")


def test_the_head_approves_and_issuance_moves_all_units_in_one_transaction(
    shanghai_inputs, firm, other_firm, regulator, regulator_head
):
    table = compute(regulator)
    with pytest.raises(PermissionDenied):
        services.allocation_table_approve(table=table, acting_user=regulator)
    services.allocation_table_approve(table=table, acting_user=regulator_head)
    table.refresh_from_db()
    assert (table.status, table.approved_by) == ("approved", regulator_head)
    assert selectors.allocation_for(firm, 2025) == D(597000)
    services.allocation_table_issue(table=table, acting_user=regulator)
    table.refresh_from_db()
    assert table.status == "issued"
    assert table.ledger_transaction.entries.count() == 4  # two firms, auction, issuance
    assert selectors.account_balances([holding_account(firm), holding_account(other_firm)]) == {
        holding_account(firm).pk: D(567150),
        holding_account(other_firm).pk: D(205998),
    }
    auction = government_account(firm.market, Account.Kind.AUCTION)
    assert selectors.account_balances([auction]) == {auction.pk: D(29850 + 10843)}
    assert selectors.issued_total(firm.market, 2025) == D(813841)
    actions = set(AuditLog.objects.filter(object_id=str(table.pk)).values_list("action", flat=True))
    assert {"registry.allocationtable.approve", "registry.allocationtable.issue"} <= actions
    with pytest.raises(TransitionRefused):
        services.allocation_table_issue(table=table, acting_user=regulator)
    assert selectors.issued_total(firm.market, 2025) == D(813841)


def test_an_approved_table_cannot_be_recomputed(shanghai_inputs, regulator, regulator_head):
    services.allocation_table_approve(table=compute(regulator), acting_user=regulator_head)
    with pytest.raises(LedgerError, match="Only a draft"):
        compute(regulator)


def test_a_true_up_on_verified_output_issues_the_difference(shanghai_inputs, firm, regulator, regulator_head):
    table = compute(regulator)
    services.allocation_table_approve(table=table, acting_user=regulator_head)
    services.allocation_table_issue(table=table, acting_user=regulator)
    ProductionRecord.objects.create(firm=firm, year=2025, output=D(1100000), is_verified=True)
    with pytest.raises(LedgerError, match="inputs are missing"):  # the steel firm's 2025 output is not verified
        compute(regulator, kind="true_up")
    ProductionRecord.objects.create(
        firm=table.lines.exclude(firm=firm).get().firm, year=2025, output=D(110000), is_verified=True
    )
    true_up = compute(regulator, kind="true_up")
    line = true_up.lines.get(firm=firm)
    # 0.6 × 1,100,000 × 0.995 = 656,700; already issued 597,000 → 59,700: 56,715 free, 2,985 auctioned
    assert (line.computed_tco2e, line.previously_issued_tco2e, line.free_tco2e, line.auction_tco2e) == (
        D(656700),
        D(597000),
        D(56715),
        D(2985),
    )
    services.allocation_table_approve(table=true_up, acting_user=regulator_head)
    services.allocation_table_issue(table=true_up, acting_user=regulator)
    assert selectors.allocation_for(firm, 2025) == D(656700)
    assert selectors.account_balances([holding_account(firm)])[holding_account(firm).pk] == D(567150 + 56715)


def test_allocation_beyond_the_initial_allocation_is_refused(shanghai_inputs, firm, regulator):
    ProductionRecord.objects.filter(firm=firm).update(output=D(1600000))  # 955,200 + 216,841 > 900,000
    with pytest.raises(LedgerError, match="exceeds the initial allocation of 900000"):
        compute(regulator)
    assert not AllocationTable.objects.filter(lines__isnull=False).exists()


def test_new_entrants_draw_on_the_reserve_and_may_not_exceed_it(shanghai_inputs, regulator):
    newcomer = FirmFactory(market=market("shanghai"), sector=sector("power"), is_new_entrant=True)
    ProductionRecord.objects.create(firm=newcomer, year=2024, output=D(200000))  # 119,400 > 100,000 reserve
    with pytest.raises(LedgerError, match="exceed the adjustment reserve of 100000"):
        compute(regulator)
    ProductionRecord.objects.filter(firm=newcomer).update(output=D(100000))  # 59,700
    line = compute(regulator).lines.get(firm=newcomer)
    assert line.from_reserve and line.computed_tco2e == D(59700)


def test_a_decided_penalty_is_deducted_from_the_next_allocation(shanghai_inputs, firm, regulator):
    Penalty.objects.create(
        firm=firm,
        year=2024,
        shortfall_tco2e=D(1000),
        fine_cny=D(50000),
        deduction_tco2e=D(1000),
        status=Penalty.Status.DECIDED,
    )
    line = compute(regulator).lines.get(firm=firm)
    # 597,000 − 1,000 = 596,000; 95% = 566,200 free, 29,800 auctioned
    assert (line.deduction_tco2e, line.free_tco2e, line.auction_tco2e) == (D(1000), D(566200), D(29800))


def test_guangdong_new_project_is_allocated_on_design_capacity(regulator):
    guangdong = market("guangdong")
    MarketCap.objects.create(market=guangdong, year=2025, cap_tco2e=D(1000000), reserve_tco2e=D(100000))
    MarketSector.objects.filter(rule_pack=guangdong.rule_pack_for(2025), sector__code="cement").update(
        benchmark=D("0.8612")
    )
    existing = FirmFactory(market=guangdong, sector=sector("cement"))
    ProductionRecord.objects.create(firm=existing, year=2024, output=D(850000))
    new = FirmFactory(market=guangdong, sector=sector("cement"), is_new_entrant=True, design_capacity=D(100000))
    from tests.factories import AuthorityFactory, UserFactory

    gd_regulator = UserFactory(role="regulator_officer", authority=AuthorityFactory(market=guangdong))
    table = services.allocation_table_compute(market=guangdong, year=2025, acting_user=gd_regulator)
    lines = {line.firm_id: line for line in table.lines.all()}
    assert lines[existing.pk].computed_tco2e == D(732020)  # 850,000 × 0.8612
    assert lines[new.pk].computed_tco2e == D(86120)  # 100,000 design capacity × 0.8612
    assert lines[new.pk].from_reserve and lines[new.pk].formula == "design capacity × benchmark"


def test_another_markets_regulator_may_not_compute(shanghai_inputs, other_regulator):
    with pytest.raises(PermissionDenied):
        compute(other_regulator)


@pytest.mark.parametrize(
    "method, expected",
    [
        ("grandfathering", D(110000)),  # mean(100k, 110k, 120k) × 1
        ("historical_intensity", D(110000)),  # 330k / 300k × 1 × 100k
        ("three_year_average_intensity", D(110000)),  # mean(1.0, 1.1, 1.2) × 100k
        ("benchmark", D(80000)),  # 100k × 0.8
        ("benchmark_market_adjusted", D(72000)),  # 100k × 0.8 × 0.9
        ("shanghai_power", D(72000)),  # 0.8 × 100k × 0.9
        ("shanghai_grid", D(72000)),  # 0.8 × 100k × 0.9
        ("shanghai_heat", D(80000)),  # 0.8 × 100k
        ("self_declaration", D(105000)),  # min(105k, 110k)
    ],
)
def test_each_rule_pack_method_is_dispatched_with_the_sectors_parameters(method, expected):
    sector_params = SimpleNamespace(benchmark=D("0.8"), decline_factor=None, adjustment_factor=D("0.9"))
    data = allocation.FirmData(
        output=D(100000),
        design_capacity=None,
        is_new_entrant=False,
        declared_tco2e=D(105000),
        history_tco2e=[D(100000), D(110000), D(120000)],
        history_output=[D(100000)] * 3,
    )
    assert allocation.compute(method, sector_params, data).tco2e == expected


def test_a_lower_true_up_takes_the_difference_back(shanghai_inputs, firm, other_firm, regulator, regulator_head):
    table = compute(regulator)
    services.allocation_table_approve(table=table, acting_user=regulator_head)
    services.allocation_table_issue(table=table, acting_user=regulator)
    ProductionRecord.objects.create(firm=firm, year=2025, output=D(900000), is_verified=True)
    ProductionRecord.objects.create(firm=other_firm, year=2025, output=D(110000), is_verified=True)
    true_up = compute(regulator, kind="true_up")
    line = true_up.lines.get(firm=firm)
    # 0.6 × 900,000 × 0.995 = 537,300; 537,300 − 597,000 = −59,700: −56,715 free, −2,985 auctioned
    assert (line.free_tco2e, line.auction_tco2e) == (D(-56715), D(-2985))
    services.allocation_table_approve(table=true_up, acting_user=regulator_head)
    services.allocation_table_issue(table=true_up, acting_user=regulator)
    assert selectors.allocation_for(firm, 2025) == D(537300)
    assert selectors.account_balances([holding_account(firm)])[holding_account(firm).pk] == D(567150 - 56715)
    assert selectors.issued_total(firm.market, 2025) == D(813841 - 59700)


def test_the_auctioned_share_is_sold_from_the_auction_account_and_no_further(
    shanghai_inputs, firm, regulator, regulator_head, other_regulator
):
    table = compute(regulator)
    services.allocation_table_approve(table=table, acting_user=regulator_head)
    services.allocation_table_issue(table=table, acting_user=regulator)
    auction = government_account(firm.market, Account.Kind.AUCTION)
    with pytest.raises(PermissionDenied):
        services.allowances_sell(
            firm=firm,
            vintage=2025,
            quantity=1,
            price_cny_per_t=D("40"),
            idempotency_key="x",
            acting_user=other_regulator,
        )
    services.allowances_sell(
        firm=firm, vintage=2025, quantity=40000, price_cny_per_t=D("41.50"), idempotency_key="a1", acting_user=regulator
    )
    # 40,693 t were auctioned (29,850 + 10,843); 40,000 sold leaves 693
    assert selectors.account_balances([auction]) == {auction.pk: D(693)}
    with pytest.raises(LedgerError, match="holds 693 t"):
        services.allowances_sell(
            firm=firm,
            vintage=2025,
            quantity=694,
            price_cny_per_t=D("41.50"),
            idempotency_key="a2",
            acting_user=regulator,
        )
    assert selectors.issued_total(firm.market, 2025) == D(813841)  # a sale moves issued units, it issues none

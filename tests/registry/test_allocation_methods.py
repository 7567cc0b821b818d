"""Every allocation method with a hand-computed example (whole tonnes, rounded down)."""

from decimal import Decimal

import pytest

from registry import allocation

D = Decimal


def test_grandfathering_is_the_mean_of_historical_emissions_times_the_decline_factor():
    # mean(100,000, 110,000, 120,000) = 110,000; × 0.98 = 107,800
    result = allocation.grandfathering([D(100000), D(110000), D(120000)], D("0.98"))
    assert result.tco2e == D(107800)
    assert result.formula.startswith("mean(historical emissions)")


def test_historical_intensity_decline_uses_pooled_intensity_times_factor_times_output():
    # (200,000 + 220,000) / (100,000 + 110,000) = 2 t/unit; × 0.97 × 120,000 units = 232,800
    result = allocation.historical_intensity([D(200000), D(220000)], [D(100000), D(110000)], D("0.97"), D(120000))
    assert result.tco2e == D(232800)
    assert result.inputs["intensity"] == "2.000000"


def test_benchmark_is_output_times_the_sector_benchmark():
    # Fujian / Guangdong existing firm: 850,000 t clinker × 0.8612 = 732,020
    assert allocation.benchmark(D(850000), D("0.8612")).tco2e == D(732020)


def test_guangdong_new_project_uses_design_capacity():
    # 1,200,000 t design capacity × 0.8612 = 1,033,440
    result = allocation.benchmark_new_project(D(1200000), D("0.8612"))
    assert result.tco2e == D(1033440)
    assert result.formula == "design capacity × benchmark"


def test_hubei_multiplies_the_benchmark_by_the_market_adjustment_factor():
    # 1,000,000 t × 0.85 × 0.9756 = 829,260
    assert allocation.benchmark_market_adjusted(D(1000000), D("0.85"), D("0.9756")).tco2e == D(829260)


def test_shanghai_power_formula():
    # 0.6 t/MWh × 2,500,000 MWh × 0.995 = 1,492,500
    assert allocation.shanghai_power(D(2500000), D("0.6"), D("0.995")).tco2e == D(1492500)


def test_shanghai_grid_formula():
    # line-loss rate 0.045 × 30,000,000 MWh × 0.7921 t/MWh = 1,069,335
    assert allocation.shanghai_grid(D(30000000), D("0.045"), D("0.7921")).tco2e == D(1069335)


def test_shanghai_heat_formula():
    # 0.11 t/GJ × 3,000,000 GJ = 330,000
    assert allocation.shanghai_heat(D(3000000), D("0.11")).tco2e == D(330000)


def test_three_year_average_intensity_baseline_with_decline():
    # intensities 1.0, 1.1, 1.2 → mean 1.1; × 0.98 × 100,000 = 107,800
    history = [D(100000), D(110000), D(120000)]
    result = allocation.three_year_average_intensity(history, [D(100000)] * 3, D("0.98"), D(100000))
    assert result.tco2e == D(107800)
    assert result.inputs["below_peers"] is False


def test_three_year_baseline_below_peers_keeps_its_own_intensity():
    # baseline 1.1 ≤ peers' 1.2 → no decline factor: 1.1 × 100,000 = 110,000
    history = [D(100000), D(110000), D(120000)]
    result = allocation.three_year_average_intensity(history, [D(100000)] * 3, D("0.98"), D(100000), D("1.2"))
    assert result.tco2e == D(110000)
    assert result.inputs["below_peers"] is True


def test_three_year_baseline_below_peers_keeps_its_own_reduction_rate():
    # intensities 1.2, 1.1, 1.0: declines 1/12 and 1/11, mean 23/264; baseline 1.1 ≤ peers' 1.15
    # → 1.1 × (1 − 23/264) × 100,000 = 100,416.67 → 100,416 (the sector's 0.98 would give 107,800)
    history = [D(120000), D(110000), D(100000)]
    result = allocation.three_year_average_intensity(history, [D(100000)] * 3, D("0.98"), D(100000), D("1.15"))
    assert result.tco2e == D(100416)
    assert result.inputs["below_peers"] is True
    assert result.inputs["own_reduction_rate"] == "0.087121"


def test_three_year_baseline_above_peers_takes_the_sector_decline_factor():
    # same firm, peers at 1.05: baseline 1.1 is above → 1.1 × 0.98 × 100,000 = 107,800
    history = [D(120000), D(110000), D(100000)]
    result = allocation.three_year_average_intensity(history, [D(100000)] * 3, D("0.98"), D(100000), D("1.05"))
    assert result.tco2e == D(107800)
    assert result.inputs["below_peers"] is False


def test_three_year_baseline_needs_three_years():
    with pytest.raises(allocation.AllocationInputError, match="three years"):
        allocation.three_year_average_intensity([D(1), D(2)], [D(1), D(2)], None, D(10))


def test_chongqing_self_declaration_is_accepted_below_its_verified_history():
    # declared 250,000 ≤ mean(268,000, 259,000, 262,500) = 263,166.67 → 250,000
    result = allocation.self_declaration(D(250000), [D(268000), D(259000), D(262500)])
    assert result.tco2e == D(250000)
    assert result.inputs["capped_by_history"] is False


def test_chongqing_self_declaration_above_its_verified_history_is_cut_to_it():
    # declared 300,000 > 263,166.67 → 263,166 (rounded down)
    result = allocation.self_declaration(D(300000), [D(268000), D(259000), D(262500)])
    assert result.tco2e == D(263166)
    assert result.inputs["capped_by_history"] is True


def test_missing_inputs_are_named():
    with pytest.raises(allocation.AllocationInputError, match="benchmark"):
        allocation.benchmark(D(10), None)


def test_free_share_is_rounded_down_and_the_rest_is_auctioned():
    # 107,800 × 95% = 102,410 free, 5,390 auctioned; 1,001 × 95% = 950.95 → 950 free, 51 auctioned
    assert allocation.split_free_and_auction(D(107800), D(95)) == (D(102410), D(5390))
    assert allocation.split_free_and_auction(D(1001), D(95)) == (D(950), D(51))

"""check_inclusion for every market's rule, at the edge of each threshold and through the tce branch."""

from decimal import Decimal

import pytest

from mrv.inclusion import check_inclusion
from tests import factories as f

pytestmark = pytest.mark.django_db


def firm_with(market_code: str, **figures_by_year):
    firm = f.FirmFactory(market=f.market(market_code))
    for key, value in figures_by_year.items():
        kind, year = key.rsplit("_", 1)
        row, _ = firm.year_figures.get_or_create(year=int(year))
        setattr(row, "emissions_tco2e" if kind == "co2" else "energy_tce", Decimal(value))
        row.save()
    return firm


@pytest.mark.parametrize(
    "market,threshold",
    [("tianjin", 20000), ("shanghai", 20000), ("shenzhen", 3000), ("guangdong", 20000)],
)
def test_single_year_threshold_includes_at_exactly_the_threshold(market, threshold):
    at = check_inclusion(firm_with(market, co2_2019=threshold), f.market(market), 2020)
    below = check_inclusion(firm_with(market, co2_2019=Decimal(threshold) - Decimal("0.01")), f.market(market), 2020)
    assert at.included and "2019" in str(at) and f"{threshold:,}" in str(at)
    assert not below.included


def test_single_year_threshold_looks_only_at_the_named_year():
    decision = check_inclusion(firm_with("tianjin", co2_2018=50000, co2_2019=100), f.market("tianjin"), 2020)
    assert not decision.included


def test_beijing_uses_the_three_year_average():
    # (9,000 + 10,000 + 11,000) / 3 = 10,000 exactly: covered.
    yes = check_inclusion(
        firm_with("beijing", co2_2017=9000, co2_2018=10000, co2_2019=11000), f.market("beijing"), 2020
    )
    # (9,000 + 10,000 + 10,999) / 3 = 9,999.67: not covered although 2018 alone reaches 10,000.
    no = check_inclusion(firm_with("beijing", co2_2017=9000, co2_2018=10000, co2_2019=10999), f.market("beijing"), 2020)
    assert yes.included and "10,000.00" in str(yes)
    assert not no.included and "9,999.67" in str(no)


def test_beijing_average_needs_every_year():
    decision = check_inclusion(firm_with("beijing", co2_2018=50000, co2_2019=50000), f.market("beijing"), 2020)
    assert not decision.included and "2017" in str(decision)


def test_hubei_energy_branch_in_either_year():
    decision = check_inclusion(firm_with("hubei", tce_2018=60000, co2_2018=1, co2_2019=1), f.market("hubei"), 2020)
    assert decision.included and "tce" in str(decision) and "2018" in str(decision)


def test_hubei_emissions_branch_and_refusal_below_both():
    assert check_inclusion(firm_with("hubei", tce_2019=1, co2_2019=120000), f.market("hubei"), 2020).included
    no = check_inclusion(firm_with("hubei", tce_2019=59999, co2_2019=119999), f.market("hubei"), 2020)
    assert not no.included and len(no.reasons) == 2


def test_guangdong_or_threshold_in_tce():
    assert check_inclusion(firm_with("guangdong", co2_2019=100, tce_2019=10000), f.market("guangdong"), 2020).included


def test_tce_threshold_converts_emissions_when_no_energy_figure_is_recorded():
    # Fujian: ≥10,000 tce; 20,000 tCO2e / 2.0 tCO2e per tce = 10,000 tce.
    decision = check_inclusion(firm_with("fujian", co2_2017=20000), f.market("fujian"), 2020)
    assert decision.included and "converted" in str(decision)


def test_fujian_any_year_from_2016():
    assert check_inclusion(firm_with("fujian", tce_2016=10000), f.market("fujian"), 2020).included
    assert not check_inclusion(firm_with("fujian", tce_2015=90000), f.market("fujian"), 2020).included


def test_chongqing_any_year_2017_to_2019():
    assert check_inclusion(firm_with("chongqing", co2_2017=20000), f.market("chongqing"), 2020).included
    assert not check_inclusion(firm_with("chongqing", co2_2016=20000), f.market("chongqing"), 2020).included


def test_national_threshold_any_year_back_to_2013():
    assert check_inclusion(firm_with("national", co2_2013=26000), f.market("national"), 2020).included
    assert not check_inclusion(firm_with("national", co2_2019=25999), f.market("national"), 2020).included


def test_a_firm_without_figures_is_not_included_and_told_why():
    decision = check_inclusion(f.FirmFactory(market=f.market("shanghai")), f.market("shanghai"), 2020)
    assert not decision.included and "No" in str(decision)

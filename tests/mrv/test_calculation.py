"""The emission engine against figures worked out by hand in the comments (never by the code under test)."""

import json
from dataclasses import replace
from decimal import Decimal

import pytest

from mrv.calculation import (
    FUELS,
    GWP_SETS,
    CalculationError,
    EmissionResult,
    LineInput,
    Method,
    Quantity,
    Scope,
    SourceKind,
    UnitError,
    calculate,
    convert,
    default_emission_factor,
    gas_group,
    is_plausible,
    multiply,
    plausible_range,
    sum_results,
)

D = Decimal


def q(value: str, unit: str) -> Quantity:
    return Quantity(D(value), unit)


def line(key: str, method: Method, gas: str, activity: Quantity, **fields) -> LineInput:
    defaults = {"source": key, "source_kind": SourceKind.FIXED, "stream": key}
    return LineInput(key=key, method=method, gas=gas, activity=activity, **(defaults | fields))


def coal_line(key: str = "coal", tonnes: str = "1000", oxidation: Quantity | None = None, **fields) -> LineInput:
    return line(
        key,
        Method.COMBUSTION_CARBON_CONTENT,
        "CO2",
        q(tonnes, "t"),
        ncv=q("20.908", "GJ/t"),
        carbon_content=q("26.37", "tC/TJ"),
        oxidation_rate=oxidation or q("0.94", "1"),
        **fields,
    )


def ef_line(key: str, activity: Quantity, factor: Quantity, gas: str = "CO2", **fields) -> LineInput:
    return line(key, Method.EMISSION_FACTOR, gas, activity, emission_factor=factor, **fields)


def electricity(key: str, mwh: str, method: Method = Method.PURCHASED_ELECTRICITY, **fields) -> LineInput:
    return line(key, method, "CO2", q(mwh, "MWh"), emission_factor=q("0.5810", "tCO2/MWh"), **fields)


# --- Units ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "to_unit", "expected"),
    [
        (q("10", "tce"), "GJ", D("293.076")),  # 10 × 29.3076
        (q("293.076", "GJ"), "tce", D("10")),  # 293.076 / 29.3076
        (q("1", "MWh"), "GJ", D("3.6")),  # 1000 kWh × 3.6 MJ/kWh
        (q("2500000", "kWh"), "MWh", D("2500")),  # 2,500,000 / 1000
        (q("3", "kt"), "t", D("3000")),
        (q("250", "kg"), "t", D("0.25")),
        (q("1", "万Nm3"), "Nm3", D("10000")),
        (q("150", "万Nm3"), "10^4Nm3", D("150")),
        (q("20.908", "TJ/kt"), "GJ/t", D("20.908")),  # (1000 GJ)/(1000 t)
        (q("20.908", "MJ/kg"), "GJ/t", D("20.908")),  # (0.001 GJ)/(0.001 t)
        (q("26.37", "tC/TJ"), "tC/GJ", D("0.02637")),  # 26.37 / 1000
        (q("0.5810", "kgCO2/kWh"), "tCO2/MWh", D("0.5810")),  # (0.001 t)/(0.001 MWh)
        (q("94", "%"), "1", D("0.94")),
    ],
)
def test_units_convert_by_hand_computed_factors(given, to_unit, expected):
    assert convert(given, to_unit).value == expected


def test_converting_between_different_dimensions_names_both_units():
    with pytest.raises(UnitError, match=r"cannot convert t \(mass\) to GJ \(energy\)"):
        convert(q("1", "t"), "GJ")


def test_a_tonne_of_co2_is_not_a_tonne_of_fuel():
    with pytest.raises(UnitError, match=r"tCO2 \(mass of CO2\) to t \(mass\)"):
        convert(q("1", "tCO2"), "t")


def test_activity_times_ncv_gives_energy_in_the_ncv_numerator():
    # 1000 t × 20.908 GJ/t = 20,908 GJ
    assert multiply(q("1", "kt"), q("20.908", "GJ/t")) == q("20908", "GJ")


def test_unknown_unit_is_refused_when_the_quantity_is_made():
    with pytest.raises(UnitError, match="unknown unit 'tonnes'"):
        q("1", "tonnes")


def test_float_values_are_refused():
    with pytest.raises(TypeError, match="finite Decimal"):
        Quantity(0.94, "1")  # type: ignore[arg-type]


# --- Methods ------------------------------------------------------------------------------------


def test_combustion_of_raw_coal_matches_hand_computation():
    # 1000 t × 20.908 GJ/t = 20,908 GJ = 20.908 TJ
    # 20.908 TJ × 26.37 tC/TJ = 551.34396 tC
    # × 0.94 oxidised = 518.2633224 tC
    # × 44/12: 518.2633224 × 44 = 22,803.5861856; / 12 = 1900.2988488 tCO2 -> 1900.299
    result = calculate([coal_line()], gwp_set="AR5")
    (coal,) = result.lines
    assert coal.gas_mass_t == D("1900.299")
    assert coal.tco2e == D("1900.299")
    assert coal.scope is Scope.DIRECT
    assert result.reported_tco2e == D("1900")


@pytest.mark.parametrize("activity", [q("150", "10^4Nm3"), q("150", "万Nm3"), q("1500000", "Nm3")])
def test_natural_gas_in_ten_thousand_normal_cubic_metres_matches_hand_computation(activity):
    # 150 × 10^4 Nm3 × 389.31 GJ/10^4Nm3 = 58,396.5 GJ = 58.3965 TJ
    # 58.3965 TJ × 15.32 tC/TJ = 875.9475 + 18.68688 = 894.63438 tC
    # × 0.99 = 885.6880362 tC
    # × 44 = 38,970.2735928; / 12 = 3247.5227994 tCO2 -> 3247.523
    gas = line(
        "gas",
        Method.COMBUSTION_CARBON_CONTENT,
        "CO2",
        activity,
        ncv=q("389.31", "GJ/10^4Nm3"),
        carbon_content=q("15.32", "tC/TJ"),
        oxidation_rate=q("99", "%"),
    )
    assert calculate([gas], gwp_set="AR4").lines[0].tco2e == D("3247.523")


def test_coal_in_the_wrong_unit_is_refused_naming_line_field_and_both_units():
    wrong = line(
        "boiler-coal",
        Method.COMBUSTION_CARBON_CONTENT,
        "CO2",
        q("100", "10^4Nm3"),
        ncv=q("20.908", "GJ/t"),
        carbon_content=q("26.37", "tC/TJ"),
        oxidation_rate=q("0.94", "1"),
    )
    with pytest.raises(CalculationError) as caught:
        calculate([wrong], gwp_set="AR5")
    assert (caught.value.line_key, caught.value.field) == ("boiler-coal", "ncv")
    message = str(caught.value)
    assert "boiler-coal" in message
    assert "GJ/t" in message
    assert "10^4Nm3" in message
    assert "cannot convert 10^4Nm3 (gas volume) to t (mass)" in message


def test_an_emission_factor_for_another_gas_is_refused():
    methane = ef_line("digester", q("10", "t"), q("1.9", "tCO2/t"), gas="CH4")
    with pytest.raises(CalculationError, match="must be mass of CH4 per activity unit, got tCO2/t") as caught:
        calculate([methane], gwp_set="AR5")
    assert caught.value.field == "emission_factor"


def test_carbon_content_method_only_yields_co2():
    with pytest.raises(CalculationError, match="carbon-content method yields CO2 only") as caught:
        calculate([replace(coal_line(), gas="CH4")], gwp_set="AR5")
    assert caught.value.field == "gas"


@pytest.mark.parametrize(
    "activity",
    [q("2500000", "kWh"), q("2500", "MWh"), q("9000", "GJ")],  # 9000 GJ / 3.6 = 2500 MWh
)
def test_purchased_electricity_in_kwh_is_converted_to_mwh(activity):
    # 2,500,000 kWh = 2500 MWh × 0.5810 tCO2/MWh = 1452.5 tCO2
    grid = line("grid", Method.PURCHASED_ELECTRICITY, "CO2", activity, emission_factor=q("0.5810", "tCO2/MWh"))
    result = calculate([grid], gwp_set="AR5")
    assert result.lines[0].tco2e == D("1452.500")
    assert result.indirect_tco2e == D("1452.500")
    assert result.direct_tco2e == D("0.000")


def test_grid_factor_in_kg_per_kwh_gives_the_same_as_t_per_mwh():
    # 2500 MWh = 2,500,000 kWh × 0.5810 kgCO2/kWh = 1,452,500 kg = 1452.5 t
    grid = line("grid", Method.PURCHASED_ELECTRICITY, "CO2", q("2500", "MWh"), emission_factor=q("0.5810", "kgCO2/kWh"))
    assert calculate([grid], gwp_set="AR5").lines[0].tco2e == D("1452.500")


@pytest.mark.parametrize(
    ("activity", "expected"),
    [
        (q("12000", "GJ"), D("1320.000")),  # 12,000 GJ × 0.11 tCO2/GJ = 1320
        (q("12", "TJ"), D("1320.000")),  # 12 TJ = 12,000 GJ, as above
        (q("1000", "MWh"), D("396.000")),  # 1000 MWh = 3600 GJ × 0.11 = 396
    ],
)
def test_purchased_heat_in_gj_and_tj_matches_hand_computation(activity, expected):
    steam = line("steam", Method.PURCHASED_HEAT, "CO2", activity, emission_factor=q("0.11", "tCO2/GJ"))
    result = calculate([steam], gwp_set="AR5")
    assert result.lines[0].tco2e == expected
    assert result.lines[0].scope is Scope.INDIRECT


def test_purchased_electricity_given_in_tonnes_is_refused():
    grid = line("grid", Method.PURCHASED_ELECTRICITY, "CO2", q("5", "t"), emission_factor=q("0.5810", "tCO2/MWh"))
    with pytest.raises(CalculationError, match="must be energy") as caught:
        calculate([grid], gwp_set="AR5")
    assert (caught.value.line_key, caught.value.field) == ("grid", "activity")


def test_process_emission_of_clinker_matches_hand_computation():
    # 1,000,000 t clinker × 0.5380 tCO2/t = 538,000 tCO2
    clinker = line("kiln", Method.PROCESS, "CO2", q("1000000", "t"), emission_factor=q("0.5380", "tCO2/t"))
    result = calculate([clinker], gwp_set="AR5")
    assert result.lines[0].tco2e == D("538000.000")
    assert result.direct_tco2e == D("538000.000")
    assert result.reported_tco2e == D("538000")


def test_exported_electricity_is_subtracted_from_indirect_emissions():
    # purchased 1000 MWh × 0.5810 = 581.000; exported 200 MWh × 0.5810 = 116.200
    # net indirect 581.000 − 116.200 = 464.800
    result = calculate(
        [electricity("bought", "1000"), electricity("sold", "200", Method.EXPORTED_ELECTRICITY)], gwp_set="AR5"
    )
    assert [entry.tco2e for entry in result.lines] == [D("581.000"), D("-116.200")]
    assert result.indirect_tco2e == D("464.800")
    assert result.total_tco2e == D("464.800")


def test_exported_heat_is_a_negative_indirect_line():
    # 500 GJ × 0.11 tCO2/GJ = 55 -> −55.000
    heat = line("heat-out", Method.EXPORTED_HEAT, "CO2", q("500", "GJ"), emission_factor=q("0.11", "tCO2/GJ"))
    (result,) = calculate([heat], gwp_set="AR5").lines
    assert (result.tco2e, result.scope) == (D("-55.000"), Scope.INDIRECT)


def test_negative_activity_is_refused():
    with pytest.raises(CalculationError, match="must not be negative") as caught:
        calculate([coal_line(tonnes="-1")], gwp_set="AR5")
    assert caught.value.field == "activity"


def test_oxidation_rate_in_percent_equals_the_same_rate_as_a_fraction():
    in_percent = calculate([coal_line(oxidation=q("94", "%"))], gwp_set="AR5")
    as_fraction = calculate([coal_line(oxidation=q("0.94", "1"))], gwp_set="AR5")
    assert in_percent.lines[0].tco2e == as_fraction.lines[0].tco2e == D("1900.299")


@pytest.mark.parametrize("rate", [q("0", "%"), q("101", "%"), q("1.2", "1")])
def test_oxidation_rate_outside_zero_to_one_hundred_percent_is_refused(rate):
    with pytest.raises(CalculationError, match="at most 100 %") as caught:
        calculate([coal_line(oxidation=rate)], gwp_set="AR5")
    assert caught.value.field == "oxidation_rate"


# --- Missing parameters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "missing"),
    [
        (Method.COMBUSTION_CARBON_CONTENT, "ncv"),
        (Method.COMBUSTION_CARBON_CONTENT, "carbon_content"),
        (Method.COMBUSTION_CARBON_CONTENT, "oxidation_rate"),
        (Method.EMISSION_FACTOR, "emission_factor"),
        (Method.PROCESS, "emission_factor"),
        (Method.PURCHASED_ELECTRICITY, "emission_factor"),
        (Method.PURCHASED_HEAT, "emission_factor"),
    ],
)
def test_a_missing_parameter_is_an_error_naming_line_and_field(method, missing):
    complete = {
        "ncv": q("20.908", "GJ/t"),
        "carbon_content": q("26.37", "tC/TJ"),
        "oxidation_rate": q("0.94", "1"),
        "emission_factor": q("1", "tCO2/GJ"),
    }
    activity = q("10", "GJ") if method in (Method.PURCHASED_ELECTRICITY, Method.PURCHASED_HEAT) else q("10", "t")
    if method in (Method.EMISSION_FACTOR, Method.PROCESS):
        complete["emission_factor"] = q("1", "tCO2/t")
    incomplete = line("line-7", method, "CO2", activity, **(complete | {missing: None}))
    with pytest.raises(CalculationError) as caught:
        calculate([coal_line("fine"), incomplete], gwp_set="AR5")
    assert (caught.value.line_key, caught.value.field) == ("line-7", missing)
    assert str(caught.value) == f"line 'line-7': {missing}: is required by method {method}"


def test_unknown_gwp_set_is_refused():
    with pytest.raises(CalculationError, match="unknown GWP set 'AR9'"):
        calculate([coal_line()], gwp_set="AR9")


def test_unknown_gas_is_refused():
    with pytest.raises(CalculationError, match="unknown gas 'NF3'") as caught:
        calculate([ef_line("etch", q("1", "t"), q("1", "tCO2/t"), gas="NF3")], gwp_set="AR5")
    assert (caught.value.line_key, caught.value.field) == ("etch", "gas")


def test_duplicate_line_keys_are_refused():
    with pytest.raises(CalculationError, match="more than once"):
        calculate([coal_line("a"), coal_line("a")], gwp_set="AR5")


# --- Gases and GWP ------------------------------------------------------------------------------


def test_gwp_tables_hold_the_ipcc_values():
    assert [GWP_SETS[name]["CH4"] for name in ("SAR", "AR4", "AR5")] == [D(21), D(25), D(28)]
    assert [GWP_SETS[name]["N2O"] for name in ("SAR", "AR4", "AR5")] == [D(310), D(298), D(265)]
    assert [GWP_SETS[name]["SF6"] for name in ("SAR", "AR4", "AR5")] == [D(23900), D(22800), D(23500)]
    assert [GWP_SETS[name]["HFC-134a"] for name in ("SAR", "AR4", "AR5")] == [D(1300), D(1430), D(1300)]
    assert [GWP_SETS[name]["CF4"] for name in ("SAR", "AR4", "AR5")] == [D(6500), D(7390), D(6630)]
    assert all(table["CO2"] == 1 for table in GWP_SETS.values())


def test_each_species_maps_to_its_kyoto_gas_group():
    assert [gas_group(g) for g in ("CO2", "CH4", "N2O", "HFC-23", "HFC-134a", "CF4", "C2F6", "SF6")] == [
        "CO2",
        "CH4",
        "N2O",
        "HFCs",
        "HFCs",
        "PFCs",
        "PFCs",
        "SF6",
    ]


def chongqing_lines() -> list[LineInput]:
    return [
        ef_line("coal", q("1000", "t"), q("1.9003", "tCO2/t")),  # 1000 × 1.9003 = 1900.3 tCO2
        ef_line("wastewater", q("2000", "t"), q("0.0025", "tCH4/t"), gas="CH4"),  # 2000 × 0.0025 = 5 tCH4
        line("nitric-acid", Method.PROCESS, "N2O", q("500", "t"), emission_factor=q("0.008", "tN2O/t")),  # 4 tN2O
        ef_line("chiller", q("0.2", "t"), q("1", "tHFC-134a/t"), gas="HFC-134a"),  # 0.2 tHFC-134a
        line("potline", Method.PROCESS, "CF4", q("50000", "t"), emission_factor=q("0.000034", "tCF4/t")),  # 1.7 t
        ef_line("switchgear", q("100", "kg"), q("1", "tSF6/t"), gas="SF6"),  # 100 kg = 0.1 t × 1 = 0.1 tSF6
    ]


def test_chongqing_report_with_non_co2_gases_differs_between_ar4_and_ar5():
    # gas           mass t   AR4 GWP  AR4 tCO2e   AR5 GWP  AR5 tCO2e
    # CO2           1900.3       1      1900.3        1     1900.3
    # CH4              5        25       125         28      140
    # N2O              4       298      1192        265     1060
    # HFC-134a         0.2    1430       286       1300      260
    # CF4              1.7    7390     12563       6630    11271
    # SF6              0.1   22800      2280      23500     2350
    # total                            18346.3              16981.3  (difference 1365)
    ar4 = calculate(chongqing_lines(), gwp_set="AR4")
    ar5 = calculate(chongqing_lines(), gwp_set="AR5")
    assert ar4.total_tco2e == D("18346.300")
    assert ar5.total_tco2e == D("16981.300")
    assert (ar4.reported_tco2e, ar5.reported_tco2e) == (D("18346"), D("16981"))
    assert ar4.total_tco2e - ar5.total_tco2e == D("1365.000")
    assert ar4.by_gas == {
        "CO2": D("1900.300"),
        "CH4": D("125.000"),
        "N2O": D("1192.000"),
        "HFCs": D("286.000"),
        "PFCs": D("12563.000"),
        "SF6": D("2280.000"),
    }
    assert ar5.by_gas == {
        "CO2": D("1900.300"),
        "CH4": D("140.000"),
        "N2O": D("1060.000"),
        "HFCs": D("260.000"),
        "PFCs": D("11271.000"),
        "SF6": D("2350.000"),
    }


def test_gas_masses_do_not_depend_on_the_gwp_set():
    expected = {
        "CO2": D("1900.300"),
        "CH4": D("5.000"),
        "N2O": D("4.000"),
        "HFC-134a": D("0.200"),
        "CF4": D("1.700"),
        "SF6": D("0.100"),
    }
    assert calculate(chongqing_lines(), gwp_set="AR4").by_species_t == expected
    assert calculate(chongqing_lines(), gwp_set="SAR").by_species_t == expected


def test_sar_weights_methane_at_twenty_one():
    # 5 tCH4 × 21 = 105 tCO2e
    result = calculate([ef_line("wastewater", q("2000", "t"), q("0.0025", "tCH4/t"), gas="CH4")], gwp_set="SAR")
    assert result.lines[0].tco2e == D("105.000")


# --- Totals -------------------------------------------------------------------------------------


def shenzhen_lines() -> list[LineInput]:
    diesel = line(
        "trucks-diesel",
        Method.COMBUSTION_CARBON_CONTENT,
        "CO2",
        q("100", "t"),
        source="trucks",
        source_kind=SourceKind.MOBILE,
        stream="diesel",
        ncv=q("42.652", "GJ/t"),
        carbon_content=q("20.20", "tC/TJ"),
        oxidation_rate=q("98", "%"),
    )
    return [
        ef_line(
            "boiler-gas", q("100", "10^4Nm3"), q("21.6502", "tCO2/10^4Nm3"), source="boiler-1", stream="natural gas"
        ),
        diesel,
        electricity("grid", "1000", source="grid", stream="electricity"),
    ]


def test_shenzhen_report_splits_fixed_and_mobile_sources():
    # boiler: 100 × 10^4 Nm3 × 21.6502 tCO2/10^4Nm3 = 2165.02 -> 2165.020 (fixed)
    # trucks: 100 t × 42.652 GJ/t = 4.2652 TJ × 20.20 tC/TJ = 86.15704 tC × 0.98 = 84.4338992 tC
    #         × 44 = 3715.0915648; / 12 = 309.5909637… -> 309.591 (mobile)
    # grid:   1000 MWh × 0.5810 = 581.000 (indirect: neither fixed nor mobile)
    result = calculate(shenzhen_lines(), gwp_set="AR4")
    assert result.fixed_tco2e == D("2165.020")
    assert result.mobile_tco2e == D("309.591")
    assert result.direct_tco2e == D("2474.611")  # 2165.020 + 309.591
    assert result.indirect_tco2e == D("581.000")
    assert result.total_tco2e == D("3055.611")  # 2474.611 + 581.000
    assert result.reported_tco2e == D("3056")


def test_totals_by_source_stream_and_scope():
    coal = ef_line("boiler-coal", q("10", "t"), q("1.9003", "tCO2/t"), source="boiler-1", stream="coal")
    result = calculate([*shenzhen_lines(), coal], gwp_set="AR4")
    # boiler-1 burns gas (2165.020) and coal (10 × 1.9003 = 19.003): 2184.023
    assert result.by_source == {"boiler-1": D("2184.023"), "trucks": D("309.591"), "grid": D("581.000")}
    assert result.by_stream == {
        "natural gas": D("2165.020"),
        "diesel": D("309.591"),
        "electricity": D("581.000"),
        "coal": D("19.003"),
    }
    assert result.direct_tco2e + result.indirect_tco2e == result.total_tco2e == D("3074.614")
    assert result.fixed_tco2e + result.mobile_tco2e == result.direct_tco2e


# --- Rounding -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factor", "expected"),
    [
        ("0.0005", D("0.001")),  # exactly half a kilogram rounds up (half-even would give 0.000)
        ("0.0025", D("0.003")),  # half-even would give 0.002
        ("0.0004999", D("0.000")),
        ("0.0015", D("0.002")),
    ],
)
def test_line_rounds_half_up_to_a_kilogram(factor, expected):
    # 1 t × factor tCO2/t = factor tCO2
    result = calculate([ef_line("l", q("1", "t"), q(factor, "tCO2/t"))], gwp_set="AR5")
    assert result.lines[0].tco2e == expected
    assert result.lines[0].gas_mass_t == expected


def test_negative_half_kilogram_rounds_away_from_zero():
    # exported 1 MWh × 0.0005 tCO2/MWh = −0.0005 -> −0.001
    sold = line("sold", Method.EXPORTED_ELECTRICITY, "CO2", q("1", "MWh"), emission_factor=q("0.0005", "tCO2/MWh"))
    assert calculate([sold], gwp_set="AR5").lines[0].tco2e == D("-0.001")


@pytest.mark.parametrize(
    ("tonnes", "unrounded", "reported"),
    [
        (("1000.25", "0.25"), D("1000.500"), D("1001")),  # exactly half a tonne rounds up (half-even: 1000)
        (("2", "0.5"), D("2.500"), D("3")),  # half-even would give 2
        (("1000.25", "0.249"), D("1000.499"), D("1000")),
    ],
)
def test_reported_total_rounds_half_up_to_whole_tonnes(tonnes, unrounded, reported):
    lines = [ef_line(f"l{i}", q(t, "t"), q("1", "tCO2/t")) for i, t in enumerate(tonnes)]
    result = calculate(lines, gwp_set="AR5")
    assert result.total_tco2e == unrounded
    assert result.reported_tco2e == reported


def test_totals_are_sums_of_rounded_lines():
    # each line 1 t × 0.0006 = 0.0006 -> 0.001; total 3 × 0.001 = 0.003
    # (summing unrounded lines would give 0.0018 -> 0.002)
    lines = [ef_line(f"l{i}", q("1", "t"), q("0.0006", "tCO2/t")) for i in range(3)]
    assert calculate(lines, gwp_set="AR5").total_tco2e == D("0.003")


def test_tco2e_is_rounded_from_the_unrounded_gas_mass():
    # 1 t × 0.0104 tCH4/t = 0.0104 tCH4 -> 0.010 t; 0.0104 × 25 = 0.26 -> 0.260
    # (0.010 × 25 would give 0.250)
    (methane,) = calculate([ef_line("m", q("1", "t"), q("0.0104", "tCH4/t"), gas="CH4")], gwp_set="AR4").lines
    assert (methane.gas_mass_t, methane.tco2e) == (D("0.010"), D("0.260"))


# --- Periods and storage ------------------------------------------------------------------------


def period_lines(coal_t: str, mwh: str, waste_t: str) -> list[LineInput]:
    return [
        ef_line("coal", q(coal_t, "t"), q("1.9003", "tCO2/t")),
        electricity("grid", mwh),
        ef_line("wastewater", q(waste_t, "t"), q("0.0025", "tCH4/t"), gas="CH4"),
    ]


def test_four_quarterly_results_combined_equal_the_annual_result_on_all_months():
    # coal  t:   250 + 300 + 200 + 250 = 1000;  × 1.9003 = 475.075 + 570.090 + 380.060 + 475.075 = 1900.300
    # grid MWh: 1200 + 1100 + 1300 + 1400 = 5000; × 0.5810 = 697.200 + 639.100 + 755.300 + 813.400 = 2905.000
    # CH4   t:   500 each = 2000;  × 0.0025 = 1.25 tCH4 each × 25 = 31.250; annual 5 tCH4 = 125.000
    quarters = [
        calculate(period_lines("250", "1200", "500"), gwp_set="AR4"),
        calculate(period_lines("300", "1100", "500"), gwp_set="AR4"),
        calculate(period_lines("200", "1300", "500"), gwp_set="AR4"),
        calculate(period_lines("250", "1400", "500"), gwp_set="AR4"),
    ]
    annual = calculate(period_lines("1000", "5000", "2000"), gwp_set="AR4")
    combined = sum_results(quarters)
    assert combined.as_dict() == annual.as_dict()
    assert combined.total_tco2e == D("4930.300")  # 1900.300 + 2905.000 + 125.000
    assert combined.reported_tco2e == D("4930")


def test_quarterly_rounding_can_differ_from_annual_by_at_most_half_a_kilogram_per_quarter():
    # one quarter: 1 t coal = 1.9002988488 tCO2 (see the raw coal example / 1000) -> 1.900; four: 7.600
    # annual: 4 t = 7.6011953952 -> 7.601; difference 0.001 ≤ 4 × 0.0005
    quarters = [calculate([coal_line(tonnes="1")], gwp_set="AR5") for _ in range(4)]
    annual = calculate([coal_line(tonnes="4")], gwp_set="AR5")
    assert sum_results(quarters).total_tco2e == D("7.600")
    assert annual.total_tco2e == D("7.601")


def test_combining_results_of_different_gwp_sets_is_refused():
    with pytest.raises(CalculationError, match="different GWP sets: AR4, AR5"):
        sum_results([calculate(chongqing_lines(), gwp_set="AR4"), calculate(chongqing_lines(), gwp_set="AR5")])


def test_combining_a_line_whose_stream_changed_is_refused():
    q1 = calculate([ef_line("boiler", q("1", "t"), q("1", "tCO2/t"), stream="coal")], gwp_set="AR5")
    q2 = calculate([ef_line("boiler", q("1", "t"), q("1", "tCO2/t"), stream="coke")], gwp_set="AR5")
    with pytest.raises(CalculationError, match="differs between periods: coal vs coke") as caught:
        sum_results([q1, q2])
    assert (caught.value.line_key, caught.value.field) == ("boiler", "stream")


def test_combining_nothing_is_refused():
    with pytest.raises(CalculationError, match="no results"):
        sum_results([])


def test_result_round_trips_through_json_with_decimals_as_strings():
    result = calculate(shenzhen_lines(), gwp_set="AR4")
    stored = json.loads(json.dumps(result.as_dict()))
    assert stored["totals"]["total_tco2e"] == "3055.611"
    assert stored["totals"]["reported_tco2e"] == "3056"
    assert stored["totals"]["by_gas"] == {"CO2": "3055.611"}
    assert stored["lines"][1] == {
        "key": "trucks-diesel",
        "source": "trucks",
        "source_kind": "mobile",
        "stream": "diesel",
        "method": "combustion_carbon_content",
        "gas": "CO2",
        "gas_group": "CO2",
        "scope": "direct",
        "gas_mass_t": "309.591",
        "tco2e": "309.591",
    }
    assert EmissionResult.from_dict(stored) == result


# --- Default fuel parameters --------------------------------------------------------------------


def test_default_emission_factor_of_raw_coal_matches_hand_computation():
    # 20.908 GJ/t × 0.02637 tC/GJ × 0.94 × 44/12 = 1.9002988488 (the raw coal example / 1000) -> 1.9003
    assert default_emission_factor("raw_coal") == q("1.9003", "tCO2/t")


def test_default_emission_factor_of_natural_gas_matches_hand_computation():
    # 389.31 GJ × 0.01532 tC/GJ = 5.83965 + 0.1245792 = 5.9642292 tC; × 0.99 = 5.904586908 tC
    # × 44 = 259.801823952; / 12 = 21.650151996 -> 21.6502 tCO2/10^4Nm3
    assert default_emission_factor("natural_gas") == q("21.6502", "tCO2/10^4Nm3")


def test_default_emission_factor_of_diesel_matches_hand_computation():
    # the truck example / 100 t: 3.0959096373 -> 3.0959 tCO2/t
    assert default_emission_factor("diesel") == q("3.0959", "tCO2/t")


def test_plausible_range_of_raw_coal_is_thirty_five_percent_either_side():
    # 1.9002988488 × 0.65 = 1.23519425172 -> 1.2352; × 1.35 = 2.56540344588 -> 2.5654
    assert plausible_range("raw_coal") == (q("1.2352", "tCO2/t"), q("2.5654", "tCO2/t"))


@pytest.mark.parametrize(
    ("code", "factor", "plausible"),
    [
        ("raw_coal", q("2.0", "tCO2/t"), True),
        ("raw_coal", q("3.0", "tCO2/t"), False),
        ("raw_coal", q("1.9", "kgCO2/kg"), True),
        ("natural_gas", q("2.16502", "kgCO2/Nm3"), True),  # 21,650.2 kg per 10^4 Nm3 = 21.6502 t
        ("natural_gas", q("1.5", "kgCO2/Nm3"), False),  # 15 t per 10^4 Nm3, below 21.65 × 0.9 = 19.49
    ],
)
def test_emission_factor_is_checked_against_the_plausible_range_of_its_fuel(code, factor, plausible):
    assert is_plausible(code, factor) is plausible


def test_an_emission_factor_per_mwh_cannot_be_checked_against_coal():
    with pytest.raises(UnitError, match="tCO2/MWh"):
        is_plausible("raw_coal", q("0.5810", "tCO2/MWh"))


def test_every_default_fuel_has_consistent_units_and_names():
    for code, fuel in FUELS.items():
        assert fuel.code == code and fuel.name_zh and fuel.name_en
        assert fuel.ncv.unit == f"GJ/{fuel.activity_unit}"
        low, high = plausible_range(code)
        assert low.value < default_emission_factor(code).value < high.value

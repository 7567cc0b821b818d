"""Mass balance, biomass, transferred CO2, continuous measurement and approved figures, against hand
computations in the comments (never by the code under test); every refusal names its field and why."""

from dataclasses import replace
from decimal import Decimal

import pytest

from mrv.calculation import (
    CalculationError,
    EmissionResult,
    LineInput,
    Method,
    Quantity,
    SourceKind,
    calculate,
    sum_results,
)
from mrv.validation_methods import cross_check

D = Decimal


def q(value: str, unit: str) -> Quantity:
    return Quantity(D(value), unit)


def line(key: str, method: Method, activity: Quantity, gas: str = "CO2", **fields) -> LineInput:
    defaults = {"source": fields.pop("source", key), "source_kind": SourceKind.FIXED, "stream": key}
    return LineInput(key=key, method=method, gas=gas, activity=activity, **(defaults | fields))


def one(entry: LineInput, gwp_set: str = "SAR"):
    return calculate([entry], gwp_set=gwp_set).lines[0]


def refused(entry: LineInput, gwp_set: str = "SAR") -> CalculationError:
    with pytest.raises(CalculationError) as caught:
        calculate([entry], gwp_set=gwp_set)
    return caught.value


# --- Carbon mass balance -----------------------------------------------------------------------


def mass_in(key: str, activity: Quantity, content: Quantity) -> LineInput:
    return line(key, Method.MASS_BALANCE_INPUT, activity, carbon_content=content, source="bf")


def mass_out(key: str, activity: Quantity, content: Quantity) -> LineInput:
    return line(key, Method.MASS_BALANCE_OUTPUT, activity, carbon_content=content, source="bf")


def steel_balance() -> list[LineInput]:
    return [
        mass_in("coking_coal", q("1000", "t"), q("0.75", "tC/t")),
        mass_in("natural_gas", q("50", "10^4Nm3"), q("5.38", "tC/10^4Nm3")),
        mass_out("crude_steel", q("2000", "t"), q("0.004", "tC/t")),
        mass_out("slag", q("500", "t"), q("0.002", "tC/t")),
    ]


def test_a_steel_mass_balance_is_carbon_in_minus_carbon_out_times_44_over_12():
    # in: 1000 t × 0.75 tC/t = 750 tC → 750 × 44/12 = 2750.000 tCO2
    #     50 ×10⁴Nm3 × 5.38 tC/10⁴Nm3 = 269 tC → 986.3333… → 986.333
    # out: 2000 t × 0.004 = 8 tC → 29.3333… → −29.333; 500 t × 0.002 = 1 tC → 3.6666… → −3.667
    # total: 2750.000 + 986.333 − 29.333 − 3.667 = 3703.333 = (750 + 269 − 8 − 1) × 44/12 = 3703.33…
    result = calculate(steel_balance(), gwp_set="SAR")
    assert [line.tco2e for line in result.lines] == [D("2750.000"), D("986.333"), D("-29.333"), D("-3.667")]
    assert result.total_tco2e == D("3703.333")
    assert result.reported_tco2e == D("3703")
    assert result.by_source == {"bf": D("3703.333")}
    assert result.biomass_co2_t is None


@pytest.mark.parametrize(
    ("activity", "content", "expected"),
    [
        (q("1", "kt"), q("0.75", "tC/t"), "2750.000"),  # 1 kt = 1000 t; 750 tC × 44/12
        (q("1000", "t"), q("750", "kgC/t"), "2750.000"),  # 750 kgC/t = 0.75 tC/t
        (q("500000", "Nm3"), q("5.38", "tC/10^4Nm3"), "986.333"),  # 500000 Nm3 = 50 ×10⁴Nm3; 269 tC
        (q("50", "万Nm3"), q("5.38", "tC/万Nm3"), "986.333"),
        (q("500", "10^3Nm3"), q("5.38", "tC/10^4Nm3"), "986.333"),  # 500 ×10³Nm3 = 50 ×10⁴Nm3
    ],
)
def test_mass_balance_converts_every_unit_combination(activity, content, expected):
    assert one(mass_in("m", activity, content)).tco2e == D(expected)


def test_mass_balance_refuses_a_tonne_content_on_a_gas_volume_naming_the_field():
    error = refused(mass_in("gas", q("50", "10^4Nm3"), q("0.75", "tC/t")))
    assert error.field == "carbon_content"
    assert "cannot apply tC/t to an amount in 10^4Nm3" in error.message


def test_mass_balance_refuses_carbon_per_energy():
    error = refused(mass_in("coal", q("1000", "GJ"), q("26.37", "tC/TJ")))
    assert error.field == "carbon_content"
    assert "tC/t, tC/10^4Nm3" in error.message


def test_mass_balance_refuses_a_content_that_is_not_carbon_and_a_gas_that_is_not_co2():
    assert refused(mass_in("coal", q("1000", "t"), q("2.7", "tCO2/t"))).field == "carbon_content"
    entry = line("coal", Method.MASS_BALANCE_INPUT, q("1000", "t"), gas="CH4", carbon_content=q("0.7", "tC/t"))
    assert refused(entry).field == "gas"


def test_mass_balance_needs_its_carbon_content():
    assert refused(line("coal", Method.MASS_BALANCE_INPUT, q("1000", "t"))).field == "carbon_content"


# --- Biomass fraction --------------------------------------------------------------------------


def coal(key: str = "coal", **fields) -> LineInput:
    # 1000 t × 20.908 GJ/t = 20.908 TJ × 26.37 tC/TJ = 551.34396 tC × 0.94 = 518.2633224 tC
    # × 44/12 = 1900.2988488 tCO2
    return line(
        key,
        Method.COMBUSTION_CARBON_CONTENT,
        q("1000", "t"),
        ncv=q("20.908", "GJ/t"),
        carbon_content=q("26.37", "tC/TJ"),
        oxidation_rate=q("0.94", "1"),
        **fields,
    )


def test_a_co_fired_stream_counts_the_fossil_share_and_reports_the_biomass_share_apart():
    # 12.5 % of 1900.2988488 = 237.5373561 → 237.537 biomass; the rest 1662.7614927 → 1662.761 counted
    result = calculate([coal(biomass_fraction=q("12.5", "%"))], gwp_set="SAR")
    entry = result.lines[0]
    assert (entry.gas_mass_t, entry.tco2e, entry.biomass_co2_t) == (D("1662.761"), D("1662.761"), D("237.537"))
    assert result.total_tco2e == D("1662.761")
    assert result.biomass_co2_t == D("237.537")
    assert result.as_dict()["totals"]["biomass_co2_t"] == "237.537"


def test_pure_biomass_is_all_reported_and_none_counted():
    # 10000 t pellets × 1.65 tCO2/t = 16500 tCO2, biomass fraction 1
    pellets = line("pellets", Method.EMISSION_FACTOR, q("10000", "t"), emission_factor=q("1.65", "tCO2/t"))
    entry = one(replace(pellets, biomass_fraction=q("1", "1")))
    assert (entry.tco2e, entry.biomass_co2_t) == (D("0.000"), D("16500.000"))


def test_a_stream_without_biomass_has_no_biomass_figure_not_zero():
    result = calculate([coal()], gwp_set="SAR")
    assert result.lines[0].biomass_co2_t is None
    assert result.biomass_co2_t is None
    assert "biomass_co2_t" not in result.as_dict()["totals"]
    assert "biomass_co2_t" not in result.as_dict()["lines"][0]
    stated_zero = calculate([coal(biomass_fraction=q("0", "%"))], gwp_set="SAR")
    assert stated_zero.biomass_co2_t == D("0.000")  # a stated share of nought is a figure


def test_a_continuous_measurement_splits_its_fossil_share():
    # 720 h × 350 ×10³Nm3/h = 252,000,000 Nm3 × 183.4 g/Nm3 = 46,216,800,000 g = 46216.8 tCO2
    # biomass 8 % = 3697.344; fossil 42519.456 counted
    entry = one(cems(biomass_fraction=q("8", "%")))
    assert (entry.tco2e, entry.biomass_co2_t) == (D("42519.456"), D("3697.344"))


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        (coal(biomass_fraction=q("120", "%")), "0 to 100 %"),
        (coal(biomass_fraction=q("0.2", "t")), "cannot convert t"),
        (
            line(
                "ch4",
                Method.PROCESS,
                q("10", "t"),
                gas="CH4",
                emission_factor=q("1", "tCH4/t"),
                biomass_fraction=q("50", "%"),
            ),
            "CO2 only",
        ),
        (
            replace(mass_in("coal", q("1000", "t"), q("0.75", "tC/t")), biomass_fraction=q("10", "%")),
            "no biomass share",
        ),
    ],
)
def test_a_biomass_fraction_is_refused_naming_the_field_and_why(entry, why):
    error = refused(entry)
    assert error.field == "biomass_fraction"
    assert why in error.message


def test_quarters_add_up_their_biomass_and_keep_absent_absent():
    q1 = calculate([coal(biomass_fraction=q("12.5", "%"))], gwp_set="SAR")
    q2 = calculate([coal(biomass_fraction=q("12.5", "%"))], gwp_set="SAR")
    assert sum_results([q1, q2]).biomass_co2_t == D("475.074")  # 2 × 237.537
    plain = calculate([coal()], gwp_set="SAR")
    assert sum_results([plain, plain]).biomass_co2_t is None


def test_a_stored_result_reads_back_with_its_biomass_and_one_stored_before_it_existed_too():
    result = calculate([coal(biomass_fraction=q("12.5", "%")), coal("plain")], gwp_set="SAR")
    again = EmissionResult.from_dict(result.as_dict())
    assert again == result
    old = {"gwp_set": "SAR", "lines": [{k: v for k, v in result.as_dict()["lines"][1].items()}]}
    assert EmissionResult.from_dict(old).lines[0].biomass_co2_t is None


# --- CO2 transferred ---------------------------------------------------------------------------


def transfer(method: Method, activity: Quantity, counterparty: str = "福州食品级二氧化碳有限公司") -> LineInput:
    return line("co2", method, activity, counterparty=counterparty)


def test_co2_transferred_out_is_deducted_and_in_is_counted_with_the_counterparty_named():
    # captured 30000 tCO2 sold (−30000.000); 1.5 ktCO2 received (+1500.000); coal 1900.299
    result = calculate(
        [
            coal(),
            transfer(Method.CO2_TRANSFERRED_OUT, q("30000", "tCO2")),
            replace(transfer(Method.CO2_TRANSFERRED_IN, q("1.5", "ktCO2"), "宁德化工园区"), key="in"),
        ],
        gwp_set="SAR",
    )
    out, received = result.lines[1], result.lines[2]
    assert (out.tco2e, out.counterparty) == (D("-30000.000"), "福州食品级二氧化碳有限公司")
    assert (received.tco2e, received.counterparty) == (D("1500.000"), "宁德化工园区")
    assert result.transferred_out_tco2 == D("30000.000")
    assert result.transferred_in_tco2 == D("1500.000")
    assert result.total_tco2e == D("-26599.701")  # 1900.299 − 30000 + 1500
    assert EmissionResult.from_dict(result.as_dict()) == result


def test_a_transfer_without_its_counterparty_or_in_tonnes_of_something_else_is_refused():
    error = refused(transfer(Method.CO2_TRANSFERRED_OUT, q("30000", "tCO2"), counterparty="  "))
    assert error.field == "counterparty"
    error = refused(transfer(Method.CO2_TRANSFERRED_OUT, q("30000", "t")))
    assert (error.field, "must be a mass of CO2" in error.message) == ("activity", True)
    assert refused(transfer(Method.CO2_TRANSFERRED_IN, q("-5", "tCO2"))).field == "activity"


# --- Continuous measurement --------------------------------------------------------------------


def cems(gas: str = "CO2", flow: Quantity | None = None, concentration: Quantity | None = None, **fields) -> LineInput:
    return line(
        "stack",
        Method.CONTINUOUS_MEASUREMENT,
        fields.pop("hours", q("720", "h")),
        gas=gas,
        flow_rate=flow or q("350", "10^3Nm3/h"),
        concentration=concentration or q("183.4", "g/Nm3"),
        source="unit1",
        **fields,
    )


@pytest.mark.parametrize(
    ("flow", "concentration"),
    [
        (q("350", "10^3Nm3/h"), q("183.4", "g/Nm3")),
        (q("350", "千Nm3/h"), q("183.4", "gCO2/Nm3")),
        (q("350000", "Nm3/h"), q("183400", "mg/Nm3")),
        (q("35", "10^4Nm3/h"), q("0.1834", "kg/Nm3")),
    ],
)
def test_a_measurement_is_hours_times_flow_times_concentration_in_any_unit(flow, concentration):
    # 720 h × 350 ×10³Nm3/h × 183.4 g/Nm3 = 46,216,800,000 g = 46216.8 tCO2
    entry = one(cems(flow=flow, concentration=concentration))
    assert (entry.gas_mass_t, entry.tco2e, entry.biomass_co2_t) == (D("46216.800"), D("46216.800"), None)


@pytest.mark.parametrize(("gwp_set", "expected"), [("SAR", "8124.525"), ("AR4", "7810.027"), ("AR5", "6945.158")])
def test_a_measured_n2o_stack_is_weighted_by_the_market_gwp(gwp_set, expected):
    # 744 h × 85.5 ×10³Nm3/h = 63,612,000 Nm3 × 412 mg/Nm3 = 26,208,144,000 mg = 26.208144 tN2O
    # × 310 (SAR) = 8124.52464; × 298 (AR4) = 7810.026912; × 265 (AR5) = 6945.15816
    entry = one(
        cems("N2O", q("85.5", "10^3Nm3/h"), q("412", "mgN2O/Nm3"), hours=q("744", "h")),
        gwp_set=gwp_set,
    )
    assert (entry.gas_mass_t, entry.tco2e) == (D("26.208"), D(expected))


@pytest.mark.parametrize(
    ("entry", "field", "why"),
    [
        (cems(hours=q("720", "t")), "activity", "operating hours (h)"),
        (cems(flow=q("350", "10^3Nm3")), "flow_rate", "per activity unit"),
        (cems(flow=q("350", "10^3Nm3/t")), "flow_rate", "per hour"),
        (cems(flow=q("350", "t/h")), "flow_rate", "gas volume"),
        (cems(concentration=q("12", "%")), "concentration", "mass of CO2 per flue-gas volume"),
        (cems(concentration=q("12", "mgCH4/Nm3")), "concentration", "mass of CO2 per flue-gas volume"),
        (cems(concentration=q("12", "mg/t")), "concentration", "mass of CO2 per flue-gas volume"),
        (cems(concentration=q("-1", "mg/Nm3")), "concentration", "must not be negative"),
        (
            line("stack", Method.CONTINUOUS_MEASUREMENT, q("720", "h"), flow_rate=q("350", "10^3Nm3/h")),
            "concentration",
            "required",
        ),
    ],
)
def test_a_measurement_refuses_a_unit_naming_the_field_and_why(entry, field, why):
    error = refused(entry)
    assert error.field == field
    assert why in error.message


def test_a_measurement_is_cross_checked_against_the_calculation_of_the_same_source():
    # measured 46216.800 (source unit1) against a coal calculation of 44000 tCO2 at unit1:
    # (46216.8 − 44000) / 44000 = +5.04 % → +5.0; not within ±3 %, within ±5.1 %
    measured = calculate([cems()], gwp_set="SAR")
    calculated = calculate(
        [line("coal", Method.EMISSION_FACTOR, q("1000", "t"), emission_factor=q("44", "tCO2/t"), source="unit1")],
        gwp_set="SAR",
    )
    (check,) = cross_check(measured, calculated)
    assert (check.source, check.measured_tco2e, check.calculated_tco2e) == ("unit1", D("46216.800"), D("44000.000"))
    assert check.difference_pct == D("5.0")
    assert not check.within(D("3")) and check.within(D("5.1"))
    elsewhere = calculate([coal(source="unit2")], gwp_set="SAR")
    assert cross_check(measured, elsewhere) == []


def test_the_cross_check_compares_biomass_included_on_both_sides():
    # measured 46216.8 of which 8 % biomass; calculated 44 tCO2/t × 1000 t of which 8 % biomass
    measured = calculate([cems(biomass_fraction=q("8", "%"))], gwp_set="SAR")
    calculated = calculate(
        [
            line(
                "coal",
                Method.EMISSION_FACTOR,
                q("1000", "t"),
                emission_factor=q("46", "tCO2/t"),
                biomass_fraction=q("8", "%"),
                source="unit1",
            )
        ],
        gwp_set="SAR",
    )
    (check,) = cross_check(measured, calculated)
    assert (check.measured_tco2e, check.calculated_tco2e) == (D("46216.800"), D("46000.000"))
    assert check.difference_pct == D("0.5")  # 216.8 / 46000 = 0.471 %


# --- Figure under a regulator-approved method --------------------------------------------------


def approved(activity: Quantity, gas: str = "CO2", reference: str = "闽环函〔2025〕18号") -> LineInput:
    return line("approved", Method.APPROVED_FIGURE, activity, gas=gas, approval_reference=reference)


def test_an_approved_figure_is_taken_as_reported_and_may_be_negative():
    # a process that binds CO2: −1250.4 tCO2; with coal 1900.299 the total is 649.899
    result = calculate([coal(), approved(q("-1250.4", "tCO2"))], gwp_set="SAR")
    assert result.lines[1].tco2e == D("-1250.400")
    assert result.total_tco2e == D("649.899")
    assert one(approved(q("2", "tCH4"), gas="CH4")).tco2e == D("42.000")  # 2 t × 21 (SAR)
    assert one(approved(q("-0.5", "ktCO2"))).tco2e == D("-500.000")


def test_an_approved_figure_cites_its_approval_and_is_a_mass_of_its_gas():
    assert refused(approved(q("100", "tCO2"), reference="")).field == "approval_reference"
    error = refused(approved(q("100", "t")))
    assert (error.field, "must be a mass of CO2" in error.message) == ("activity", True)
    assert refused(approved(q("100", "tN2O"))).field == "activity"


def test_only_an_approved_figure_may_be_negative():
    entry = mass_in("coal", q("-1000", "t"), q("0.75", "tC/t"))
    assert refused(entry).field == "activity"

"""Default parameters of fuels (NCV, carbon content, oxidation) and the plausible range of an emission factor."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import (
    Decimal,
    localcontext,
)

from mrv.calculation.quantities import _CONTEXT, _ONE, EF_QUANTUM, ROUNDING, Quantity, co2_from_carbon, convert


@dataclass(frozen=True)
class Fuel:
    code: str
    name_zh: str
    name_en: str
    activity_unit: str
    ncv: Quantity
    carbon_content: Quantity
    oxidation_rate: Quantity
    ef_tolerance: Decimal  # relative width of the plausible EF range; coal varies far more than oil


def _fuel(code: str, zh: str, en: str, unit: str, ncv: str, cc: str, of: str, tolerance: str) -> Fuel:
    parameters = Quantity(Decimal(ncv), f"GJ/{unit}"), Quantity(Decimal(cc), "tC/TJ"), Quantity(Decimal(of), "%")
    return Fuel(code, zh, en, unit, *parameters, Decimal(tolerance))


# Defaults of the NDRC enterprise GHG accounting guidelines for general industry (2013–2015
# batches, e.g. the chemical-industry guideline's appendix table, as in GB/T 32150-2015 annex),
# NCVs from the China Energy Statistical Yearbook. The power-sector guideline uses other coal
# values; a market's own guideline prevails, so these serve as defaults and plausibility checks.
FUELS: Mapping[str, Fuel] = {
    entry.code: entry
    for entry in (
        _fuel("raw_coal", "原煤", "raw coal", "t", "20.908", "26.37", "94", "0.35"),
        _fuel("coke", "焦炭", "coke", "t", "28.435", "29.42", "93", "0.10"),
        _fuel("crude_oil", "原油", "crude oil", "t", "41.816", "20.08", "98", "0.05"),
        _fuel("fuel_oil", "燃料油", "fuel oil", "t", "41.816", "21.10", "98", "0.05"),
        _fuel("gasoline", "汽油", "gasoline", "t", "43.070", "18.90", "98", "0.05"),
        _fuel("diesel", "柴油", "diesel", "t", "42.652", "20.20", "98", "0.05"),
        _fuel("kerosene", "一般煤油", "kerosene", "t", "43.070", "19.60", "98", "0.05"),
        _fuel("lpg", "液化石油气", "liquefied petroleum gas", "t", "50.179", "17.20", "98", "0.05"),
        _fuel("refinery_gas", "炼厂干气", "refinery dry gas", "t", "45.998", "18.20", "99", "0.15"),
        _fuel("natural_gas", "天然气", "natural gas", "10^4Nm3", "389.31", "15.32", "99", "0.10"),
        _fuel("coke_oven_gas", "焦炉煤气", "coke oven gas", "10^4Nm3", "179.81", "13.58", "99", "0.15"),
        _fuel("blast_furnace_gas", "高炉煤气", "blast furnace gas", "10^4Nm3", "33.00", "70.80", "99", "0.20"),
    )
}


def fuel(code: str) -> Fuel:
    if code not in FUELS:
        raise KeyError(f"unknown fuel code {code!r}; known: {', '.join(FUELS)}")
    return FUELS[code]


def _derived_factor(code: str) -> Decimal:
    entry = fuel(code)
    oxidised = convert(entry.oxidation_rate, "1").value
    one = Quantity(_ONE, entry.activity_unit)
    return co2_from_carbon(one, entry.ncv, entry.carbon_content, oxidised).value


def _ef(value: Decimal, code: str) -> Quantity:
    with localcontext(_CONTEXT):
        return Quantity(value.quantize(EF_QUANTUM, rounding=ROUNDING), f"tCO2/{fuel(code).activity_unit}")


def default_emission_factor(code: str) -> Quantity:
    """NCV × CC × OF × 44/12 of the default parameters, in tCO2 per activity unit."""
    return _ef(_derived_factor(code), code)


def plausible_range(code: str) -> tuple[Quantity, Quantity]:
    """Bounds outside which a reported emission factor for this fuel deserves a warning."""
    factor, tolerance = _derived_factor(code), fuel(code).ef_tolerance
    with localcontext(_CONTEXT):
        return _ef(factor * (1 - tolerance), code), _ef(factor * (1 + tolerance), code)


def is_plausible(code: str, emission_factor: Quantity) -> bool:
    """Whether an EF (in any convertible unit) lies within the fuel's plausible range."""
    low, high = plausible_range(code)
    value = convert(emission_factor, low.unit).value
    return low.value <= value <= high.value

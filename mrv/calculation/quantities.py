"""Rounding, gases and their GWPs, units and quantities: the arithmetic every calculation uses.

See the package's docstring for the rounding rules the constants below define."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from enum import StrEnum
from functools import lru_cache
from itertools import chain

PRECISION = 34
LINE_QUANTUM = Decimal("0.001")
TOTAL_QUANTUM = Decimal("1")
EF_QUANTUM = Decimal("0.0001")
ROUNDING = ROUND_HALF_UP
_CONTEXT = Context(prec=PRECISION, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
_ZERO = Decimal("0.000")
_ONE = Decimal(1)


class UnitError(ValueError):
    """A unit is unknown, or two units measure different kinds of thing."""


class CalculationError(ValueError):
    """A line cannot be computed; names the line and the field so a form can point at it."""

    def __init__(self, message: str, *, line_key: str | None = None, field: str | None = None) -> None:
        self.message = message
        self.line_key = line_key
        self.field = field
        where = [f"line {line_key!r}"] if line_key is not None else []
        where += [field] if field else []
        super().__init__(": ".join([*where, message]))


def round_line(value: Decimal) -> Decimal:
    """Round a line's mass or tCO2e; the one place line rounding happens."""
    with localcontext(_CONTEXT):
        return value.quantize(LINE_QUANTUM, rounding=ROUNDING)


def round_total(value: Decimal) -> Decimal:
    """Round a total to whole tonnes for reporting and surrender."""
    with localcontext(_CONTEXT):
        return value.quantize(TOTAL_QUANTUM, rounding=ROUNDING)


class GasGroup(StrEnum):
    CO2 = "CO2"
    CH4 = "CH4"
    N2O = "N2O"
    HFCS = "HFCs"
    PFCS = "PFCs"
    SF6 = "SF6"


# 100-year GWPs per species as (SAR, AR4, AR5): SAR (1995, used in the Kyoto Protocol's first
# period), AR4 WG1 table 2.14, AR5 WG1 table 8.A.1 (without climate-carbon feedbacks).
_GWP_100: Mapping[str, tuple[int, int, int]] = {
    "CH4": (21, 25, 28),
    "N2O": (310, 298, 265),
    "SF6": (23900, 22800, 23500),
    "HFC-23": (11700, 14800, 12400),
    "HFC-32": (650, 675, 677),
    "HFC-125": (2800, 3500, 3170),
    "HFC-134a": (1300, 1430, 1300),
    "HFC-143a": (3800, 4470, 4800),
    "HFC-152a": (140, 124, 138),
    "HFC-227ea": (2900, 3220, 3350),
    "CF4": (6500, 7390, 6630),
    "C2F6": (9200, 12200, 11100),
}
GWP_SETS: Mapping[str, Mapping[str, Decimal]] = {
    name: {"CO2": _ONE} | {species: Decimal(values[column]) for species, values in _GWP_100.items()}
    for column, name in enumerate(("SAR", "AR4", "AR5"))
}
SPECIES: frozenset[str] = frozenset(chain.from_iterable(GWP_SETS.values()))
_PFC_SPECIES = frozenset({"CF4", "C2F6"})


def gas_group(species: str) -> GasGroup:
    """Totals by gas follow the six Kyoto groups; each species belongs to exactly one."""
    if species not in SPECIES:
        raise CalculationError(f"unknown gas {species!r}; known: {', '.join(sorted(SPECIES))}", field="gas")
    if species.startswith("HFC-"):
        return GasGroup.HFCS
    if species in _PFC_SPECIES:
        return GasGroup.PFCS
    return GasGroup(species)


def gwp_table(gwp_set: str) -> Mapping[str, Decimal]:
    if gwp_set not in GWP_SETS:
        raise CalculationError(f"unknown GWP set {gwp_set!r}; known: {', '.join(GWP_SETS)}", field="gwp_set")
    return GWP_SETS[gwp_set]


def gwp(species: str, gwp_set: str) -> Decimal:
    table = gwp_table(gwp_set)
    if species not in table:
        raise CalculationError(f"{gwp_set} gives no GWP for {species}", field="gas")
    return table[species]


class Dimension(StrEnum):
    MASS = "mass"
    GAS_VOLUME = "gas volume"
    ENERGY = "energy"
    FRACTION = "fraction"


# What a simple unit measures: a dimension and, for a mass of a named substance, its formula.
Measure = tuple[Dimension, str | None]

# Units by dimension, each with the factor to the dimension's base unit (t, Nm3, GJ, 1).
# Electricity is energy: MWh and kWh convert to GJ like any heat quantity; tce is 29.3076 GJ (GB/T 2589).
_SCALES: Mapping[Dimension, Mapping[str, str]] = {
    Dimension.MASS: {"t": "1", "kt": "1000", "kg": "0.001"},
    Dimension.GAS_VOLUME: {"Nm3": "1", "10^4Nm3": "10000", "万Nm3": "10000"},
    Dimension.ENERGY: {"GJ": "1", "TJ": "1000", "MJ": "0.001", "MWh": "3.6", "kWh": "0.0036", "tce": "29.3076"},
    Dimension.FRACTION: {"1": "1", "%": "0.01"},
}
SIMPLE_UNITS: Mapping[str, tuple[Dimension, Decimal]] = {
    name: (dimension, Decimal(scale)) for dimension, scales in _SCALES.items() for name, scale in scales.items()
}
_MASS_PREFIXES = ("kt", "kg", "t")
_SUBSTANCES = SPECIES | {"C"}


@dataclass(frozen=True)
class Unit:
    """A parsed unit: a simple unit, or a rate with a numerator and a denominator."""

    name: str
    numerator: str
    numerator_measure: Measure
    numerator_scale: Decimal
    denominator: str | None = None
    denominator_measure: Measure | None = None
    denominator_scale: Decimal = _ONE

    @property
    def measure(self) -> tuple[Measure, Measure | None]:
        return self.numerator_measure, self.denominator_measure

    def describe(self) -> str:
        text = _describe(self.numerator_measure)
        return f"{text} per {_describe(self.denominator_measure)}" if self.denominator_measure else text


def _describe(measure: Measure) -> str:
    dimension, substance = measure
    return f"mass of {substance}" if substance else str(dimension)


def _simple(name: str, whole: str) -> tuple[Measure, Decimal]:
    if name in SIMPLE_UNITS:
        dimension, scale = SIMPLE_UNITS[name]
        return (dimension, None), scale
    for prefix in _MASS_PREFIXES:
        substance = name.removeprefix(prefix)
        if substance != name and substance in _SUBSTANCES:
            return (Dimension.MASS, substance), SIMPLE_UNITS[prefix][1]
    known = ", ".join(SIMPLE_UNITS)
    raise UnitError(f"unknown unit {whole!r}; simple units are {known}, or t, kg, kt + a formula (tCO2)")


@lru_cache(maxsize=512)
def parse_unit(name: str) -> Unit:
    top, slash, bottom = name.partition("/")
    if not top or (slash and (not bottom or "/" in bottom)):
        raise UnitError(f"unknown unit {name!r}: use a simple unit or one rate such as 'GJ/t'")
    measure, scale = _simple(top, name)
    if not slash:
        return Unit(name, top, measure, scale)
    den_measure, den_scale = _simple(bottom, name)
    return Unit(name, top, measure, scale, bottom, den_measure, den_scale)


@dataclass(frozen=True)
class Quantity:
    """A Decimal with its unit; floats are refused because they cannot hold 0.1 exactly."""

    value: Decimal
    unit: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, Decimal) or not self.value.is_finite():
            raise TypeError(f"a quantity needs a finite Decimal value, got {self.value!r}")
        parse_unit(self.unit)

    def __str__(self) -> str:
        return f"{self.value} {self.unit}"


def convert(quantity: Quantity, to_unit: str) -> Quantity:
    """Re-express a quantity in another unit of the same kind; anything else is refused loudly."""
    src, dst = parse_unit(quantity.unit), parse_unit(to_unit)
    if src.measure != dst.measure:
        raise UnitError(f"cannot convert {src.name} ({src.describe()}) to {dst.name} ({dst.describe()})")
    with localcontext(_CONTEXT):
        scale_up = src.numerator_scale * dst.denominator_scale
        value = quantity.value * scale_up / (src.denominator_scale * dst.numerator_scale)
    return Quantity(value, to_unit)


def multiply(amount: Quantity, rate: Quantity) -> Quantity:
    """Apply a rate (GJ/t, tC/TJ …) to an amount, after converting the amount to the rate's denominator."""
    unit = parse_unit(rate.unit)
    if unit.denominator is None:
        raise UnitError(f"{rate.unit} is not a rate; expected a unit such as 'GJ/t'")
    try:
        base = convert(amount, unit.denominator)
    except UnitError as error:
        raise UnitError(f"cannot apply {rate.unit} to an amount in {amount.unit}: {error}") from error
    with localcontext(_CONTEXT):
        return Quantity(base.value * rate.value, unit.numerator)


def carbon_to_co2(carbon: Quantity, oxidised: Decimal) -> Quantity:
    """The oxidised share of the carbon, as CO2 by molar mass (44/12)."""
    tonnes = convert(carbon, "tC").value
    with localcontext(_CONTEXT):
        return Quantity(tonnes * oxidised * 44 / 12, "tCO2")


def co2_from_carbon(activity: Quantity, ncv: Quantity, carbon_content: Quantity, oxidised: Decimal) -> Quantity:
    """AD × NCV × CC × OF × 44/12: every step checked by its units, full precision kept."""
    return carbon_to_co2(multiply(multiply(activity, ncv), carbon_content), oxidised)

"""Emissions of a reporting period, computed from activity data and parameters.

Pure and stdlib-only on purpose: the figure a firm reports, a verifier re-checks and a regulator
decides on must come from one function that is reproducible from stored inputs, needs no database
and never touches binary floating point.

Methods (``Method``), per line:
- combustion, carbon content: AD × NCV × CC × OF × 44/12, giving t CO2;
- emission factor and process: AD × EF, any gas, EF in t<gas> per activity unit;
- purchased electricity / heat: energy × grid or heat EF, indirect CO2;
- exported electricity / heat: the same, subtracted from the indirect emissions;
- carbon mass balance: each material in (fuel, reducing agent, raw material) or out (product,
  by-product, waste) is a line, amount × carbon content (tC/t or tC/10^4Nm3) × 44/12, outputs
  subtracted, so the source's total is (Σ inputs − Σ outputs) × 44/12;
- CO2 transferred out (captured and sold, sent to another installation) is deducted and CO2
  transferred in is counted, each naming its counterparty;
- continuous measurement (CEMS) per emission point: operating hours × hourly mean flue-gas flow ×
  mean concentration of the gas, any gas (weighted by its GWP);
- a directly reported figure under a regulator-approved method, citing the approval; it may be
  negative (a process that binds CO2).
A biomass fraction (combustion, emission factor, process, measurement; CO2 only) splits a line: the
fossil share is counted, the biomass share is reported in ``biomass_co2_t`` and not counted. A line
without a biomass fraction has no biomass figure at all (None), not zero.
Non-CO2 gases are weighted with the GWP values of the IPCC report a market names (``GWP_SETS``).

Units are written as strings: a simple unit ("t", "10^4Nm3", "GJ", "%") or one rate
"numerator/denominator" ("GJ/t", "tC/TJ", "tCO2/MWh"). Masses of a substance carry its formula
("tC", "tCO2", "kgCH4"), so t of fuel never silently becomes t of CO2. Every product converts the
amount to the rate's denominator first and refuses units of a different kind.

Rounding, defined once by the constants below:
- intermediate products keep full precision (a local context of PRECISION digits);
- each line's gas mass (t of the gas) and its tCO2e are rounded to LINE_QUANTUM (0.001 t) with
  ROUNDING (ROUND_HALF_UP), both from the unrounded product: tCO2e is not recomputed from the
  rounded mass;
- every total is the exact sum of rounded lines (``total_tco2e``, kept unrounded);
- the reported total ``reported_tco2e`` is ``total_tco2e`` rounded to TOTAL_QUANTUM (whole tonnes)
  with ROUNDING; half-up rounds halves away from zero, so exported lines round symmetrically;
- default emission factors derived from ``FUELS`` are rounded to EF_QUANTUM.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, replace
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
from typing import Any, TypeVar

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


# --- Gases -------------------------------------------------------------------------------------


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


# --- Units -------------------------------------------------------------------------------------


class Dimension(StrEnum):
    MASS = "mass"
    GAS_VOLUME = "gas volume"
    ENERGY = "energy"
    FRACTION = "fraction"
    TIME = "time"


# What a simple unit measures: a dimension and, for a mass of a named substance, its formula.
Measure = tuple[Dimension, str | None]

# Units by dimension, each with the factor to the dimension's base unit (t, Nm3, GJ, 1).
# Electricity is energy: MWh and kWh convert to GJ like any heat quantity; tce is 29.3076 GJ (GB/T 2589).
_SCALES: Mapping[Dimension, Mapping[str, str]] = {
    Dimension.MASS: {"t": "1", "kt": "1000", "kg": "0.001", "g": "0.000001", "mg": "0.000000001"},
    Dimension.GAS_VOLUME: {"Nm3": "1", "10^3Nm3": "1000", "千Nm3": "1000", "10^4Nm3": "10000", "万Nm3": "10000"},
    Dimension.ENERGY: {"GJ": "1", "TJ": "1000", "MJ": "0.001", "MWh": "3.6", "kWh": "0.0036", "tce": "29.3076"},
    Dimension.FRACTION: {"1": "1", "%": "0.01"},
    Dimension.TIME: {"h": "1"},
}
SIMPLE_UNITS: Mapping[str, tuple[Dimension, Decimal]] = {
    name: (dimension, Decimal(scale)) for dimension, scales in _SCALES.items() for name, scale in scales.items()
}
_MASS_PREFIXES = ("kt", "kg", "mg", "t", "g")
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


# --- Lines -------------------------------------------------------------------------------------


class Scope(StrEnum):
    DIRECT = "direct"
    INDIRECT = "indirect"


class SourceKind(StrEnum):
    FIXED = "fixed"
    MOBILE = "mobile"


class Method(StrEnum):
    COMBUSTION_CARBON_CONTENT = "combustion_carbon_content"
    EMISSION_FACTOR = "emission_factor"
    PROCESS = "process"
    PURCHASED_ELECTRICITY = "purchased_electricity"
    PURCHASED_HEAT = "purchased_heat"
    EXPORTED_ELECTRICITY = "exported_electricity"
    EXPORTED_HEAT = "exported_heat"
    MASS_BALANCE_INPUT = "mass_balance_input"
    MASS_BALANCE_OUTPUT = "mass_balance_output"
    CO2_TRANSFERRED_IN = "co2_transferred_in"
    CO2_TRANSFERRED_OUT = "co2_transferred_out"
    CONTINUOUS_MEASUREMENT = "continuous_measurement"
    APPROVED_FIGURE = "approved_figure"

    @property
    def scope(self) -> Scope:
        return Scope.INDIRECT if self in _ENERGY_METHODS else Scope.DIRECT

    @property
    def sign(self) -> int:
        return -1 if self in _EXPORT_METHODS else 1


_EXPORT_METHODS = frozenset(
    {Method.EXPORTED_ELECTRICITY, Method.EXPORTED_HEAT, Method.MASS_BALANCE_OUTPUT, Method.CO2_TRANSFERRED_OUT}
)
_ENERGY_METHODS = frozenset(
    {Method.PURCHASED_ELECTRICITY, Method.PURCHASED_HEAT, Method.EXPORTED_ELECTRICITY, Method.EXPORTED_HEAT}
)


@dataclass(frozen=True)
class LineInput:
    key: str
    source: str
    source_kind: SourceKind
    stream: str
    method: Method
    gas: str
    activity: Quantity
    ncv: Quantity | None = None
    carbon_content: Quantity | None = None
    oxidation_rate: Quantity | None = None
    emission_factor: Quantity | None = None
    biomass_fraction: Quantity | None = None
    flow_rate: Quantity | None = None
    concentration: Quantity | None = None
    counterparty: str = ""
    approval_reference: str = ""


@dataclass(frozen=True)
class LineResult:
    key: str
    source: str
    source_kind: SourceKind
    stream: str
    method: Method
    gas: str
    scope: Scope
    gas_mass_t: Decimal
    tco2e: Decimal
    biomass_co2_t: Decimal | None = None  # None: the line has no biomass share (not the same as 0)
    counterparty: str = ""

    @property
    def gas_group(self) -> GasGroup:
        return gas_group(self.gas)

    def as_dict(self) -> dict[str, str]:
        """Optional fields appear only when set, so results stored before they existed read back unchanged."""
        values = {field.name: getattr(self, field.name) for field in fields(self)} | {"gas_group": self.gas_group}
        return {name: str(value) for name, value in values.items() if value is not None and value != ""}

    @classmethod
    def from_dict(cls, data: Mapping[str, str]) -> LineResult:
        return cls(
            **{
                field.name: _PARSERS.get(field.name, str)(data[field.name])
                for field in fields(cls)
                if field.name in data or field.name not in _OPTIONAL
            }
        )


_PARSERS: Mapping[str, Callable[[str], Any]] = {
    "source_kind": SourceKind,
    "method": Method,
    "scope": Scope,
    "gas_mass_t": Decimal,
    "tco2e": Decimal,
    "biomass_co2_t": Decimal,
}
_OPTIONAL = frozenset({"biomass_co2_t", "counterparty"})


def _missing(line: LineInput, field: str) -> CalculationError:
    return CalculationError(f"is required by method {line.method}", field=field)


def _parameter(line: LineInput, field: str, numerator: Measure) -> Quantity:
    """A rate parameter, present, non-negative and with the numerator the formula needs."""
    value: Quantity | None = getattr(line, field)
    if value is None:
        raise _missing(line, field)
    unit = parse_unit(value.unit)
    if unit.numerator_measure != numerator or unit.denominator is None:
        raise CalculationError(f"must be {_describe(numerator)} per activity unit, got {value.unit}", field=field)
    if value.value < 0:
        raise CalculationError(f"must not be negative, got {value}", field=field)
    return value


def _oxidation_fraction(line: LineInput) -> Decimal:
    if line.oxidation_rate is None:
        raise _missing(line, "oxidation_rate")
    try:
        fraction = convert(line.oxidation_rate, "1").value
    except UnitError as error:
        raise CalculationError(str(error), field="oxidation_rate") from error
    if not 0 < fraction <= 1:
        message = f"must be above 0 and at most 100 %, got {line.oxidation_rate}"
        raise CalculationError(message, field="oxidation_rate")
    return fraction


def _step(amount: Quantity, rate: Quantity, field: str) -> Quantity:
    try:
        return multiply(amount, rate)
    except UnitError as error:
        raise CalculationError(str(error), field=field) from error


def _require_co2(line: LineInput, why: str) -> None:
    if line.gas != "CO2":
        raise CalculationError(f"must be CO2: {why}, got {line.gas}", field="gas")


def _by_carbon_content(line: LineInput) -> Quantity:
    _require_co2(line, "the carbon-content method yields CO2 only")
    ncv = _parameter(line, "ncv", (Dimension.ENERGY, None))
    carbon_content = _parameter(line, "carbon_content", (Dimension.MASS, "C"))
    oxidised = _oxidation_fraction(line)
    energy = _step(line.activity, ncv, "ncv")
    return carbon_to_co2(_step(energy, carbon_content, "carbon_content"), oxidised)


def _by_emission_factor(line: LineInput) -> Quantity:
    factor = _parameter(line, "emission_factor", (Dimension.MASS, line.gas))
    return convert(_step(line.activity, factor, "emission_factor"), "t" + line.gas)


def _by_energy_factor(line: LineInput) -> Quantity:
    _require_co2(line, "purchased and exported electricity and heat are counted as CO2")
    if parse_unit(line.activity.unit).measure != ((Dimension.ENERGY, None), None):
        raise CalculationError(f"must be energy (MWh, kWh, GJ, TJ …), got {line.activity.unit}", field="activity")
    return _by_emission_factor(line)


def _by_mass_balance(line: LineInput) -> Quantity:
    """One material of a carbon mass balance: amount × carbon content × 44/12 (outputs carry the sign)."""
    _require_co2(line, "a carbon mass balance yields CO2 only")
    content = _parameter(line, "carbon_content", (Dimension.MASS, "C"))
    per = parse_unit(content.unit).denominator_measure
    if per not in ((Dimension.MASS, None), (Dimension.GAS_VOLUME, None)):
        message = f"must be carbon per tonne or per volume of the material (tC/t, tC/10^4Nm3), got {content.unit}"
        raise CalculationError(message, field="carbon_content")
    return carbon_to_co2(_step(line.activity, content, "carbon_content"), _ONE)


def _mass_of_gas(line: LineInput, why: str) -> Quantity:
    try:
        return convert(line.activity, "t" + line.gas)
    except UnitError:
        raise CalculationError(
            f"must be a mass of {line.gas} (t{line.gas}, kt{line.gas}) {why}, got {line.activity.unit}",
            field="activity",
        ) from None


def _by_transfer(line: LineInput) -> Quantity:
    _require_co2(line, "only CO2 is transferred between installations")
    if not line.counterparty.strip():
        raise CalculationError("must name the installation the CO2 goes to or comes from", field="counterparty")
    return _mass_of_gas(line, "transferred")


def _concentration(line: LineInput) -> Quantity:
    """Mass of the line's gas per gas volume; a bare mass (mg/Nm3) is read as mass of the line's gas."""
    value = line.concentration
    if value is None:
        raise _missing(line, "concentration")
    unit = parse_unit(value.unit)
    if unit.numerator_measure == (Dimension.MASS, None) and unit.denominator is not None:
        value = Quantity(value.value, f"{unit.numerator}{line.gas}/{unit.denominator}")
        unit = parse_unit(value.unit)
    if unit.numerator_measure != (Dimension.MASS, line.gas) or unit.denominator_measure != (Dimension.GAS_VOLUME, None):
        message = f"must be a mass of {line.gas} per flue-gas volume (mg/Nm3, g/Nm3), got {line.concentration.unit}"
        raise CalculationError(message, field="concentration")
    if value.value < 0:
        raise CalculationError(f"must not be negative, got {line.concentration}", field="concentration")
    return value


def _by_measurement(line: LineInput) -> Quantity:
    """Continuous measurement: operating hours × hourly mean flow × mean concentration."""
    if parse_unit(line.activity.unit).measure != ((Dimension.TIME, None), None):
        raise CalculationError(f"must be operating hours (h), got {line.activity.unit}", field="activity")
    flow = _parameter(line, "flow_rate", (Dimension.GAS_VOLUME, None))
    if parse_unit(flow.unit).denominator_measure != (Dimension.TIME, None):
        raise CalculationError(f"must be flue-gas volume per hour (10^3Nm3/h), got {flow.unit}", field="flow_rate")
    volume = _step(line.activity, flow, "flow_rate")
    return convert(_step(volume, _concentration(line), "concentration"), "t" + line.gas)


def _by_approved_figure(line: LineInput) -> Quantity:
    if not line.approval_reference.strip():
        raise CalculationError("must cite the regulator's approval of the method", field="approval_reference")
    return _mass_of_gas(line, "as approved")


_Choice = TypeVar("_Choice", Method, SourceKind)

_FORMULAS: Mapping[Method, Callable[[LineInput], Quantity]] = {
    Method.COMBUSTION_CARBON_CONTENT: _by_carbon_content,
    Method.EMISSION_FACTOR: _by_emission_factor,
    Method.PROCESS: _by_emission_factor,
    Method.PURCHASED_ELECTRICITY: _by_energy_factor,
    Method.PURCHASED_HEAT: _by_energy_factor,
    Method.EXPORTED_ELECTRICITY: _by_energy_factor,
    Method.EXPORTED_HEAT: _by_energy_factor,
    Method.MASS_BALANCE_INPUT: _by_mass_balance,
    Method.MASS_BALANCE_OUTPUT: _by_mass_balance,
    Method.CO2_TRANSFERRED_IN: _by_transfer,
    Method.CO2_TRANSFERRED_OUT: _by_transfer,
    Method.CONTINUOUS_MEASUREMENT: _by_measurement,
    Method.APPROVED_FIGURE: _by_approved_figure,
}
# Where a biomass share is meaningful: the carbon burnt or measured may be partly biogenic.
BIOMASS_METHODS = frozenset(
    {Method.COMBUSTION_CARBON_CONTENT, Method.EMISSION_FACTOR, Method.PROCESS, Method.CONTINUOUS_MEASUREMENT}
)


def _choice(enum: type[_Choice], value: object, field: str) -> _Choice:
    try:
        return enum(value)
    except ValueError:
        raise CalculationError(f"must be one of {', '.join(enum)}, got {value!r}", field=field) from None


def _check_activity(line: LineInput, method: Method) -> None:
    if not isinstance(line.activity, Quantity):
        raise _missing(line, "activity")
    if line.activity.value < 0 and method is not Method.APPROVED_FIGURE:
        message = f"must not be negative, got {line.activity} (exports have their own methods)"
        raise CalculationError(message, field="activity")


def _gas_mass_t(line: LineInput, method: Method) -> Decimal:
    """Unrounded tonnes of the line's gas, negative for exported energy."""
    _check_activity(line, method)
    gas_group(line.gas)
    return method.sign * _FORMULAS[method](line).value


def _biomass_share(line: LineInput, method: Method) -> Decimal | None:
    """The biomass fraction as a number in [0, 1], or None when the line states none."""
    if line.biomass_fraction is None:
        return None
    if method not in BIOMASS_METHODS:
        raise CalculationError(f"method {method} has no biomass share", field="biomass_fraction")
    if line.gas != "CO2":
        message = f"applies to CO2 only: {line.gas} from biomass is counted in full"
        raise CalculationError(message, field="biomass_fraction")
    try:
        share = convert(line.biomass_fraction, "1").value
    except UnitError as error:
        raise CalculationError(str(error), field="biomass_fraction") from error
    if not 0 <= share <= 1:
        raise CalculationError(f"must be 0 to 100 %, got {line.biomass_fraction}", field="biomass_fraction")
    return share


def calculate_line(line: LineInput, *, gwp_set: str) -> LineResult:
    """One line's gas mass and tCO2e, rounded as the module docstring says; biomass CO2 split off."""
    try:
        method = _choice(Method, line.method, "method")
        kind = _choice(SourceKind, line.source_kind, "source_kind")
        mass = _gas_mass_t(line, method)
        share = _biomass_share(line, method)
        factor = gwp(line.gas, gwp_set)
    except CalculationError as error:
        raise CalculationError(error.message, line_key=line.key, field=error.field) from error
    with localcontext(_CONTEXT):
        biomass = None if share is None else mass * share
        mass = mass if biomass is None else mass - biomass
        co2e = mass * factor
    return LineResult(
        key=line.key,
        source=line.source,
        source_kind=kind,
        stream=line.stream,
        method=method,
        gas=line.gas,
        scope=method.scope,
        gas_mass_t=round_line(mass),
        tco2e=round_line(co2e),
        biomass_co2_t=None if biomass is None else round_line(biomass),
        counterparty=line.counterparty.strip() if method in _TRANSFER_METHODS else "",
    )


_TRANSFER_METHODS = frozenset({Method.CO2_TRANSFERRED_IN, Method.CO2_TRANSFERRED_OUT})


# --- Results -----------------------------------------------------------------------------------


def _sum(values: Iterable[Decimal]) -> Decimal:
    with localcontext(_CONTEXT):
        return sum(values, _ZERO)


def _totals_by(
    lines: Iterable[LineResult], key: Callable[[LineResult], str], value: Callable[[LineResult], Decimal]
) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for line in lines:
        totals[key(line)] = _sum([totals.get(key(line), _ZERO), value(line)])
    return totals


@dataclass(frozen=True)
class EmissionResult:
    """Per-line results; every total is derived from the rounded lines, never stored apart."""

    gwp_set: str
    lines: tuple[LineResult, ...]

    @property
    def total_tco2e(self) -> Decimal:
        return _sum(line.tco2e for line in self.lines)

    @property
    def reported_tco2e(self) -> Decimal:
        return round_total(self.total_tco2e)

    @property
    def biomass_co2_t(self) -> Decimal | None:
        """Biomass CO2, reported beside the total and not in it; None when no line has a biomass share."""
        shares = [line.biomass_co2_t for line in self.lines if line.biomass_co2_t is not None]
        return _sum(shares) if shares else None

    @property
    def transferred_out_tco2(self) -> Decimal:
        """CO2 transferred out (deducted from the total), as a positive figure."""
        return -_sum(line.tco2e for line in self.lines if line.method is Method.CO2_TRANSFERRED_OUT)

    @property
    def transfers_by_counterparty(self) -> dict[str, Decimal]:
        """tCO2 per counterparty: negative where CO2 went out, positive where it came in."""
        transfers = [line for line in self.lines if line.counterparty]
        return _totals_by(transfers, lambda line: line.counterparty, lambda line: line.tco2e)

    @property
    def transferred_in_tco2(self) -> Decimal:
        return _sum(line.tco2e for line in self.lines if line.method is Method.CO2_TRANSFERRED_IN)

    @property
    def direct_tco2e(self) -> Decimal:
        return _sum(line.tco2e for line in self.lines if line.scope is Scope.DIRECT)

    @property
    def indirect_tco2e(self) -> Decimal:
        return _sum(line.tco2e for line in self.lines if line.scope is Scope.INDIRECT)

    @property
    def fixed_tco2e(self) -> Decimal:
        """Direct emissions of fixed sources; indirect lines are neither fixed nor mobile."""
        return self._direct_of(SourceKind.FIXED)

    @property
    def mobile_tco2e(self) -> Decimal:
        return self._direct_of(SourceKind.MOBILE)

    def _direct_of(self, kind: SourceKind) -> Decimal:
        return _sum(line.tco2e for line in self.lines if line.scope is Scope.DIRECT and line.source_kind is kind)

    @property
    def by_gas(self) -> dict[str, Decimal]:
        """tCO2e by Kyoto gas group, in the order CO2, CH4, N2O, HFCs, PFCs, SF6."""
        totals = _totals_by(self.lines, lambda line: line.gas_group, lambda line: line.tco2e)
        return {str(group): totals[group] for group in GasGroup if group in totals}

    @property
    def by_species_t(self) -> dict[str, Decimal]:
        """Tonnes of each gas species, as reports list them beside tCO2e."""
        return _totals_by(self.lines, lambda line: line.gas, lambda line: line.gas_mass_t)

    @property
    def by_source(self) -> dict[str, Decimal]:
        return _totals_by(self.lines, lambda line: line.source, lambda line: line.tco2e)

    @property
    def by_stream(self) -> dict[str, Decimal]:
        return _totals_by(self.lines, lambda line: line.stream, lambda line: line.tco2e)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: Decimals as strings so no digit is lost on the way to storage."""
        scalars = ("total_tco2e", "reported_tco2e", "direct_tco2e", "indirect_tco2e", "fixed_tco2e", "mobile_tco2e")
        groups = ("by_gas", "by_species_t", "by_source", "by_stream")
        totals = {name: str(getattr(self, name)) for name in scalars}
        totals |= {name: {k: str(v) for k, v in getattr(self, name).items()} for name in groups}
        if self.biomass_co2_t is not None:
            totals["biomass_co2_t"] = str(self.biomass_co2_t)
        return {"gwp_set": self.gwp_set, "lines": [line.as_dict() for line in self.lines], "totals": totals}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EmissionResult:
        """Totals are recomputed from the stored lines, so a stored total cannot drift from them."""
        return cls(gwp_set=data["gwp_set"], lines=tuple(LineResult.from_dict(line) for line in data["lines"]))


def _check_unique_keys(lines: Iterable[LineResult]) -> None:
    seen: set[str] = set()
    for line in lines:
        if line.key in seen:
            raise CalculationError("appears more than once in one calculation", line_key=line.key, field="key")
        seen.add(line.key)


def calculate(lines: Iterable[LineInput], *, gwp_set: str) -> EmissionResult:
    """Compute every line of a report; the first unusable line stops the calculation."""
    gwp_table(gwp_set)
    results = tuple(calculate_line(line, gwp_set=gwp_set) for line in lines)
    _check_unique_keys(results)
    return EmissionResult(gwp_set=gwp_set, lines=results)


_IDENTITY = ("source", "source_kind", "stream", "method", "gas", "scope", "counterparty")


def _add_biomass(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None and b is None else _sum([a or _ZERO, b or _ZERO])


def _merge(total: LineResult, part: LineResult) -> LineResult:
    for name in _IDENTITY:
        if getattr(total, name) != getattr(part, name):
            message = f"differs between periods: {getattr(total, name)} vs {getattr(part, name)}"
            raise CalculationError(message, line_key=total.key, field=name)
    return replace(
        total,
        gas_mass_t=_sum([total.gas_mass_t, part.gas_mass_t]),
        tco2e=_sum([total.tco2e, part.tco2e]),
        biomass_co2_t=_add_biomass(total.biomass_co2_t, part.biomass_co2_t),
    )


def sum_results(results: Iterable[EmissionResult]) -> EmissionResult:
    """Combine periods (four quarters into a year) line by line, by key.

    Sums rounded lines without re-rounding, so the annual figure equals the sum of the quarterly
    figures a firm already reported; it can differ from a recomputation on annual activity data by at
    most half a LINE_QUANTUM per line and period.
    """
    parts = tuple(results)
    if not parts:
        raise CalculationError("there are no results to combine")
    gwp_sets = sorted({part.gwp_set for part in parts})
    if len(gwp_sets) > 1:
        raise CalculationError(f"cannot combine results of different GWP sets: {', '.join(gwp_sets)}", field="gwp_set")
    merged: dict[str, LineResult] = {}
    for line in chain.from_iterable(part.lines for part in parts):
        merged[line.key] = _merge(merged[line.key], line) if line.key in merged else line
    return EmissionResult(gwp_set=gwp_sets[0], lines=tuple(merged.values()))


# --- Default fuel parameters -------------------------------------------------------------------


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

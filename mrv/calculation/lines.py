"""One line of a report: its method, inputs and the emissions computed from them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from decimal import (
    Decimal,
    localcontext,
)
from enum import StrEnum
from typing import Any, TypeVar

from mrv.calculation.quantities import (
    _CONTEXT,
    _ONE,
    CalculationError,
    Dimension,
    GasGroup,
    Measure,
    Quantity,
    UnitError,
    _describe,
    carbon_to_co2,
    convert,
    gas_group,
    gwp,
    multiply,
    parse_unit,
    round_line,
)


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


def negative_activity_allowed(method) -> bool:
    """Only a regulator-approved figure may be negative (a process that consumes CO2); every other
    method's activity is an amount used or produced."""
    return method == Method.APPROVED_FIGURE


def _check_activity(line: LineInput, method: Method) -> None:
    if not isinstance(line.activity, Quantity):
        raise _missing(line, "activity")
    if line.activity.value < 0 and not negative_activity_allowed(method):
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

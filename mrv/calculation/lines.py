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

    @property
    def scope(self) -> Scope:
        return Scope.INDIRECT if self in _ENERGY_METHODS else Scope.DIRECT

    @property
    def sign(self) -> int:
        return -1 if self in _EXPORT_METHODS else 1


_EXPORT_METHODS = frozenset({Method.EXPORTED_ELECTRICITY, Method.EXPORTED_HEAT})
_ENERGY_METHODS = _EXPORT_METHODS | {Method.PURCHASED_ELECTRICITY, Method.PURCHASED_HEAT}


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

    @property
    def gas_group(self) -> GasGroup:
        return gas_group(self.gas)

    def as_dict(self) -> dict[str, str]:
        values = {field.name: getattr(self, field.name) for field in fields(self)} | {"gas_group": self.gas_group}
        return {name: str(value) for name, value in values.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, str]) -> LineResult:
        return cls(**{field.name: _PARSERS.get(field.name, str)(data[field.name]) for field in fields(cls)})


_PARSERS: Mapping[str, Callable[[str], Any]] = {
    "source_kind": SourceKind,
    "method": Method,
    "scope": Scope,
    "gas_mass_t": Decimal,
    "tco2e": Decimal,
}


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


_Choice = TypeVar("_Choice", Method, SourceKind)

_FORMULAS: Mapping[Method, Callable[[LineInput], Quantity]] = {
    Method.COMBUSTION_CARBON_CONTENT: _by_carbon_content,
    Method.EMISSION_FACTOR: _by_emission_factor,
    Method.PROCESS: _by_emission_factor,
    Method.PURCHASED_ELECTRICITY: _by_energy_factor,
    Method.PURCHASED_HEAT: _by_energy_factor,
    Method.EXPORTED_ELECTRICITY: _by_energy_factor,
    Method.EXPORTED_HEAT: _by_energy_factor,
}


def _choice(enum: type[_Choice], value: object, field: str) -> _Choice:
    try:
        return enum(value)
    except ValueError:
        raise CalculationError(f"must be one of {', '.join(enum)}, got {value!r}", field=field) from None


def _check_activity(line: LineInput) -> None:
    if not isinstance(line.activity, Quantity):
        raise _missing(line, "activity")
    if line.activity.value < 0:
        message = f"must not be negative, got {line.activity} (exports have their own methods)"
        raise CalculationError(message, field="activity")


def _gas_mass_t(line: LineInput, method: Method) -> Decimal:
    """Unrounded tonnes of the line's gas, negative for exported energy."""
    _check_activity(line)
    gas_group(line.gas)
    return method.sign * _FORMULAS[method](line).value


def calculate_line(line: LineInput, *, gwp_set: str) -> LineResult:
    """One line's gas mass and tCO2e, rounded as the module docstring says."""
    try:
        method = _choice(Method, line.method, "method")
        kind = _choice(SourceKind, line.source_kind, "source_kind")
        mass = _gas_mass_t(line, method)
        factor = gwp(line.gas, gwp_set)
    except CalculationError as error:
        raise CalculationError(error.message, line_key=line.key, field=error.field) from error
    with localcontext(_CONTEXT):
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
    )

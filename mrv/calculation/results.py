"""A report's result: its lines summed by gas, scope and source, and results summed across reports."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import (
    Decimal,
    localcontext,
)
from itertools import chain
from typing import Any

from mrv.calculation.lines import LineInput, LineResult, Scope, SourceKind, calculate_line
from mrv.calculation.quantities import _CONTEXT, _ZERO, CalculationError, GasGroup, gwp_table, round_total


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


_IDENTITY = ("source", "source_kind", "stream", "method", "gas", "scope")


def _merge(total: LineResult, part: LineResult) -> LineResult:
    for name in _IDENTITY:
        if getattr(total, name) != getattr(part, name):
            message = f"differs between periods: {getattr(total, name)} vs {getattr(part, name)}"
            raise CalculationError(message, line_key=total.key, field=name)
    return replace(total, gas_mass_t=_sum([total.gas_mass_t, part.gas_mass_t]), tco2e=_sum([total.tco2e, part.tco2e]))


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

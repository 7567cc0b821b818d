"""Allocation methods as pure functions of Decimal inputs, one per method of the markets' rule packs.

Every function returns an `Allocation`: the whole tonnes (rounded down, so that rounding never
allocates more than the formula gives), the inputs used and the formula in words, which the
allocation table shows on each line. Sources: the paper's section 2.1 and table 8.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from mrv.refusals import Refused

ONE = Decimal(1)


class AllocationInputError(Refused, ValueError):
    """An input the method needs is missing or impossible."""

    default_code = "allocation_input"


@dataclass(frozen=True)
class Allocation:
    tco2e: Decimal
    formula: str
    inputs: dict = field(default_factory=dict)


def whole_tonnes(value: Decimal) -> Decimal:
    return value.quantize(ONE, rounding=ROUND_DOWN) if value > 0 else Decimal(0)


def _need(**values) -> None:
    missing = [str(INPUT_LABELS.get(name, name)) for name, value in values.items() if value is None]
    if missing:
        raise AllocationInputError(_("Missing input: %(names)s.") % {"names": "; ".join(missing)})


def _plain(inputs: dict) -> dict:
    return {
        k: (str(v) if isinstance(v, Decimal) else [str(x) for x in v] if isinstance(v, list | tuple) else v)
        for k, v in inputs.items()
    }


def _result(value: Decimal, formula: str, **inputs) -> Allocation:
    return Allocation(whole_tonnes(value), formula, _plain(inputs))


def grandfathering(history_tco2e: Sequence[Decimal], decline_factor: Decimal | None = None) -> Allocation:
    """Historical emissions: the average of the base years × an optional decline factor."""
    if not history_tco2e:
        raise AllocationInputError(_("Grandfathering needs historical emissions."))
    factor = decline_factor if decline_factor is not None else ONE
    average = sum(history_tco2e, Decimal(0)) / len(history_tco2e)
    return _result(
        average * factor,
        gettext_noop("mean(historical emissions) × decline factor"),
        history_tco2e=list(history_tco2e),
        decline_factor=factor,
    )


def historical_intensity(
    history_tco2e: Sequence[Decimal],
    history_output: Sequence[Decimal],
    decline_factor: Decimal | None,
    output: Decimal | None,
) -> Allocation:
    """Historical emissions per unit of output (pooled over the base years) × decline factor × current output."""
    _need(output=output)
    if not history_tco2e or len(history_tco2e) != len(history_output) or not sum(history_output, Decimal(0)):
        raise AllocationInputError(_("Historical intensity needs emissions and output for the same base years."))
    factor = decline_factor if decline_factor is not None else ONE
    intensity = sum(history_tco2e, Decimal(0)) / sum(history_output, Decimal(0))
    return _result(
        intensity * factor * output,
        gettext_noop("Σ historical emissions / Σ historical output × decline factor × output"),
        history_tco2e=list(history_tco2e),
        history_output=list(history_output),
        intensity=intensity.quantize(Decimal("0.000001")),
        decline_factor=factor,
        output=output,
    )


def own_reduction_rate(intensities: Sequence[Decimal]) -> Decimal:
    """The firm's own yearly intensity reduction: the mean of its year-on-year declines, never below zero.

    A firm whose intensity rose has no reduction to keep (rate 0), rather than a licence to grow.
    """
    declines = [(a - b) / a for a, b in zip(intensities, intensities[1:], strict=False) if a > 0]
    if not declines:
        return Decimal(0)
    return max(Decimal(0), sum(declines, Decimal(0)) / len(declines))


def three_year_average_intensity(
    history_tco2e: Sequence[Decimal],
    history_output: Sequence[Decimal],
    decline_factor: Decimal | None,
    output: Decimal | None,
    peer_benchmark: Decimal | None = None,
) -> Allocation:
    """Beijing, Shenzhen, Tianjin: mean of the last three yearly intensities × factor × output.

    The sector's decline factor applies to a firm above its peers (the paper: their target "may be lowered
    gradually"). A firm whose baseline is already at or below the peers' benchmark "keeps its reduction rate":
    its factor is 1 − its own mean yearly intensity decline over the three base years.
    """
    _need(output=output)
    if len(history_tco2e) != 3 or len(history_output) != 3 or any(o <= 0 for o in history_output):
        raise AllocationInputError(_("The three-year baseline needs emissions and output of three years."))
    intensities = [e / o for e, o in zip(history_tco2e, history_output, strict=True)]
    baseline = sum(intensities, Decimal(0)) / 3
    below_peers = peer_benchmark is not None and baseline <= peer_benchmark
    own_rate = own_reduction_rate(intensities)
    if below_peers:
        factor = ONE - own_rate
    else:
        factor = decline_factor if decline_factor is not None else ONE
    return _result(
        baseline * factor * output,
        gettext_noop("mean(three yearly intensities) × decline factor × output"),
        history_tco2e=list(history_tco2e),
        history_output=list(history_output),
        baseline_intensity=baseline.quantize(Decimal("0.000001")),
        below_peers=below_peers,
        own_reduction_rate=own_rate.quantize(Decimal("0.000001")),
        decline_factor=factor.quantize(Decimal("0.000001")),
        output=output,
    )


def benchmark(output: Decimal | None, sector_benchmark: Decimal | None) -> Allocation:
    """Output × sector benchmark (Fujian; Guangdong's existing firms)."""
    _need(output=output, benchmark=sector_benchmark)
    return _result(
        output * sector_benchmark, gettext_noop("output × benchmark"), output=output, benchmark=sector_benchmark
    )


def benchmark_new_project(design_capacity: Decimal | None, sector_benchmark: Decimal | None) -> Allocation:
    """Guangdong's new projects: design capacity × benchmark."""
    _need(design_capacity=design_capacity, benchmark=sector_benchmark)
    return _result(
        design_capacity * sector_benchmark,
        gettext_noop("design capacity × benchmark"),
        design_capacity=design_capacity,
        benchmark=sector_benchmark,
    )


def benchmark_market_adjusted(
    output: Decimal | None, sector_benchmark: Decimal | None, adjustment_factor: Decimal | None
) -> Allocation:
    """Hubei: output × sector benchmark × market adjustment factor."""
    _need(output=output, benchmark=sector_benchmark, adjustment_factor=adjustment_factor)
    return _result(
        output * sector_benchmark * adjustment_factor,
        gettext_noop("output × benchmark × market adjustment factor"),
        output=output,
        benchmark=sector_benchmark,
        adjustment_factor=adjustment_factor,
    )


def shanghai_power(
    supply_mwh: Decimal | None, sector_benchmark: Decimal | None, correction_factor: Decimal | None
) -> Allocation:
    """Unit comprehensive power-supply emission benchmark × annual comprehensive supply × correction factor."""
    _need(supply=supply_mwh, benchmark=sector_benchmark, correction_factor=correction_factor)
    return _result(
        sector_benchmark * supply_mwh * correction_factor,
        gettext_noop("supply emission benchmark × annual comprehensive supply × correction factor"),
        benchmark=sector_benchmark,
        supply=supply_mwh,
        correction_factor=correction_factor,
    )


def shanghai_grid(
    supply_mwh: Decimal | None, line_loss_benchmark: Decimal | None, emission_factor: Decimal | None
) -> Allocation:
    """Line-loss-rate benchmark × annual supply × grid emission factor."""
    _need(supply=supply_mwh, line_loss_benchmark=line_loss_benchmark, emission_factor=emission_factor)
    return _result(
        line_loss_benchmark * supply_mwh * emission_factor,
        gettext_noop("line-loss benchmark × annual supply × emission factor"),
        line_loss_benchmark=line_loss_benchmark,
        supply=supply_mwh,
        emission_factor=emission_factor,
    )


def shanghai_heat(heat_supply_gj: Decimal | None, sector_benchmark: Decimal | None) -> Allocation:
    """Unit heat-supply emission benchmark × annual heat supply."""
    _need(heat_supply=heat_supply_gj, benchmark=sector_benchmark)
    return _result(
        sector_benchmark * heat_supply_gj,
        gettext_noop("heat-supply benchmark × annual heat supply"),
        benchmark=sector_benchmark,
        heat_supply=heat_supply_gj,
    )


def self_declaration(declared_tco2e: Decimal | None, verified_history_tco2e: Sequence[Decimal]) -> Allocation:
    """Chongqing: the firm's declaration, but never above the mean of its verified emissions."""
    _need(declared=declared_tco2e)
    if not verified_history_tco2e:
        raise AllocationInputError(_("A self-declaration is checked against verified emissions; there are none."))
    ceiling = sum(verified_history_tco2e, Decimal(0)) / len(verified_history_tco2e)
    capped = declared_tco2e > ceiling
    return _result(
        min(declared_tco2e, ceiling),
        gettext_noop("min(declared, mean(verified history))"),
        declared=declared_tco2e,
        verified_history_tco2e=list(verified_history_tco2e),
        verified_mean=ceiling.quantize(Decimal("0.01")),
        capped_by_history=capped,
    )


# The inputs a line shows, with their units, in the reader's language (lines store the English keys).
INPUT_LABELS = {
    "history_tco2e": gettext_lazy("historical emissions (tCO2e)"),
    "history_output": gettext_lazy("historical output"),
    "intensity": gettext_lazy("historical intensity (tCO2e per unit of output)"),
    "baseline_intensity": gettext_lazy("three-year baseline intensity (tCO2e per unit of output)"),
    "decline_factor": gettext_lazy("decline factor"),
    "below_peers": gettext_lazy("already below its peers (keeps its own rate)"),
    "own_reduction_rate": gettext_lazy("own yearly intensity reduction over the base years"),
    "output": gettext_lazy("output"),
    "benchmark": gettext_lazy("benchmark (tCO2e per unit of output)"),
    "design_capacity": gettext_lazy("design capacity (output units a year)"),
    "adjustment_factor": gettext_lazy("market adjustment factor"),
    "correction_factor": gettext_lazy("comprehensive correction factor"),
    "supply": gettext_lazy("annual comprehensive supply (MWh)"),
    "line_loss_benchmark": gettext_lazy("line-loss-rate benchmark"),
    "emission_factor": gettext_lazy("grid emission factor (tCO2e/MWh)"),
    "heat_supply": gettext_lazy("annual heat supply (GJ)"),
    "declared": gettext_lazy("self-declared emissions (tCO2e)"),
    "verified_history_tco2e": gettext_lazy("verified emissions of past years (tCO2e)"),
    "verified_mean": gettext_lazy("mean of verified emissions (tCO2e)"),
    "capped_by_history": gettext_lazy("declaration capped by the verified history"),
}


def _number(value) -> str:
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    text = f"{number:,.6f}".rstrip("0").rstrip(".")
    return text or "0"


def readable_inputs(inputs: dict) -> list[tuple[str, str]]:
    """A line's inputs as (label with unit, value) in the reader's language: lists joined, yes/no for flags."""
    rows = []
    for key, value in inputs.items():
        if isinstance(value, bool):
            text = _("yes") if value else _("no")
        elif isinstance(value, list):
            text = " · ".join(_number(v) for v in value)
        else:
            text = _number(value)
        rows.append((str(INPUT_LABELS.get(key, key.replace("_", " "))), text))
    return rows


def split_free_and_auction(amount_tco2e: Decimal, free_pct: Decimal) -> tuple[Decimal, Decimal]:
    """The free share (rounded down) and the rest, sold by auction or at a fixed price."""
    free = (amount_tco2e * free_pct / 100).quantize(ONE, rounding=ROUND_DOWN)
    return free, amount_tco2e - free


@dataclass(frozen=True)
class FirmData:
    """What the registry knows about one firm for one allocation year."""

    output: Decimal | None
    design_capacity: Decimal | None
    is_new_entrant: bool
    declared_tco2e: Decimal | None
    history_tco2e: Sequence[Decimal]
    history_output: Sequence[Decimal]


def compute(method: str, sector, data: FirmData) -> Allocation:
    """Dispatch on a `MarketSector.AllocationMethod` value with the sector's parameters."""
    bm, decline, adjust = sector.benchmark, sector.decline_factor, sector.adjustment_factor
    if method == "grandfathering":
        return grandfathering(data.history_tco2e, decline)
    if method == "historical_intensity":
        return historical_intensity(data.history_tco2e, data.history_output, decline, data.output)
    if method == "three_year_average_intensity":
        return three_year_average_intensity(data.history_tco2e[-3:], data.history_output[-3:], decline, data.output, bm)
    if method == "benchmark":
        if data.is_new_entrant:
            return benchmark_new_project(data.design_capacity, bm)
        return benchmark(data.output, bm)
    if method == "benchmark_market_adjusted":
        return benchmark_market_adjusted(data.output, bm, adjust)
    if method == "shanghai_power":
        return shanghai_power(data.output, bm, adjust)
    if method == "shanghai_grid":
        return shanghai_grid(data.output, bm, adjust)
    if method == "shanghai_heat":
        return shanghai_heat(data.output, bm)
    if method == "self_declaration":
        return self_declaration(data.declared_tco2e, data.history_tco2e)
    raise AllocationInputError(_("Unknown allocation method: %(m)s.") % {"m": method})

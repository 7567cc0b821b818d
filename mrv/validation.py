"""Two-level validation of an emission report draft against the monitoring plan in force.

Errors block submission: no approved plan in force, a source stream not in the plan, a month
missing, a negative value, a required parameter missing, a unit that does not match the plan (a
convertible unit is fine: 1 kt is 1000 t), or a line the engine cannot compute.

Warnings do not block, but the firm must acknowledge each one with a reason before it submits:
- the total differs from the previous year by more than CHANGE_THRESHOLD_PCT (the previous year's
  determined emissions, else its latest verified figure, else the firm's recorded figure for that year);
- an emission factor (given, or implied by NCV × CC × OF × 44/12) lies outside
  `calculation.plausible_range` of the stream's fuel (one warning per stream and field, naming the months:
  a systematic error is explained once, not twelve times);
- the intensity (reported tCO2e per unit of product output) is more than PEER_THRESHOLD_PCT away
  from the median of the sector's peers (same market, sector and year, submitted, same output unit,
  at least PEER_MIN_COUNT of them). The median, not the mean and standard deviation, because a
  sector of a pilot market often has a handful of firms and one outlier would move the mean.

The emissions are calculated once the rows have no errors (missing output data does not stop
the calculation); warnings are computed once every error is fixed, as they need the total.
Every message names the source stream, the month and the field; its `key` identifies it for the
acknowledgement, so an acknowledgement survives a correction of the value but not a new stream.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from mrv import calculation
from mrv import validation_methods as method_checks
from mrv.calculation import CalculationError, LineInput, Method, Quantity, UnitError

CHANGE_THRESHOLD_PCT = Decimal("20")
PEER_THRESHOLD_PCT = Decimal("50")
PEER_MIN_COUNT = 3
ALL_STREAMS = "*"

# Errors
NO_PLAN_IN_FORCE = _("No approved monitoring plan is in force on %(date)s; the report is checked against it.")
STREAM_NOT_IN_PLAN = _(
    "Source stream %(stream)s, month %(month)s: the stream is not in the approved monitoring plan (version %(version)s)."
)
MONTH_MISSING = _("Source stream %(stream)s, month %(month)s, activity: the month has no data.")
NEGATIVE_VALUE = _("Source stream %(stream)s, month %(month)s, %(field)s: must not be negative, got %(value)s.")
PARAMETER_MISSING = _(
    "Source stream %(stream)s, month %(month)s, %(field)s: the plan requires it (%(source)s), but it is missing."
)
UNIT_MISMATCH = _(
    "Source stream %(stream)s, month %(month)s, %(field)s: unit “%(unit)s” does not match the plan's unit “%(plan_unit)s”."
)
NO_GRID_FACTOR = _(
    "Source stream %(stream)s, month %(month)s, emission_factor: no grid or heat factor is set for %(market)s in %(year)s."
)
CALCULATION_FAILED = _("Source stream %(stream)s, month %(month)s, %(field)s: %(detail)s")
OUTPUT_MISSING = _(
    "Source stream *, month *, output: the allocation method of your sector (%(method)s) needs the product output."
)
# Warnings
CHANGE_VS_PREVIOUS_YEAR = _(
    "Source stream *, month *, total: %(total)s tCO2e is %(change)s %% against %(previous)s tCO2e in %(year)s "
    "(more than ±%(threshold)s %%)."
)
EF_OUTSIDE_RANGE = _(
    "Source stream %(stream)s, month %(month)s, %(field)s: the emission factor %(value)s %(unit)s is outside the "
    "plausible range %(low)s–%(high)s for %(fuel)s."
)
EF_OUTSIDE_RANGE_MONTHS = _(
    "Source stream %(stream)s, months %(months)s, %(field)s: the emission factor (%(value)s %(unit)s) is outside the "
    "plausible range %(low)s–%(high)s for %(fuel)s in each of these months: one cause, explained once."
)
INTENSITY_FAR_FROM_PEERS = _(
    "Source stream *, month *, intensity: %(intensity)s tCO2e/%(unit)s is %(deviation)s %% from the median "
    "%(median)s of %(peers)s sector peers (more than ±%(threshold)s %%)."
)

REQUIRED_PARAMETERS = {
    Method.COMBUSTION_CARBON_CONTENT: ("ncv", "carbon_content", "oxidation_rate"),
    Method.EMISSION_FACTOR: ("emission_factor",),
    Method.PROCESS: ("emission_factor",),
    Method.MASS_BALANCE_INPUT: ("carbon_content",),
    Method.MASS_BALANCE_OUTPUT: ("carbon_content",),
    Method.CO2_TRANSFERRED_IN: (),
    Method.CO2_TRANSFERRED_OUT: (),
    Method.CONTINUOUS_MEASUREMENT: ("flow_rate", "concentration"),
    Method.APPROVED_FIGURE: (),
}
# Used when the plan names them: a stream without a biomass fraction has no biomass share.
OPTIONAL_PARAMETERS = {method: ("biomass_fraction",) for method in calculation.BIOMASS_METHODS}
ENERGY_METHODS = {
    Method.PURCHASED_ELECTRICITY: "electricity",
    Method.EXPORTED_ELECTRICITY: "electricity",
    Method.PURCHASED_HEAT: "heat",
    Method.EXPORTED_HEAT: "heat",
}
OUTPUT_NOT_NEEDED = frozenset({"grandfathering", "self_declaration"})


@dataclass(frozen=True)
class Message:
    level: str  # "error" or "warning"
    code: str
    stream: str
    month: int | None
    field: str
    text: str

    @property
    def key(self) -> str:
        return f"{self.code}|{self.stream}|{self.month or '*'}|{self.field}"

    def as_dict(self) -> dict:
        return {
            "level": self.level,
            "code": self.code,
            "stream": self.stream,
            "month": self.month,
            "field": self.field,
            "text": self.text,
            "key": self.key,
        }


@dataclass
class ValidationResult:
    errors: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    plan: object = None
    result: calculation.EmissionResult | None = None
    lines: list[LineInput] = field(default_factory=list)
    # Calculations kept beside a continuous measurement: compared with it, never counted.
    cross_check_lines: list[LineInput] = field(default_factory=list)
    cross_check_result: calculation.EmissionResult | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def cross_checks(self) -> list:
        """Each continuously measured source against the calculation kept beside it."""
        if self.result is None or self.cross_check_result is None:
            return []
        return method_checks.cross_check(self.result, self.cross_check_result)

    def error(
        self, code: str, template, *, stream: str = ALL_STREAMS, month: int | None = None, field: str = "", **values
    ) -> None:
        text = str(template) % {"stream": stream, "month": month or "*", "field": field, **values}
        self.errors.append(Message("error", code, stream, month, field, text))

    def warn(
        self, code: str, template, *, stream: str = ALL_STREAMS, month: int | None = None, field: str = "", **values
    ) -> None:
        text = str(template) % {"stream": stream, "month": month or "*", "field": field, **values}
        self.warnings.append(Message("warning", code, stream, month, field, text))


def plain(value: Decimal | None) -> str:
    """A Decimal without exponent or trailing zeros, for messages and snapshots."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _same_kind(unit: str, plan_unit: str) -> bool:
    try:
        calculation.convert(Quantity(Decimal(1), unit), plan_unit)
    except UnitError:
        return False
    return True


@dataclass
class _Context:
    """What one validation pass reads once: the report, its plan, and (when first needed) the market's grid
    factor and rule pack, so a report of many lines costs the same few queries as one of a single line."""

    report: object
    plan: object
    given_grid_factor: object
    out: ValidationResult

    @functools.cached_property
    def grid_factor(self):
        """Read only for a report with an energy line (most reports have none)."""
        if self.given_grid_factor is not None:
            return self.given_grid_factor
        from mrv.models import GridFactor

        return GridFactor.for_year(self.report.market, self.report.year)

    @functools.cached_property
    def pack(self):
        """The market's rule pack for the report's year (`Market.rule_pack_for`), read once per validation."""
        return self.report.market.rule_pack_for(self.report.year)


def _quantity(
    ctx: _Context,
    stream,
    month: int,
    name: str,
    value: Decimal | None,
    unit: str,
    plan_unit: str,
    source_label: str,
    *,
    may_be_negative: bool = False,
) -> Quantity | None:
    """A checked quantity, or None after recording why it is unusable."""
    if value is None:
        ctx.out.error(
            "parameter_missing", PARAMETER_MISSING, stream=stream.code, month=month, field=name, source=source_label
        )
        return None
    if value < 0 and not may_be_negative:
        ctx.out.error("negative_value", NEGATIVE_VALUE, stream=stream.code, month=month, field=name, value=plain(value))
        return None
    unit = unit or plan_unit
    if not _same_kind(unit, plan_unit):
        ctx.out.error(
            "unit_mismatch", UNIT_MISMATCH, stream=stream.code, month=month, field=name, unit=unit, plan_unit=plan_unit
        )
        return None
    return Quantity(Decimal(plain(value)), unit)  # as entered: 120, not the column's 120.0000000000


def _parameter(ctx: _Context, stream, row, name: str) -> Quantity | None:
    spec = next((p for p in stream.parameters.all() if p.name == name), None)
    value, unit = getattr(row, name), getattr(row, f"{name}_unit")
    if spec is None:
        return _quantity(ctx, stream, row.month, name, value, unit, unit or "1", "—")
    if value is None and spec.source == "default":
        value, unit = spec.default_value, spec.unit
    return _quantity(ctx, stream, row.month, name, value, unit, spec.unit, spec.get_source_display())


def _energy_factor(ctx: _Context, stream, month: int) -> Quantity | None:
    kind = ENERGY_METHODS[stream.method_enum]
    factor = ctx.grid_factor
    if factor is None:
        ctx.out.error(
            "no_grid_factor",
            NO_GRID_FACTOR,
            stream=stream.code,
            month=month,
            field="emission_factor",
            market=ctx.report.market,
            year=ctx.report.year,
        )
        return None
    if kind == "electricity":
        return Quantity(factor.electricity_tco2_per_mwh, "tCO2/MWh")
    return Quantity(factor.heat_tco2_per_gj, "tCO2/GJ")


def _line(ctx: _Context, stream, row) -> LineInput | None:
    errors_before = len(ctx.out.errors)
    method = stream.method_enum
    activity = _quantity(
        ctx,
        stream,
        row.month,
        "activity",
        row.activity,
        row.activity_unit,
        stream.activity_unit,
        "",
        may_be_negative=method is Method.APPROVED_FIGURE,  # a process that binds CO2
    )
    if method in ENERGY_METHODS:
        params = {"emission_factor": _energy_factor(ctx, stream, row.month)}
    else:
        named = {p.name for p in stream.parameters.all()}
        optional = [name for name in OPTIONAL_PARAMETERS.get(method, ()) if name in named]
        params = {name: _parameter(ctx, stream, row, name) for name in (*REQUIRED_PARAMETERS[method], *optional)}
    if len(ctx.out.errors) > errors_before:
        return None
    return LineInput(
        counterparty=stream.counterparty,
        approval_reference=stream.approval_reference,
        key=f"{stream.code}:{row.month:02d}",
        source=stream.source.code,
        source_kind=stream.source.kind,
        stream=stream.code,
        method=method,
        gas=stream.gas,
        activity=activity,
        **params,
    )


def check_rows(ctx: _Context, rows) -> list[LineInput]:
    """Structural errors of every row and month; the engine's input lines where the row is usable."""
    streams = {s.code: s for s in ctx.plan.streams.all()}
    by_key = {(r.stream_code, r.month): r for r in rows}
    for row in rows:
        if row.stream_code not in streams:
            ctx.out.error(
                "stream_not_in_plan",
                STREAM_NOT_IN_PLAN,
                stream=row.stream_code,
                month=row.month,
                field="stream",
                version=ctx.plan.version,
            )
    lines = []
    for stream in streams.values():
        for month in ctx.report.months:
            row = by_key.get((stream.code, month))
            if row is None:
                ctx.out.error("month_missing", MONTH_MISSING, stream=stream.code, month=month, field="activity")
                continue
            line = _line(ctx, stream, row)
            if line is None:
                continue
            (ctx.out.cross_check_lines if stream.corroborates_measurement else lines).append(line)
    return lines


def _split_key(line_key: str | None) -> tuple[str, int | None]:
    stream, _sep, month = (line_key or "").rpartition(":")
    return (stream, int(month)) if month.isdigit() else (line_key or ALL_STREAMS, None)


def _calculate(ctx: _Context, lines: list[LineInput]) -> None:
    try:
        ctx.out.result = calculation.calculate(lines, gwp_set=ctx.pack.gwp_set)
    except CalculationError as error:
        stream, month = _split_key(error.line_key)
        ctx.out.error(
            "calculation_failed",
            CALCULATION_FAILED,
            stream=stream,
            month=month,
            field=error.field or "",
            detail=error.message,
        )


def _check_output(ctx: _Context, outputs) -> None:
    report = ctx.report
    if report.period != "annual":
        return
    sector = next((s for s in ctx.pack.sectors.all() if s.sector_id == report.firm.sector_id), None)
    method = sector.allocation_method if sector else "grandfathering"
    if method not in OUTPUT_NOT_NEEDED and not any(o.kind == "product" for o in outputs):
        ctx.out.error("output_missing", OUTPUT_MISSING, field="output", method=sector.get_allocation_method_display())


def validate_report(report, *, plan=None, grid_factor=None, rows=None, outputs=None) -> ValidationResult:
    """Check a report's current data (or the given rows) against the plan in force for its period."""
    from mrv.selectors.plans import plan_in_force

    out = ValidationResult()
    plan = plan or plan_in_force(report.firm, report.period_end)
    if plan is None:
        out.error("no_plan_in_force", NO_PLAN_IN_FORCE, field="plan", date=report.period_end.isoformat())
        return out
    out.plan = plan
    ctx = _Context(report, plan, grid_factor, out)
    rows = list(report.activity_rows.all()) if rows is None else rows
    outputs = list(report.output_rows.all()) if outputs is None else outputs
    out.lines = check_rows(ctx, rows)
    if out.ok:
        _calculate(ctx, out.lines)
    _check_output(ctx, outputs)
    method_checks.check_methods(ctx)
    if out.ok:
        method_checks.warn_methods(ctx)
        _warn_implausible_factors(ctx)
        _warn_change_vs_previous_year(ctx)
        _warn_intensity_vs_peers(ctx, outputs)
    return out


# --- Warnings ----------------------------------------------------------------------------------


def implied_emission_factor(line: LineInput) -> Quantity | None:
    """tCO2 per activity unit: the given EF, or NCV × CC × OF × 44/12 of one activity unit."""
    if line.method in (Method.EMISSION_FACTOR, Method.PROCESS):
        return line.emission_factor
    if line.method is Method.COMBUSTION_CARBON_CONTENT:
        oxidised = calculation.convert(line.oxidation_rate, "1").value
        one = Quantity(Decimal(1), line.activity.unit)
        mass = calculation.co2_from_carbon(one, line.ncv, line.carbon_content, oxidised)
        return Quantity(mass.value, f"tCO2/{line.activity.unit}")
    return None


def _month_list(months: list[int]) -> str:
    """1, 2, 3, 5 → “1–3, 5”."""
    runs: list[list[int]] = []
    for m in sorted(months):
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def _warn_implausible_factors(ctx: _Context) -> None:
    """One warning per source stream and field: a factor wrong in many months has one cause (e.g. a wrong NCV)."""
    streams = {s.code: s for s in ctx.plan.streams.all()}
    outside: dict[tuple[str, str], list[tuple[int | None, Decimal]]] = {}
    for line in ctx.out.lines:
        stream = streams[line.stream]
        if not stream.fuel_code or line.gas != "CO2":
            continue
        factor = implied_emission_factor(line)
        if factor is None or calculation.is_plausible(stream.fuel_code, factor):
            continue
        low, _high = calculation.plausible_range(stream.fuel_code)
        shown = calculation.convert(factor, low.unit).value.quantize(calculation.EF_QUANTUM)
        field_name = "emission_factor" if line.emission_factor is not None else "ncv"
        outside.setdefault((line.stream, field_name), []).append((_split_key(line.key)[1], shown))
    for (code, field_name), found in outside.items():
        fuel_code = streams[code].fuel_code
        low, high = calculation.plausible_range(fuel_code)
        values = sorted({value for _month, value in found})
        shown = plain(values[0]) if len(values) == 1 else f"{plain(values[0])}–{plain(values[-1])}"
        common = {
            "stream": code,
            "field": field_name,
            "value": shown,
            "unit": low.unit,
            "low": plain(low.value),
            "high": plain(high.value),
            "fuel": calculation.FUELS[fuel_code].name_en,
        }
        if len(found) == 1:
            ctx.out.warn("ef_outside_range", EF_OUTSIDE_RANGE, month=found[0][0], **common)
        else:
            months = _month_list([m for m, _value in found if m is not None])
            ctx.out.warn("ef_outside_range", EF_OUTSIDE_RANGE_MONTHS, months=months, **common)


def previous_year_emissions(report) -> tuple[Decimal | None, int]:
    """The previous year's determined emissions, else its latest verified figure (verified but not yet
    determined), else the firm's recorded figure for that year."""
    from mrv.models import EmissionReport, FirmYearFigure, VerificationOpinion

    year = report.year - 1
    previous = (
        EmissionReport.objects.filter(
            firm_id=report.firm_id,
            year=year,
            period=EmissionReport.Period.ANNUAL,
            determined_emissions_tco2e__isnull=False,
        )
        .values_list("determined_emissions_tco2e", flat=True)
        .first()
    )
    if previous is None:
        previous = (
            VerificationOpinion.objects.filter(
                report__firm_id=report.firm_id,
                report__year=year,
                report__period=EmissionReport.Period.ANNUAL,
                outcome__in=VerificationOpinion.VERIFIED,
                verified_emissions_tco2e__isnull=False,
            )
            .order_by("-signed_at", "-id")
            .values_list("verified_emissions_tco2e", flat=True)
            .first()
        )
    if previous is None:
        previous = (
            FirmYearFigure.objects.filter(firm_id=report.firm_id, year=year)
            .values_list("emissions_tco2e", flat=True)
            .first()
        )
    return previous, year


def percent_change(new: Decimal, old: Decimal) -> Decimal:
    return ((new - old) / old * 100).quantize(Decimal("0.1"))


def _warn_change_vs_previous_year(ctx: _Context) -> None:
    if ctx.report.period != "annual":
        return
    previous, year = previous_year_emissions(ctx.report)
    if not previous:
        return
    total = ctx.out.result.reported_tco2e
    change = percent_change(total, previous)
    if abs(change) > CHANGE_THRESHOLD_PCT:
        ctx.out.warn(
            "change_vs_previous_year",
            CHANGE_VS_PREVIOUS_YEAR,
            field="total",
            total=plain(total),
            change=f"{change:+}",
            previous=plain(previous),
            year=year,
            threshold=plain(CHANGE_THRESHOLD_PCT),
        )


def _product_output(outputs, unit: str | None = None) -> tuple[Decimal, str] | None:
    products = [o for o in outputs if o.kind == "product"]
    if not products:
        return None
    unit = unit or products[0].unit
    amount = sum((o.amount for o in products if o.unit == unit), Decimal(0))
    return (amount, unit) if amount > 0 else None


def _warn_intensity_vs_peers(ctx: _Context, outputs) -> None:
    if ctx.report.period != "annual":
        return
    output = _product_output(outputs)
    if output is None:
        return
    amount, unit = output
    from mrv.selectors.peers import peer_intensity_median  # the selectors read through this module's checks

    median, peers = peer_intensity_median(ctx.report, unit)
    if peers < PEER_MIN_COUNT:
        return
    intensity = ctx.out.result.reported_tco2e / amount
    deviation = percent_change(intensity, median)
    if abs(deviation) > PEER_THRESHOLD_PCT:
        quantum = Decimal("0.0001")
        ctx.out.warn(
            "intensity_far_from_peers",
            INTENSITY_FAR_FROM_PEERS,
            field="intensity",
            intensity=plain(intensity.quantize(quantum)),
            unit=unit,
            deviation=f"{deviation:+}",
            median=plain(median.quantize(quantum)),
            peers=peers,
            threshold=plain(PEER_THRESHOLD_PCT),
        )

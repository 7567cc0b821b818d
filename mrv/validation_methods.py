"""Checks of the newer calculation methods beyond the engine's own refusals (part of `mrv.validation`).

Errors (block submission):
- more operating hours in a month than the month has (continuous measurement);
- a carbon content above 1 tC/t: no material holds more carbon than pure carbon (mass balance);
- a figure under a regulator-approved method without evidence attached to the report.

Warnings (acknowledged with a reason):
- a CO2 concentration outside the range flue gas has (CO2_CONCENTRATION_G_PER_NM3);
- a continuous measurement that differs from the calculation kept beside it for the same source
  (streams marked "cross-check of the measurement only") by more than CROSS_CHECK_TOLERANCE_PCT over
  the report's period.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from mrv import calculation
from mrv.calculation import CalculationError, EmissionResult, Method, Quantity

# Corroboration of a measurement by a calculation: both rest on meters of their own; beyond a few
# per cent one of them is wrong (a drifting analyser, a wrong NCV), which the verifier must see.
CROSS_CHECK_TOLERANCE_PCT = Decimal("5")
MAX_CARBON_T_PER_T = Decimal("1")
# About 1 %vol (gas turbines run near 3 %vol) to 30 %vol (cement kilns); 1 %vol CO2 ≈ 19.6 g/Nm3.
CO2_CONCENTRATION_G_PER_NM3 = (Decimal("20"), Decimal("600"))

HOURS_ABOVE_MONTH = _(
    "Source stream %(stream)s, month %(month)s, activity: %(hours)s operating hours are more than the %(limit)s "
    "hours the month has."
)
CARBON_ABOVE_PURE = _(
    "Source stream %(stream)s, month %(month)s, carbon_content: %(value)s tC/t is more carbon than pure carbon "
    "(1 tC/t)."
)
EVIDENCE_MISSING = _(
    "Source stream %(stream)s, month *, evidence: a figure under a regulator-approved method (%(approval)s) needs "
    "its evidence attached to the report."
)
CROSS_CHECK_FAILED = _("Source stream %(stream)s, month %(month)s, %(field)s: the cross-check calculation: %(detail)s")
CONCENTRATION_OUTSIDE_RANGE = _(
    "Source stream %(stream)s, month %(month)s, concentration: %(value)s g/Nm3 of CO2 is outside the range of flue "
    "gas (%(low)s–%(high)s g/Nm3)."
)
MEASUREMENT_VS_CALCULATION = _(
    "Source stream %(stream)s, month *, cross_check: the measurement of source %(source)s gives %(measured)s tCO2e, "
    "the calculation %(calculated)s tCO2e: %(difference)s %% (more than ±%(tolerance)s %%)."
)


@dataclass(frozen=True)
class CrossCheck:
    """One source measured and calculated over the same period (tCO2e, biomass CO2 included on both sides)."""

    source: str
    measured_tco2e: Decimal
    calculated_tco2e: Decimal

    @property
    def difference_pct(self) -> Decimal | None:
        if not self.calculated_tco2e:
            return None
        change = (self.measured_tco2e - self.calculated_tco2e) / self.calculated_tco2e * 100
        return change.quantize(Decimal("0.1"))

    def within(self, tolerance_pct: Decimal) -> bool:
        difference = self.difference_pct
        return difference is not None and abs(difference) <= tolerance_pct


def _by_source(lines) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for line in lines:
        totals[line.source] = totals.get(line.source, Decimal(0)) + line.tco2e + (line.biomass_co2_t or 0)
    return totals


def cross_check(measured: EmissionResult, calculated: EmissionResult) -> list[CrossCheck]:
    """Per source that has both, the measurement's total against the calculation's (pure)."""
    cems = _by_source(line for line in measured.lines if line.method is Method.CONTINUOUS_MEASUREMENT)
    computed = _by_source(calculated.lines)
    return [CrossCheck(source, cems[source], computed[source]) for source in sorted(cems) if source in computed]


def _month(line_key: str) -> int:
    return int(line_key.rpartition(":")[2])


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _check_ranges(ctx) -> None:
    year = ctx.report.year
    for line in ctx.out.lines + ctx.out.cross_check_lines:
        month = _month(line.key)
        if line.method is Method.CONTINUOUS_MEASUREMENT:
            hours = line.activity.value
            limit = calendar.monthrange(year, month)[1] * 24
            if hours > limit:
                ctx.out.error(
                    "hours_above_month",
                    HOURS_ABOVE_MONTH,
                    stream=line.stream,
                    month=month,
                    field="activity",
                    hours=_plain(hours),
                    limit=limit,
                )
        content = line.carbon_content
        if line.method in (Method.MASS_BALANCE_INPUT, Method.MASS_BALANCE_OUTPUT) and content is not None:
            unit = calculation.parse_unit(content.unit)
            if unit.denominator_measure == (calculation.Dimension.MASS, None):
                per_tonne = calculation.convert(content, "tC/t").value
                if per_tonne > MAX_CARBON_T_PER_T:
                    ctx.out.error(
                        "carbon_above_pure",
                        CARBON_ABOVE_PURE,
                        stream=line.stream,
                        month=month,
                        field="carbon_content",
                        value=_plain(per_tonne),
                    )


def _check_evidence(ctx) -> None:
    from django.contrib.contenttypes.models import ContentType

    from mrv.models import StoredFile

    approved = [s for s in ctx.plan.streams.all() if s.method == Method.APPROVED_FIGURE]
    if not approved or ctx.report.pk is None:
        return
    evidence = StoredFile.objects.filter(
        owner_type=ContentType.objects.get_for_model(ctx.report),
        owner_id=str(ctx.report.pk),
        kind=StoredFile.Kind.EVIDENCE,
    ).exists()
    if not evidence:
        for stream in approved:
            ctx.out.error(
                "evidence_missing",
                EVIDENCE_MISSING,
                stream=stream.code,
                field="evidence",
                approval=stream.approval_reference or "—",
            )


def _calculate_cross_check(ctx) -> None:
    if not ctx.out.cross_check_lines:
        return
    gwp_set = ctx.pack.gwp_set
    try:
        ctx.out.cross_check_result = calculation.calculate(ctx.out.cross_check_lines, gwp_set=gwp_set)
    except CalculationError as error:
        stream, _sep, month = (error.line_key or "").rpartition(":")
        ctx.out.error(
            "calculation_failed",
            CROSS_CHECK_FAILED,
            stream=stream or "*",
            month=int(month) if month.isdigit() else None,
            field=error.field or "",
            detail=error.message,
        )


def check_methods(ctx) -> None:
    """Errors of the newer methods (ranges, evidence); the cross-check's own calculation."""
    _check_ranges(ctx)
    _check_evidence(ctx)
    _calculate_cross_check(ctx)


def _warn_concentrations(ctx) -> None:
    low, high = CO2_CONCENTRATION_G_PER_NM3
    for line in ctx.out.lines:
        if line.method is not Method.CONTINUOUS_MEASUREMENT or line.gas != "CO2":
            continue
        unit = calculation.parse_unit(line.concentration.unit)
        named = Quantity(line.concentration.value, f"{unit.numerator.removesuffix('CO2')}CO2/{unit.denominator}")
        value = calculation.convert(named, "gCO2/Nm3").value
        if not low <= value <= high:
            ctx.out.warn(
                "concentration_outside_range",
                CONCENTRATION_OUTSIDE_RANGE,
                stream=line.stream,
                month=_month(line.key),
                field="concentration",
                value=_plain(value.quantize(Decimal("0.1"))),
                low=_plain(low),
                high=_plain(high),
            )


def _warn_cross_check(ctx) -> None:
    if ctx.out.result is None or ctx.out.cross_check_result is None:
        return
    cems_stream = {line.source: line.stream for line in ctx.out.lines if line.method is Method.CONTINUOUS_MEASUREMENT}
    for check in cross_check(ctx.out.result, ctx.out.cross_check_result):
        if check.within(CROSS_CHECK_TOLERANCE_PCT):
            continue
        difference = check.difference_pct
        ctx.out.warn(
            "measurement_vs_calculation",
            MEASUREMENT_VS_CALCULATION,
            stream=cems_stream[check.source],
            field="cross_check",
            source=check.source,
            measured=_plain(check.measured_tco2e),
            calculated=_plain(check.calculated_tco2e),
            difference="—" if difference is None else f"{difference:+}",
            tolerance=_plain(CROSS_CHECK_TOLERANCE_PCT),
        )


def warn_methods(ctx) -> None:
    _warn_concentrations(ctx)
    _warn_cross_check(ctx)

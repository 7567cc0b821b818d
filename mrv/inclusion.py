"""Inclusion: must a firm be on a market's list for a compliance year, and why."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from mrv.models import Firm, InclusionThreshold, Market

_UNIT_FIELD = {InclusionThreshold.Unit.TCO2E: "emissions_tco2e", InclusionThreshold.Unit.TCE: "energy_tce"}


@dataclass(frozen=True)
class InclusionDecision:
    included: bool
    reasons: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(self.reasons)


def _figure(figures: dict, year: int, unit: str, tce_to_tco2e: Decimal | None) -> tuple[Decimal | None, str]:
    """The firm's figure for a year in the threshold's unit, converted from the other unit if allowed."""
    row = figures.get(year)
    if row is None:
        return None, ""
    value = getattr(row, _UNIT_FIELD[unit])
    if value is not None:
        return value, ""
    if tce_to_tco2e:
        if unit == InclusionThreshold.Unit.TCO2E and row.energy_tce is not None:
            return row.energy_tce * tce_to_tco2e, _(" (converted from %(v)s tce at %(f)s tCO2e/tce)") % {
                "v": row.energy_tce,
                "f": tce_to_tco2e,
            }
        if unit == InclusionThreshold.Unit.TCE and row.emissions_tco2e is not None:
            return row.emissions_tco2e / tce_to_tco2e, _(" (converted from %(v)s tCO2e at %(f)s tCO2e/tce)") % {
                "v": row.emissions_tco2e,
                "f": tce_to_tco2e,
            }
    return None, ""


def _judge(threshold: InclusionThreshold, figures: dict, year: int, factor) -> tuple[bool, str]:
    unit = threshold.get_unit_display()
    values = {y: _figure(figures, y, threshold.unit, factor) for y in threshold.years(year)}
    known = {y: v for y, v in values.items() if v[0] is not None}
    amount = threshold.amount
    if threshold.combination == InclusionThreshold.Combination.AVERAGE:
        missing = sorted(set(values) - set(known))
        if missing:
            return False, _("No %(unit)s figure for %(years)s, so the average cannot be formed.") % {
                "unit": unit,
                "years": ", ".join(map(str, missing)),
            }
        average = sum(v for v, _note in known.values()) / len(known)
        verb = "≥" if average >= amount else "<"
        return average >= amount, _("Average %(a)s %(unit)s over %(y0)s–%(y1)s %(verb)s threshold %(t)s %(unit)s.") % {
            "a": f"{average:,.2f}",
            "unit": unit,
            "y0": min(values),
            "y1": max(values),
            "verb": verb,
            "t": f"{amount:,}",
        }
    for y, (value, note) in sorted(known.items()):
        if value >= amount:
            return True, _("%(y)s: %(v)s %(unit)s%(note)s ≥ threshold %(t)s %(unit)s.") % {
                "y": y,
                "v": f"{value:,.2f}",
                "unit": unit,
                "note": note,
                "t": f"{amount:,}",
            }
    if not known:
        return False, _("No %(unit)s figure for %(years)s.") % {"unit": unit, "years": ", ".join(map(str, values))}
    best_year, (best, note) = max(known.items(), key=lambda kv: kv[1][0])
    return False, _("Highest figure %(y)s: %(v)s %(unit)s%(note)s < threshold %(t)s %(unit)s.") % {
        "y": best_year,
        "v": f"{best:,.2f}",
        "unit": unit,
        "note": note,
        "t": f"{amount:,}",
    }


@dataclass(frozen=True)
class YearFigure:
    """A year's emissions and energy use, as recorded on a firm or a candidate of the covered-firm list."""

    emissions_tco2e: Decimal | None = None
    energy_tce: Decimal | None = None


def figures_from_json(data: dict) -> dict[int, YearFigure]:
    """`{"2019": {"emissions_tco2e": "…", "energy_tce": "…"}}` (a candidate's figures) as YearFigures."""

    def dec(value):
        return Decimal(str(value)) if value not in (None, "") else None

    return {
        int(year): YearFigure(dec(row.get("emissions_tco2e")), dec(row.get("energy_tce"))) for year, row in data.items()
    }


def check_inclusion(firm: Firm, market: Market, year: int) -> InclusionDecision:
    """Covered if any of the rule pack's thresholds is met; the reasons name year, figure and threshold."""
    return check_figures({f.year: f for f in firm.year_figures.all()}, market, year)


def check_candidate(figures: dict, market: Market, year: int, *, new_entrant: bool) -> InclusionDecision:
    """A candidate of the covered-firm list: the threshold rule, or a new entrant without history."""
    decision = check_figures(figures, market, year)
    if decision.included or not new_entrant:
        return decision
    return InclusionDecision(
        True,
        decision.reasons
        + [
            _("New entrant: no history reaches the threshold yet; covered as a new installation from %(y)s.")
            % {"y": year}
        ],
    )


def check_figures(figures: dict, market: Market, year: int) -> InclusionDecision:
    """The threshold rule of the market's pack applied to figures by year (objects with the two figures)."""
    pack = market.rule_pack_for(year)
    reasons = []
    for threshold in pack.thresholds.all():
        met, reason = _judge(threshold, figures, year, pack.tce_to_tco2e)
        if met:
            return InclusionDecision(True, [reason])
        reasons.append(reason)
    return InclusionDecision(False, reasons)

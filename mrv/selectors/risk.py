"""The risk model of the spot-check draw: each verified report's weight and the risk factors behind it (a
large change on last year, a figure just above an inclusion threshold or near the materiality boundary, a
verification body with past discrepancies), read for a whole population in a fixed number of queries."""

from decimal import Decimal

from django.db.models import Count

from mrv.models import (
    EmissionReport,
    FirmYearFigure,
    Market,
    SpotCheckItem,
    VerificationEngagement,
    VerificationOpinion,
)

# Risk weights: every verified report starts at 1 point; each risk adds points.
BASE_WEIGHT = 1
LARGE_CHANGE_PCT = Decimal("20")  # year-on-year change at or above this is "large"
LARGE_CHANGE_POINTS = 3
NEAR_PCT = Decimal("10")  # within this share above the inclusion threshold / around the materiality boundary
NEAR_INCLUSION_POINTS = 2
NEAR_MATERIALITY_POINTS = 2
PAST_DISCREPANCY_POINTS = 2  # per past discrepancy of the same verification body
PAST_DISCREPANCY_CAP = 3


def _verified_figures(reports: list[EmissionReport]) -> dict[int, VerificationOpinion]:
    latest = {}
    for opinion in VerificationOpinion.objects.filter(report__in=reports).order_by("report_id", "-signed_at", "-id"):
        latest.setdefault(opinion.report_id, opinion)
    return latest


def _past_discrepancies(body_ids: set[int], year: int) -> dict[int, int]:
    rows = (
        SpotCheckItem.objects.filter(
            verifier_body_id__in=body_ids, sample__year__lt=year, outcome=SpotCheckItem.Outcome.DISCREPANCIES
        )
        .values("verifier_body_id")
        .annotate(n=Count("id"))
    )
    return {row["verifier_body_id"]: row["n"] for row in rows}


def risk_weights(reports: list[EmissionReport], market: Market, year: int) -> dict[int, tuple[int, list[str]]]:
    """Each report's risk weight and the risk factors behind it, in a fixed number of queries."""
    pack = market.rule_pack_for(year)
    opinions = _verified_figures(reports)
    firm_ids = [r.firm_id for r in reports]
    previous = dict(
        FirmYearFigure.objects.filter(firm_id__in=firm_ids, year=year - 1).values_list("firm_id", "emissions_tco2e")
    )
    bodies = dict(
        VerificationEngagement.objects.filter(firm_id__in=firm_ids, year=year).values_list("firm_id", "body_id")
    )
    past = _past_discrepancies({b for b in bodies.values() if b}, year)
    thresholds = [t.amount for t in pack.thresholds.all() if t.unit == "tco2e"]
    return {
        r.pk: _weigh(
            r, opinions.get(r.pk), previous.get(r.firm_id), thresholds, pack, past.get(bodies.get(r.firm_id), 0)
        )
        for r in reports
    }


def _near(value: Decimal, mark: Decimal) -> bool:
    return abs(value - mark) * 100 <= mark * NEAR_PCT


def _weigh(report, opinion, previous, thresholds, pack, past_discrepancies) -> tuple[int, list[str]]:
    weight, factors = BASE_WEIGHT, []
    figure = opinion.verified_emissions_tco2e if opinion else None
    if figure is not None and previous and abs(figure - previous) * 100 >= previous * LARGE_CHANGE_PCT:
        weight, factors = weight + LARGE_CHANGE_POINTS, [*factors, "large_year_on_year_change"]
    if figure is not None and any(t <= figure and _near(figure, t) for t in thresholds):
        weight, factors = weight + NEAR_INCLUSION_POINTS, [*factors, "near_inclusion_threshold"]
    if figure is not None and _near_materiality(figure, opinion, pack):
        weight, factors = weight + NEAR_MATERIALITY_POINTS, [*factors, "near_materiality_boundary"]
    if past_discrepancies:
        weight += PAST_DISCREPANCY_POINTS * min(past_discrepancies, PAST_DISCREPANCY_CAP)
        factors = [*factors, "verifier_past_discrepancies"]
    return weight, factors


def _near_materiality(figure: Decimal, opinion: VerificationOpinion, pack) -> bool:
    """Near the 2%/5% switch (e.g. 500 kt), or uncorrected misstatements at half the threshold or more."""
    if _near(figure, pack.materiality_large_above_tco2e):
        return True
    return figure > 0 and opinion.uncorrected_misstatement_tco2e * 100 * 2 >= figure * opinion.materiality_threshold_pct

"""Reads of the regulator's review: determinations with their evidence, quarterly co-reviews."""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from mrv.coverage import covered_firms
from mrv.models import Determination, EmissionReport, Firm, Market, QuarterlyReview, SpotCheckItem, StoredFile
from mrv.selectors.reports import report_acknowledgements
from mrv.selectors.spot_checks import report_spot_checks
from mrv.timeline import share_pct
from mrv.workflow.verification import latest_opinion


def review_page_reads(report: EmissionReport) -> dict:
    """What the regulator's review page of a report lists: determinations (every version, each with its
    evidence) and quarterly co-reviews, in a fixed number of queries."""
    determinations = list(Determination.objects.filter(report=report).select_related("proposed_by", "decided_by"))
    files = StoredFile.objects.filter(
        owner_type=ContentType.objects.get_for_model(Determination),
        owner_id__in=[str(d.pk) for d in determinations],
    ).order_by("uploaded_at", "id")
    by_owner: dict[str, list] = {}
    for f in files:
        by_owner.setdefault(f.owner_id, []).append(f)
    for d in determinations:
        d.evidence = by_owner.get(str(d.pk), [])
    return {
        "determinations": determinations,
        "co_reviews": QuarterlyReview.objects.filter(report=report).select_related("reviewed_by"),
    }


def decision_basis(report: EmissionReport, opinion) -> dict:
    """What the head's decision rests on: materiality, the spot-check result, the firm's last three years
    and the warnings the firm explained (a fixed number of queries)."""
    earlier = (
        EmissionReport.objects.filter(
            firm_id=report.firm_id,
            period=EmissionReport.Period.ANNUAL,
            year__gte=report.year - 3,
            year__lt=report.year,
        )
        .prefetch_related("opinions")
        .order_by("-year")
    )
    history = []
    for r in earlier:
        opinions = sorted(r.opinions.all(), key=lambda o: o.signed_at, reverse=True)
        history.append({"report": r, "verified": opinions[0].verified_emissions_tco2e if opinions else None})
    return {
        "materiality_share_pct": materiality_share_pct(opinion),
        "spot_checks": report_spot_checks(report),
        "history": history,
        "acknowledgements": report_acknowledgements(report).order_by("key"),
    }


def materiality_share_pct(opinion) -> Decimal | None:
    """The opinion's uncorrected misstatement as a share of the reported emissions, in per cent."""
    if opinion is None or not opinion.reported_emissions_tco2e:
        return None
    return share_pct(opinion.uncorrected_misstatement_tco2e, opinion.reported_emissions_tco2e)


def review_state(report: EmissionReport) -> dict:
    """What the regulator's API shows of a report's review: the latest opinion, the determinations, the spot
    checks and the materiality share."""
    opinion = latest_opinion(report)
    return {
        "report": report,
        "opinion": opinion,
        "determinations": review_page_reads(report)["determinations"],
        "spot_checks": SpotCheckItem.objects.filter(report=report).select_related("sample", "checked_by"),
        "materiality_share_pct": materiality_share_pct(opinion),
    }


def unreported_firms(*, market_id: int, year: int, limit: int = 200) -> list[Firm]:
    """A year's covered firms of a market without an annual report, by name (the regulator may estimate them)."""
    market = Market.objects.get(pk=market_id)
    reported = EmissionReport.objects.filter(market=market, year=year, period=EmissionReport.Period.ANNUAL)
    return list(covered_firms(market, year).exclude(pk__in=reported.values("firm_id")).order_by("name")[:limit])

"""The sector's peers of a report: their median emission intensity, computed by PostgreSQL in one grouped query
(the plausibility check of `mrv.validation` compares the report with it)."""

import statistics
from decimal import Decimal

from django.db import connection
from django.db.models import Aggregate, Count, DecimalField, ExpressionWrapper, F, OuterRef, Subquery, Sum

from mrv.models import EmissionReport, OutputDataRow


class _PercentileDisc(Aggregate):
    """PostgreSQL's `percentile_disc(0.5)`: the middle value itself (numeric stays numeric, no float)."""

    function = "percentile_disc"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s %(direction)s)"

    def __init__(self, expression, *, descending: bool = False, **extra):
        super().__init__(expression, direction="DESC" if descending else "ASC", **extra)


def _peer_reports(report):
    """The sector's other submitted annual reports of the same market and year."""
    return (
        EmissionReport.objects.filter(
            market_id=report.market_id,
            year=report.year,
            period=EmissionReport.Period.ANNUAL,
            firm__sector_id=report.firm.sector_id,
            reported_emissions_tco2e__isnull=False,
        )
        .exclude(firm_id=report.firm_id)
        .exclude(status=EmissionReport.Status.DRAFT)
    )


def peer_intensity_median(report, unit: str) -> tuple[Decimal | None, int]:
    """The median tCO2e per output unit of the sector's peers (and how many peers have that unit).

    One grouped query: the median is computed by PostgreSQL, so validating a report does not load every
    peer report of the sector into Python (a reporting season would otherwise grow with the square of the
    number of firms). Even counts take the mean of the two middle values, as `statistics.median` does.
    """
    output = (
        OutputDataRow.objects.filter(report_id=OuterRef("pk"), kind="product", unit=unit)
        .values("report_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    peers = (
        _peer_reports(report)
        .annotate(output=Subquery(output, output_field=DecimalField(max_digits=30, decimal_places=6)))
        .filter(output__gt=0)
        .annotate(
            intensity=ExpressionWrapper(
                F("reported_emissions_tco2e") / F("output"), output_field=DecimalField(max_digits=40, decimal_places=20)
            )
        )
    )
    if connection.vendor != "postgresql":  # the embedded demo (SQLite) has no percentile functions
        values = list(peers.values_list("intensity", flat=True))
        return (statistics.median(values) if values else None), len(values)
    result = peers.aggregate(
        count=Count("pk"), low=_PercentileDisc("intensity"), high=_PercentileDisc("intensity", descending=True)
    )
    if not result["count"]:
        return None, 0
    return (Decimal(result["low"]) + Decimal(result["high"])) / 2, result["count"]

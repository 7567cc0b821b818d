"""Where the deadline work meets other parts of the system; each call goes through one function here.

`allocation_for` uses the registry's selector when it exists. The spot-check draw and the
compliance marking are the verification and registry services; they are called, not re-implemented.
"""

from decimal import Decimal

from mrv.models import EmissionReport, Firm, Market

#: Quarterly reports whose figures count for the early warning (the firm has handed them in).
COUNTED_QUARTERLY_STATUSES = [
    EmissionReport.Status.SUBMITTED,
    EmissionReport.Status.CO_REVIEW,
    EmissionReport.Status.ACCEPTED,
]


def report_emissions_tco2e(report: EmissionReport) -> Decimal | None:
    """A quarterly report's emissions as the firm reported them (set at submission)."""
    return report.reported_emissions_tco2e


def allocation_for(firm: Firm, year: int) -> Decimal | None:
    """The firm's allocation for the year (tCO2e), or None where the registry has none."""
    try:
        from registry.selectors import allocation_for as registry_allocation_for
    except ImportError:
        return None
    return registry_allocation_for(firm, year)


def draw_spot_check_sample(*, market: Market, year: int):
    """The verification workflow's sampling service (idempotent per market and year)."""
    from mrv.services.spot_checks import spot_check_draw

    return spot_check_draw(market=market, year=year, acting_user=None)


def mark_non_compliant(*, market: Market, year: int):
    """The registry's compliance marking for a market's compliance year."""
    from registry.services import compliance_mark_non_compliant

    return compliance_mark_non_compliant(market=market, year=year, acting_user=None)

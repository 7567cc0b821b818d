"""Where the deadline work meets other parts of the system; each call goes through one function here.

`allocations_for` uses the registry's selector when it exists. The spot-check draw and the
compliance marking are the verification and registry services; they are called, not re-implemented.
"""

import datetime
from decimal import Decimal

from mrv.models import EmissionReport, Firm, Market
from mrv.transitions import TransitionRefused

#: Quarterly reports whose figures count for the early warning (the firm has handed them in).
COUNTED_QUARTERLY_STATUSES = [
    EmissionReport.Status.SUBMITTED,
    EmissionReport.Status.CO_REVIEW,
    EmissionReport.Status.ACCEPTED,
]


def report_emissions_tco2e(report: EmissionReport) -> Decimal | None:
    """A quarterly report's emissions as the firm reported them (set at submission)."""
    return report.reported_emissions_tco2e


def allocations_for(firms: list[Firm], year: int) -> dict[int, Decimal | None]:
    """The firms' allocations for the year (tCO2e) in one query, firm id → allocation; None where the registry
    has none."""
    try:
        from registry.selectors import allocations_for as registry_allocations_for
    except ImportError:
        return dict.fromkeys((f.pk for f in firms), None)
    found = registry_allocations_for([f.pk for f in firms], year)
    return {f.pk: found.get(f.pk) for f in firms}


def draw_spot_check_sample(*, market: Market, year: int):
    """The verification workflow's sampling service; None if the sample was drawn before (e.g. by hand)."""
    from mrv.services.spot_checks import spot_check_draw

    try:
        return spot_check_draw(market=market, year=year, acting_user=None)
    except TransitionRefused as refused:
        if refused.code == "already_drawn":
            return None
        raise


def non_compliant_firms(*, market: Market, year: int, today: datetime.date) -> list[tuple[int, bool]]:
    """The registry's firms of a market's compliance year non-compliant at their deadline: (firm id, found before)."""
    from registry.services.surrender import compliance_short

    return [(s.firm_id, s.marked) for s in compliance_short(market=market, year=year, today=today)]


def mark_non_compliant(*, market: Market, year: int, today: datetime.date) -> list:
    """The registry's compliance marking of a market's compliance year: the findings of every firm short."""
    from registry.services.surrender import compliance_mark_non_compliant

    return list(compliance_mark_non_compliant(market=market, year=year, acting_user=None, today=today) or [])


def mark_non_compliant_batch(*, market_id: int, year: int, firm_ids: list[int], today: datetime.date) -> list:
    """The registry's marking of one batch of firms: the findings made now (none for a firm found before)."""
    from registry.services.surrender import compliance_mark_batch

    return compliance_mark_batch(market_id=market_id, year=year, firm_ids=firm_ids, today=today, acting_user=None)

"""Projecting a firm's annual emissions from the quarters so far (pure, Decimal).

Without history the quarters so far are taken as k/4 of the year. With previous complete years of
quarterly figures, the share of the year the first k quarters made up is the mean of those years'
shares: a firm that burns most in winter is not projected as if every quarter were equal.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SHARE_PLACES = Decimal("0.000001")
TONNE = Decimal("1")


@dataclass(frozen=True)
class Projection:
    so_far_tco2e: Decimal
    share: Decimal
    seasonally_adjusted: bool
    projected_tco2e: Decimal


def share_so_far(quarter: int, history: Sequence[Mapping[int, Decimal]]) -> tuple[Decimal, bool]:
    """The share of a year that quarters 1..quarter make up, and whether it came from history."""
    complete = [year for year in history if all(q in year for q in (1, 2, 3, 4)) and sum(year.values()) > 0]
    if not complete:
        return Decimal(quarter) / 4, False
    shares = [
        sum(Decimal(year[q]) for q in range(1, quarter + 1)) / sum(Decimal(v) for v in year.values())
        for year in complete
    ]
    return sum(shares) / len(shares), True


def project(this_year: Mapping[int, Decimal], quarter: int, history: Sequence[Mapping[int, Decimal]]) -> Projection:
    so_far = sum((Decimal(this_year[q]) for q in range(1, quarter + 1)), Decimal(0))
    share, adjusted = share_so_far(quarter, history)
    projected = (so_far / share).quantize(TONNE, ROUND_HALF_UP) if share else so_far
    return Projection(so_far, share.quantize(SHARE_PLACES, ROUND_HALF_UP), adjusted, projected)


def shortfall(projected_tco2e: Decimal, allocation_tco2e: Decimal | None) -> Decimal:
    """By how much the projection exceeds the allocation (0 when it does not, or there is no allocation)."""
    if allocation_tco2e is None:
        return Decimal(0)
    return max(projected_tco2e - Decimal(allocation_tco2e), Decimal(0)).quantize(TONNE, ROUND_HALF_UP)

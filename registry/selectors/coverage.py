"""Reads of coverage changes (a firm leaving or joining the market's coverage)."""

from django.db.models import QuerySet

from mrv import access
from mrv.models import Firm, Market
from registry.models import CoverageChange
from registry.selectors.common import visible_or_404


def coverage_changes_visible(*, user, limit: int = 200) -> list[CoverageChange]:
    """The coverage changes `user` may see, newest first."""
    return list(
        access.visible_to(user, CoverageChange)
        .select_related("firm", "proposed_by", "decided_by")
        .order_by("-created_at", "-id")[:limit]
    )


def coverage_change_visible(*, user, pk: int) -> CoverageChange:
    """A coverage change `user` may see, with its firm and the firm's market; else 404."""
    return visible_or_404(user, CoverageChange.objects.select_related("firm__market"), pk)


def firm_choices(*, market: Market) -> QuerySet[Firm]:
    """The market's firms by name (primary key and name only), to choose one in a form."""
    return Firm.objects.filter(market=market).order_by("name").only("pk", "name")

"""Reads of penalties."""

from django.db.models import QuerySet

from mrv import access
from mrv.models import Market
from registry.models import Penalty
from registry.selectors.common import visible_or_404


def penalised_firm_ids(market: Market, year: int) -> set[int]:
    """Firms with a penalty for the year, whatever its state (one penalty per firm-year)."""
    return set(Penalty.objects.filter(firm__market=market, year=year).values_list("firm_id", flat=True))


def penalty_seals(penalties) -> dict[int, object]:
    """The sealed penalty notices of these penalties, by penalty id (one query)."""
    from mrv.models import Seal

    ids = [p.pk for p in penalties]
    return {s.object_id: s for s in Seal.objects.filter(kind=Seal.Kind.PENALTY, object_id__in=ids)}


def penalties_of_market(*, market: Market, limit: int = 200) -> list[Penalty]:
    """The market's latest penalties, with their firms and deciders."""
    return list(Penalty.objects.filter(firm__market=market).select_related("firm", "decided_by")[:limit])


def penalty_visible(*, user, pk: int) -> Penalty:
    """A penalty `user` may see, with its firm; else 404."""
    return visible_or_404(user, Penalty.objects.select_related("firm"), pk)


def penalties_in_order() -> QuerySet[Penalty]:
    """Every penalty, the latest year first (the API's list, scoped by its caller)."""
    return Penalty.objects.order_by("-year", "pk")


def penalties_visible(*, user) -> QuerySet[Penalty]:
    """The penalties `user` may see, with their firms."""
    return access.visible_to(user, Penalty.objects.select_related("firm"))

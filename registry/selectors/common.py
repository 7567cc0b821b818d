"""What the registry's reads share: the object a user may see, the markets."""

from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404

from mrv import access
from mrv.models import Firm, Market


def visible_or_404(user, queryset: QuerySet, pk: int) -> Model:
    """The object `pk` among those of `queryset` that `user` may see (`mrv.access.visible_to`), or 404."""
    return get_object_or_404(access.visible_to(user, queryset), pk=pk)


def firm_visible(*, user, pk: int) -> Firm:
    """A firm `user` may see, with its market; else 404."""
    return visible_or_404(user, Firm.objects.select_related("market"), pk)


def regulator_market(*, user) -> Market:
    """The market a regulator belongs to."""
    return Market.objects.get(pk=user.market_id)


def market_by_code(*, code: str) -> Market:
    """The market with this code; else 404."""
    return get_object_or_404(Market, code=code)


def markets_in_order() -> QuerySet[Market]:
    """Every market, in the order they were set up."""
    return Market.objects.order_by("pk")

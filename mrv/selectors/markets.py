"""Reads of the reference data pages and the API share: markets, their rule packs, sectors, firms."""

from collections.abc import Iterable

from django.db.models import QuerySet

from mrv import access
from mrv.models import Firm, Market, Sector


def markets() -> QuerySet[Market]:
    """Every market (public reference data)."""
    return Market.objects.all()


def markets_by_pk() -> dict[int, Market]:
    return {m.pk: m for m in Market.objects.all()}


def market_ids_seen_by(user) -> set[int]:
    """The ids of the markets `user` may see."""
    return set(access.visible_to(user, Market).values_list("pk", flat=True))


def market_by_id(*, pk: int) -> Market:
    """The market of that id (`Market.DoesNotExist` if there is none)."""
    return Market.objects.get(pk=pk)


def market_of(user) -> Market:
    """The market a regulator regulates."""
    return Market.objects.get(pk=user.market_id)


def markets_of(user) -> QuerySet[Market]:
    """The user's own market as a queryset (a regulator's choice of market in a form)."""
    return Market.objects.filter(pk=user.market_id)


def rule_pack_with_rules(pack):
    """A rule pack again, with its thresholds, sectors and deadlines loaded (one query each)."""
    return type(pack).objects.prefetch_related("thresholds", "sectors__sector", "deadlines").get(pk=pack.pk)


def sectors(ids: Iterable[int]) -> QuerySet[Sector]:
    return Sector.objects.filter(pk__in=ids)


def sector_with_code(code: str) -> Sector | None:
    """The sector of that code, or None."""
    return Sector.objects.filter(code=code).first()


def firms_with_market_and_sector() -> QuerySet[Firm]:
    """Firms with what their pages show about them loaded; callers scope them with `mrv.access`."""
    return Firm.objects.select_related("market", "sector")

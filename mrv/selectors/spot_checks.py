"""Reads of spot checks: a market's samples, the spot-check bodies registered with it, the items of a report."""

from django.db.models import QuerySet

from mrv import access
from mrv.models import EmissionReport, Market, SpotCheckItem, SpotCheckSample, VerificationBody


def spot_check_samples(*, market_id: int) -> list[SpotCheckSample]:
    """A market's samples, newest year first."""
    return list(SpotCheckSample.objects.filter(market_id=market_id).order_by("-year"))


def spot_check_samples_with_items(market: Market) -> QuerySet[SpotCheckSample]:
    """A market's samples, newest year first, with their items' reports and firms (two queries)."""
    return SpotCheckSample.objects.filter(market=market).order_by("-year").prefetch_related("items__report__firm")


def spot_check_bodies(market: Market) -> QuerySet[VerificationBody]:
    """The spot-check bodies registered with a market."""
    return VerificationBody.objects.filter(
        kind=VerificationBody.Kind.SPOT_CHECK, registrations__market=market
    ).distinct()


def spot_check_items_with_market() -> QuerySet[SpotCheckItem]:
    """Sampled reports with their sample's market loaded; callers scope them with `mrv.access`."""
    return SpotCheckItem.objects.select_related("sample__market")


def report_spot_checks(report: EmissionReport) -> QuerySet[SpotCheckItem]:
    """The spot checks of a report with who checked it and their body."""
    return SpotCheckItem.objects.filter(report=report).select_related("checked_by", "body")


def spot_check_samples_seen_by(user) -> QuerySet[SpotCheckSample]:
    """The samples `user` may see with their market and items, newest year first."""
    queryset = SpotCheckSample.objects.select_related("market").prefetch_related("items").order_by("-year", "pk")
    return access.visible_to(user, queryset)


def spot_check_items_seen_by(user) -> QuerySet[SpotCheckItem]:
    """The sampled reports `user` may see with their sample's market, report and checker, newest year first."""
    queryset = SpotCheckItem.objects.select_related("sample__market", "report", "checked_by")
    return access.visible_to(user, queryset.order_by("-sample__year", "pk"))

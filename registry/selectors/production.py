"""Reads of allocation inputs: the annual report whose production data is entered, the covered firms to fill in."""

from mrv.coverage import covered_firms
from mrv.models import EmissionReport, Market
from registry.selectors.common import visible_or_404


def report_visible(*, user, pk: int) -> EmissionReport:
    """An emission report `user` may see, with its firm, the firm's market and sector; else 404."""
    return visible_or_404(user, EmissionReport.objects.select_related("firm__market", "firm__sector"), pk)


def covered_firm_count(*, market: Market, year: int) -> int:
    """How many firms the market covers in the year."""
    return covered_firms(market, year).count()


def covered_credit_codes(*, market: Market, year: int) -> list[str]:
    """The credit codes of the firms the market covers in the year, by firm name."""
    return list(covered_firms(market, year).order_by("name").values_list("credit_code", flat=True))

"""The public pages' charts, drawn by the registry's SVG bar chart."""

from decimal import Decimal

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from disclosure.models import HistoricalStatistic
from registry.charts import bar_chart


def _rate(stat: HistoricalStatistic) -> Decimal | None:
    if stat.computed_rate_pct is not None:
        return stat.computed_rate_pct
    return Decimal(stat.printed_rate.lstrip("><")) if stat.printed_rate else None


def history_trend(stats: list[HistoricalStatistic]) -> SafeString:
    """Compliance rate per market and year: computed where the counts allow, else as printed; '–' if unpublished."""
    items = [(f"{stat.market} {stat.year}", _rate(stat)) for stat in stats]
    return bar_chart(items, title=_("Compliance rate by market and year (%)"), unit="%")


def totals_chart(snapshot: dict, *, title: str) -> SafeString:
    totals = snapshot["totals"]

    def value(key: str) -> Decimal | None:
        return Decimal(totals[key]) if totals.get(key) is not None else None

    items = [
        (_("cap"), value("cap_tco2e")),
        (_("allocated"), value("allocated_tco2e")),
        (_("surrendered"), value("surrendered_tco2e")),
        (_("offsets surrendered"), value("offsets_tco2e")),
        (_("traded"), value("traded_tco2e")),
    ]
    return bar_chart(items, title=_("%(title)s: cap, allocation, surrender, offsets, trading (t)") % {"title": title})

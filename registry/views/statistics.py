"""The market's statistics page and its export."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mrv.replicas import reads_from_replica
from registry import charts, exports, selectors
from registry.views.common import _market_year

STATISTICS_COLUMNS = [
    ("market", gettext_lazy("market")),
    ("year", gettext_lazy("year")),
    ("obliged_firms", gettext_lazy("obliged firms")),
    ("compliant_firms", gettext_lazy("compliant firms")),
    ("compliance_rate_pct", gettext_lazy("compliance rate (%)")),
    ("missing_firms", gettext_lazy("firms with emissions missing")),
    ("surrendered_tco2e", gettext_lazy("surrendered (t)")),
    ("offsets_tco2e", gettext_lazy("offsets surrendered (t)")),
    ("offsets_share_pct", gettext_lazy("offsets share (%)")),
    ("traded_tco2e", gettext_lazy("traded volume (t)")),
    ("trading_rate_pct", gettext_lazy("trading rate (%)")),
    ("cap_tco2e", gettext_lazy("cap (tCO2e)")),
    ("allocated_tco2e", gettext_lazy("allocated (tCO2e)")),
    ("issued_tco2e", gettext_lazy("issued (tCO2e)")),
]


def _statistics_table(stats_list) -> tuple[list[str], list[list]]:
    header = [str(label) for _key, label in STATISTICS_COLUMNS]
    rows = [
        [str(getattr(s, key)) if key == "market" else getattr(s, key) for key, _label in STATISTICS_COLUMNS]
        for s in stats_list
    ]
    return header, rows


@login_required
@reads_from_replica
def statistics(request: HttpRequest) -> HttpResponse:
    """By year for one market, and (national administrator) across markets; charts and CSV/XLSX."""
    market, year = _market_year(request)
    years = selectors.statistics_years()
    if year not in years:
        years = sorted({*years, year})
    series = selectors.statistics_series(market, years)
    across = (
        selectors.statistics_across_markets(selectors.markets_in_order(), year)
        if request.user.is_national_admin
        else []
    )
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        header, rows = _statistics_table(across or series)
        name = f"statistics-{year}" if across else f"statistics-{market.code}"
        return exports.tabular_response(fmt, name, header, rows)
    stats = next(s for s in series if s.year == year)
    chart = charts.bar_chart(
        [
            (_("cap"), stats.cap_tco2e),
            (_("allocated"), stats.allocated_tco2e),
            (_("issued"), stats.issued_tco2e),
            (_("surrendered"), stats.surrendered_tco2e),
            (_("traded"), stats.traded_tco2e),
        ],
        title=_("%(market)s %(year)s: cap, allocation, issuance, surrender, trading")
        % {"market": market, "year": year},
    )
    rate_chart = charts.bar_chart(
        [(str(s.year), s.compliance_rate_pct) for s in series],
        title=_("%(market)s: compliance rate by year") % {"market": market},
        unit="%",
    )
    across_chart = (
        charts.bar_chart(
            [(str(s.market), s.compliance_rate_pct) for s in across],
            title=_("Compliance rate by market, %(year)s") % {"year": year},
            unit="%",
        )
        if across
        else ""
    )
    header, series_rows = _statistics_table(series)
    context = {
        "market": market,
        "year": year,
        "years": years,
        "markets": selectors.markets_in_order() if request.user.is_national_admin else [],
        "stats": stats,
        "chart": chart,
        "rate_chart": rate_chart,
        "rates": series,
        "header": header[1:],
        "series_rows": [row[1:] for row in series_rows],
        "across_rows": _statistics_table(across)[1],
        "across_header": header,
        "across_chart": across_chart,
    }
    return render(request, "registry/statistics.html", context)

"""Reads: the covered firms of a market-year, the snapshot a publication freezes, and what is public."""

import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from disclosure.models import HistoricalStatistic, Publication
from mrv import access, coverage
from mrv.models import EmissionReport, Firm, Market, YearNotSupported
from registry import selectors as registry
from registry.models import Penalty
from registry.selectors import market_by_code, markets_in_order  # noqa: F401  (read from here)

ANNUAL = EmissionReport.Period.ANNUAL
FIRMS_PER_PAGE = 100  # of the public market-year page; the exports and the API carry all firms


def covered_firms(market: Market, year: int) -> QuerySet[Firm]:
    """The covered firms of a market-year, as the product decides them everywhere (`mrv.coverage`): the
    approved covered-firm list where the regulator has approved one, else the market's register."""
    return coverage.covered_firms(market, year).select_related("sector").order_by("name", "pk")


def inclusion_thresholds(market: Market, year: int) -> list[tuple]:
    """The market's inclusion rule for the year (the seed's table 2): each threshold with the years it reads."""
    try:
        pack = market.rule_pack_for(year)
    except YearNotSupported:
        return []
    return [(t, t.years(year)) for t in pack.thresholds.all()]


def _on_approved_list(market: Market, year: int) -> set[int]:
    approved = coverage.list_for(market, year)
    if approved is None or approved.status != approved.Status.APPROVED:
        return set()
    return set(approved.entries.exclude(firm=None).values_list("firm_id", flat=True))


def _text(value) -> str | None:
    return None if value is None else str(value)


def _totals(market: Market, year: int, covered: int, today: datetime.date, final: bool) -> dict:
    stats = registry.market_statistics(market, year, today=today)
    return {
        "covered_firms": covered,
        "obliged_firms": stats.obliged_firms if final else None,
        "compliant_firms": stats.compliant_firms if final else None,
        "missing_firms": stats.missing_firms if final else None,
        "compliance_rate_pct": _text(stats.compliance_rate_pct) if final else None,
        "cap_tco2e": _text(stats.cap_tco2e),
        "allocated_tco2e": _text(stats.allocated_tco2e),
        "surrendered_tco2e": _text(stats.surrendered_tco2e),
        "offsets_tco2e": _text(stats.offsets_tco2e),
        "offsets_share_pct": _text(stats.offsets_share_pct),
        "traded_tco2e": _text(stats.traded_tco2e),
        "trading_rate_pct": _text(stats.trading_rate_pct),
    }


def market_year_snapshot(market: Market, year: int, *, today: datetime.date | None = None) -> dict:
    """Everything a market publishes for a year, as plain data: names, codes, figures; no people, no evidence."""
    today = today or timezone.localdate()
    firms = list(covered_firms(market, year))
    ids = [firm.pk for firm in firms]
    deadline = registry.compliance_deadline(market, year)
    final = deadline is not None and today > deadline
    reports = EmissionReport.objects.filter(firm_id__in=ids, year=year, period=ANNUAL)
    reported = set(reports.values_list("firm_id", flat=True))
    emissions = dict(
        reports.filter(status__in=registry.DETERMINED, determined_emissions_tco2e__isnull=False).values_list(
            "firm_id", "determined_emissions_tco2e"
        )
    )
    statuses = {}
    if final:
        in_scope = Firm.objects.filter(pk__in=ids)
        statuses = {
            s.firm_id: s.status for s in registry.compliance_statuses(market, year, firms=in_scope, today=today)
        }
    penalties = {
        p.firm_id: p for p in Penalty.objects.filter(firm_id__in=ids, year=year, status=Penalty.Status.DECIDED)
    }
    listed = _on_approved_list(market, year)
    rows = []
    for firm in firms:
        penalty = penalties.get(firm.pk)
        rows.append(
            {
                "name": firm.name,
                "credit_code": firm.credit_code,
                "sector_code": firm.sector.code,
                "sector_zh": firm.sector.name_zh,
                "sector_en": firm.sector.name_en,
                "covered_since": firm.covered_since,
                "new_entrant": firm.is_new_entrant,
                "on_approved_list": firm.pk in listed,
                "reported": firm.pk in reported,
                "emissions_tco2e": _text(emissions.get(firm.pk)),
                "compliance": statuses.get(firm.pk),
                "fine_cny": _text(penalty.fine_cny) if penalty else None,
                "deduction_tco2e": _text(penalty.deduction_tco2e) if penalty else None,
            }
        )
    return {
        "market": market.code,
        "year": year,
        "as_of": today.isoformat(),
        "deadline": deadline.isoformat() if deadline else None,
        "compliance_final": final,
        "firms": rows,
        "totals": _totals(market, year, len(rows), today, final),
    }


# --- What is public ----------------------------------------------------------------------------


def open_proposal(market: Market, year: int) -> Publication | None:
    return Publication.objects.filter(market=market, year=year, status=Publication.Status.PROPOSED).first()


def publications_of(market: Market) -> QuerySet[Publication]:
    """All proposals and publications of a market, for its regulators (no snapshots loaded)."""
    return (
        Publication.objects.filter(market=market)
        .defer("snapshot")
        .select_related("proposed_by", "published_by")
        .order_by("-year", "-version", "-pk")
    )


def published_versions(market: Market, year: int) -> list[Publication]:
    """The published versions of a market-year, newest first (the first is in force, the others corrected)."""
    return list(
        Publication.objects.filter(market=market, year=year, status=Publication.Status.PUBLISHED).order_by("-version")
    )


def published_years() -> dict[int, list[int]]:
    """{market id: [years with a publication, newest first]} in one query."""
    result: dict[int, list[int]] = {}
    rows = (
        Publication.objects.filter(status=Publication.Status.PUBLISHED)
        .values_list("market_id", "year")
        .distinct()
        .order_by("market_id", "-year")
    )
    for market_id, year in rows:
        result.setdefault(market_id, []).append(year)
    return result


def history(market: Market | None = None) -> list[HistoricalStatistic]:
    qs = HistoricalStatistic.objects.select_related("market").order_by("market__pk", "year")
    return list(qs.filter(market=market) if market else qs)


# --- Presentation of a snapshot (translated at render time, not when frozen) -----------------


def _sector(row: dict) -> str:
    return row["sector_zh"] if (get_language() or "").startswith("zh") else row["sector_en"]


def inclusion_reason(row: dict, year: int) -> str:
    reasons = []
    if row.get("on_approved_list"):
        reasons.append(_("on the approved covered-firm list for %(year)s") % {"year": year})
    elif row["covered_since"]:
        reasons.append(_("on the market's list since %(year)s") % {"year": row["covered_since"]})
    if row["new_entrant"]:
        reasons.append(_("new installation"))
    if row["reported"]:
        reasons.append(_("annual emission report for %(year)s") % {"year": year})
    return "; ".join(reasons)


def compliance_label(row: dict, final: bool) -> str:
    if not final:
        return _("deadline not yet passed")
    code = row["compliance"]
    return str(registry.Status.LABELS[code]) if code else "–"


def _number(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def firm_table(snapshot: dict) -> tuple[list[str], list[list]]:
    header = [
        _("firm"),
        _("unified social credit code"),
        _("sector"),
        _("inclusion reason"),
        _("determined emissions (tCO2e)"),
        _("compliance status"),
        _("fine (CNY)"),
        _("deduction from the next allocation (tCO2e)"),
    ]
    rows = [
        [
            row["name"],
            row["credit_code"],
            _sector(row),
            inclusion_reason(row, snapshot["year"]),
            _number(row["emissions_tco2e"]),
            compliance_label(row, snapshot["compliance_final"]),
            _number(row["fine_cny"]),
            _number(row["deduction_tco2e"]),
        ]
        for row in snapshot["firms"]
    ]
    return header, rows


TOTAL_LABELS = {
    "covered_firms": gettext_lazy("covered firms"),
    "obliged_firms": gettext_lazy("firms with a compliance obligation"),
    "compliant_firms": gettext_lazy("compliant firms"),
    "compliance_rate_pct": gettext_lazy("compliance rate (%)"),
    "cap_tco2e": gettext_lazy("cap (tCO2e)"),
    "allocated_tco2e": gettext_lazy("allocated (tCO2e)"),
    "surrendered_tco2e": gettext_lazy("surrendered (t)"),
    "offsets_tco2e": gettext_lazy("offsets surrendered (t)"),
    "offsets_share_pct": gettext_lazy("offsets share (%)"),
    "traded_tco2e": gettext_lazy("traded volume (t)"),
    "trading_rate_pct": gettext_lazy("trading rate (%)"),
}


def totals_table(snapshot: dict) -> tuple[list[str], list[list]]:
    totals = snapshot["totals"]
    rows = [[str(label), _number(_text(totals.get(key)))] for key, label in TOTAL_LABELS.items()]
    return [_("figure"), _("value")], rows


def history_table(rows: list[HistoricalStatistic]) -> tuple[list[str], list[list]]:
    header = [
        _("market"),
        _("year"),
        _("covered firms"),
        _("compliant firms"),
        _("compliance rate (%)"),
        _("rate as printed (%)"),
        _("source"),
    ]
    body = [
        [
            str(stat.market),
            stat.year,
            stat.obliged_firms,
            (">" if stat.compliant_is_lower_bound else "") + str(stat.compliant_firms)
            if stat.compliant_firms is not None
            else _("not published"),
            shown_rate(stat),
            stat.printed_rate or _("not published"),
            stat.source,
        ]
        for stat in rows
    ]
    return header, body


def shown_rate(stat: HistoricalStatistic) -> str:
    """The computed rate where the counts allow one, else the printed one; '>' where the count is a lower bound."""
    computed = stat.computed_rate_pct
    if computed is not None:
        return (">" if stat.compliant_is_lower_bound else "") + str(computed)
    return stat.printed_rate or _("not published")


def regulator_market(*, user) -> Market:
    """A regulator's own market (one they may see); else 404."""
    return get_object_or_404(access.visible_to(user, Market), pk=user.market_id)


def publications_visible(*, user, market: Market) -> list[Publication]:
    """The market's publications `user` may see."""
    return list(access.visible_to(user, publications_of(market)))


def publication_visible(*, user, pk: int) -> Publication:
    """A publication `user` may see, with its market; else 404."""
    return get_object_or_404(access.visible_to(user, Publication).select_related("market"), pk=pk)

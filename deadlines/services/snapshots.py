"""The quarterly snapshot of a market's figures and its early warnings."""

import datetime
from collections import defaultdict

from django.db import transaction
from django.urls import reverse

from deadlines import early_warning, hooks
from deadlines.calendar import RulePackCache, market_due_date
from deadlines.clock import last_finished_quarter
from deadlines.models import EarlyWarning, Notification, QuarterlySnapshot
from deadlines.services.common import CATCH_UP_DAYS, Q, _market_params, _markets
from deadlines.services.notifications import notify
from mrv.models import (
    EmissionReport,
    Firm,
    Market,
    User,
)


def _quarterly_figures(market: Market, years: list[int]) -> dict[int, dict[int, dict[int, object]]]:
    """{firm id: {year: {quarter: tCO2e}}} of the counted quarterly reports."""
    figures = defaultdict(lambda: defaultdict(dict))
    reports = EmissionReport.objects.filter(market=market, year__in=years, status__in=hooks.COUNTED_QUARTERLY_STATUSES)
    for report in reports.exclude(period=Q.ANNUAL):
        value = hooks.report_emissions_tco2e(report)
        if value is not None:
            figures[report.firm_id][report.year][int(report.period[1])] = value
    return figures


def quarterly_snapshot_build(*, market: Market, year: int, quarter: int) -> QuarterlySnapshot | None:
    """Emissions by sector so far and each firm's projection against its allocation; None if built before.
    A fixed number of queries whatever the number of firms."""
    figures = _quarterly_figures(market, [year - 3, year - 2, year - 1, year])
    firms = {f.pk: f for f in Firm.objects.filter(pk__in=list(figures)).select_related("sector")}
    with transaction.atomic():
        snapshot, created = QuarterlySnapshot.objects.get_or_create(market=market, year=year, quarter=quarter)
        if not created:
            return None
        by_sector, warnings = defaultdict(int), []
        allocations = hooks.allocations_for(list(firms.values()), year)
        for firm_id, years in sorted(figures.items()):
            this_year = years.get(year, {})
            if any(q not in this_year for q in range(1, quarter + 1)):
                continue  # incomplete: the overdue notices deal with it
            history = [years[y] for y in sorted(years) if y < year]
            projection = early_warning.project(this_year, quarter, history)
            by_sector[firms[firm_id].sector.code] += projection.so_far_tco2e
            allocation = allocations[firm_id]
            warnings.append(
                EarlyWarning(
                    snapshot=snapshot,
                    firm=firms[firm_id],
                    emissions_so_far_tco2e=projection.so_far_tco2e,
                    share_so_far=projection.share,
                    seasonally_adjusted=projection.seasonally_adjusted,
                    projected_tco2e=projection.projected_tco2e,
                    allocation_tco2e=allocation,
                    shortfall_tco2e=early_warning.shortfall(projection.projected_tco2e, allocation),
                )
            )
        EarlyWarning.objects.bulk_create(warnings)
        snapshot.emissions_by_sector = {code: str(total) for code, total in sorted(by_sector.items())}
        snapshot.save(update_fields=["emissions_by_sector"])
        short = sum(1 for w in warnings if w.shortfall_tco2e > 0)
        regulators = User.objects.filter(is_active=True, role__in=User.REGULATOR_ROLES, authority__market=market)
        notify(
            regulators,
            Notification.Kind.QUARTERLY_SNAPSHOT,
            {
                **_market_params(market),
                "year": year,
                "quarter": quarter,
                "short_count": short,
                "snapshot_id": snapshot.pk,
            },
            url=reverse("deadlines:snapshot", args=[snapshot.pk]),
        )
    return snapshot


def quarterly_snapshots_build_due(*, today: datetime.date, market_id: int | None = None) -> int:
    """The snapshot of each quarter whose report deadline has passed (in the last CATCH_UP_DAYS)."""
    built, packs = 0, RulePackCache()
    latest = last_finished_quarter(today)
    quarters = [latest, last_finished_quarter(datetime.date(latest[0], 3 * latest[1] - 2, 1))]
    for market in _markets(market_id):
        for year, quarter in quarters:
            pack = packs.get(market, year)
            if pack is None or not pack.quarterly_reporting:
                continue
            due = market_due_date(market, year, f"q{quarter}_report", packs)
            if due and 0 < (today - due).days <= CATCH_UP_DAYS:
                built += quarterly_snapshot_build(market=market, year=year, quarter=quarter) is not None
    return built

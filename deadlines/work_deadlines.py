"""Deadlines that come from the work, for the reminder scan: findings' response dates and monthly deposits.

Both are computed by `mrv.due_dates` (with pauses for open requests). Only the deadlines not yet met are
returned: a report's response deadline exists while it has open findings, a month's deposit until it is
made. The scan covers every year from the markets' earliest rule pack, so an unmet deadline keeps its
monthly overdue notices at any age; the query count does not depend on the number of years.
"""

import datetime
from collections import defaultdict

from django.db.models import Min

from mrv.due_dates import OPEN_FINDING, RulePackCache, finding_response_dues, monthly_deposit_due
from mrv.models import Finding, Firm, MonthlyDeposit, RulePack
from mrv.models.clocks import WorkDeadline

from .calendar import Deadline, covered_lists, is_covered


def scan_years(today: datetime.date) -> list[int]:
    """Every compliance year a deadline may still be unmet in: from the earliest rule pack to next year."""
    first = RulePack.objects.aggregate(first=Min("valid_from_year"))["first"] or today.year - 1
    return list(range(min(first, today.year - 1), today.year + 2))


def finding_response_deadlines(firms: list[Firm]) -> list[Deadline]:
    """Per report with open findings, its response deadline: the earliest open finding's (pauses included)."""
    by_pk = {f.pk: f for f in firms}
    findings = list(
        Finding.objects.filter(report__firm__in=firms, status__in=OPEN_FINDING, response_due__isnull=False)
        .select_related("report")
        .only("pk", "status", "response_due", "report__firm_id", "report__year")
    )
    dues = finding_response_dues(findings)
    earliest: dict[tuple[int, int], datetime.date] = {}
    for finding in findings:
        key = (finding.report.firm_id, finding.report.year)
        earliest[key] = min(earliest.get(key, dues[finding.pk]), dues[finding.pk])
    return [Deadline(by_pk[f], y, WorkDeadline.FINDING_RESPONSE, due, 0) for (f, y), due in earliest.items()]


def monthly_deposit_deadlines(firms: list[Firm], years: list[int], packs: RulePackCache) -> list[Deadline]:
    """Each month not yet deposited by a firm that deposits monthly (by its pack, sector and coverage);
    `firms` with `market` and `sector` loaded. No query unless some firm deposits monthly."""
    depositing = [
        (firm, year, pack)
        for firm in firms
        for year in years
        if (pack := packs.get(firm.market, year)) is not None and pack.deposits_monthly(firm.sector.code, year)
    ]
    if not depositing:
        return []
    deposited = defaultdict(set)
    rows = MonthlyDeposit.objects.filter(firm__in={f.pk for f, _y, _p in depositing}, year__in=years)
    for firm_id, year, month in rows.values_list("firm_id", "year", "month"):
        deposited[(firm_id, year)].add(month)
    listed, result = covered_lists(firms, years), []
    for firm, year, pack in depositing:
        if not is_covered(firm, year, listed):
            continue
        for month in sorted(set(range(1, 13)) - deposited[(firm.pk, year)]):
            result.append(Deadline(firm, year, WorkDeadline.MONTHLY_DEPOSIT, monthly_deposit_due(pack, year, month), 0))
    return result


def work_deadlines(firms: list[Firm], years: list[int], packs: RulePackCache | None = None) -> list[Deadline]:
    """The unmet deadlines that come from the work itself, for the given firms."""
    return finding_response_deadlines(firms) + monthly_deposit_deadlines(firms, years, packs or RulePackCache())

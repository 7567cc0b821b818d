"""Reads of monthly deposits: a firm's year of deposits and the overview of the depositing firms."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType

from mrv import due_dates
from mrv.models import Firm, MonthlyDeposit, StoredFile


@dataclass
class DepositMonth:
    """One month of a depositing firm's year: its due date and what was deposited (None: nothing yet)."""

    month: int
    due: datetime.date
    deposit: MonthlyDeposit | None
    files: list = field(default_factory=list)

    def status(self, today: datetime.date) -> str:
        if self.deposit is None:
            return "overdue" if today > self.due else "open"
        return "late" if self.deposit.days_late else "on_time"


def deposit_months(firm: Firm, year: int) -> list[DepositMonth]:
    """The twelve months of a firm's year under its pack's monthly deposit rule (empty where it deposits none),
    with the deposits and their evidence files: four queries."""
    pack = due_dates.RulePackCache().get(firm.market, year)
    if pack is None or not pack.deposits_monthly(firm.sector.code, year):
        return []
    deposits = {d.month: d for d in MonthlyDeposit.objects.filter(firm=firm, year=year).select_related("deposited_by")}
    files = defaultdict(list)
    owner_type = ContentType.objects.get_for_model(MonthlyDeposit)
    for stored in StoredFile.objects.filter(owner_type=owner_type, owner_id__in=[str(d.pk) for d in deposits.values()]):
        files[stored.owner_id].append(stored)
    return [
        DepositMonth(
            m,
            deposits[m].due_date if m in deposits else due_dates.monthly_deposit_due(pack, year, m),
            deposits.get(m),
            files[str(deposits[m].pk)] if m in deposits else [],
        )
        for m in range(1, 13)
    ]


def deposit_overview(firms, year: int, today: datetime.date) -> list[dict]:
    """Per depositing firm of `firms` (a queryset the user may see): months deposited, late, changed and overdue,
    in three queries whatever the number of firms."""
    packs = due_dates.RulePackCache()
    firms = [
        f
        for f in firms.select_related("market", "sector")
        if (p := packs.get(f.market, year)) is not None and p.deposits_monthly(f.sector.code, year)
    ]
    by_firm = defaultdict(list)
    for deposit in MonthlyDeposit.objects.filter(firm__in=firms, year=year):
        by_firm[deposit.firm_id].append(deposit)
    rows = []
    for firm in firms:
        pack, made = packs.get(firm.market, year), by_firm[firm.pk]
        done = {d.month for d in made}
        overdue = [m for m in range(1, 13) if m not in done and due_dates.monthly_deposit_due(pack, year, m) < today]
        rows.append(
            {
                "firm": firm,
                "deposited": len(made),
                "late": sorted(d.month for d in made if d.days_late),
                "changed": sorted(d.month for d in made if d.revisions),
                "overdue": overdue,
            }
        )
    return rows

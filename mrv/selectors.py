"""Reads of the MRV cycle that pages, the API and the services share (services write, selectors read).

Each function runs a fixed number of queries. Rules that are reads too (materiality, the reported
figure) are stated once in the workflow predicates and offered here under the names pages use.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch

from mrv import due_dates
from mrv.models import (
    Determination,
    EmissionReport,
    ExtensionRequest,
    Finding,
    Firm,
    InformationRequest,
    MonitoringPlan,
    MonthlyDeposit,
    PlanSourceStream,
    QuarterlyReview,
    SpotCheckItem,
    StoredFile,
    VerificationOpinion,
)
from mrv.workflow.verification import Materiality, materiality, reported_emissions

__all__ = [
    "Materiality",
    "materiality",
    "plan_in_force",
    "reported_emissions",
    "review_page_reads",
    "verification_page_reads",
]


def plan_in_force(firm: Firm, on_date: datetime.date) -> MonitoringPlan | None:
    """The approved version in force on a date, with its streams, sources and parameters loaded."""
    streams = PlanSourceStream.objects.select_related("source").prefetch_related("parameters")
    queryset = MonitoringPlan.objects.select_related("firm__market").prefetch_related(Prefetch("streams", streams))
    return queryset.in_force(firm, on_date)


def verification_page_reads(report: EmissionReport) -> dict:
    """What the verification page of a report lists: findings with answers, opinions, spot-check items."""
    findings = list(
        Finding.objects.filter(report=report)
        .select_related("raised_by")
        .prefetch_related("answers__answered_by", "information_requests")
    )
    return {
        "findings": findings,
        "report_response_due": with_response_dues(findings),
        "opinions": VerificationOpinion.objects.filter(report=report).select_related("signed_by"),
        "spot_items": SpotCheckItem.objects.filter(report=report).select_related("body", "checked_by", "sample"),
    }


def with_response_dues(findings: list[Finding]) -> datetime.date | None:
    """Set each finding's `response_due_now` (its date moved by the requests about it, `mrv.due_dates`) and
    return the report's response deadline: the earliest of the open findings' (one query)."""
    dues = due_dates.finding_response_dues(findings)
    for finding in findings:
        finding.response_due_now = dues.get(finding.pk)
    open_dues = [dues[f.pk] for f in findings if f.status in due_dates.OPEN_FINDING and f.pk in dues]
    return min(open_dues, default=None)


def review_page_reads(report: EmissionReport) -> dict:
    """What the regulator's review page of a report lists: determinations (every version, each with its
    evidence) and quarterly co-reviews, in a fixed number of queries."""
    from django.contrib.contenttypes.models import ContentType

    from mrv.models import StoredFile

    determinations = list(Determination.objects.filter(report=report).select_related("proposed_by", "decided_by"))
    files = StoredFile.objects.filter(
        owner_type=ContentType.objects.get_for_model(Determination),
        owner_id__in=[str(d.pk) for d in determinations],
    ).order_by("uploaded_at", "id")
    by_owner: dict[str, list] = {}
    for f in files:
        by_owner.setdefault(f.owner_id, []).append(f)
    for d in determinations:
        d.evidence = by_owner.get(str(d.pk), [])
    return {
        "determinations": determinations,
        "co_reviews": QuarterlyReview.objects.filter(report=report).select_related("reviewed_by"),
    }


# --- Documents of record ---------------------------------------------------------------------------------


def seals_with_checks(seals) -> list:
    """Each seal with its check (`seal.check`), the live records read in one query per kind."""
    from mrv.records.seals import KINDS, seal_check

    seals = list(seals)
    wanted: dict[str, set[int]] = {}
    for seal in seals:
        wanted.setdefault(seal.kind, set()).add(seal.object_id)
    records = {kind: KINDS[kind].model._default_manager.in_bulk(ids) for kind, ids in wanted.items() if kind in KINDS}
    for seal in seals:
        seal.check = seal_check(seal, records.get(seal.kind, {}).get(seal.object_id))
    return seals


def report_seals(user, report) -> list:
    """The sealed copies of record about a report that `user` may see, newest first, checked."""
    from mrv import access
    from mrv.models import Seal

    seals = access.visible_to(user, Seal).filter(report=report).select_related("signed_by", "document")
    return seals_with_checks(seals.order_by("-signed_at", "-id"))


# --- Monthly deposits ----------------------------------------------------------------------------


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


# --- Requests about deadlines --------------------------------------------------------------------


def information_requests(visible) -> list[InformationRequest]:
    """The requests for information of a visible queryset, with what the page shows (one query)."""
    return list(visible.select_related("firm", "finding__report", "requested_by").order_by("status", "-opened_at"))


def extension_requests(visible) -> list[ExtensionRequest]:
    return list(visible.select_related("firm", "requested_by", "decided_by").order_by("-requested_at"))

"""The registry's documents of record: allocation, compliance and penalty notices (mrv/records does the rest).

Kinds registered with mrv.records.seals from RegistryConfig.ready():
- allocation: one per firm's line of an issued allocation table, sealed when the table is issued;
- compliance: a firm's position for a compliance year (obligation, surrendered, shortfall) as at the moment
  the notice is issued; the figures move with later surrenders, so the seal is a snapshot (not compared with
  the ledger when shown) and a later notice would need a new year-end; one per firm and year;
- penalty: the enforcement decision, sealed when the head decides it.

`notices_issue` starts the bulk run (every firm of a market for a year) in the worker through
mrv/jobs.py; each notice is sealed and its PDF rendered and stored once, with progress every few notices.
"""

import csv
import io

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mrv import jobs
from mrv.models import Firm, Market, Seal
from mrv.records import seals
from mrv.refusals import Refused
from mrv.services.records import document_issue
from registry import selectors
from registry.models import AllocationLine, AllocationTable, Penalty

BULK_KINDS = {Seal.Kind.COMPLIANCE: _("compliance notices"), Seal.Kind.ALLOCATION: _("allocation notices")}
NOT_REGULATOR = _("Only the market's regulator issues its notices.")
NOT_ISSUED = _("The allocation table for %(year)s has not been issued yet: there is nothing to notify.")


def _firm_as_at(firm: Firm) -> dict:
    market = firm.market
    return {
        "firm": {"id": firm.pk, "name": firm.name, "credit_code": firm.credit_code, "address": firm.address},
        "market": {"code": market.code, "name_zh": market.name_zh, "name_en": market.name_en},
    }


def _line_subject(line: AllocationLine) -> dict:
    return {"market_id": line.table.market_id, "firm_id": line.firm_id, "report_id": None, "year": line.table.year}


def _line_as_at(line: AllocationLine) -> dict:
    table = line.table
    return {
        **_firm_as_at(line.firm),
        "table": {"id": table.pk, "kind": table.kind, "year": table.year},
        "method_label": line.method_label,
        "formula": line.formula_text,
    }


def _penalty_subject(penalty: Penalty) -> dict:
    return {"market_id": penalty.firm.market_id, "firm_id": penalty.firm_id, "report_id": None, "year": penalty.year}


def _penalty_as_at(penalty: Penalty) -> dict:
    return {**_firm_as_at(penalty.firm), "decided_by": seals._person(penalty.decided_by)}


def register() -> None:
    seals.register(
        Seal.Kind.ALLOCATION,
        model=AllocationLine,
        subject=_line_subject,
        as_at=_line_as_at,
        template="documents/allocation.html",
        related=("firm__market", "table"),
    )
    seals.register(
        Seal.Kind.PENALTY,
        model=Penalty,
        subject=_penalty_subject,
        as_at=_penalty_as_at,
        template="documents/penalty.html",
        related=("firm__market", "decided_by"),
    )
    seals.register(
        Seal.Kind.COMPLIANCE,
        model=Firm,
        subject=lambda firm: {"market_id": firm.market_id, "firm_id": firm.pk, "report_id": None},
        as_at=_firm_as_at,
        template="documents/compliance.html",
        live=False,
    )


# --- Sealing -----------------------------------------------------------------------------------------------


def seal_allocation_lines(table: AllocationTable, signer) -> int:
    """Seal every firm's line of an issued table (called in the issuing transaction)."""
    lines = table.lines.select_related("firm__market", "table")
    for line in lines:
        seals.seal_record(Seal.Kind.ALLOCATION, line, signer=signer)
    return len(lines)


def seal_penalty(penalty: Penalty, signer) -> Seal:
    return seals.seal_record(Seal.Kind.PENALTY, penalty, signer=signer)


def _compliance_record(status) -> dict:
    return {
        "firm_id": status.firm_id,
        "year": status.year,
        "status": status.status,
        "obligation_tco2e": status.obligation_tco2e,
        "allowances_tco2e": status.allowances_tco2e,
        "offsets_tco2e": status.offsets_tco2e,
        "carried_in_tco2e": status.carried_in_tco2e,
        "surrendered_tco2e": status.allowances_tco2e + status.offsets_tco2e + status.carried_in_tco2e,
        "shortfall_tco2e": status.shortfall_tco2e,
        "deadline": status.deadline,
        "marked_non_compliant": status.marked,
    }


def seal_compliance(firm: Firm, status, signer) -> Seal:
    return seals.seal_snapshot(
        Seal.Kind.COMPLIANCE,
        object_id=firm.pk,
        subject={"market_id": firm.market_id, "firm_id": firm.pk, "report_id": None, "year": status.year},
        content=lambda: {
            "document": Seal.Kind.COMPLIANCE,
            "record": _compliance_record(status),
            "as_at": _firm_as_at(firm),
        },
        signer=signer,
    )


# --- The bulk run ----------------------------------------------------------------------------------------


def notices_issue(*, market: Market, year: int, kind: str, acting_user):
    """Start issuing `kind` notices to every firm of the market for `year` in the worker; returns the job."""
    if not (acting_user.is_national_admin or (acting_user.is_regulator and acting_user.market_id == market.pk)):
        raise Refused(NOT_REGULATOR, code="not_regulator")
    if kind not in BULK_KINDS:
        raise Refused(_("Unknown kind of notice."), code="kind")
    if (
        kind == Seal.Kind.ALLOCATION
        and not AllocationTable.objects.filter(market=market, year=year, status="issued").exists()
    ):
        raise Refused(NOT_ISSUED % {"year": year}, code="not_issued")
    title = f"{BULK_KINDS[kind]} · {market} · {year}"
    return jobs.job_start(
        kind="notices",
        title=title,
        params={"market_id": market.pk, "year": year, "notice": kind},
        acting_user=acting_user,
    )


def _targets(market: Market, year: int, kind: str, signer):
    """(firm, a function sealing its notice) for every firm to notify, read in a fixed number of queries."""
    if kind == Seal.Kind.COMPLIANCE:
        statuses = selectors.compliance_statuses(market, year)
        firms = Firm.objects.select_related("market").in_bulk([s.firm_id for s in statuses])
        return [(firms[s.firm_id], lambda s=s: seal_compliance(firms[s.firm_id], s, signer)) for s in statuses]
    lines = AllocationLine.objects.filter(table__market=market, table__year=year, table__status="issued")
    lines = lines.select_related("firm__market", "table").order_by("firm__name", "table_id")
    return [
        (line.firm, lambda line=line: seals.seal_record(Seal.Kind.ALLOCATION, line, signer=signer)) for line in lines
    ]


@jobs.handler("notices", progress_every=10)
def _run_notices(job, progress):
    market = Market.objects.get(pk=job.params["market_id"])
    year, kind, signer = job.params["year"], job.params["notice"], job.requested_by
    targets = _targets(market, year, kind, signer)
    progress.total(len(targets))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["firm", "credit_code", "document", "sha256", "pdf_sha256", "link"])
    site = settings.SITE_URL.rstrip("/")
    for firm, seal_it in targets:
        with transaction.atomic():
            seal = seal_it()
        issued = document_issue(seal=seal, acting_user=None)
        link = site + reverse("ui:seal_detail", args=[seal.pk])
        writer.writerow([firm.name, firm.credit_code, seal.get_kind_display(), seal.digest, issued.sha256, link])
        progress.advance()
    return out.getvalue().encode("utf-8-sig"), f"{kind}-notices-{market.code}-{year}.csv", "text/csv"

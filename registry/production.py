"""Output and production data, the inputs of allocation, from the product alone.

- The firm enters its year's output (and, in Chongqing, its self-declaration) with its annual report,
  while the report is editable, with evidence attached to the report.
- The verifier of the firm-year's accepted engagement confirms the figure as part of verification.
- The regulator imports many firm-years at once from Excel or CSV; one bad cell and nothing is saved.

Every change is audited with the figure before and after. A firm's change un-confirms the figure.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from mrv import uploads
from mrv.audit import log_action
from mrv.models import EmissionReport, Firm, Market, MarketSector, StoredFile
from mrv.refusals import Refused
from mrv.workflow import reports as report_rules
from mrv.workflow import verification as verification_rules
from registry.models import ProductionRecord
from registry.production_sheet import SheetErrors, parse_production

NOT_FIRM_USER = _("Only the firm's own users enter its production data.")
NOT_EDITABLE = _("Production data is entered while the report is a draft or returned to the firm.")
NOT_ANNUAL = _("Production data belongs to the annual report.")
NOT_VERIFIER = _("Only a verifier of the accepted engagement for this firm and year confirms its production data.")
NOTHING_TO_CONFIRM = _("The firm has entered no production data for %(year)s.")
NOT_REGULATOR = _("Only the market's regulator imports production data.")


class ProductionRefused(Refused):
    default_code = "production"


class ProductionSheetRejected(Refused):
    """The sheet refused as a whole, with every bad cell (nothing is saved)."""

    default_code = "production_sheet"

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = [str(e) for e in errors]

    @property
    def messages(self) -> list[str]:
        return self.errors


def _shown(record: ProductionRecord | None) -> dict:
    if record is None:
        return {}
    return {
        "output": str(record.output),
        "declared_tco2e": None if record.declared_tco2e is None else str(record.declared_tco2e),
        "verified": record.is_verified,
    }


# The output row kind each allocation method reads: supply for Shanghai's power and grid, heat for heat.
OUTPUT_KIND = {
    "shanghai_power": "electricity_supply",
    "shanghai_grid": "electricity_supply",
    "shanghai_heat": "heat_supply",
}


def output_from_report(report: EmissionReport) -> Decimal | None:
    """The output the firm already gave in the report's output data, of the kind its allocation method reads."""
    sector = MarketSector.objects.filter(
        rule_pack=report.market.rule_pack_for(report.year), sector=report.firm.sector_id
    )
    method = sector.values_list("allocation_method", flat=True).first() or ""
    rows = report.output_rows.filter(kind=OUTPUT_KIND.get(method, "product"))
    return rows.aggregate(total=Sum("amount"))["total"]


def production_record_of(report: EmissionReport) -> ProductionRecord | None:
    return ProductionRecord.objects.filter(firm_id=report.firm_id, year=report.year).first()


def _entry_refusal(report: EmissionReport, user) -> Exception | None:
    """Why `user` may not enter the report's production data now (None: they may)."""
    if not report_rules.is_firm_user(report, user):
        return PermissionDenied(NOT_FIRM_USER)
    if report.period != "annual":
        return ProductionRefused(NOT_ANNUAL)
    if not report_rules.is_editable(report):
        return ProductionRefused(NOT_EDITABLE)
    return None


def production_actions(report: EmissionReport, record: ProductionRecord | None, user) -> frozenset[str]:
    """What the production page offers `user` (`{% if "enter" in can %}`), from the rules the services apply:
    the firm enters while the report is editable; the engaged verifier confirms what is entered, once."""
    can = set()
    if _entry_refusal(report, user) is None:
        can.add("enter")
    if record is not None and not record.is_verified and verification_rules.is_engaged_verifier(report, user):
        can.add("confirm")
    return frozenset(can)


def production_enter(
    *,
    report: EmissionReport,
    output: Decimal,
    declared_tco2e: Decimal | None,
    acting_user,
    evidence: bytes | None = None,
    evidence_name: str = "",
) -> ProductionRecord:
    """The firm's output of the report's year (and self-declaration), with an optional evidence file."""
    refusal = _entry_refusal(report, acting_user)
    if refusal is not None:
        raise refusal
    with transaction.atomic():
        record = ProductionRecord.objects.select_for_update().filter(firm_id=report.firm_id, year=report.year).first()
        before = _shown(record)
        if record is None:
            record = ProductionRecord(firm_id=report.firm_id, year=report.year)
        record.output, record.declared_tco2e, record.is_verified = output, declared_tco2e, False
        record.save()
        if evidence:
            uploads.store_file(
                owner=report,
                kind=StoredFile.Kind.EVIDENCE,
                data=evidence,
                original_name=evidence_name,
                description=str(_("Production data %(year)s") % {"year": report.year}),
                acting_user=acting_user,
            )
        log_action(
            record,
            "registry.productionrecord.production_entered",
            actor=acting_user,
            changes={k: (before.get(k), v) for k, v in _shown(record).items()},
            reason=str(_("entered with the %(year)s report") % {"year": report.year}),
        )
    return record


def production_confirm(*, report: EmissionReport, acting_user) -> ProductionRecord:
    """The engaged verifier confirms the firm's output as part of verifying the report."""
    if not verification_rules.is_engaged_verifier(report, acting_user):
        raise PermissionDenied(NOT_VERIFIER)
    with transaction.atomic():
        record = ProductionRecord.objects.select_for_update().filter(firm_id=report.firm_id, year=report.year).first()
        if record is None:
            raise ProductionRefused(NOTHING_TO_CONFIRM % {"year": report.year})
        if not record.is_verified:
            record.is_verified = True
            record.save(update_fields=["is_verified"])
            log_action(
                record,
                "registry.productionrecord.production_confirmed",
                actor=acting_user,
                from_state="entered",
                to_state="verified",
                reason=str(_("confirmed in the verification of the %(year)s report") % {"year": report.year}),
            )
    return record


def production_import(*, market: Market, data: bytes, acting_user) -> list[ProductionRecord]:
    """A regulator's sheet of firm-years: every row checked first; one bad cell and nothing is saved."""
    if acting_user is not None and not (
        acting_user.is_national_admin or (acting_user.is_regulator and acting_user.market_id == market.pk)
    ):
        raise PermissionDenied(NOT_REGULATOR)
    try:
        rows = parse_production(data, list(Firm.objects.filter(market=market).only("pk", "credit_code", "name")))
    except SheetErrors as errors:
        raise ProductionSheetRejected(errors.messages) from None
    except uploads.UploadRejected as rejected:
        raise ProductionSheetRejected([str(rejected.message)]) from None
    with transaction.atomic():
        existing = {
            (r.firm_id, r.year): r
            for r in ProductionRecord.objects.select_for_update().filter(
                firm_id__in={row.firm.pk for row in rows}, year__in={row.year for row in rows}
            )
        }
        created, updated, changes = [], [], {}
        for row in rows:
            record = existing.get((row.firm.pk, row.year))
            before = _shown(record)
            if record is None:
                record = ProductionRecord(firm=row.firm, year=row.year)
                created.append(record)
            else:
                updated.append(record)
            record.output, record.declared_tco2e, record.is_verified = row.output, row.declared_tco2e, row.is_verified
            changes[f"{row.firm.credit_code} {row.year}"] = (before or None, _shown(record))
        ProductionRecord.objects.bulk_create(created)
        ProductionRecord.objects.bulk_update(updated, ["output", "declared_tco2e", "is_verified"])
        # One audit entry for the import, on the market, listing every firm-year's figures before and after.
        log_action(
            market,
            "registry.market.production_imported",
            actor=acting_user,
            changes=changes,
            reason=str(_("%(n)s rows imported") % {"n": len(rows)}),
        )
    return created + updated

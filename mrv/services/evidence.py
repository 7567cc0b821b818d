"""Evidence attached to an emission report by the firm (invoices, meter readings, lab results)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from mrv import uploads
from mrv.audit import log_action
from mrv.models import EmissionReport, StoredFile
from mrv.workflow import reports as rules

NOT_YOUR_REPORT = _("Only the firm's own users may attach evidence to its report.")
REPORT_LOCKED = _("Evidence can be attached only while the report is a draft or returned to the firm.")


def report_attach_evidence(
    *, report: EmissionReport, data: bytes, file_name: str, description: str, acting_user
) -> StoredFile:
    """Store one evidence file for the report and record it in the audit trail."""
    if not rules.is_firm_user(report, acting_user):
        raise PermissionDenied(NOT_YOUR_REPORT)
    if not rules.is_editable(report):
        raise uploads.UploadRejected(REPORT_LOCKED, code="not_editable")
    with transaction.atomic():
        stored = uploads.store_file(
            owner=report,
            kind=StoredFile.Kind.EVIDENCE,
            data=data,
            original_name=file_name,
            description=description,
            acting_user=acting_user,
        )
        log_action(
            report,
            "mrv.report.evidence_attached",
            actor=acting_user,
            changes={"evidence": (None, stored.original_name)},
            reason=description,
        )
    return stored

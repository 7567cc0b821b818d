"""Large spreadsheets are read by a worker, not by the web request.

A file above `settings.UPLOAD_INLINE_MAX_BYTES` is checked for what the request can afford (its size,
its type judged by its bytes, the firm's right to write the report), kept in storage under a random name
and handed to a background job. The worker reads it within `settings.UPLOAD_JOB_CPU_SECONDS` of CPU
(`mrv.uploads.ParseBudget`) and then runs the same one upload path as the request,
`report_upload_activity_sheet`: all rows or none, the file kept and audited. The requester follows
the progress on the job page, which lists the problems by row and column when nothing was saved.
"""

import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mrv import jobs, uploads
from mrv.models import BackgroundJob, EmissionReport
from mrv.services import reports

KIND = "activity_sheet_upload"
TITLE = _("Reading the activity-data file “%(name)s” of %(firm)s, %(year)s %(period)s")
SAVED = _("%(rows)s rows saved from “%(name)s”.")


def is_large(file) -> bool:
    """Whether the request hands the file to a worker (its size is known before any byte is read)."""
    return (file.size or 0) > settings.UPLOAD_INLINE_MAX_BYTES


def report_upload_activity_sheet_later(
    *, report: EmissionReport, file, acting_user, return_url: str = ""
) -> BackgroundJob:
    """Check what can be checked at once, keep the file and queue the job that reads and saves it.

    Refuses (nothing kept, no job) a user who may not write the report, a report that is not editable,
    a file above the size limit and a file that is neither a workbook nor CSV text by its bytes.
    """
    reports.ensure_may_enter_data(report, acting_user)
    data = uploads.read_upload(file)
    uploads.check_file(data, file.name, frozenset({uploads.XLSX, uploads.CSV}))
    pending = default_storage.save(f"pending/{secrets.token_hex(16)}", ContentFile(data), max_length=80)
    name = uploads.safe_name(file.name)
    return jobs.job_start(
        kind=KIND,
        title=TITLE
        % {"name": name, "firm": report.firm.name, "year": report.year, "period": report.get_period_display()},
        params={"report": report.pk, "pending": pending, "name": name},
        acting_user=acting_user,
        return_url=return_url,
    )


@jobs.handler(KIND)
def read_pending_upload(job: BackgroundJob, progress: jobs.Progress):
    """The worker's side: the same upload path as a request, with the worker's CPU budget."""
    pending = job.params["pending"]
    try:
        report = EmissionReport.objects.select_related("firm").get(pk=job.params["report"])
        with default_storage.open(pending, "rb") as stored:
            data = stored.read()
        estimate = uploads.row_estimate(data)
        if estimate:
            progress.total(estimate)
        budget = uploads.ParseBudget(settings.UPLOAD_JOB_CPU_SECONDS, on_rows=progress.advance)
        file = File(ContentFile(data), name=job.params["name"])
        file.size = len(data)
        try:
            rows = reports.report_upload_activity_sheet(
                report=report, file=file, acting_user=job.requested_by, budget=budget
            )
        except (ValidationError, PermissionDenied) as refused:
            messages = getattr(refused, "messages", None) or [str(refused)]
            raise jobs.JobRefused(messages) from None
        return jobs.Done(gettext(SAVED) % {"rows": rows, "name": job.params["name"]})
    finally:
        default_storage.delete(pending)

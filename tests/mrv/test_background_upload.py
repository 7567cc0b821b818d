"""A large spreadsheet is read by a worker within a CPU budget; the firm follows it on the job page.

The web request only checks what it can afford (the user's right, the size, the type by its bytes) and
keeps the file; the worker runs the same one upload path (all rows or none) and lists the problems by
row and column when nothing was saved. Any parse, in a request or a worker, stops at its CPU budget.
"""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from mrv import jobs, uploads
from mrv.models import ActivityDataRow, AuditLog, BackgroundJob, OutboxMessage, StoredFile
from tests.mrv.ui.test_report_data import draft, filled_template  # noqa: F401 (fixture)


@pytest.fixture
def small_inline_limit(settings):
    settings.UPLOAD_INLINE_MAX_BYTES = 1024  # every filled-in template (about 6 KB) goes to a worker


def _post(client, draft, data, name="data.xlsx"):  # noqa: F811
    return client.post(reverse("ui:report_upload", args=[draft.pk]), {"file": SimpleUploadedFile(name, data)})


def _the_job() -> BackgroundJob:
    return BackgroundJob.objects.get(kind="activity_sheet_upload")


def test_a_large_file_is_queued_and_the_worker_saves_every_row(client, firm_user, draft, small_inline_limit):  # noqa: F811
    client.force_login(firm_user)
    response = _post(client, draft, filled_template(client, draft))
    job = _the_job()
    assert response.status_code == 302 and response["Location"] == reverse("ui:job_detail", args=[job.pk])
    assert OutboxMessage.objects.get(task_name="mrv.run_job").kwargs == {"job_id": job.pk}
    assert not ActivityDataRow.objects.filter(report=draft).exists()  # the request saved nothing itself
    pending = job.params["pending"]
    assert default_storage.exists(pending)

    jobs.job_run(job.pk)

    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE and job.percent == 100
    assert ActivityDataRow.objects.filter(report=draft).count() == 12
    assert StoredFile.objects.get().kind == StoredFile.Kind.ACTIVITY_DATA
    assert AuditLog.objects.filter(action="mrv.emissionreport.data_saved", actor=firm_user).exists()
    assert not default_storage.exists(pending)  # the pending copy is gone; the stored file is the record
    page = client.get(reverse("ui:job_detail", args=[job.pk])).content.decode()
    assert "12" in page and reverse("ui:report_data", args=[draft.pk]) in page
    assert reverse("ui:job_download", args=[job.pk]) not in page  # nothing to download: the rows are saved


def test_a_bad_row_in_a_large_file_saves_nothing_and_the_job_page_names_row_and_column(
    client,
    firm_user,
    draft,  # noqa: F811
    small_inline_limit,
):
    client.force_login(firm_user)
    _post(client, draft, filled_template(client, draft, E6="much"))
    job = _the_job()
    jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.FAILED
    assert any("Row 6, column E" in issue for issue in job.issues)
    assert not ActivityDataRow.objects.filter(report=draft).exists() and not StoredFile.objects.exists()
    page = client.get(reverse("ui:job_detail", args=[job.pk])).content.decode()
    assert 'id="job-issues"' in page and "Row 6, column E" in page
    assert not default_storage.exists(job.params["pending"])


def test_a_file_whose_bytes_are_not_a_table_is_refused_at_once_without_a_job(
    client,
    firm_user,
    draft,  # noqa: F811
    small_inline_limit,
):
    client.force_login(firm_user)
    markup = b"<html><script>alert(1)</script></html>" + b" " * 2048
    response = _post(client, draft, markup, name="data.csv")
    assert response.status_code == 400
    assert not BackgroundJob.objects.exists() and not OutboxMessage.objects.filter(task_name="mrv.run_job").exists()


def test_another_firms_user_cannot_queue_a_job_on_the_report(
    client,
    firm_user,
    other_firm_user,
    draft,  # noqa: F811
    small_inline_limit,
):
    client.force_login(firm_user)
    data = filled_template(client, draft)
    client.force_login(other_firm_user)
    assert _post(client, draft, data).status_code == 404
    assert not BackgroundJob.objects.exists()


def test_nobody_else_sees_the_job_or_its_problems(client, firm_user, other_firm_user, draft, small_inline_limit):  # noqa: F811
    client.force_login(firm_user)
    _post(client, draft, filled_template(client, draft, E6="much"))
    job = _the_job()
    jobs.job_run(job.pk)
    client.force_login(other_firm_user)
    assert client.get(reverse("ui:job_detail", args=[job.pk])).status_code == 404


def _big_workbook(rows: int = 5000, columns: int = 30) -> bytes:
    book = Workbook()
    sheet = book.active
    for number in range(1, rows + 1):
        sheet.append([number * column + 0.5 for column in range(columns)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_parse_that_spends_its_cpu_budget_is_stopped_naming_the_row_reached():
    data = _big_workbook()
    with pytest.raises(uploads.UploadRejected) as refused:
        uploads.read_table(data, uploads.ParseBudget(0.05))
    assert refused.value.row is not None and refused.value.row < 5000
    assert "0.05 seconds" in str(refused.value.message)


def test_the_same_file_within_a_sufficient_budget_is_read_whole_and_reports_progress():
    data = _big_workbook(rows=1000)
    seen = []
    kind, rows = uploads.read_table(data, uploads.ParseBudget(600, on_rows=seen.append))
    assert kind == uploads.XLSX and len(rows) == 1000
    assert sum(seen) == 1000  # progress in steps of ParseBudget.EVERY rows
    assert uploads.row_estimate(data) == 1000


def test_the_worker_reads_with_the_workers_budget(
    client,
    firm_user,
    draft,  # noqa: F811
    small_inline_limit,
    settings,
    monkeypatch,
):
    client.force_login(firm_user)
    _post(client, draft, filled_template(client, draft))
    settings.UPLOAD_JOB_CPU_SECONDS = 0
    monkeypatch.setattr(uploads.ParseBudget, "EVERY", 5)  # the template has 14 rows: checked at row 5
    jobs.job_run(_the_job().pk)
    job = _the_job()
    assert job.status == BackgroundJob.Status.FAILED and "0 seconds" in job.issues[0]
    assert not ActivityDataRow.objects.filter(report=draft).exists()

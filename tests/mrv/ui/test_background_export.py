"""An export beyond one page is made by a worker: the user follows its progress and downloads the file."""

import csv
import io

import pytest
from django.urls import reverse

from mrv import jobs
from mrv.models import BackgroundJob, EmissionReport, OutboxMessage
from mrv.ui import lists
from tests import factories as f


@pytest.fixture
def many_reports(firm, other_firm):
    for year in range(2016, 2024):
        f.ReportFactory(firm=firm, year=year)
        f.ReportFactory(firm=other_firm, year=year)
    return EmissionReport.objects.filter(market=firm.market)


@pytest.fixture
def inline_max(monkeypatch):
    monkeypatch.setattr(lists, "EXPORT_INLINE_MAX_ROWS", 5)


def _export(client, user, fmt="csv", query=""):
    client.force_login(user)
    return client.get(reverse("ui:report_list") + f"?export={fmt}{query}")


def test_a_small_export_is_downloaded_at_once(client, regulator, many_reports):
    response = _export(client, regulator)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert not BackgroundJob.objects.exists()


def test_a_large_export_becomes_a_background_job_queued_after_commit(client, regulator, many_reports, inline_max):
    response = _export(client, regulator)
    job = BackgroundJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("ui:job_detail", args=[job.pk])
    assert (job.requested_by, job.kind, job.status) == (regulator, "list_export", BackgroundJob.Status.QUEUED)
    assert OutboxMessage.objects.get(task_name="mrv.run_job").kwargs == {"job_id": job.pk}


def test_the_worker_writes_every_row_and_the_requester_downloads_it(client, regulator, many_reports, inline_max):
    _export(client, regulator, query="&sort=year")
    job = BackgroundJob.objects.get()
    jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE and job.percent == 100
    assert job.progress_total == many_reports.count() == 16
    page = client.get(reverse("ui:job_detail", args=[job.pk])).content.decode()
    assert reverse("ui:job_download", args=[job.pk]) in page
    response = client.get(reverse("ui:job_download", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 + 16  # heading and every row: no cap, no page


def test_the_job_keeps_the_users_scope_and_filters(client, firm_user, firm, many_reports, inline_max):
    _export(client, firm_user)  # the firm sees only its own 8 reports
    job = BackgroundJob.objects.get()
    jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.progress_total == EmissionReport.objects.filter(firm=firm).count() == 8


def test_a_redelivered_job_runs_once(client, regulator, many_reports, inline_max):
    _export(client, regulator)
    job = BackgroundJob.objects.get()
    jobs.job_run(job.pk)
    first = BackgroundJob.objects.get().result_storage_name
    jobs.job_run(job.pk)
    assert BackgroundJob.objects.get().result_storage_name == first


def test_nobody_else_sees_or_downloads_a_job(client, regulator, regulator_head, firm_user, many_reports, inline_max):
    _export(client, regulator)
    job = BackgroundJob.objects.get()
    jobs.job_run(job.pk)
    for other in (regulator_head, firm_user):
        client.force_login(other)
        assert client.get(reverse("ui:job_detail", args=[job.pk])).status_code == 404
        assert client.get(reverse("ui:job_download", args=[job.pk])).status_code == 404


def test_the_progress_partial_polls_until_done(client, regulator, many_reports, inline_max):
    _export(client, regulator)
    job = BackgroundJob.objects.get()
    running = client.get(reverse("ui:job_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in running
    jobs.job_run(job.pk)
    done = client.get(reverse("ui:job_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and reverse("ui:job_download", args=[job.pk]) in done

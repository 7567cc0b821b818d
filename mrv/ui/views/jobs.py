"""The user's background jobs: progress (polled by htmx while running) and the result, for the requester only."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from mrv import jobs
from mrv.models import BackgroundJob
from mrv.selectors.jobs import jobs_of


def _own_job(request: HttpRequest, pk: int) -> BackgroundJob:
    return get_object_or_404(jobs_of(request.user), pk=pk)


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    own = jobs_of(request.user)[:50]
    return render(request, "ui/job_list.html", {"jobs": own})


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    if getattr(request, "htmx", False):
        return render(request, "ui/includes/job_progress.html", {"job": job})
    return render(request, "ui/job_detail.html", {"job": job})


@login_required
@require_GET
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    if job.status != BackgroundJob.Status.DONE or not job.result_storage_name:
        raise Http404
    return jobs.job_result_response(job)

"""Long work in the background: a job row records who asked, the progress and where the result is stored.

`job_start` writes the row and queues `mrv.run_job` through the outbox (so it runs only once the request
commits); the worker calls the kind's handler, which reports progress every few thousand rows with one
UPDATE, writes its result through Django's storage API, and the job page polls the row until it is done.
A handler is registered by kind with `@handler("kind")`. It returns a file `(bytes, name, content type)`
or a `Done(message)` when its work is a change in the database (a bulk import); it raises `JobRefused`
with the user's problems (each naming row and column) when its input is refused and nothing was saved.
"""

import base64
import logging
import pickle
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone, translation

from mrv.models import BackgroundJob
from mrv.outbox import enqueue
from mrv.refusals import Refused

log = logging.getLogger(__name__)

HANDLERS: dict[str, Callable] = {}
PROGRESS_EVERY = 2000
EVERY: dict[str, int] = {}  # a kind whose steps are slow (a PDF each) reports progress more often
MAX_ISSUES_SHOWN = 200


@dataclass(frozen=True)
class Done:
    """A handler's outcome when it changed the database rather than produced a file."""

    message: str


class JobRefused(Refused):
    """The job's input was refused and nothing was saved; `messages` are shown to the requester."""

    default_code = "job_refused"

    def __init__(self, messages):
        self._messages = [str(message) for message in messages]
        super().__init__("; ".join(self._messages))

    @property
    def messages(self) -> list[str]:
        return self._messages


def handler(kind: str, *, progress_every: int = PROGRESS_EVERY):
    def register(func: Callable) -> Callable:
        HANDLERS[kind] = func
        EVERY[kind] = progress_every
        return func

    return register


def job_start(*, kind: str, title: str, params: dict, acting_user, return_url: str = "") -> BackgroundJob:
    """Record the job and queue it to run after commit."""
    if kind not in HANDLERS:
        raise ValueError(f"no handler for background job kind {kind!r}")
    with transaction.atomic():
        job = BackgroundJob.objects.create(
            kind=kind,
            title=str(title)[:200],
            requested_by=acting_user,
            language=translation.get_language() or "zh-hans",
            params=params,
            return_url=return_url[:300],
        )
        enqueue("mrv.run_job", job_id=job.pk)
    return job


class Progress:
    """Passed to a handler: `total(n)` once, then `advance(k)`; written every `every` steps (the kind's)."""

    def __init__(self, job: BackgroundJob):
        self.job = job
        self.done = 0
        self._written = 0
        self.every = EVERY.get(job.kind, PROGRESS_EVERY)

    def total(self, n: int) -> None:
        BackgroundJob.objects.filter(pk=self.job.pk).update(progress_total=n)

    def advance(self, k: int = 1) -> None:
        self.done += k
        if self.done - self._written >= self.every:
            BackgroundJob.objects.filter(pk=self.job.pk).update(progress_done=self.done)
            self._written = self.done


def job_run(job_id: int) -> None:
    """Run one queued job (a redelivered task finds it running or finished and does nothing)."""
    claimed = BackgroundJob.objects.filter(pk=job_id, status=BackgroundJob.Status.QUEUED).update(
        status=BackgroundJob.Status.RUNNING
    )
    if not claimed:
        return
    job = BackgroundJob.objects.get(pk=job_id)
    progress = Progress(job)
    try:
        with translation.override(job.language):
            outcome = HANDLERS[job.kind](job, progress)
        if isinstance(outcome, Done):
            BackgroundJob.objects.filter(pk=job_id).update(
                status=BackgroundJob.Status.DONE,
                progress_done=progress.done,
                result_message=str(outcome.message)[:300],
                finished_at=timezone.now(),
            )
            return
        data, file_name, content_type = outcome
        storage_name = default_storage.save(f"jobs/{secrets.token_hex(16)}/{file_name}", ContentFile(data))
    except JobRefused as refused:
        BackgroundJob.objects.filter(pk=job_id).update(
            status=BackgroundJob.Status.FAILED,
            issues=refused.messages[:MAX_ISSUES_SHOWN],
            progress_done=progress.done,
            finished_at=timezone.now(),
        )
        return
    except Exception as exc:
        log.exception("background job %s failed", job_id)
        BackgroundJob.objects.filter(pk=job_id).update(
            status=BackgroundJob.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        return
    BackgroundJob.objects.filter(pk=job_id).update(
        status=BackgroundJob.Status.DONE,
        progress_done=progress.done,
        result_storage_name=storage_name,
        result_file_name=file_name,
        result_content_type=content_type,
        finished_at=timezone.now(),
    )


def job_result_response(job: BackgroundJob) -> FileResponse:
    """The result as a download; call only for the job's own requester."""
    from mrv.uploads import download_headers

    return download_headers(
        FileResponse(
            default_storage.open(job.result_storage_name, "rb"),
            as_attachment=True,
            filename=job.result_file_name,
            content_type=job.result_content_type,
        )
    )


def freeze_queryset(queryset) -> str:
    """A queryset's query for the worker (pickled by the server itself, never from user input)."""
    return base64.b64encode(pickle.dumps(queryset.query)).decode("ascii")


def thaw_queryset(model, frozen: str):
    queryset = model.objects.all()
    queryset.query = pickle.loads(base64.b64decode(frozen))  # noqa: S301 - written by job_start, not by a user
    return queryset

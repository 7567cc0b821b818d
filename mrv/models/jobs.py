"""Long work done by a worker for a user (exports beyond a page, bulk imports, bulk documents), with progress."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BackgroundJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="background_jobs",
        verbose_name=_("requested by"),
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    params = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    result_storage_name = models.CharField(_("result"), max_length=200, blank=True)
    result_file_name = models.CharField(_("file name"), max_length=200, blank=True)
    result_content_type = models.CharField(_("content type"), max_length=100, blank=True)
    result_message = models.CharField(_("outcome"), max_length=300, blank=True)
    # Where the requester goes back to (the report whose file was read, the list that was exported).
    return_url = models.CharField(_("back to"), max_length=300, blank=True)
    # What the requester must fix when the job refused its input (nothing was saved); shown on the job page.
    issues = models.JSONField(_("problems found"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(99, self.progress_done * 100 // self.progress_total)

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

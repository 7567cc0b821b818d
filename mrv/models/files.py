"""Uploaded files (evidence, activity-data workbooks), stored outside the web root under a random name."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    """One uploaded file, attached to the object it documents; whoever may see that object may download it."""

    class Kind(models.TextChoices):
        EVIDENCE = "evidence", _("evidence")
        ACTIVITY_DATA = "activity_data", _("activity data upload")

    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    owner_id = models.CharField(_("object id"), max_length=40)
    owner = GenericForeignKey("owner_type", "owner_id")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    original_name = models.CharField(_("file name"), max_length=200)
    storage_name = models.CharField(_("storage name"), max_length=80, unique=True, editable=False)
    content_type = models.CharField(_("content type"), max_length=100)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["owner_type", "owner_id", "kind"])]
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")

    def __str__(self) -> str:
        return self.original_name

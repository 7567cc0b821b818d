"""A change to an allocation input (production record, historical emissions) proposed by a regulator's
officer; it takes effect only when a head of the same market approves it (four eyes)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingChange(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting a head's approval")
        APPROVED = "approved", _("approved and applied")
        REJECTED = "rejected", _("rejected")

    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(_("object id"), max_length=40, blank=True, help_text=_("empty for a new row"))
    target = GenericForeignKey("target_type", "target_id")
    market = models.ForeignKey("mrv.Market", on_delete=models.PROTECT, related_name="+", verbose_name=_("market"))
    firm = models.ForeignKey("mrv.Firm", on_delete=models.PROTECT, related_name="+", verbose_name=_("firm"))
    summary = models.CharField(_("change"), max_length=300)
    values = models.JSONField(_("new values"), default=dict)
    before = models.JSONField(_("values before"), default=dict)
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("change awaiting approval")
        verbose_name_plural = _("changes awaiting approval")

    def __str__(self) -> str:
        return self.summary

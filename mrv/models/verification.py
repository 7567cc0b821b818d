"""Verification engagements: a verification body assigned to a firm's compliance year."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField

from .markets import Market
from .organisations import Firm, VerificationBody


class VerificationEngagement(ConcurrentTransitionMixin, models.Model):
    class Status(models.TextChoices):
        AWAITING_ASSIGNMENT = "awaiting_assignment", _("awaiting assignment")
        ASSIGNED = "assigned", _("assigned")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        COMPLETED = "completed", _("completed")

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="engagements", verbose_name=_("firm"))
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="+", verbose_name=_("market"))
    year = models.PositiveIntegerField(_("compliance year"))
    body = models.ForeignKey(
        VerificationBody, on_delete=models.PROTECT, null=True, blank=True, related_name="engagements",
        verbose_name=_("verification body"),
    )
    status = FSMField(
        _("status"), max_length=30, choices=Status.choices, default=Status.AWAITING_ASSIGNMENT, protected=True
    )
    lead_verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("lead verifier"),
    )
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="engagements")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "firm"]
        indexes = [models.Index(fields=["market", "year", "status"]), models.Index(fields=["body", "year"])]
        verbose_name = _("verification engagement")
        verbose_name_plural = _("verification engagements")

    def __str__(self) -> str:
        return f"{self.firm} {self.year} ← {self.body or '—'}"

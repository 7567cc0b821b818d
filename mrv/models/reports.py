"""Emission reports: one annual report per firm and compliance year, and quarterly ones where required."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField

from .markets import Market
from .organisations import Firm


class EmissionReport(ConcurrentTransitionMixin, models.Model):
    class Period(models.TextChoices):
        ANNUAL = "annual", _("annual")
        Q1 = "q1", _("Q1")
        Q2 = "q2", _("Q2")
        Q3 = "q3", _("Q3")
        Q4 = "q4", _("Q4")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        UNDER_VERIFICATION = "under_verification", _("under verification")
        RETURNED_TO_FIRM = "returned_to_firm", _("returned to the firm")
        VERIFIED = "verified", _("verified")
        SPOT_CHECK = "spot_check", _("in spot check")
        REGULATOR_REVIEW = "regulator_review", _("regulator review")
        DETERMINATION_PROPOSED = "determination_proposed", _("determination proposed")
        DETERMINED = "determined", _("emissions determined")
        CLOSED = "closed", _("closed")
        # Quarterly reports (Shenzhen): co-reviewed by the regulator and the statistics bureau.
        CO_REVIEW = "co_review", _("in co-review")
        ACCEPTED = "accepted", _("accepted")

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="reports", verbose_name=_("firm"))
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="+", verbose_name=_("market"))
    year = models.PositiveIntegerField(_("compliance year"))
    period = models.CharField(_("period"), max_length=6, choices=Period.choices, default=Period.ANNUAL)
    status = FSMField(_("status"), max_length=30, choices=Status.choices, default=Status.DRAFT, protected=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    determined_emissions_tco2e = models.DecimalField(
        _("determined emissions (tCO2e)"), max_digits=14, decimal_places=0, null=True, blank=True
    )

    class Meta:
        ordering = ["-year", "firm"]
        constraints = [models.UniqueConstraint(fields=["firm", "year", "period"], name="report_one_per_period")]
        indexes = [models.Index(fields=["market", "year", "status"])]
        verbose_name = _("emission report")
        verbose_name_plural = _("emission reports")

    def __str__(self) -> str:
        return f"{self.firm} {self.year} {self.get_period_display()}"

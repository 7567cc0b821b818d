"""Compliance findings and the penalties proposed and decided on them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from mrv.models import Firm
from mrv.workflow.facts import facts
from registry import workflow
from registry.models.ledger import tonnes


class ComplianceRecord(models.Model):
    """The regulator's finding after the deadline that a firm fell short (status history as data)."""

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="compliance_records")
    year = models.PositiveIntegerField(_("compliance year"))
    shortfall_tco2e = tonnes(verbose_name=_("shortfall at the deadline (tCO2e)"))
    marked_at = models.DateTimeField(_("marked at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "firm"]
        constraints = [models.UniqueConstraint(fields=["firm", "year"], name="compliancerecord_one_per_year")]
        verbose_name = _("non-compliance finding")
        verbose_name_plural = _("non-compliance findings")

    def __str__(self) -> str:
        return f"{self.firm} {self.year}: {self.shortfall_tco2e}"

    @property
    def market_id(self) -> int:
        return self.firm.market_id


class Penalty(ConcurrentTransitionMixin, models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        DECIDED = "decided", _("enforcement decided")
        WITHDRAWN = "withdrawn", _("withdrawn")

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="penalties")
    year = models.PositiveIntegerField(_("compliance year"))
    shortfall_tco2e = tonnes(verbose_name=_("shortfall (tCO2e)"))
    fine_cny = models.DecimalField(_("fine (CNY)"), max_digits=14, decimal_places=2)
    deduction_tco2e = tonnes(verbose_name=_("deduction from the next allocation (tCO2e)"))
    status = FSMField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED, protected=True)
    decision_text = models.TextField(_("enforcement decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "firm"]
        constraints = [models.UniqueConstraint(fields=["firm", "year"], name="penalty_one_per_year")]
        verbose_name = _("penalty")
        verbose_name_plural = _("penalties")

    def __str__(self) -> str:
        return f"{self.firm} {self.year}"

    @property
    def market_id(self) -> int:
        return self.firm.market_id

    @transition(
        status,
        source=Status.PROPOSED,
        target=Status.DECIDED,
        permission=workflow.is_market_regulator_head,
        custom=facts(label=pgettext_lazy("audit action", "enforcement decided")),
    )
    def decide(self, by=None, text: str = ""):
        """The regulator head records the enforcement decision."""
        self.decided_by = by
        self.decision_text = text

    @transition(
        status,
        source=Status.PROPOSED,
        target=Status.WITHDRAWN,
        permission=workflow.is_market_regulator,
        custom=facts(label=pgettext_lazy("audit action", "penalty proposal withdrawn")),
    )
    def withdraw(self):
        """A proposal found wrong (e.g. the firm complied after all) is withdrawn."""

"""The firm-year compliance position (kept in step with the ledger and the determinations) and the regulator's
changes of a firm's coverage (a year excluded, the last covered year), each with four eyes.

Imported by `registry.models`, so Django finds these models in the registry app.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from mrv.models import Firm, Market
from mrv.workflow.facts import facts
from registry import workflow


def _tonnes(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=14, decimal_places=0, **kwargs)


class FirmYearPosition(models.Model):
    """One firm's compliance figures for one year, written by `registry.positions.refresh_firms` in the same
    transaction as every surrender, reversal, determination, extension, finding and coverage change.

    Only figures are stored; the status (which depends on today against the deadline) is derived when read.
    "On time" figures count only movements recorded by the end of the deadline day: they freeze the year's
    status at its deadline, and a later surrender shows as late instead of rewriting it.
    """

    # `positions` from the firm: a market's covered firms joined to their year's row (`status_counts`).
    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="positions", verbose_name=_("firm"))
    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="+", verbose_name=_("market"))
    year = models.PositiveIntegerField(_("compliance year"))
    obligation_tco2e = _tonnes(verbose_name=_("obligation (tCO2e)"), null=True, blank=True)
    allowances_tco2e = _tonnes(verbose_name=_("allowances surrendered (t)"), default=0)
    offsets_tco2e = _tonnes(verbose_name=_("offsets surrendered (t)"), default=0)
    offset_cap_tco2e = _tonnes(verbose_name=_("offset cap (t)"), default=0)
    carried_in_tco2e = _tonnes(verbose_name=_("carried in (t)"), default=0)
    balance_tco2e = _tonnes(verbose_name=_("balance (t)"), default=0)
    on_time_balance_tco2e = _tonnes(verbose_name=_("balance at the deadline (t)"), default=0)
    late_tco2e = _tonnes(verbose_name=_("counted after the deadline (t)"), default=0)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    excluded = models.BooleanField(_("excluded by the regulator"), default=False)
    marked = models.BooleanField(_("found non-compliant"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-year", "firm_id"]
        constraints = [models.UniqueConstraint(fields=["firm", "year"], name="firmyearposition_one_per_year")]
        indexes = [models.Index(fields=["market", "year"])]
        verbose_name = _("compliance position")
        verbose_name_plural = _("compliance positions")

    def __str__(self) -> str:
        return f"{self.firm_id} {self.year}"


class CoverageChange(ConcurrentTransitionMixin, models.Model):
    """A regulator's change of a firm's coverage: one year excluded, or the last covered year (closure).
    An officer proposes with a reason, a head other than the proposer approves (four eyes)."""

    class Kind(models.TextChoices):
        EXCLUDE_YEAR = "exclude_year", _("exclude one year")
        LAST_YEAR = "last_year", _("last covered year (closure)")

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("coverage change", "proposed")
        APPROVED = "approved", pgettext_lazy("coverage change", "approved")
        REJECTED = "rejected", pgettext_lazy("coverage change", "rejected")

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+", verbose_name=_("firm"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    year = models.PositiveIntegerField(_("year"))
    reason = models.TextField(_("why"))
    status = FSMField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED, protected=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "kind", "year"],
                condition=models.Q(status__in=["proposed", "approved"]),
                name="coveragechange_one_open_or_approved",
            )
        ]
        indexes = [models.Index(fields=["firm", "status"])]
        verbose_name = _("coverage change")
        verbose_name_plural = _("coverage changes")

    def __str__(self) -> str:
        return f"{self.firm} {self.year}: {self.get_kind_display()}"

    @property
    def market_id(self) -> int:
        return self.firm.market_id

    @transition(
        status,
        source=Status.PROPOSED,
        target=Status.APPROVED,
        permission=workflow.may_approve_coverage_change,
        custom=facts(label=pgettext_lazy("audit action", "coverage change approved")),
    )
    def approve(self, by=None):
        """A head of the market other than the proposer approves; the positions follow in the same transaction."""
        self.decided_by = by

    @transition(
        status,
        source=Status.PROPOSED,
        target=Status.REJECTED,
        permission=workflow.is_market_regulator_head,
        custom=facts(label=pgettext_lazy("audit action", "coverage change rejected")),
    )
    def reject(self, by=None):
        """A head of the market rejects the change: the coverage stays as it was."""
        self.decided_by = by

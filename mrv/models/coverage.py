"""The covered-firm list of a market-year: candidates with the inclusion verdict, proposed and approved."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from mrv.credit_code import validate_credit_code
from mrv.workflow import coverage as rules
from mrv.workflow.facts import facts

from .markets import Market, Sector
from .organisations import Firm


class CoverageList(ConcurrentTransitionMixin, models.Model):
    """Which firms a market covers in a compliance year; once approved it drives the year."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PROPOSED = "proposed", _("proposed, awaiting the head's approval")
        APPROVED = "approved", _("approved")

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="coverage_lists")
    year = models.PositiveIntegerField(_("compliance year"))
    status = FSMField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, protected=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["market", "-year"]
        constraints = [models.UniqueConstraint(fields=["market", "year"], name="coveragelist_one_per_market_year")]
        verbose_name = _("covered-firm list")
        verbose_name_plural = _("covered-firm lists")

    def __str__(self) -> str:
        return f"{self.market} {self.year}"

    @transition(
        status,
        source=Status.DRAFT,
        target=Status.PROPOSED,
        permission=rules.is_list_regulator,
        conditions=[rules.has_entries],
        custom=facts(label=pgettext_lazy("audit action", "list proposed")),
    )
    def propose(self, by=None):
        """A regulator of the market proposes the list (it must name at least one candidate)."""
        self.proposed_by = by

    @transition(
        status,
        source=Status.PROPOSED,
        target=Status.APPROVED,
        permission=rules.may_approve_list,
        custom=facts(label=pgettext_lazy("audit action", "list approved")),
    )
    def approve(self, by=None):
        """A head who did not propose it approves the list (four eyes)."""
        self.approved_by = by

    @transition(
        status,
        source=Status.PROPOSED,
        target=Status.DRAFT,
        permission=rules.is_list_head,
        custom=facts(label=pgettext_lazy("audit action", "list returned for changes")),
    )
    def return_to_draft(self):
        """A head sends the proposed list back for changes."""

    @transition(
        status,
        source=Status.APPROVED,
        target=Status.DRAFT,
        permission=rules.is_list_head,
        custom=facts(label=pgettext_lazy("audit action", "list reopened")),
    )
    def reopen(self):
        """A head reopens the approved list for a change during the year (new entrant, closure)."""
        self.approved_by = None


class CoverageEntry(models.Model):
    """One candidate firm with its figures, the inclusion verdict and its reason."""

    class Override(models.TextChoices):
        NONE = "", _("follow the rule")
        INCLUDE = "include", _("include")
        EXCLUDE = "exclude", _("exclude")

    coverage_list = models.ForeignKey(CoverageList, on_delete=models.CASCADE, related_name="entries")
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, null=True, blank=True, related_name="coverage_entries")
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, validators=[validate_credit_code])
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="+", verbose_name=_("sector"))
    installations = models.CharField(_("installations"), max_length=500, blank=True)
    is_new_entrant = models.BooleanField(_("new entrant"), default=False)
    design_capacity = models.DecimalField(
        _("design capacity (output units a year)"), max_digits=16, decimal_places=3, null=True, blank=True
    )
    figures = models.JSONField(_("historical figures by year"), default=dict, blank=True)
    rule_included = models.BooleanField(_("included by the rule"), default=False)
    rule_reason = models.TextField(_("reason"), blank=True)
    override = models.CharField(_("regulator's decision"), max_length=8, choices=Override.choices, blank=True)
    override_reason = models.CharField(_("reason for the decision"), max_length=300, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["coverage_list", "name"]
        constraints = [
            models.UniqueConstraint(fields=["coverage_list", "credit_code"], name="coverageentry_one_per_firm")
        ]
        verbose_name = _("covered-firm candidate")
        verbose_name_plural = _("covered-firm candidates")

    def __str__(self) -> str:
        return f"{self.name} ({self.credit_code})"

    @property
    def covered(self) -> bool:
        if self.override:
            return self.override == self.Override.INCLUDE
        return self.rule_included

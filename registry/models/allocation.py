"""Allocation: a firm's production data (the inputs), the tables computed from them and their lines."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from mrv.models import Firm, Market
from mrv.workflow.facts import facts
from registry import workflow
from registry.models.ledger import Transaction, tonnes


class ProductionRecord(models.Model):
    """A firm's output (or supply) in a year, and a Chongqing self-declaration: inputs of allocation."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="production_records")
    year = models.PositiveIntegerField(_("year"))
    output = models.DecimalField(_("output (sector unit)"), max_digits=16, decimal_places=3)
    declared_tco2e = tonnes(verbose_name=_("self-declared allowance need (tCO2e)"), null=True, blank=True)
    is_verified = models.BooleanField(_("verified output"), default=False)

    class Meta:
        ordering = ["firm", "year"]
        constraints = [models.UniqueConstraint(fields=["firm", "year"], name="production_one_per_year")]
        verbose_name = _("production record")
        verbose_name_plural = _("production records")

    def __str__(self) -> str:
        return f"{self.firm} {self.year}"


class AllocationTable(ConcurrentTransitionMixin, models.Model):
    class Kind(models.TextChoices):
        PRELIMINARY = "preliminary", _("preliminary (before the year)")
        TRUE_UP = "true_up", _("true-up (on verified output)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")
        ISSUED = "issued", _("issued")

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="+", verbose_name=_("market"))
    year = models.PositiveIntegerField(_("vintage year"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PRELIMINARY)
    status = FSMField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, protected=True)
    created_at = models.DateTimeField(_("computed at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ledger_transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["market", "-year", "kind"]
        constraints = [models.UniqueConstraint(fields=["market", "year", "kind"], name="allocationtable_unique")]
        verbose_name = _("allocation table")
        verbose_name_plural = _("allocation tables")

    def __str__(self) -> str:
        return f"{self.market} {self.year} {self.get_kind_display()}"

    @transition(
        status,
        source=Status.DRAFT,
        target=Status.APPROVED,
        permission=workflow.is_market_regulator_head,
        custom=facts(label=pgettext_lazy("audit action", "allocation table approved")),
    )
    def approve(self, by=None):
        """The regulator head approves a computed table."""
        self.approved_by = by

    @transition(
        status,
        source=Status.APPROVED,
        target=Status.ISSUED,
        permission=workflow.is_market_regulator,
        custom=facts(label=pgettext_lazy("audit action", "issued")),
    )
    def issue(self):
        """The approved table is issued; the service moves the units in one transaction."""


class AllocationLine(models.Model):
    table = models.ForeignKey(AllocationTable, on_delete=models.CASCADE, related_name="lines")
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="allocation_lines")
    method = models.CharField(_("method"), max_length=40)
    inputs = models.JSONField(_("inputs"), default=dict)
    formula = models.CharField(_("formula"), max_length=300)
    computed_tco2e = tonnes(verbose_name=_("computed (tCO2e)"))
    deduction_tco2e = tonnes(verbose_name=_("penalty deduction (tCO2e)"), default=0)
    previously_issued_tco2e = tonnes(verbose_name=_("already issued this vintage (tCO2e)"), default=0)
    free_tco2e = tonnes(verbose_name=_("free (tCO2e)"))
    auction_tco2e = tonnes(verbose_name=_("auctioned (tCO2e)"))
    from_reserve = models.BooleanField(_("from the adjustment reserve"), default=False)

    class Meta:
        ordering = ["table", "firm"]
        constraints = [models.UniqueConstraint(fields=["table", "firm"], name="allocationline_one_per_firm")]
        verbose_name = _("allocation line")
        verbose_name_plural = _("allocation lines")

    def __str__(self) -> str:
        return f"{self.table} · {self.firm}"

    @property
    def total_tco2e(self) -> Decimal:
        return self.free_tco2e + self.auction_tco2e

    @property
    def method_label(self) -> str:
        from mrv.models import MarketSector

        methods = MarketSector.AllocationMethod
        return str(methods(self.method).label) if self.method in methods.values else self.method

    @property
    def formula_text(self) -> str:
        from django.utils.translation import gettext

        return gettext(self.formula)

    @property
    def input_rows(self) -> list[tuple[str, str]]:
        from registry.allocation import readable_inputs

        return readable_inputs(self.inputs)

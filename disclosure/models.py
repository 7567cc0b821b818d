"""What a market has made public: frozen publications of a market-year, and the paper's historical figures."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from disclosure import workflow
from mrv.models import Market
from mrv.workflow.facts import facts


def rate_pct(part: int | None, whole: int | None) -> Decimal | None:
    """part / whole in per cent, rounded half-up to one decimal (99.45 -> 99.5)."""
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class Publication(ConcurrentTransitionMixin, models.Model):
    """A frozen snapshot of one market-year's public data; version 2 and later are corrections."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("publication status", "proposed")
        PUBLISHED = "published", pgettext_lazy("publication status", "published")
        REJECTED = "rejected", pgettext_lazy("publication status", "rejected")

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="publications")
    year = models.PositiveIntegerField(_("compliance year"))
    version = models.PositiveIntegerField(_("version"))
    status = FSMField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED, protected=True)
    snapshot = models.JSONField(_("published data"))
    note = models.TextField(_("what this version corrects"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["market", "-year", "-version", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["market", "year", "version"],
                condition=Q(status="published"),
                name="publication_one_published_per_version",
            ),
            models.UniqueConstraint(
                fields=["market", "year"], condition=Q(status="proposed"), name="publication_one_open_proposal"
            ),
        ]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self) -> str:
        return f"{self.market.code} {self.year} v{self.version}"

    @property
    def is_correction(self) -> bool:
        return self.version > 1

    @transition(
        status,
        source=Status.PROPOSED,
        target=Status.PUBLISHED,
        permission=workflow.may_publish,
        custom=facts(label=pgettext_lazy("audit action", "published")),
    )
    def publish(self, by=None, at=None):
        """A regulator head other than the proposer makes the snapshot public."""
        self.published_by = by
        self.published_at = at

    @transition(
        status,
        source=Status.PROPOSED,
        target=Status.REJECTED,
        permission=workflow.may_reject,
        custom=facts(label=pgettext_lazy("audit action", "publication rejected")),
    )
    def reject(self):
        """The regulator head sends a proposal back; nothing becomes public."""


class HistoricalStatistic(models.Model):
    """A market's compliance figures for a year as a published source printed them (the seed's tables 4 and 5)."""

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="historical_statistics")
    year = models.PositiveIntegerField(_("compliance year"))
    obliged_firms = models.PositiveIntegerField(_("covered firms"), null=True, blank=True)
    compliant_firms = models.PositiveIntegerField(_("compliant firms"), null=True, blank=True)
    compliant_is_lower_bound = models.BooleanField(_("compliant firms printed as “more than”"), default=False)
    printed_rate = models.CharField(_("compliance rate as printed (%)"), max_length=10, blank=True)
    deadline_month = models.CharField(_("set compliance deadline (month.day)"), max_length=20, blank=True)
    actual_month = models.CharField(_("actual compliance completed (month.day)"), max_length=20, blank=True)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["market", "year"]
        constraints = [models.UniqueConstraint(fields=["market", "year"], name="historicalstatistic_one_per_year")]
        verbose_name = _("historical compliance statistic")
        verbose_name_plural = _("historical compliance statistics")

    def __str__(self) -> str:
        return f"{self.market.code} {self.year}"

    @property
    def computed_rate_pct(self) -> Decimal | None:
        """The rate that follows from the printed counts (a lower bound where the count is one)."""
        return rate_pct(self.compliant_firms, self.obliged_firms)

    @property
    def printed_rate_differs(self) -> bool:
        computed = self.computed_rate_pct
        if computed is None or not self.printed_rate:
            return False
        printed = self.printed_rate.lstrip("><")
        return Decimal(printed) != computed or self.printed_rate.startswith(">") != self.compliant_is_lower_bound

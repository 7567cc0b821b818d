"""Emission factors of purchased electricity and heat, per market (or national) and year."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .markets import Market


class GridFactor(models.Model):
    """The grid (tCO2/MWh) and heat (tCO2/GJ) factors a market prescribes for a year.

    A market's own value prevails; without one, the national value applies. The value for a year is
    the one of the latest year on or before it, so a factor stays in force until a newer one is set.
    """

    market = models.ForeignKey(
        Market,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grid_factors",
        verbose_name=_("market"),
        help_text=_("Empty: the national value."),
    )
    year = models.PositiveIntegerField(_("year"))
    electricity_tco2_per_mwh = models.DecimalField(_("electricity (tCO2/MWh)"), max_digits=8, decimal_places=4)
    heat_tco2_per_gj = models.DecimalField(_("heat (tCO2/GJ)"), max_digits=8, decimal_places=4)
    source = models.CharField(_("source of the values"), max_length=300)

    class Meta:
        ordering = ["market", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["market", "year"], name="gridfactor_market_year", condition=Q(market__isnull=False)
            ),
            models.UniqueConstraint(fields=["year"], name="gridfactor_national_year", condition=Q(market__isnull=True)),
        ]
        verbose_name = _("grid and heat factor")
        verbose_name_plural = _("grid and heat factors")

    def __str__(self) -> str:
        return f"{self.market.code if self.market_id else 'national'} {self.year}"

    @classmethod
    def for_year(cls, market: Market, year: int) -> "GridFactor | None":
        """The market's own factor in force for the year, else the national one, else None."""
        candidates = cls.objects.filter(Q(market=market) | Q(market__isnull=True), year__lte=year)
        return candidates.order_by(models.F("market").asc(nulls_last=True), "-year").first()

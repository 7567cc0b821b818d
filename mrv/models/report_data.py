"""What a report draft holds: the monthly activity data, the output data and the firm's answers to warnings."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .reports import EmissionReport


class ActivityDataRow(models.Model):
    """One month of one source stream in a report draft: activity data and the parameters the plan names."""

    report = models.ForeignKey(EmissionReport, on_delete=models.CASCADE, related_name="activity_rows")
    stream_code = models.SlugField(_("source stream"), max_length=40)
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    activity = models.DecimalField(_("activity data"), max_digits=24, decimal_places=10)
    activity_unit = models.CharField(_("activity unit"), max_length=20)
    ncv = models.DecimalField(_("net calorific value"), max_digits=24, decimal_places=10, null=True, blank=True)
    ncv_unit = models.CharField(_("NCV unit"), max_length=20, blank=True)
    carbon_content = models.DecimalField(_("carbon content"), max_digits=24, decimal_places=10, null=True, blank=True)
    carbon_content_unit = models.CharField(_("carbon content unit"), max_length=20, blank=True)
    oxidation_rate = models.DecimalField(_("oxidation rate"), max_digits=24, decimal_places=10, null=True, blank=True)
    oxidation_rate_unit = models.CharField(_("oxidation rate unit"), max_length=20, blank=True)
    emission_factor = models.DecimalField(_("emission factor"), max_digits=24, decimal_places=10, null=True, blank=True)
    emission_factor_unit = models.CharField(_("emission factor unit"), max_length=20, blank=True)
    biomass_fraction = models.DecimalField(
        _("biomass fraction"), max_digits=24, decimal_places=10, null=True, blank=True
    )
    biomass_fraction_unit = models.CharField(_("biomass fraction unit"), max_length=20, blank=True)
    flow_rate = models.DecimalField(
        _("hourly mean flue-gas flow"), max_digits=24, decimal_places=10, null=True, blank=True
    )
    flow_rate_unit = models.CharField(_("flue-gas flow unit"), max_length=20, blank=True)
    concentration = models.DecimalField(
        _("mean concentration"), max_digits=24, decimal_places=10, null=True, blank=True
    )
    concentration_unit = models.CharField(_("concentration unit"), max_length=20, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    PARAMETERS = (
        "ncv",
        "carbon_content",
        "oxidation_rate",
        "emission_factor",
        "biomass_fraction",
        "flow_rate",
        "concentration",
    )

    class Meta:
        ordering = ["report", "stream_code", "month"]
        constraints = [
            models.UniqueConstraint(fields=["report", "stream_code", "month"], name="activity_row_unique"),
        ]
        verbose_name = _("activity data row")
        verbose_name_plural = _("activity data")

    def __str__(self) -> str:
        return f"{self.stream_code} {self.month:02d}: {self.activity} {self.activity_unit}"


class OutputDataRow(models.Model):
    """Product output or energy supply of the report's period, for allocation and intensity."""

    class Kind(models.TextChoices):
        PRODUCT = "product", _("product output")
        ELECTRICITY_SUPPLY = "electricity_supply", _("electricity supplied")
        HEAT_SUPPLY = "heat_supply", _("heat supplied")

    report = models.ForeignKey(EmissionReport, on_delete=models.CASCADE, related_name="output_rows")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PRODUCT)
    name = models.CharField(_("product"), max_length=100)
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=6)
    unit = models.CharField(_("unit"), max_length=20)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["report", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["report", "kind", "name"], name="output_row_unique")]
        verbose_name = _("output data row")
        verbose_name_plural = _("output data")

    def __str__(self) -> str:
        return f"{self.name}: {self.amount} {self.unit}"


class ReportWarningAcknowledgement(models.Model):
    """A firm's reason for submitting despite a validation warning (keyed by stream, month and field)."""

    report = models.ForeignKey(EmissionReport, on_delete=models.CASCADE, related_name="acknowledgements")
    key = models.CharField(_("warning"), max_length=200)
    message = models.TextField(_("message acknowledged"))
    reason = models.TextField(_("reason"))
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(_("acknowledged"), auto_now=True)

    class Meta:
        ordering = ["report", "key"]
        constraints = [models.UniqueConstraint(fields=["report", "key"], name="warning_ack_unique")]
        verbose_name = _("acknowledged warning")
        verbose_name_plural = _("acknowledged warnings")

    def __str__(self) -> str:
        return self.key

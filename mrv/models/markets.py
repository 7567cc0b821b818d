"""Markets and their rule packs: every market rule is data, valid from a compliance year."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

GAS_CHOICES = [
    ("CO2", "CO2"),
    ("CH4", "CH4"),
    ("N2O", "N2O"),
    ("HFCs", "HFCs"),
    ("PFCs", "PFCs"),
    ("SF6", "SF6"),
]
GAS_CODES = [code for code, _label in GAS_CHOICES]
OFFSET_TYPES = [
    ("CCER", _("CCER (national certified emission reduction)")),
    ("PHCER", _("PHCER (Guangdong carbon inclusion)")),
    ("FFCER", _("FFCER (Fujian forestry)")),
]
OFFSET_TYPE_CODES = [code for code, _label in OFFSET_TYPES]
PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Market(models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=50)
    is_national = models.BooleanField(_("national market"), default=False)
    first_compliance_year = models.PositiveIntegerField(_("first compliance year"))

    class Meta:
        ordering = ["-is_national", "code"]
        verbose_name = _("market")
        verbose_name_plural = _("markets")

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en

    def rule_pack_for(self, year: int) -> "RulePack":
        """The rule pack in force for a compliance year: the latest one valid from or before it."""
        pack = self.rule_packs.filter(valid_from_year__lte=year).order_by("-valid_from_year").first()
        if pack is None:
            raise YearNotSupported(self, year)
        return pack

    def supported_years(self) -> range:
        """The compliance years the product runs for this market: from its earliest rule pack to next year."""
        first = self.rule_packs.order_by("valid_from_year").values_list("valid_from_year", flat=True).first()
        if first is None:
            return range(0)
        return range(first, timezone.localdate().year + 2)

    def check_year(self, year: int) -> None:
        """Raise `YearNotSupported` (with a message naming the range) for a year outside `supported_years`."""
        if year not in self.supported_years():
            raise YearNotSupported(self, year)


class Sector(models.Model):
    code = models.SlugField(_("sector code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80)

    class Meta:
        ordering = ["code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en


class RulePack(models.Model):
    """A market's rules from one compliance year on; a later pack changes the future, not history."""

    class GwpSet(models.TextChoices):
        SAR = "SAR", _("IPCC Second Assessment Report")
        AR4 = "AR4", _("IPCC Fourth Assessment Report")
        AR5 = "AR5", _("IPCC Fifth Assessment Report")

    class VerifierEligibility(models.TextChoices):
        SECTOR_QUALIFICATION = "sector_qualification", _("qualification for the firm's sub-sector")
        REGISTRATION = "registration", _("registration (filing) with the market")

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="rule_packs")
    valid_from_year = models.PositiveIntegerField(_("valid from compliance year"))
    # Coverage
    gases = models.JSONField(_("gases covered"), default=list)
    gwp_set = models.CharField(_("GWP values"), max_length=3, choices=GwpSet.choices, default=GwpSet.AR4)
    covers_mobile_sources = models.BooleanField(_("mobile sources covered"), default=False)
    tce_to_tco2e = models.DecimalField(
        _("tCO2e per tce (for 'or' thresholds)"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    # Reporting
    quarterly_reporting = models.BooleanField(_("quarterly reports required"), default=False)
    quarterly_co_reviewers = models.JSONField(
        _("quarterly co-reviewers"), default=list, blank=True, help_text=_("e.g. regulator, statistics_bureau")
    )
    plan_requires_third_party_check = models.BooleanField(_("monitoring plan checked by a third party"), default=False)
    plan_change_requires_approval = models.BooleanField(_("plan changes need approval"), default=True)
    # Verification
    verification_plan_required = models.BooleanField(_("verification plan per firm required"), default=False)
    verifier_eligibility = models.CharField(
        _("verifier eligibility"), max_length=30, choices=VerifierEligibility.choices
    )
    spot_check = models.BooleanField(_("fourth-party spot check"), default=False)
    spot_check_rate_pct = models.DecimalField(
        _("spot-check sample rate (%)"), max_digits=5, decimal_places=2, default=0, validators=PERCENT
    )
    materiality_pct = models.DecimalField(
        _("materiality threshold (%)"), max_digits=5, decimal_places=2, default=Decimal("5"), validators=PERCENT
    )
    materiality_large_pct = models.DecimalField(
        _("materiality threshold for large emitters (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("2"),
        validators=PERCENT,
    )
    materiality_large_above_tco2e = models.DecimalField(
        _("large emitter above (tCO2e)"), max_digits=14, decimal_places=0, default=Decimal("500000")
    )
    max_consecutive_verification_years = models.PositiveSmallIntegerField(
        _("max consecutive years one body verifies a firm"), default=3
    )
    # Allocation and offsets
    free_allocation_pct = models.DecimalField(
        _("free allocation share (%)"), max_digits=5, decimal_places=2, default=Decimal("95"), validators=PERCENT
    )
    auction_pct = models.DecimalField(
        _("auction / fixed-price share (%)"), max_digits=5, decimal_places=2, default=Decimal("5"), validators=PERCENT
    )
    reserve_pct = models.DecimalField(
        # xgettext:no-python-format
        _("adjustment reserve (% of cap)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=PERCENT,
    )
    offset_cap_pct = models.DecimalField(
        # xgettext:no-python-format
        _("offset cap (% of obligation)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=PERCENT,
    )
    accepted_offset_types = models.JSONField(_("accepted offset types"), default=list)
    # Deadlines
    first_year_extension_days = models.PositiveSmallIntegerField(
        _("first-year extension (days)"), default=0, help_text=_("added to every deadline of the market's first year")
    )
    finding_response_days = models.PositiveSmallIntegerField(
        _("days to answer a verifier's finding"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("the default response deadline of a finding; the verifier may set another date"),
    )
    monthly_deposit_days = models.PositiveSmallIntegerField(
        _("monthly data deposit due (days after the month)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("empty: no monthly deposit"),
    )
    monthly_deposit_from_year = models.PositiveIntegerField(
        _("monthly deposits from year"), null=True, blank=True, help_text=_("the first year whose months are deposited")
    )
    monthly_deposit_sectors = models.JSONField(
        _("sectors that deposit monthly"), default=list, blank=True, help_text=_("sector codes, e.g. power")
    )
    assumed_fields = models.JSONField(
        _("values assumed (no source given)"),
        default=list,
        blank=True,
        help_text=_("fields whose value the seed does not state and the product assumes until a regulator confirms it"),
    )
    # Penalties
    penalty_text = models.TextField(_("penalty rules"), blank=True)
    penalty_fine_per_tonne_cny = models.DecimalField(
        _("fine per tonne of shortfall (CNY)"), max_digits=10, decimal_places=2, default=0
    )
    penalty_fine_min_cny = models.DecimalField(_("minimum fine (CNY)"), max_digits=12, decimal_places=2, default=0)
    penalty_fine_max_cny = models.DecimalField(
        _("maximum fine (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    penalty_deduction_multiple = models.DecimalField(
        _("next-year allocation deduction (× shortfall)"), max_digits=5, decimal_places=2, default=0
    )
    notes = models.TextField(_("notes and sources"), blank=True)

    class Meta:
        ordering = ["market", "-valid_from_year"]
        constraints = [
            models.UniqueConstraint(fields=["market", "valid_from_year"], name="rulepack_one_per_market_year"),
        ]
        verbose_name = _("rule pack")
        verbose_name_plural = _("rule packs")

    def __str__(self) -> str:
        return f"{self.market} ≥ {self.valid_from_year}"

    def clean(self) -> None:
        not_lists = {
            name: _('Give a list of codes, e.g. ["CO2"].')
            for name in ("gases", "accepted_offset_types", "quarterly_co_reviewers", "monthly_deposit_sectors")
            if not isinstance(getattr(self, name), list) or not all(isinstance(v, str) for v in getattr(self, name))
        }
        if not_lists:
            raise ValidationError(not_lists)
        unknown = set(self.gases) - set(GAS_CODES)
        if unknown or not self.gases:
            raise ValidationError({"gases": _("Gases must be a non-empty list of %(codes)s.") % {"codes": GAS_CODES}})
        bad_offsets = set(self.accepted_offset_types) - set(OFFSET_TYPE_CODES)
        if bad_offsets:
            raise ValidationError(
                {"accepted_offset_types": _("Unknown offset types: %(t)s") % {"t": sorted(bad_offsets)}}
            )
        shares = (self.free_allocation_pct, self.auction_pct)
        if None not in shares and sum(shares) > 100:
            raise ValidationError(_("Free and auctioned shares together exceed 100%."))

    def materiality_threshold_pct(self, reported_tco2e: Decimal) -> Decimal:
        """Large emitters get the tighter threshold (default 2% above 500 kt CO2e)."""
        if reported_tco2e > self.materiality_large_above_tco2e:
            return self.materiality_large_pct
        return self.materiality_pct

    def deposits_monthly(self, sector_code: str, year: int) -> bool:
        """Whether firms of the sector deposit the months of `year` under this pack."""
        return (
            bool(self.monthly_deposit_days)
            and sector_code in (self.monthly_deposit_sectors or [])
            and year >= (self.monthly_deposit_from_year or self.valid_from_year)
        )

    def deadline(self, kind: str) -> "DeadlineRule | None":
        return next((d for d in self.deadlines.all() if d.kind == kind), None)


class YearNotSupported(RulePack.DoesNotExist):
    """A compliance year outside what a market's rule packs cover; the message names the supported range."""

    def __init__(self, market: Market, year: int):
        years = market.supported_years()
        if years:
            self.message = gettext("%(market)s runs compliance years %(first)s–%(last)s; %(year)s is outside.") % {
                "market": market,
                "first": years[0],
                "last": years[-1],
                "year": year,
            }
        else:
            self.message = gettext("%(market)s has no rule pack yet.") % {"market": market}
        self.market, self.year = market, year
        super().__init__(self.message)


class InclusionThreshold(models.Model):
    """One way a firm crosses the market's threshold; a firm is covered if it meets any of them."""

    class Unit(models.TextChoices):
        TCO2E = "tco2e", _("tCO2e")
        TCE = "tce", _("tce")

    class Combination(models.TextChoices):
        SINGLE_YEAR = "single_year", _("in one named year")
        ANY_YEAR = "any_year", _("in any of the years")
        AVERAGE = "average", _("on the average of the years")

    rule_pack = models.ForeignKey(RulePack, on_delete=models.CASCADE, related_name="thresholds")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    combination = models.CharField(_("how years combine"), max_length=12, choices=Combination.choices)
    first_year_offset = models.SmallIntegerField(
        _("first year (relative to the compliance year)"), help_text=_("-1 is the year before")
    )
    last_year_offset = models.SmallIntegerField(_("last year (relative to the compliance year)"))

    class Meta:
        ordering = ["rule_pack", "id"]
        verbose_name = _("inclusion threshold")
        verbose_name_plural = _("inclusion thresholds")

    def __str__(self) -> str:
        return f"≥ {self.amount} {self.unit} ({self.combination} {self.first_year_offset}..{self.last_year_offset})"

    def years(self, compliance_year: int) -> list[int]:
        return list(range(compliance_year + self.first_year_offset, compliance_year + self.last_year_offset + 1))


class MarketSector(models.Model):
    """A sector covered by a market's rule pack, with the allocation method the registry uses for it."""

    class AllocationMethod(models.TextChoices):
        GRANDFATHERING = "grandfathering", _("grandfathering (historical emissions)")
        HISTORICAL_INTENSITY = "historical_intensity", _("historical intensity decline")
        BENCHMARK = "benchmark", _("benchmark (output × sector benchmark)")
        BENCHMARK_MARKET_ADJUSTED = "benchmark_market_adjusted", _("benchmark × market adjustment factor")
        SHANGHAI_POWER = "shanghai_power", _("power: supply emission benchmark × supply × correction factor")
        SHANGHAI_GRID = "shanghai_grid", _("grid: line-loss benchmark × supply × emission factor")
        SHANGHAI_HEAT = "shanghai_heat", _("heat: heat-supply benchmark × heat supply")
        THREE_YEAR_AVERAGE_INTENSITY = "three_year_average_intensity", _("three-year average intensity baseline")
        SELF_DECLARATION = "self_declaration", _("self-declaration checked against verified history")

    rule_pack = models.ForeignKey(RulePack, on_delete=models.CASCADE, related_name="sectors")
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="+")
    allocation_method = models.CharField(_("allocation method"), max_length=40, choices=AllocationMethod.choices)
    new_entrant_method = models.CharField(
        _("allocation method for new installations"), max_length=40, choices=AllocationMethod.choices, blank=True
    )
    benchmark = models.DecimalField(
        _("benchmark (tCO2e per unit of output)"), max_digits=14, decimal_places=6, null=True, blank=True
    )
    output_unit = models.CharField(_("output unit"), max_length=20, blank=True)
    decline_factor = models.DecimalField(_("decline factor"), max_digits=8, decimal_places=6, null=True, blank=True)
    adjustment_factor = models.DecimalField(
        _("market adjustment / correction factor"), max_digits=8, decimal_places=6, null=True, blank=True
    )

    class Meta:
        ordering = ["rule_pack", "sector"]
        constraints = [models.UniqueConstraint(fields=["rule_pack", "sector"], name="marketsector_unique")]
        verbose_name = _("covered sector")
        verbose_name_plural = _("covered sectors")

    def __str__(self) -> str:
        return f"{self.rule_pack} · {self.sector.code}"


class DeadlineRule(models.Model):
    """A due date of the market's calendar: month and day in the year after (or of) the compliance year."""

    class Kind(models.TextChoices):
        MONITORING_PLAN = "monitoring_plan", _("monitoring plan")
        Q1_REPORT = "q1_report", _("Q1 report")
        Q2_REPORT = "q2_report", _("Q2 report")
        Q3_REPORT = "q3_report", _("Q3 report")
        Q4_REPORT = "q4_report", _("Q4 report")
        ANNUAL_REPORT = "annual_report", _("annual emission report")
        VERIFICATION = "verification", _("verification")
        REVIEW = "review", _("regulator review")
        COMPLIANCE = "compliance", _("compliance (surrender)")

    rule_pack = models.ForeignKey(RulePack, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    year_offset = models.SmallIntegerField(_("year (relative to the compliance year)"), default=1)
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    day = models.PositiveSmallIntegerField(_("day"), validators=[MinValueValidator(1), MaxValueValidator(31)])

    class Meta:
        ordering = ["rule_pack", "year_offset", "month", "day"]
        constraints = [models.UniqueConstraint(fields=["rule_pack", "kind"], name="deadline_one_per_kind")]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: Y{self.year_offset:+d}-{self.month:02d}-{self.day:02d}"

    def clean(self) -> None:
        import calendar

        if self.month and self.day and self.day > calendar.monthrange(2001, self.month)[1]:
            raise ValidationError({"day": _("That month has no day %(d)s.") % {"d": self.day}})

    def due_date(self, compliance_year: int, first_year_extension_days: int = 0):
        import datetime

        due = datetime.date(compliance_year + self.year_offset, self.month, self.day)
        return due + datetime.timedelta(days=first_year_extension_days)


class DeadlineExtension(models.Model):
    """Extra days the regulator granted one firm for one deadline of one compliance year.

    It lives beside the deadline rules because every due date (calendar, lateness, compliance marking)
    is computed from both in `mrv.due_dates`. The table keeps its first name: the model moved here from
    the deadlines app without moving data.
    """

    firm = models.ForeignKey(
        "mrv.Firm", on_delete=models.PROTECT, related_name="deadline_extensions", verbose_name=_("firm")
    )
    year = models.PositiveIntegerField(_("compliance year"))
    kind = models.CharField(_("deadline"), max_length=20, choices=DeadlineRule.Kind.choices)
    extra_days = models.PositiveSmallIntegerField(_("extra days"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("granted by")
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now=True)

    class Meta:
        db_table = "deadlines_deadlineextension"
        ordering = ["-year", "firm", "kind"]
        constraints = [models.UniqueConstraint(fields=["firm", "year", "kind"], name="extension_one_per_deadline")]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")

    def __str__(self) -> str:
        return f"{self.firm} {self.year} {self.get_kind_display()} +{self.extra_days}"

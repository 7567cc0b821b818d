"""Who takes part: firms, verification and spot-check bodies, authorities, and their people."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mrv.credit_code import validate_credit_code

from .markets import Market, Sector


class Firm(models.Model):
    """A covered firm (控排企业 / 重点排放单位) of one market."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="firms", verbose_name=_("market"))
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="firms", verbose_name=_("sector"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    is_new_entrant = models.BooleanField(_("new installation"), default=False)
    design_capacity = models.DecimalField(
        _("design capacity (output units a year)"), max_digits=16, decimal_places=3, null=True, blank=True
    )
    covered_since = models.PositiveIntegerField(_("covered since (compliance year)"), null=True, blank=True)
    # The last covered year of a firm that closed: set by the regulator's approved closure (four eyes).
    covered_until = models.PositiveIntegerField(_("covered until (compliance year)"), null=True, blank=True)
    is_active = models.BooleanField(_("on the market's list"), default=True)

    class Meta:
        ordering = ["market", "name"]
        indexes = [models.Index(fields=["market", "sector"]), models.Index(fields=["market", "name"])]
        verbose_name = _("covered firm")
        verbose_name_plural = _("covered firms")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.credit_code = self.credit_code.strip().upper()
        super().save(*args, **kwargs)


class EmissionSource(models.Model):
    """An installation or fleet of a firm: fixed (boiler, kiln) or mobile (trucks, aircraft)."""

    class Kind(models.TextChoices):
        FIXED = "fixed", _("fixed")
        MOBILE = "mobile", _("mobile")

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="sources")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FIXED)

    class Meta:
        ordering = ["firm", "code"]
        constraints = [models.UniqueConstraint(fields=["firm", "code"], name="source_code_unique_per_firm")]
        verbose_name = _("emission source")
        verbose_name_plural = _("emission sources")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class FirmYearFigure(models.Model):
    """A firm's recorded historical emissions or energy use, the basis of inclusion decisions."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="year_figures")
    year = models.PositiveIntegerField(_("year"))
    emissions_tco2e = models.DecimalField(
        _("emissions (tCO2e)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    energy_tce = models.DecimalField(_("energy use (tce)"), max_digits=14, decimal_places=2, null=True, blank=True)
    source = models.CharField(_("source of the figure"), max_length=200, blank=True)

    class Meta:
        ordering = ["firm", "year"]
        constraints = [models.UniqueConstraint(fields=["firm", "year"], name="firmyearfigure_unique")]
        verbose_name = _("historical figure")
        verbose_name_plural = _("historical figures")

    def __str__(self) -> str:
        return f"{self.firm} {self.year}"


class VerificationBody(models.Model):
    """A third-party verification body or a fourth-party spot-check body."""

    class Kind(models.TextChoices):
        THIRD_PARTY = "third_party", _("third-party verification body")
        SPOT_CHECK = "spot_check", _("fourth-party spot-check body")

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["name"]
        verbose_name = _("verification body")
        verbose_name_plural = _("verification bodies")

    def __str__(self) -> str:
        return self.name


class VerifierRegistration(models.Model):
    """A body's registration (备案) with a market, for a span of compliance years."""

    body = models.ForeignKey(VerificationBody, on_delete=models.CASCADE, related_name="registrations")
    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="verifier_registrations")
    valid_from_year = models.PositiveIntegerField(_("from year"))
    valid_to_year = models.PositiveIntegerField(_("to year"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["body", "market", "valid_from_year"], name="registration_unique")
        ]
        verbose_name = _("market registration")
        verbose_name_plural = _("market registrations")

    def __str__(self) -> str:
        return f"{self.body} @ {self.market.code}"

    def covers(self, year: int) -> bool:
        return self.valid_from_year <= year and (self.valid_to_year is None or year <= self.valid_to_year)


class VerifierQualification(models.Model):
    """A body's qualification for a sub-sector (required by Beijing, Hubei, Shanghai, Guangdong)."""

    body = models.ForeignKey(VerificationBody, on_delete=models.CASCADE, related_name="qualifications")
    sector = models.ForeignKey(Sector, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["body", "sector"], name="qualification_unique")]
        verbose_name = _("sector qualification")
        verbose_name_plural = _("sector qualifications")

    def __str__(self) -> str:
        return f"{self.body} · {self.sector.code}"


class ConflictOfInterest(models.Model):
    """A recorded relation (e.g. consulting) that bars a body from verifying a firm."""

    body = models.ForeignKey(VerificationBody, on_delete=models.CASCADE, related_name="conflicts")
    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="conflicts")
    description = models.CharField(_("description"), max_length=300)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")

    def __str__(self) -> str:
        return f"{self.body} ↔ {self.firm}"


class Authority(models.Model):
    """A competent authority of a market, a statistics bureau, or the national administration."""

    class Kind(models.TextChoices):
        REGULATOR = "regulator", _("competent authority")
        STATISTICS_BUREAU = "statistics_bureau", _("statistics bureau")
        NATIONAL = "national", _("national administration")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    market = models.ForeignKey(
        Market, on_delete=models.PROTECT, null=True, blank=True, related_name="authorities", verbose_name=_("market")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (self.kind == self.Kind.NATIONAL) != (self.market_id is None):
            raise ValidationError(_("Only the national administration has no market."))


class User(AbstractUser):
    """A person of exactly one organisation, with one role there."""

    class Role(models.TextChoices):
        FIRM_REPORTER = "firm_reporter", _("firm reporter")
        FIRM_APPROVER = "firm_approver", _("firm approver")
        VERIFIER = "verifier", _("verifier")
        LEAD_VERIFIER = "lead_verifier", _("lead verifier")
        SPOT_CHECKER = "spot_checker", _("spot checker")
        REGULATOR_OFFICER = "regulator_officer", _("regulator case officer")
        REGULATOR_HEAD = "regulator_head", _("regulator head")
        STATISTICS_OFFICER = "statistics_officer", _("statistics bureau officer")
        NATIONAL_ADMIN = "national_admin", _("national administrator")

    FIRM_ROLES = frozenset({Role.FIRM_REPORTER, Role.FIRM_APPROVER})
    VERIFIER_ROLES = frozenset({Role.VERIFIER, Role.LEAD_VERIFIER})
    BODY_ROLES = VERIFIER_ROLES | {Role.SPOT_CHECKER}
    REGULATOR_ROLES = frozenset({Role.REGULATOR_OFFICER, Role.REGULATOR_HEAD})
    AUTHORITY_ROLES = REGULATOR_ROLES | {Role.STATISTICS_OFFICER, Role.NATIONAL_ADMIN}

    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, null=True, blank=True, related_name="users")
    body = models.ForeignKey(
        VerificationBody,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("verification body"),
    )
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, null=True, blank=True, related_name="users")
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        wanted = {
            "firm": self.role in self.FIRM_ROLES,
            "body": self.role in self.BODY_ROLES,
            "authority": self.role in self.AUTHORITY_ROLES,
        }
        for field, needed in wanted.items():
            if needed and getattr(self, f"{field}_id") is None:
                raise ValidationError({field: _("This role needs a %(f)s.") % {"f": field}})
            if not needed and getattr(self, f"{field}_id") is not None:
                raise ValidationError({field: _("This role belongs to no %(f)s.") % {"f": field}})

    def get_full_name(self) -> str:
        """Names in the order of their language: 王经办 (family name first, no space), Jane Smith."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
            return f"{last}{first}"
        return f"{first} {last}".strip()

    @property
    def is_firm_user(self) -> bool:
        return self.role in self.FIRM_ROLES

    @property
    def is_verifier(self) -> bool:
        return self.role in self.VERIFIER_ROLES

    @property
    def is_spot_checker(self) -> bool:
        return self.role == self.Role.SPOT_CHECKER

    @property
    def is_regulator(self) -> bool:
        return self.role in self.REGULATOR_ROLES

    @property
    def is_national_admin(self) -> bool:
        return self.role == self.Role.NATIONAL_ADMIN or self.is_superuser

    @property
    def market_id(self) -> int | None:
        """The market a regulator or statistics officer works in."""
        return self.authority.market_id if self.authority_id else None


class DataEntryMandate(models.Model):
    """A firm entrusts a person of another firm (its group's head office, a sister plant) with entering its
    activity and output data (数据填报委托).

    While the mandate is open, the entrusted person reads the firm's reports and writes the data of its drafts,
    in the browser and through the API, where one request may carry the data of every firm that entrusted them.
    Submitting, acknowledging warnings, answering findings, evidence and the registry stay with the firm's own
    people. The firm's approver grants and ends a mandate; the entrusted person may give it back.
    """

    firm = models.ForeignKey(
        Firm, on_delete=models.PROTECT, related_name="data_mandates", verbose_name=_("entrusting firm")
    )
    grantee = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="data_mandates", verbose_name=_("entrusted person")
    )
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("granted by"))
    granted_at = models.DateTimeField(_("granted at"))
    reason = models.CharField(_("purpose"), max_length=300, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ended by")
    )
    end_reason = models.CharField(_("why it ended"), max_length=300, blank=True)

    # Its two states, as the audit trail and the badges name them (the labels: `STATE_LABELS`).
    IN_FORCE, ENDED = "mandate_in_force", "mandate_ended"
    STATE_LABELS = {IN_FORCE: pgettext_lazy("mandate", "in force"), ENDED: pgettext_lazy("mandate", "ended")}

    class Meta:
        ordering = ["firm", "-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "grantee"], condition=models.Q(ended_at__isnull=True), name="one_open_mandate_a_person"
            )
        ]
        indexes = [
            models.Index(fields=["grantee", "firm"], condition=models.Q(ended_at__isnull=True), name="open_mandates")
        ]
        verbose_name = _("data-entry mandate")
        verbose_name_plural = _("data-entry mandates")

    def __str__(self) -> str:
        return f"{self.firm} → {self.grantee}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def state(self) -> str:
        return self.IN_FORCE if self.ended_at is None else self.ENDED

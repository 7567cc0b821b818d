"""Third-party verification, fourth-party spot checks and the regulator's determination.

A verification body is assigned to a firm's compliance year (`VerificationEngagement`); its lead
verifier accepts and names the team, writes a `VerificationPlan` where the market requires one,
raises `Finding`s (answered by the firm as `FindingAnswer` rows), and signs a
`VerificationOpinion`. In markets with fourth-party checks a `SpotCheckSample` of verified reports
is drawn (`SpotCheckItem`s, each checked by a spot-check body). The regulator then records a
`Determination` (four eyes). Shenzhen's quarterly reports get one `QuarterlyReview` per co-reviewer.
The report's own states live on `EmissionReport` (mrv/models/reports.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from mrv.workflow import facts as F
from mrv.workflow import verification as rules
from mrv.workflow.facts import facts

from .chain import Sealed
from .markets import Market
from .organisations import Firm, VerificationBody

WHOLE_TONNES = {"max_digits": 14, "decimal_places": 0}


class VerificationEngagement(ConcurrentTransitionMixin, models.Model):
    class Status(models.TextChoices):
        AWAITING_ASSIGNMENT = "awaiting_assignment", _("awaiting assignment")
        ASSIGNED = "assigned", _("assigned")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        COMPLETED = "completed", _("completed")

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="engagements", verbose_name=_("firm"))
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="+", verbose_name=_("market"))
    year = models.PositiveIntegerField(_("compliance year"))
    body = models.ForeignKey(
        VerificationBody,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="engagements",
        verbose_name=_("verification body"),
    )
    status = FSMField(
        _("status"), max_length=30, choices=Status.choices, default=Status.AWAITING_ASSIGNMENT, protected=True
    )
    lead_verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead verifier"),
    )
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="engagements")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    class Meta:
        ordering = ["-year", "firm"]
        indexes = [models.Index(fields=["market", "year", "status"]), models.Index(fields=["body", "year"])]
        constraints = [models.UniqueConstraint(fields=["firm", "year"], name="engagement_one_per_firm_year")]
        verbose_name = _("verification engagement")
        verbose_name_plural = _("verification engagements")

    def __str__(self) -> str:
        return f"{self.firm} {self.year} ← {self.body or '—'}"

    @transition(
        field=status,
        source=Status.AWAITING_ASSIGNMENT,
        target=Status.ASSIGNED,
        permission=rules.regulates_market,
        custom=facts(
            label=pgettext_lazy("audit action", "verification body assigned"),
            notify=(F.LEAD_VERIFIERS,),
            message=_("%(subject)s was assigned to your body; please accept or decline it."),
        ),
    )
    def assign(self, body: VerificationBody) -> None:
        """The regulator assigns an eligible verification body to the firm-year."""
        self.body = body

    @transition(
        field=status,
        source=[Status.ASSIGNED, Status.DECLINED],
        target=Status.ASSIGNED,
        permission=rules.regulates_market,
        custom=facts(
            label=pgettext_lazy("audit action", "verification body reassigned"),
            notify=(F.LEAD_VERIFIERS,),
            message=_("%(subject)s was reassigned to your body; please accept or decline it."),
        ),
    )
    def reassign(self, body: VerificationBody) -> None:
        """The regulator assigns another eligible body after a decline (or before acceptance)."""
        self.body = body
        self.lead_verifier = None
        self.decline_reason = ""

    @transition(
        field=status,
        source=Status.ASSIGNED,
        target=Status.ACCEPTED,
        permission=rules.is_body_lead_verifier,
        custom=facts(
            label=pgettext_lazy("audit action", "accepted"),
            notify=(F.FIRM,),
            message=_("%(subject)s was accepted by the verification body."),
        ),
    )
    def accept(self, lead_verifier) -> None:
        """The assigned body's lead verifier accepts the engagement (and names the team)."""
        self.lead_verifier = lead_verifier

    @transition(
        field=status,
        source=Status.ASSIGNED,
        target=Status.DECLINED,
        permission=rules.is_body_lead_verifier,
        custom=facts(
            label=pgettext_lazy("audit action", "declined"),
            notify=(F.OFFICERS,),
            message=_("%(subject)s was declined by the verification body; please assign another body."),
            reason_required=True,
        ),
    )
    def decline(self, decline_reason: str) -> None:
        """The assigned body's lead verifier declines, with a reason; the regulator reassigns."""
        self.decline_reason = decline_reason

    @transition(
        field=status,
        source=Status.ACCEPTED,
        target=Status.COMPLETED,
        permission=rules.regulates_market,
        conditions=[rules.engagement_report_is_closed],
        custom=facts(
            label=pgettext_lazy("audit action", "engagement completed"),
            notify=(F.FIRM,),
            message=_("%(subject)s is complete."),
        ),
    )
    def complete(self) -> None:
        """The engagement ends when the firm-year's report is closed."""


class VerificationPlan(models.Model):
    """The verifier's plan for one firm-year: document review, site visit(s) and team, what is sampled."""

    engagement = models.OneToOneField(VerificationEngagement, on_delete=models.PROTECT, related_name="plan")
    document_review = models.TextField(_("document review"))
    site_visit_dates = models.JSONField(_("site-visit dates"), default=list, help_text=_("ISO dates"))
    site_team = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("site team"))
    sampling = models.TextField(_("what will be sampled"))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("verification plan")
        verbose_name_plural = _("verification plans")

    def __str__(self) -> str:
        return _("Verification plan: %(e)s") % {"e": self.engagement}


class Finding(ConcurrentTransitionMixin, models.Model):
    """A verifier's finding on a report line (`line_key`, e.g. "boiler-coal:2025-03") or on the whole report."""

    class Kind(models.TextChoices):
        MISSTATEMENT = "misstatement", _("misstatement")
        NON_CONFORMITY = "non_conformity", _("non-conformity with the monitoring plan")
        NON_COMPLIANCE = "non_compliance", _("non-compliance")
        IMPROVEMENT = "improvement", _("recommended improvement")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ANSWERED = "answered", _("answered by the firm")
        CLOSED = "closed", _("closed")
        REOPENED = "reopened", _("reopened")

    class Resolution(models.TextChoices):
        CORRECTED = "corrected", _("corrected by the firm")
        NOT_CORRECTED = "not_corrected", _("left uncorrected")

    report = models.ForeignKey("mrv.EmissionReport", on_delete=models.PROTECT, related_name="findings")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    line_key = models.CharField(
        _("report line"),
        max_length=120,
        blank=True,
        help_text=_("source stream and month, e.g. boiler-coal:2025-03; empty: general"),
    )
    description = models.TextField(_("description"))
    amount_tco2e = models.DecimalField(
        _("misstatement (tCO2e)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN, protected=True)
    resolution = models.CharField(_("resolution"), max_length=20, choices=Resolution.choices, blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("raised"), auto_now_add=True)
    response_due = models.DateField(
        _("response due"),
        null=True,
        blank=True,
        help_text=_("set from the rule pack when raised; the verifier may change it; an open request pauses it"),
    )

    class Meta:
        ordering = ["report", "raised_at", "id"]
        indexes = [models.Index(fields=["report", "kind", "status"])]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.line_key or _('(general)')}"

    @property
    def market_id(self) -> int:
        return self.report.market_id

    @transition(
        field=status,
        source=[Status.OPEN, Status.REOPENED],
        target=Status.ANSWERED,
        permission=rules.is_finding_firm_user,
        conditions=[rules.finding_report_is_with_firm_or_verifier],
        custom=facts(
            label=pgettext_lazy("audit action", "answered"),
            notify=(F.VERIFIERS,),
            message=_("The firm answered a finding on the %(subject)s; please review the answer."),
        ),
    )
    def answer(self) -> None:
        """The firm answers an open or reopened finding (the answer is a FindingAnswer row)."""

    @transition(
        field=status,
        source=[Status.OPEN, Status.ANSWERED, Status.REOPENED],
        target=Status.CLOSED,
        permission=rules.is_finding_verifier,
        conditions=[rules.finding_report_is_under_verification],
        custom=facts(
            label=pgettext_lazy("audit action", "closed"),
            notify=(F.FIRM,),
            message=_("A finding on the %(subject)s was closed."),
        ),
    )
    def close(self, resolution: str) -> None:
        """The verifier closes a finding as corrected or as left uncorrected."""
        self.resolution = resolution

    @transition(
        field=status,
        source=[Status.ANSWERED, Status.CLOSED],
        target=Status.REOPENED,
        permission=rules.is_finding_verifier,
        conditions=[rules.finding_report_is_under_verification],
        custom=facts(
            label=pgettext_lazy("audit action", "reopened"),
            notify=(F.FIRM,),
            message=_("A finding on the %(subject)s was reopened; please answer it."),
            reason_required=True,
        ),
    )
    def reopen(self) -> None:
        """The verifier reopens a finding whose answer or correction does not satisfy."""
        self.resolution = ""

    @property
    def is_uncorrected_misstatement(self) -> bool:
        return self.kind == self.Kind.MISSTATEMENT and self.resolution != self.Resolution.CORRECTED


class FindingAnswer(models.Model):
    """The firm's answer to a finding, kept for every round."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(_("answer"))
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("answered"), auto_now_add=True)

    class Meta:
        ordering = ["finding", "answered_at", "id"]
        verbose_name = _("answer to a finding")
        verbose_name_plural = _("answers to findings")

    def __str__(self) -> str:
        return f"{self.finding} ← {self.answered_at:%Y-%m-%d}"


class VerificationOpinion(Sealed):
    """The signed opinion: outcome, verified emissions, and the difference against the reported figure."""

    class Outcome(models.TextChoices):
        SATISFACTORY = "satisfactory", _("verified as satisfactory")
        WITH_COMMENTS = "with_comments", _("verified with comments")
        NOT_VERIFIED = "not_verified", _("not verified")

    class NotVerifiedReason(models.TextChoices):
        MATERIAL_MISSTATEMENT = "material_misstatement", _("uncorrected material misstatement")
        MATERIAL_NON_CONFORMITY = "material_non_conformity", _("uncorrected material non-conformity")
        DATA_LIMITATIONS = "data_limitations", _("data limitations")
        SCOPE_LIMITATIONS = "scope_limitations", _("scope limitations")
        PLAN_NOT_APPROVED = "plan_not_approved", _("monitoring plan not approved")
        OTHER = "other", _("other")

    VERIFIED = (Outcome.SATISFACTORY, Outcome.WITH_COMMENTS)

    report = models.ForeignKey("mrv.EmissionReport", on_delete=models.PROTECT, related_name="opinions")
    engagement = models.ForeignKey(VerificationEngagement, on_delete=models.PROTECT, related_name="opinions")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    not_verified_reason = models.CharField(
        _("reason not verified"), max_length=30, choices=NotVerifiedReason.choices, blank=True
    )
    comments = models.TextField(_("comments"), blank=True)
    reported_emissions_tco2e = models.DecimalField(_("reported emissions (tCO2e)"), null=True, **WHOLE_TONNES)
    verified_emissions_tco2e = models.DecimalField(
        _("verified emissions (tCO2e)"), null=True, blank=True, **WHOLE_TONNES
    )
    difference_tco2e = models.DecimalField(
        _("difference verified − reported (tCO2e)"), null=True, blank=True, **WHOLE_TONNES
    )
    difference_reason = models.TextField(_("reason for the difference"), blank=True)
    uncorrected_misstatement_tco2e = models.DecimalField(
        _("uncorrected misstatements (tCO2e)"), max_digits=14, decimal_places=2, default=0
    )
    materiality_threshold_pct = models.DecimalField(_("materiality threshold (%)"), max_digits=5, decimal_places=2)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed"), auto_now_add=True)

    class Meta:
        ordering = ["report", "-signed_at", "-id"]
        indexes = [models.Index(fields=["report", "signed_at"])]
        verbose_name = _("verification opinion")
        verbose_name_plural = _("verification opinions")

    def __str__(self) -> str:
        return f"{self.report}: {self.get_outcome_display()}"

    @property
    def is_verified(self) -> bool:
        return self.outcome in self.VERIFIED


class SpotCheckSample(models.Model):
    """One reproducible, risk-weighted draw of a market-year's verified reports."""

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("compliance year"))
    seed = models.BigIntegerField(_("seed"))
    rate_pct = models.DecimalField(_("sample rate (%)"), max_digits=5, decimal_places=2)
    population = models.JSONField(
        _("population and risk weights"),
        default=list,
        help_text=_("[[report id, weight], …] in the order the draw used"),
    )
    drawn_at = models.DateTimeField(_("drawn"), auto_now_add=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("empty: drawn by the system at the deadline"),
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["market", "year"], name="spot_check_one_draw_per_market_year")]
        verbose_name = _("spot-check sample")
        verbose_name_plural = _("spot-check samples")

    def __str__(self) -> str:
        return gettext("%(market)s %(year)s · seed %(seed)s") % {
            "market": self.market,
            "year": self.year,
            "seed": self.seed,
        }


class SpotCheckItem(models.Model):
    """A report in a spot-check sample, its risk weight, and the spot-check body's result."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("pending")
        CONFIRMED = "confirmed", _("verification confirmed")
        DISCREPANCIES = "discrepancies", _("discrepancies found")

    sample = models.ForeignKey(SpotCheckSample, on_delete=models.PROTECT, related_name="items")
    report = models.ForeignKey("mrv.EmissionReport", on_delete=models.PROTECT, related_name="spot_check_items")
    risk_weight = models.PositiveIntegerField(_("risk weight"))
    risk_factors = models.JSONField(_("risk factors"), default=list)
    added_by_hand = models.BooleanField(_("added by the regulator"), default=False)
    body = models.ForeignKey(
        VerificationBody,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="spot_check_items",
        verbose_name=_("spot-check body"),
    )
    verifier_body = models.ForeignKey(
        VerificationBody,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("third-party body checked"),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    discrepancies = models.TextField(_("discrepancies"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)

    class Meta:
        ordering = ["sample", "id"]
        constraints = [models.UniqueConstraint(fields=["sample", "report"], name="spot_check_item_once")]
        indexes = [models.Index(fields=["body", "outcome"]), models.Index(fields=["verifier_body", "outcome"])]
        verbose_name = _("spot-checked report")
        verbose_name_plural = _("spot-checked reports")

    def __str__(self) -> str:
        return f"{self.report} ({self.get_outcome_display()})"

    @property
    def market_id(self) -> int:
        return self.sample.market_id


class Determination(Sealed):
    """The regulator's determined emissions: proposed by a case officer, approved by a different head."""

    class Basis(models.TextChoices):
        VERIFIED_FIGURE = "verified_figure", _("the verified figure")
        CONSERVATIVE_ESTIMATE = "conservative_estimate", _("a conservative estimate")
        REDETERMINATION = "redetermination", _("a correction of determined emissions")

    class Decision(models.TextChoices):
        PENDING = "pending", _("awaiting approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    report = models.ForeignKey("mrv.EmissionReport", on_delete=models.PROTECT, related_name="determinations")
    basis = models.CharField(_("basis"), max_length=30, choices=Basis.choices)
    emissions_tco2e = models.DecimalField(_("determined emissions (tCO2e)"), **WHOLE_TONNES)
    basis_text = models.TextField(_("basis of the estimate"), blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    from_state = models.CharField(_("report state when proposed"), max_length=30)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(pgettext_lazy("point in time", "proposed"), auto_now_add=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    class Meta:
        ordering = ["report", "-proposed_at", "-id"]
        indexes = [models.Index(fields=["report", "decision"])]
        verbose_name = _("determination")
        verbose_name_plural = _("determinations")

    def __str__(self) -> str:
        return f"{self.report}: {self.emissions_tco2e} tCO2e ({self.get_decision_display()})"


class QuarterlyReview(models.Model):
    """One co-reviewer's decision on a quarterly report in one review round (Shenzhen)."""

    class Reviewer(models.TextChoices):
        REGULATOR = "regulator", _("competent authority")
        STATISTICS_BUREAU = "statistics_bureau", _("statistics bureau")

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned")

    report = models.ForeignKey("mrv.EmissionReport", on_delete=models.PROTECT, related_name="quarterly_reviews")
    round = models.PositiveSmallIntegerField(_("review round"))
    reviewer = models.CharField(_("co-reviewer"), max_length=20, choices=Reviewer.choices)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reasons = models.TextField(_("reasons"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed"), auto_now_add=True)

    class Meta:
        ordering = ["report", "round", "reviewer"]
        constraints = [
            models.UniqueConstraint(fields=["report", "round", "reviewer"], name="quarterly_review_once_per_round")
        ]
        verbose_name = _("quarterly co-review")
        verbose_name_plural = _("quarterly co-reviews")

    def __str__(self) -> str:
        return f"{self.report} #{self.round} {self.get_reviewer_display()}: {self.get_decision_display()}"

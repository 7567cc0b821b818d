"""Emission reports: one annual report per firm and compliance year, and quarterly ones where required."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from mrv.workflow import facts as F
from mrv.workflow import reports as report_rules
from mrv.workflow import verification as rules
from mrv.workflow.facts import facts

from .chain import Sealed
from .markets import Market
from .organisations import Firm
from .plans import MonitoringPlan

VERSION_IMMUTABLE = "A submitted report version is immutable: submit a new version instead."
QUARTER_MONTHS = {"q1": (1, 2, 3), "q2": (4, 5, 6), "q3": (7, 8, 9), "q4": (10, 11, 12), "annual": tuple(range(1, 13))}


class EmissionReport(ConcurrentTransitionMixin, models.Model):
    class Period(models.TextChoices):
        ANNUAL = "annual", _("annual")
        Q1 = "q1", _("Q1")
        Q2 = "q2", _("Q2")
        Q3 = "q3", _("Q3")
        Q4 = "q4", _("Q4")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        UNDER_VERIFICATION = "under_verification", _("under verification")
        RETURNED_TO_FIRM = "returned_to_firm", _("returned to the firm")
        VERIFIED = "verified", _("verified")
        SPOT_CHECK = "spot_check", _("in spot check")
        REGULATOR_REVIEW = "regulator_review", _("regulator review")
        DETERMINATION_PROPOSED = "determination_proposed", _("determination proposed")
        DETERMINED = "determined", _("emissions determined")
        CLOSED = "closed", _("closed")
        # A correction of determined emissions waits for a head; the determined figure stays in force meanwhile.
        REDETERMINATION_PROPOSED = "redetermination_proposed", _("re-determination proposed")
        # Quarterly reports (Shenzhen): co-reviewed by the regulator and the statistics bureau.
        CO_REVIEW = "co_review", _("in co-review")
        ACCEPTED = "accepted", _("accepted")

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="reports", verbose_name=_("firm"))
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="+", verbose_name=_("market"))
    year = models.PositiveIntegerField(_("compliance year"))
    period = models.CharField(_("period"), max_length=6, choices=Period.choices, default=Period.ANNUAL)
    status = FSMField(_("status"), max_length=30, choices=Status.choices, default=Status.DRAFT, protected=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    determined_emissions_tco2e = models.DecimalField(
        _("determined emissions (tCO2e)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    # --- The firm's part (monitoring plan, data, submission) ----------------------------------
    plan = models.ForeignKey(
        MonitoringPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("monitoring plan version"),
        help_text=_("The version in force for the period, set at submission."),
    )
    current_version = models.ForeignKey(
        "ReportVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )
    reported_emissions_tco2e = models.DecimalField(
        _("reported emissions (tCO2e)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    review_round = models.PositiveSmallIntegerField(_("quarterly co-review round"), default=0, editable=False)

    class Meta:
        ordering = ["-year", "firm"]
        constraints = [models.UniqueConstraint(fields=["firm", "year", "period"], name="report_one_per_period")]
        indexes = [models.Index(fields=["market", "year", "status"])]
        verbose_name = _("emission report")
        verbose_name_plural = _("emission reports")

    def __str__(self) -> str:
        return f"{self.firm} {self.year} {self.get_period_display()}"

    @transition(
        field=status,
        source=Status.DRAFT,
        target=Status.SUBMITTED,
        permission=report_rules.is_firm_approver,
        custom=facts(
            label=pgettext_lazy("audit action", "submitted"),
            notify=(
                F.OFFICERS,
                F.VERIFIERS,
            ),
            message=_("%(subject)s was submitted."),
        ),
    )
    def submit(self, *, version: "ReportVersion", when: datetime.datetime) -> None:
        """A firm approver submits a draft without errors and with every warning acknowledged."""
        self._take_version(version, when)

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.DRAFT,
        conditions=[report_rules.no_accepted_engagement],
        permission=report_rules.is_firm_user,
        custom=facts(
            label=pgettext_lazy("audit action", "withdrawn"),
            notify=(
                F.OFFICERS,
                F.VERIFIERS,
            ),
            message=_("%(subject)s was withdrawn by the firm."),
        ),
    )
    def withdraw(self) -> None:
        """A firm user pulls a submitted report back while no verification body has accepted the year."""
        self.submitted_at = None

    @transition(
        field=status,
        source=Status.RETURNED_TO_FIRM,
        target=Status.UNDER_VERIFICATION,
        permission=report_rules.is_firm_approver,
        custom=facts(
            label=pgettext_lazy("audit action", "resubmitted"),
            notify=(F.VERIFIERS,),
            message=_("%(subject)s was corrected and resubmitted; please verify it."),
        ),
    )
    def resubmit(self, *, version: "ReportVersion", when: datetime.datetime) -> None:
        """A firm approver hands the corrected report back to the verifier as a new version."""
        self._take_version(version, when)

    def _take_version(self, version: "ReportVersion", when: datetime.datetime) -> None:
        self.plan = version.plan
        self.current_version = version
        self.reported_emissions_tco2e = version.reported_tco2e
        self.submitted_at = when

    @property
    def months(self) -> tuple[int, ...]:
        return QUARTER_MONTHS[self.period]

    @property
    def period_end(self) -> datetime.date:
        import calendar

        month = self.months[-1]
        return datetime.date(self.year, month, calendar.monthrange(self.year, month)[1])

    # --- Verification, spot check, regulator review and quarterly co-review (issue 4) -------------
    # Everything after submission. Submission, withdrawal and resubmission live with the plans code.
    S = Status

    @transition(
        field=status,
        source=S.SUBMITTED,
        target=S.UNDER_VERIFICATION,
        permission=rules.is_engaged_verifier,
        conditions=[rules.is_annual, rules.has_accepted_engagement],
        custom=facts(
            label=pgettext_lazy("audit action", "verification started"),
            notify=(F.FIRM,),
            message=_("%(subject)s is now being verified."),
        ),
    )
    def start_verification(self) -> None:
        """Verification starts once the firm-year's engagement has been accepted."""

    @transition(
        field=status,
        source=S.UNDER_VERIFICATION,
        target=S.RETURNED_TO_FIRM,
        permission=rules.is_engaged_verifier,
        conditions=[rules.has_open_findings],
        custom=facts(
            label=pgettext_lazy("audit action", "returned to the firm"),
            notify=(F.FIRM,),
            message=_("%(subject)s was returned to you with %(findings)s open findings."),
        ),
    )
    def return_to_firm(self) -> None:
        """The verifier returns the report to the firm with its open findings."""

    @transition(
        field=status,
        source=S.UNDER_VERIFICATION,
        target=S.VERIFIED,
        permission=rules.is_signing_lead_verifier,
        conditions=[
            rules.verification_plan_in_place,
            rules.latest_opinion_verified,
            rules.satisfactory_opinion_allowed,
        ],
        custom=facts(
            label=pgettext_lazy("audit action", "opinion signed (verified)"),
            notify=(F.OFFICERS,),
            message=_("%(subject)s was verified."),
        ),
    )
    def sign_off(self) -> None:
        """The lead verifier signs a verified opinion (satisfactory or with comments)."""

    @transition(
        field=status,
        source=S.UNDER_VERIFICATION,
        target=S.REGULATOR_REVIEW,
        permission=rules.is_signing_lead_verifier,
        conditions=[rules.verification_plan_in_place, rules.latest_opinion_not_verified],
        custom=facts(
            label=pgettext_lazy("audit action", "opinion signed (not verified)"),
            notify=(F.OFFICERS,),
            message=_("%(subject)s could not be verified; please review it."),
        ),
    )
    def sign_off_not_verified(self) -> None:
        """The lead verifier signs a "not verified" opinion; the regulator decides on an estimate."""

    @transition(
        field=status,
        source=[S.VERIFIED, S.REGULATOR_REVIEW],
        target=S.SPOT_CHECK,
        permission=rules.regulates_market,
        conditions=[rules.market_has_spot_checks, rules.latest_opinion_verified, rules.is_in_spot_check_sample],
        custom=facts(
            label=pgettext_lazy("audit action", "selected for the spot check"),
            notify=(F.SPOT_CHECKERS,),
            message=_("%(subject)s was selected for a spot check; please check it."),
        ),
    )
    def select_for_spot_check(self) -> None:
        """A verified report drawn into (or added by hand to) the market-year's spot-check sample."""

    @transition(
        field=status,
        source=S.SPOT_CHECK,
        target=S.REGULATOR_REVIEW,
        permission=rules.is_assigned_spot_checker,
        custom=facts(
            label=pgettext_lazy("audit action", "spot check confirmed"),
            notify=(F.OFFICERS,),
            message=_("The spot check confirmed the verification of the %(subject)s."),
        ),
    )
    def confirm_spot_check(self) -> None:
        """The spot-check body confirms the verification."""

    @transition(
        field=status,
        source=S.SPOT_CHECK,
        target=S.UNDER_VERIFICATION,
        permission=rules.is_assigned_spot_checker,
        custom=facts(
            label=pgettext_lazy("audit action", "spot-check discrepancies recorded"),
            notify=(F.VERIFIERS,),
            message=_("The spot check found discrepancies in the %(subject)s; please verify it again."),
        ),
    )
    def record_spot_check_discrepancy(self) -> None:
        """The spot-check body records discrepancies; the report goes back to the verifier."""

    @transition(
        field=status,
        source=S.VERIFIED,
        target=S.REGULATOR_REVIEW,
        permission=rules.regulates_market,
        conditions=[rules.spot_check_settled],
        custom=facts(
            label=pgettext_lazy("audit action", "sent to the regulator's review"),
            notify=(F.OFFICERS,),
            message=_("%(subject)s is ready for your review."),
        ),
    )
    def send_to_review(self) -> None:
        """A verified report goes to the regulator once the market's spot-check draw (if any) is done."""

    @transition(
        field=status,
        source=S.REGULATOR_REVIEW,
        target=S.UNDER_VERIFICATION,
        permission=rules.regulates_market,
        conditions=[rules.is_annual],
        custom=facts(
            label=pgettext_lazy("audit action", "returned to the verifier"),
            notify=(F.VERIFIERS,),
            message=_("%(subject)s was returned to the verifier; please verify it again."),
            reason_required=True,
        ),
    )
    def return_to_verifier(self) -> None:
        """The regulator returns the report to the verifier with reasons."""

    @transition(
        field=status,
        source=S.REGULATOR_REVIEW,
        target=S.RETURNED_TO_FIRM,
        permission=rules.regulates_market,
        conditions=[rules.is_annual],
        custom=facts(
            label=pgettext_lazy("audit action", "returned to the firm by the regulator"),
            notify=(F.FIRM,),
            message=_("%(subject)s was returned to you by the regulator."),
            reason_required=True,
        ),
    )
    def regulator_return_to_firm(self) -> None:
        """The regulator returns the report to the firm with reasons."""

    @transition(
        field=status,
        source=S.REGULATOR_REVIEW,
        target=S.DETERMINATION_PROPOSED,
        permission=rules.regulates_market,
        conditions=[rules.latest_opinion_verified, rules.has_pending_determination],
        custom=facts(
            label=pgettext_lazy("audit action", "determination proposed"),
            notify=(F.HEADS,),
            message=_("A determination of the %(subject)s was proposed; please approve or reject it."),
        ),
    )
    def propose_determination(self) -> None:
        """A case officer proposes the verified figure as the determined emissions."""

    @transition(
        field=status,
        source=[S.DRAFT, S.SUBMITTED, S.RETURNED_TO_FIRM, S.REGULATOR_REVIEW],
        target=S.DETERMINATION_PROPOSED,
        permission=rules.regulates_market,
        conditions=[rules.is_annual, rules.conservative_estimate_allowed, rules.has_pending_determination],
        custom=facts(
            label=pgettext_lazy("audit action", "conservative estimate proposed"),
            notify=(F.HEADS,),
            message=_("A conservative estimate of the %(subject)s was proposed; please approve or reject it."),
        ),
    )
    def propose_conservative_estimate(self) -> None:
        """A case officer proposes a conservative estimate: not verified, late, or not submitted."""

    @transition(
        field=status,
        source=S.DETERMINATION_PROPOSED,
        target=S.DETERMINED,
        permission=rules.is_approving_head,
        conditions=[rules.has_pending_determination],
        custom=facts(
            label=pgettext_lazy("audit action", "determination approved"),
            notify=(F.FIRM,),
            message=_("The emissions of the %(subject)s were determined."),
        ),
    )
    def approve_determination(self, emissions_tco2e) -> None:
        """A regulator head other than the proposer approves; the figure is what compliance uses."""
        self.determined_emissions_tco2e = emissions_tco2e

    @transition(
        field=status,
        source=S.DETERMINATION_PROPOSED,
        target=RETURN_VALUE(S.DRAFT, S.SUBMITTED, S.RETURNED_TO_FIRM, S.REGULATOR_REVIEW),
        permission=rules.is_approving_head,
        conditions=[rules.has_pending_determination],
        custom=facts(
            label=pgettext_lazy("audit action", "determination rejected"),
            notify=(F.OFFICERS,),
            message=_("The proposed determination of the %(subject)s was rejected; please review it again."),
        ),
    )
    def reject_determination(self, back_to: str) -> str:
        """A regulator head rejects the proposal; the report goes back to where it was proposed from."""
        return back_to

    @transition(
        field=status,
        source=S.DETERMINED,
        target=S.CLOSED,
        permission=rules.regulates_market,
        custom=facts(
            label=pgettext_lazy("audit action", "closed"), notify=(F.FIRM,), message=_("%(subject)s was closed.")
        ),
    )
    def close(self) -> None:
        """The regulator closes the year's report once emissions are determined."""

    @transition(
        field=status,
        source=[S.DETERMINED, S.CLOSED],
        target=S.REDETERMINATION_PROPOSED,
        permission=rules.regulates_market,
        conditions=[rules.is_annual, rules.has_pending_determination],
        custom=facts(
            label=pgettext_lazy("audit action", "re-determination proposed"),
            notify=(F.HEADS,),
            message=_("A correction of the determined emissions of the %(subject)s was proposed; please decide."),
            reason_required=True,
        ),
    )
    def propose_redetermination(self) -> None:
        """A case officer corrects determined emissions with a reason and evidence: a new determination version."""

    @transition(
        field=status,
        source=S.REDETERMINATION_PROPOSED,
        target=RETURN_VALUE(S.DETERMINED, S.CLOSED),
        permission=rules.is_approving_head,
        conditions=[rules.has_pending_determination],
        custom=facts(
            label=pgettext_lazy("audit action", "re-determination approved"),
            notify=(F.FIRM,),
            message=_("The determined emissions of the %(subject)s were corrected."),
        ),
    )
    def approve_redetermination(self, emissions_tco2e, back_to: str) -> str:
        """A regulator head other than the proposer approves: the new figure is what compliance uses."""
        self.determined_emissions_tco2e = emissions_tco2e
        return back_to

    @transition(
        field=status,
        source=S.REDETERMINATION_PROPOSED,
        target=RETURN_VALUE(S.DETERMINED, S.CLOSED),
        permission=rules.is_approving_head,
        conditions=[rules.has_pending_determination],
        custom=facts(
            label=pgettext_lazy("audit action", "re-determination rejected"),
            notify=(F.OFFICERS,),
            message=_("The proposed correction of the %(subject)s was rejected; the determined figure stands."),
            reason_required=True,
        ),
    )
    def reject_redetermination(self, back_to: str) -> str:
        """A regulator head rejects the correction; the report goes back to where it was."""
        return back_to

    @transition(
        field=status,
        source=S.SUBMITTED,
        target=S.CO_REVIEW,
        permission=rules.is_co_reviewer,
        conditions=[rules.is_quarterly],
        custom=facts(
            label=pgettext_lazy("audit action", "co-review started"),
            notify=(
                F.OFFICERS,
                F.STATISTICS,
            ),
            message=_("%(subject)s is ready for co-review; please review it."),
        ),
    )
    def start_co_review(self) -> None:
        """A submitted quarterly report goes to the regulator and the statistics bureau."""
        self.review_round += 1

    @transition(
        field=status,
        source=S.CO_REVIEW,
        target=S.ACCEPTED,
        permission=rules.is_co_reviewer,
        conditions=[rules.all_co_reviewers_accepted],
        custom=facts(
            label=pgettext_lazy("audit action", "quarterly report accepted"),
            notify=(F.FIRM,),
            message=_("%(subject)s was accepted."),
        ),
    )
    def accept_quarterly(self) -> None:
        """The quarterly report is accepted once every co-reviewer has accepted this round."""

    @transition(
        field=status,
        source=S.CO_REVIEW,
        target=S.DRAFT,
        permission=rules.is_co_reviewer,
        custom=facts(
            label=pgettext_lazy("audit action", "quarterly report returned"),
            notify=(F.FIRM,),
            message=_("%(subject)s was returned to you; please correct it."),
        ),
    )
    def return_quarterly(self) -> None:
        """Either co-reviewer returns the quarterly report to the firm with reasons."""


class ReportVersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError(VERSION_IMMUTABLE)

    def delete(self):
        raise PermissionError(VERSION_IMMUTABLE)


class ReportVersion(Sealed):
    """What the firm submitted, frozen: the data, the plan version, the calculation result and the totals."""

    report = models.ForeignKey(EmissionReport, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    plan = models.ForeignKey(MonitoringPlan, on_delete=models.PROTECT, related_name="+", verbose_name=_("plan version"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    data = models.JSONField(_("data as submitted"))
    result = models.JSONField(_("calculation result"))
    total_tco2e = models.DecimalField(_("total (tCO2e, sum of rounded lines)"), max_digits=18, decimal_places=3)
    reported_tco2e = models.DecimalField(_("reported total (tCO2e, whole tonnes)"), max_digits=14, decimal_places=0)

    objects = ReportVersionQuerySet.as_manager()

    class Meta:
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_version_unique")]
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")

    def __str__(self) -> str:
        return f"{self.report} · v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError(VERSION_IMMUTABLE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(VERSION_IMMUTABLE)

    def emission_result(self):
        from mrv.calculation import EmissionResult

        return EmissionResult.from_dict(self.result)

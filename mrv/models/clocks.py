"""Deadlines that follow the work: requests for information that pause a clock, a firm's extension
requests, and the national power sector's monthly deposits.

An `InformationRequest` concerns one deadline: a firm deadline of a compliance year (`kind`) or the
response deadline of one finding. While it is open the deadline's clock stands still; once answered or
withdrawn the deadline has moved by the whole days it was open (`mrv.due_dates.whole_days_open`).
An `ExtensionRequest` is the firm's asking for a later date; the regulator grants it (with the new date,
which becomes the firm's `DeadlineExtension`) or refuses it.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from mrv.workflow import clocks as rules
from mrv.workflow import facts as F
from mrv.workflow.facts import declare_event, facts

from .markets import DeadlineRule, Market
from .organisations import Firm


class WorkDeadline(models.TextChoices):
    """Deadlines that come from the work itself rather than from the market calendar."""

    FINDING_RESPONSE = "finding_response", _("response to findings")
    MONTHLY_DEPOSIT = "monthly_deposit", _("monthly data deposit")


#: Every kind of deadline a reminder, a request for information or an extension request may name.
ALL_DEADLINE_KINDS = [*DeadlineRule.Kind.choices, *WorkDeadline.choices]


def deadline_label(kind: str) -> str:
    return str(dict(ALL_DEADLINE_KINDS).get(kind, kind))


class InformationRequest(ConcurrentTransitionMixin, models.Model):
    """A verifier's or regulator's question to a firm; the deadline it concerns waits while it is open."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ANSWERED = "answered", _("answered")
        WITHDRAWN = "withdrawn", _("withdrawn")

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="information_requests")
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("compliance year"))
    kind = models.CharField(_("deadline paused"), max_length=20, choices=ALL_DEADLINE_KINDS)
    finding = models.ForeignKey(
        "mrv.Finding", on_delete=models.PROTECT, null=True, blank=True, related_name="information_requests"
    )
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    status = FSMField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN, protected=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["firm", "year", "kind"])]
        verbose_name = _("request for information")
        verbose_name_plural = _("requests for information")

    def __str__(self) -> str:
        return f"{self.firm} {self.year} {deadline_label(self.kind)} ?"

    @transition(
        field=status,
        source=Status.OPEN,
        target=Status.ANSWERED,
        permission=rules.is_request_firm_user,
        custom=facts(
            label=pgettext_lazy("audit action", "answered"),
            notify=(F.REQUESTER,),
            message=_("%(subject)s: the firm answered your request for information; the clock runs again."),
        ),
    )
    def respond(self, answer: str) -> None:
        """The firm answers; the paused deadline runs again, later by the whole days the request was open."""
        self.answer, self.closed_at = answer, timezone.now()

    @transition(
        field=status,
        source=Status.OPEN,
        target=Status.WITHDRAWN,
        permission=rules.is_requester_side,
        custom=facts(
            label=pgettext_lazy("audit action", "withdrawn"),
            notify=(F.FIRM,),
            message=_("%(subject)s: a request for information was withdrawn; the clock runs again."),
        ),
    )
    def withdraw(self) -> None:
        """The verifier or regulator who asked withdraws the request (the days it was open still count)."""
        self.closed_at = timezone.now()


declare_event(
    "mrv.informationrequest.opened",
    label=pgettext_lazy("audit action", "request for information opened"),
    notify=(F.FIRM,),
    message=_("%(subject)s: you were asked for information; the deadline it concerns waits until you answer."),
)


class ExtensionRequest(ConcurrentTransitionMixin, models.Model):
    """A firm asks for a later due date of one deadline, with a reason; the regulator grants or refuses."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        GRANTED = "granted", _("granted")
        REFUSED = "refused", _("refused")
        WITHDRAWN = "withdrawn", pgettext_lazy("extension request", "withdrawn")

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="extension_requests")
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("compliance year"))
    kind = models.CharField(_("deadline"), max_length=20, choices=DeadlineRule.Kind.choices)
    reason = models.TextField(_("reason"))
    due_date_before = models.DateField(_("due date when requested"))
    wanted_due_date = models.DateField(_("date asked for"), null=True, blank=True)
    new_due_date = models.DateField(_("new due date"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    status = FSMField(_("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED, protected=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["market", "status"])]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")

    def __str__(self) -> str:
        return f"{self.firm} {self.year} {deadline_label(self.kind)}"

    @transition(
        field=status,
        source=Status.REQUESTED,
        target=Status.GRANTED,
        permission=rules.regulates_firm_market,
        custom=facts(
            label=pgettext_lazy("audit action", "extension granted"),
            notify=(F.FIRM,),
            message=_("%(subject)s: your extension request was granted; the new due date is %(new_due_date)s."),
        ),
    )
    def grant(self, new_due_date, by) -> None:
        """The regulator grants the extension with the new due date."""
        self.new_due_date, self.decided_by, self.decided_at = new_due_date, by, timezone.now()

    @transition(
        field=status,
        source=Status.REQUESTED,
        target=Status.REFUSED,
        permission=rules.regulates_firm_market,
        custom=facts(
            label=pgettext_lazy("audit action", "extension refused"),
            notify=(F.FIRM,),
            message=_("%(subject)s: your extension request was refused; the due date stays %(due_date_before)s."),
            reason_required=True,
        ),
    )
    def refuse(self, decision_reason: str, by) -> None:
        """The regulator refuses the extension, with a reason; the due date stays."""
        self.decision_reason, self.decided_by, self.decided_at = decision_reason, by, timezone.now()

    @transition(
        field=status,
        source=Status.REQUESTED,
        target=Status.WITHDRAWN,
        permission=rules.is_request_firm_user,
        custom=facts(
            label=pgettext_lazy("audit action", "extension request withdrawn"),
            notify=(F.OFFICERS,),
            message=_("%(subject)s: the firm withdrew its extension request; the due date stays %(due_date_before)s."),
        ),
    )
    def withdraw(self) -> None:
        """The firm withdraws its request before the regulator decides (asked by mistake, or no longer needed)."""


declare_event(
    "mrv.extensionrequest.requested",
    label=pgettext_lazy("audit action", "extension requested"),
    notify=(F.OFFICERS,),
    message=_("%(subject)s: the firm asks for an extension; please grant or refuse it."),
)

POSITIVE = [MinValueValidator(0)]


class MonthlyDeposit(models.Model):
    """One month's fuel, carbon content test result and electricity data of a covered power firm, with evidence.

    Deposited by the rule pack's monthly deadline; a later change is a revision (counted, audited), so the
    verifier sees which months came late or were changed.
    """

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="monthly_deposits")
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    stream_code = models.SlugField(_("source stream"), max_length=40)
    fuel_consumed_t = models.DecimalField(_("fuel consumed (t)"), max_digits=16, decimal_places=3)
    ncv_gj_per_t = models.DecimalField(_("net calorific value (GJ/t)"), max_digits=10, decimal_places=4)
    carbon_content_tc_per_gj = models.DecimalField(
        _("carbon content per unit of heat (tC/GJ)"), max_digits=10, decimal_places=6
    )
    electricity_generated_mwh = models.DecimalField(_("electricity generated (MWh)"), max_digits=16, decimal_places=3)
    electricity_supplied_mwh = models.DecimalField(_("electricity supplied (MWh)"), max_digits=16, decimal_places=3)
    electricity_purchased_mwh = models.DecimalField(
        _("electricity purchased (MWh)"), max_digits=16, decimal_places=3, default=0
    )
    first_deposited_on = models.DateField(_("first deposited on"))
    due_date = models.DateField(_("due date when first deposited"))
    revisions = models.PositiveSmallIntegerField(_("changes after the first deposit"), default=0)
    deposited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["firm", "year", "month"]
        constraints = [models.UniqueConstraint(fields=["firm", "year", "month"], name="deposit_one_per_month")]
        verbose_name = _("monthly deposit")
        verbose_name_plural = _("monthly deposits")

    def __str__(self) -> str:
        return f"{self.firm} {self.year}-{self.month:02d}"

    @property
    def days_late(self) -> int:
        return max(0, (self.first_deposited_on - self.due_date).days)

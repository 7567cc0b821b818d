"""The registry's controls on moving units: the people who act for an account, its trusted list, transfers that
one representative proposes and another approves, and reversals that a second head approves."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from mrv.workflow.facts import declare_event, facts
from registry import workflow
from registry.models.ledger import ALLOWANCE, UNIT_TYPES, Account, Transaction, tonnes


class Representative(models.Model):
    """A person authorised to propose and approve movements out of one holding account (EU 2019/1122 art. 23)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="representatives")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("designated at"), auto_now_add=True)

    class Meta:
        ordering = ["account", "user__username"]
        constraints = [models.UniqueConstraint(fields=["account", "user"], name="representative_once_per_account")]
        verbose_name = _("authorised representative")
        verbose_name_plural = _("authorised representatives")

    def __str__(self) -> str:
        return f"{self.account} · {self.user}"

    @property
    def market_id(self) -> int:
        return self.account.market_id


class TrustedAccount(ConcurrentTransitionMixin, models.Model):
    """An account on a holding account's trusted list: transfers to it execute on approval, without the delay."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("trusted account", "proposed")
        APPROVED = "approved", pgettext_lazy("trusted account", "approved")
        REJECTED = "rejected", pgettext_lazy("trusted account", "rejected")
        REMOVED = "removed", pgettext_lazy("trusted account", "removed")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="trusted_entries")
    trusted = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("trusted account"))
    status = FSMField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED, protected=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    active_from = models.DateTimeField(_("trusted from"), null=True, blank=True)

    class Meta:
        ordering = ["account", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "trusted"],
                condition=models.Q(status__in=["proposed", "approved"]),
                name="trustedaccount_one_open_entry",
            )
        ]
        verbose_name = _("trusted account")
        verbose_name_plural = _("trusted accounts")

    def __str__(self) -> str:
        return f"{self.account} → {self.trusted}"

    @property
    def market_id(self) -> int:
        return self.account.market_id

    @transition(
        status,
        source=Status.PROPOSED,
        target=Status.APPROVED,
        permission=workflow.may_approve_trusted,
        custom=facts(label=pgettext_lazy("audit action", "trusted account approved")),
    )
    def approve(self, by=None, active_from=None):
        """A second representative approves; the account becomes trusted only after the delay."""
        self.decided_by = by
        self.active_from = active_from

    @transition(
        status,
        source=Status.PROPOSED,
        target=Status.REJECTED,
        permission=workflow.may_act_for_trusted,
        custom=facts(label=pgettext_lazy("audit action", "trusted account rejected")),
    )
    def reject(self, by=None):
        """A representative rejects (or the proposer withdraws) the addition."""
        self.decided_by = by

    @transition(
        status,
        source=Status.APPROVED,
        target=Status.REMOVED,
        permission=workflow.may_act_for_trusted,
        custom=facts(label=pgettext_lazy("audit action", "removed from the trusted list")),
    )
    def remove(self, by=None):
        """A representative removes an account from the trusted list; this takes effect at once."""
        self.decided_by = by


# What every representative of the paying account is told of each step of a transfer (deadlines' notices).
PROPOSED = _(
    "A transfer of %(quantity)s t %(unit)s from %(account)s to %(to_account)s was proposed; "
    "another representative must approve it."
)
SCHEDULED = _(
    "The transfer of %(quantity)s t %(unit)s from %(account)s to %(to_account)s (not a trusted account) "
    "was approved and will be executed after %(execute_after)s unless a representative cancels it."
)
EXECUTED = _("The transfer of %(quantity)s t %(unit)s from %(account)s to %(to_account)s was executed.")
CANCELLED = _("The transfer of %(quantity)s t %(unit)s from %(account)s to %(to_account)s was cancelled.")
FAILED = _(
    "The transfer of %(quantity)s t %(unit)s from %(account)s to %(to_account)s failed at execution; nothing moved."
)
declare_event(
    "registry.transferproposal.proposed", label=pgettext_lazy("audit action", "transfer proposed"), message=PROPOSED
)


class TransferProposal(ConcurrentTransitionMixin, models.Model):
    """A transfer out of a holding account: proposed by one representative, approved by another; to an account
    not on the trusted list it is executed only after a delay, during which a representative may cancel it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("transfer", "proposed")
        SCHEDULED = "scheduled", _("approved, waiting for the delay")
        EXECUTED = "executed", _("approved and executed")
        REJECTED = "rejected", pgettext_lazy("transfer", "rejected")
        CANCELLED = "cancelled", pgettext_lazy("transfer", "cancelled")
        FAILED = "failed", _("failed at execution")

    OPEN = (Status.PROPOSED, Status.SCHEDULED)
    # Statuses whose quantities count against the per-day cap.
    COUNTED = (Status.PROPOSED, Status.SCHEDULED, Status.EXECUTED)

    from_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="outgoing_proposals")
    to_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="incoming_proposals")
    unit_type = models.CharField(_("unit"), max_length=10, choices=UNIT_TYPES, default=ALLOWANCE)
    vintage = models.PositiveIntegerField(_("vintage"))
    project = models.CharField(_("offset project"), max_length=60, blank=True)
    quantity = tonnes(verbose_name=_("quantity (t)"))
    price_cny_per_t = models.DecimalField(_("price (CNY/t)"), max_digits=10, decimal_places=2, null=True, blank=True)
    trade_date = models.DateField(_("trade date"), null=True, blank=True)
    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED, protected=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    execute_after = models.DateTimeField(_("executed after"), null=True, blank=True, db_index=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    failure = models.CharField(_("why it failed"), max_length=300, blank=True)
    ledger_transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["from_account", "status"]),
            models.Index(fields=["from_account", "created_at"]),
        ]
        verbose_name = _("transfer proposal")
        verbose_name_plural = _("transfer proposals")

    def __str__(self) -> str:
        return f"{self.from_account} → {self.to_account}: {self.quantity} {self.unit_type} {self.vintage}"

    @property
    def market_id(self) -> int:
        return self.from_account.market_id

    @transition(
        status,
        source=Status.PROPOSED,
        target=Status.EXECUTED,
        permission=workflow.may_approve_transfer,
        custom=facts(label=pgettext_lazy("audit action", "transfer approved and executed"), message=EXECUTED),
    )
    def approve(self, by=None):
        """A second representative approves a transfer to a trusted account; it executes in the same transaction."""
        self.decided_by = by

    @transition(
        status,
        source=Status.PROPOSED,
        target=Status.SCHEDULED,
        permission=workflow.may_approve_transfer,
        custom=facts(label=pgettext_lazy("audit action", "transfer scheduled"), message=SCHEDULED),
    )
    def schedule(self, by=None, execute_after=None):
        """A second representative approves a transfer to a non-trusted account; it waits for the delay."""
        self.decided_by = by
        self.execute_after = execute_after

    @transition(
        status,
        source=Status.SCHEDULED,
        target=Status.EXECUTED,
        permission=workflow.nobody,
        custom=facts(label=pgettext_lazy("audit action", "transfer executed"), message=EXECUTED),
    )
    def execute(self):
        """The scheduled task executes a transfer whose delay has passed."""

    @transition(
        status,
        source=Status.SCHEDULED,
        target=Status.FAILED,
        permission=workflow.nobody,
        custom=facts(label=pgettext_lazy("audit action", "transfer failed"), message=FAILED),
    )
    def fail(self, why: str = ""):
        """At execution the account no longer covers the transfer (or a brake refuses it): nothing moves."""
        self.failure = why[:300]

    @transition(
        status,
        source=Status.SCHEDULED,
        target=Status.CANCELLED,
        permission=workflow.may_decide_transfer,
        custom=facts(label=pgettext_lazy("audit action", "transfer cancelled"), message=CANCELLED),
    )
    def cancel(self, by=None):
        """A representative cancels a transfer while it waits for its delay."""
        self.cancelled_by = by

    @transition(
        status,
        source=Status.PROPOSED,
        target=Status.REJECTED,
        permission=workflow.may_decide_transfer,
        custom=facts(label=pgettext_lazy("audit action", "transfer rejected")),
    )
    def reject(self, by=None):
        """A representative rejects (or the proposer withdraws) the proposal."""
        self.decided_by = by


class ReversalRequest(ConcurrentTransitionMixin, models.Model):
    """A correction of the ledger: a regulator asks for a transaction to be reversed, a head approves (four eyes)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("reversal", "proposed")
        EXECUTED = "executed", _("approved and reversed")
        REJECTED = "rejected", pgettext_lazy("reversal", "rejected")

    original = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, related_name="reversal_requests", verbose_name=_("transaction")
    )
    reason = models.TextField(_("why"))
    # Empty: the whole transaction. A number: a partial reversal of a surrender (fewer tonnes than it retired).
    quantity = tonnes(verbose_name=_("tonnes to reverse"), null=True, blank=True)
    status = FSMField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED, protected=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    reversal = models.OneToOneField(Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["original"], condition=models.Q(status="proposed"), name="reversalrequest_one_open"
            )
        ]
        verbose_name = _("reversal request")
        verbose_name_plural = _("reversal requests")

    def __str__(self) -> str:
        return f"{self.original} ({self.get_status_display()})"

    @property
    def market_id(self) -> int:
        return self.original.market_id

    @transition(
        status,
        source=Status.PROPOSED,
        target=Status.EXECUTED,
        permission=workflow.may_approve_reversal,
        custom=facts(label=pgettext_lazy("audit action", "reversal approved and recorded")),
    )
    def approve(self, by=None):
        """A head of the market other than the requester approves; the reversal is recorded in the same transaction."""
        self.decided_by = by

    @transition(
        status,
        source=Status.PROPOSED,
        target=Status.REJECTED,
        permission=workflow.is_market_regulator_head,
        custom=facts(label=pgettext_lazy("audit action", "reversal rejected")),
    )
    def reject(self, by=None):
        """A head of the market rejects the request: nothing moves."""
        self.decided_by = by

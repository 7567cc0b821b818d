"""The allowance registry: caps, accounts, an immutable double-entry ledger, allocation, compliance, penalties.

Balances are never stored: they are sums of `Entry.quantity`, written only by `registry.ledger`.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from mrv.models import Firm, Market, Sealed
from mrv.workflow.facts import declare_event, facts
from registry import workflow

IMMUTABLE = "Ledger rows are immutable: record a reversing transaction instead."
ALLOWANCE = "ALLOWANCE"
UNIT_TYPES = [(ALLOWANCE, _("allowance")), ("CCER", "CCER"), ("PHCER", "PHCER"), ("FFCER", "FFCER")]


def tonnes(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=14, decimal_places=0, **kwargs)


class MarketCap(models.Model):
    """A market's cap for one year (table 6 of the source paper), with the adjustment reserve inside it."""

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="caps", verbose_name=_("market"))
    year = models.PositiveIntegerField(_("year"))
    cap_tco2e = tonnes(verbose_name=_("cap (tCO2e)"), null=True, blank=True)
    reserve_tco2e = tonnes(verbose_name=_("adjustment reserve (tCO2e)"), default=0)
    note = models.TextField(_("note and source"), blank=True)

    class Meta:
        ordering = ["market", "-year"]
        constraints = [models.UniqueConstraint(fields=["market", "year"], name="marketcap_one_per_year")]
        verbose_name = _("cap")
        verbose_name_plural = _("caps")

    def __str__(self) -> str:
        return f"{self.market} {self.year}"

    @property
    def initial_tco2e(self) -> Decimal | None:
        return None if self.cap_tco2e is None else self.cap_tco2e - self.reserve_tco2e


class Account(models.Model):
    class Kind(models.TextChoices):
        HOLDING = "holding", _("firm holding account")
        ISSUANCE = "issuance", _("issuance account")
        AUCTION = "auction", _("auction account")
        RETIREMENT = "retirement", _("retirement (surrender and cancellation) account")
        OFFSET_ISSUANCE = "offset_issuance", _("offset credit issuance account")

    # Units are created by moving them out of these: their balances are the negative of what was issued.
    SOURCE_KINDS = frozenset({Kind.ISSUANCE, Kind.OFFSET_ISSUANCE})

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("market"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    firm = models.ForeignKey(
        Firm, on_delete=models.PROTECT, null=True, blank=True, related_name="accounts", verbose_name=_("firm")
    )
    number = models.CharField(_("account number"), max_length=40, unique=True)
    # Brakes on outgoing transfers; empty: the settings' defaults apply (REGISTRY_TRANSFER_MAX_*).
    max_transfer_t = tonnes(verbose_name=_("cap per transfer (t)"), null=True, blank=True)
    max_daily_transfer_t = tonnes(verbose_name=_("cap per day of transfers (t)"), null=True, blank=True)

    class Meta:
        ordering = ["market", "kind", "number"]
        constraints = [
            models.UniqueConstraint(fields=["market", "firm", "kind"], name="account_one_holding_per_firm"),
            models.UniqueConstraint(
                fields=["market", "kind"], condition=models.Q(firm__isnull=True), name="account_one_government_per_kind"
            ),
        ]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.number

    @property
    def may_go_negative(self) -> bool:
        return self.kind in self.SOURCE_KINDS


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError(IMMUTABLE)

    def delete(self):
        raise PermissionError(IMMUTABLE)


class Immutable(Sealed):
    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError(IMMUTABLE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(IMMUTABLE)


class Transaction(Immutable):
    """One movement; its entries sum to zero per unit. Never changed: a reversal is a new transaction."""

    class Kind(models.TextChoices):
        ISSUANCE = "issuance", _("issuance")
        OFFSET_ISSUANCE = "offset_issuance", _("offset credit issuance")
        TRANSFER = "transfer", _("transfer")
        TRADE = "trade", _("settled trade")
        SURRENDER = "surrender", _("surrender")
        REVERSAL = "reversal", _("reversal")
        TRUE_UP = "true_up", _("allocation true-up")
        AUCTION_SALE = "auction_sale", _("auction or fixed-price sale")

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="+", verbose_name=_("market"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    request_sha256 = models.CharField(_("SHA-256 of the request"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by", verbose_name=_("reverses")
    )
    firm = models.ForeignKey(
        Firm, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("surrendering firm")
    )
    compliance_year = models.PositiveIntegerField(_("compliance year"), null=True, blank=True)
    trade_date = models.DateField(_("trade date"), null=True, blank=True)
    price_cny_per_t = models.DecimalField(_("price (CNY/t)"), max_digits=10, decimal_places=2, null=True, blank=True)
    memo = models.CharField(_("memo"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["market", "kind", "created_at"]),
            models.Index(fields=["firm", "compliance_year"]),
        ]
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"


class Entry(Immutable):
    """One leg of a transaction: + credits the account, − debits it."""

    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    unit_type = models.CharField(_("unit"), max_length=10, choices=UNIT_TYPES)
    vintage = models.PositiveIntegerField(_("vintage"))
    project = models.CharField(_("offset project"), max_length=60, blank=True)
    quantity = tonnes(verbose_name=_("quantity (t)"))

    class Meta:
        ordering = ["transaction", "id"]
        indexes = [
            models.Index(fields=["account", "unit_type", "vintage", "project"]),
            # the admin's filters walk these (mrv/admin_scale.py)
            models.Index(fields=["unit_type"], name="registry_entry_unit_type"),
            models.Index(fields=["vintage"], name="registry_entry_vintage"),
        ]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.account} {self.quantity:+} {self.unit_type} {self.vintage}"


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


class ComplianceRecord(models.Model):
    """The regulator's finding after the deadline that a firm fell short (status history as data)."""

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="compliance_records")
    year = models.PositiveIntegerField(_("compliance year"))
    shortfall_tco2e = tonnes(verbose_name=_("shortfall at the deadline (tCO2e)"))
    marked_at = models.DateTimeField(_("marked at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "firm"]
        constraints = [models.UniqueConstraint(fields=["firm", "year"], name="compliancerecord_one_per_year")]
        verbose_name = _("non-compliance finding")
        verbose_name_plural = _("non-compliance findings")

    def __str__(self) -> str:
        return f"{self.firm} {self.year}: {self.shortfall_tco2e}"

    @property
    def market_id(self) -> int:
        return self.firm.market_id


class Penalty(ConcurrentTransitionMixin, models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        DECIDED = "decided", _("enforcement decided")
        WITHDRAWN = "withdrawn", _("withdrawn")

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="penalties")
    year = models.PositiveIntegerField(_("compliance year"))
    shortfall_tco2e = tonnes(verbose_name=_("shortfall (tCO2e)"))
    fine_cny = models.DecimalField(_("fine (CNY)"), max_digits=14, decimal_places=2)
    deduction_tco2e = tonnes(verbose_name=_("deduction from the next allocation (tCO2e)"))
    status = FSMField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED, protected=True)
    decision_text = models.TextField(_("enforcement decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "firm"]
        constraints = [models.UniqueConstraint(fields=["firm", "year"], name="penalty_one_per_year")]
        verbose_name = _("penalty")
        verbose_name_plural = _("penalties")

    def __str__(self) -> str:
        return f"{self.firm} {self.year}"

    @property
    def market_id(self) -> int:
        return self.firm.market_id

    @transition(
        status,
        source=Status.PROPOSED,
        target=Status.DECIDED,
        permission=workflow.is_market_regulator_head,
        custom=facts(label=pgettext_lazy("audit action", "enforcement decided")),
    )
    def decide(self, by=None, text: str = ""):
        """The regulator head records the enforcement decision."""
        self.decided_by = by
        self.decision_text = text

    @transition(
        status,
        source=Status.PROPOSED,
        target=Status.WITHDRAWN,
        permission=workflow.is_market_regulator,
        custom=facts(label=pgettext_lazy("audit action", "penalty proposal withdrawn")),
    )
    def withdraw(self):
        """A proposal found wrong (e.g. the firm complied after all) is withdrawn."""


from registry.position_models import CoverageChange, FirmYearPosition  # noqa: E402, F401  (the app's other models)

"""The allowance registry: caps, accounts, an immutable double-entry ledger, allocation, compliance, penalties.

Balances are never stored: they are sums of `Entry.quantity`, written only by `registry.ledger`.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from mrv.models import Firm, Market
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
        return f"{self.market.code} {self.year}"

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


class Immutable(models.Model):
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


class TransferProposal(ConcurrentTransitionMixin, models.Model):
    """A transfer out of a firm's account: proposed by one person of the firm, approved by another."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        EXECUTED = "executed", _("approved and executed")
        REJECTED = "rejected", _("rejected")

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
    ledger_transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["from_account", "status"])]
        verbose_name = _("transfer proposal")
        verbose_name_plural = _("transfer proposals")

    def __str__(self) -> str:
        return f"{self.from_account} → {self.to_account}: {self.quantity} {self.unit_type} {self.vintage}"

    @property
    def market_id(self) -> int:
        return self.from_account.market_id

    @transition(status, source=Status.PROPOSED, target=Status.EXECUTED, permission=workflow.may_approve_transfer)
    def approve(self, by=None):
        """A second person of the firm approves; the service executes the transfer in the same transaction."""
        self.decided_by = by

    @transition(status, source=Status.PROPOSED, target=Status.REJECTED, permission=workflow.may_decide_transfer)
    def reject(self, by=None):
        """A person of the firm rejects (or the proposer withdraws) the proposal."""
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
        return f"{self.market.code} {self.year} {self.get_kind_display()}"

    @transition(status, source=Status.DRAFT, target=Status.APPROVED, permission=workflow.is_market_regulator_head)
    def approve(self, by=None):
        """The regulator head approves a computed table."""
        self.approved_by = by

    @transition(status, source=Status.APPROVED, target=Status.ISSUED, permission=workflow.is_market_regulator)
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

    @transition(status, source=Status.PROPOSED, target=Status.DECIDED, permission=workflow.is_market_regulator_head)
    def decide(self, by=None, text: str = ""):
        """The regulator head records the enforcement decision."""
        self.decided_by = by
        self.decision_text = text

    @transition(status, source=Status.PROPOSED, target=Status.WITHDRAWN, permission=workflow.is_market_regulator)
    def withdraw(self):
        """A proposal found wrong (e.g. the firm complied after all) is withdrawn."""

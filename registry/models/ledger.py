"""The registry's ledger: caps, accounts and the immutable double-entry ledger.

Balances are never stored: they are sums of `Entry.quantity`, written only by `registry.ledger`.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mrv.models import Firm, Market, Sealed

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

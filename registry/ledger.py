"""The only code that writes ledger rows.

Every movement is one `Transaction` whose entries sum to zero per unit. The accounts of a movement
are locked in a fixed order (by primary key) with SELECT … FOR UPDATE before their balances are read,
so two movements out of the same account run one after the other and a balance never goes negative.
The idempotency key is unique: a retry, sequential or concurrent, returns the first transaction.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from mrv.audit import log_action
from mrv.models import Firm, Market
from mrv.refusals import Refused
from registry.models import ALLOWANCE, Account, Entry, Transaction
from signin import events as security_events
from signin.models import SecurityEvent

NOT_BALANCED = _("The entries of a transaction must sum to zero for every unit.")
NOT_WHOLE = _("Quantities are whole tonnes greater than zero.")
OTHER_MARKET = _("All accounts of a transaction must belong to its market.")
INSUFFICIENT = _("Account %(account)s holds %(held)s t of %(unit)s %(vintage)s; %(wanted)s t are needed.")
KEY_REQUIRED = _("An idempotency key is required.")
KEY_REUSED = _("The idempotency key %(key)s was already used for a different kind of movement.")
CONFLICT = _("A concurrent movement recorded the same thing first; reload and check before trying again.")
SAME_ACCOUNT = _("The receiving account must differ from the paying account.")


class LedgerError(Refused):
    """A movement that may not be recorded; the message is shown to the user as it is."""

    default_code = "ledger"


@dataclass(frozen=True)
class Unit:
    unit_type: str = ALLOWANCE
    vintage: int = 0
    project: str = ""

    def __str__(self) -> str:
        return f"{self.unit_type} {self.project} {self.vintage}".replace("  ", " ")


@dataclass(frozen=True)
class Leg:
    account: Account
    unit: Unit
    quantity: Decimal


def holding_account(firm: Firm) -> Account:
    account, _created = Account.objects.get_or_create(
        market_id=firm.market_id,
        firm=firm,
        kind=Account.Kind.HOLDING,
        defaults={"number": f"{firm.market.code.upper()}-H-{firm.credit_code}"},
    )
    return account


def government_account(market: Market, kind: str) -> Account:
    account, _created = Account.objects.get_or_create(
        market=market, firm=None, kind=kind, defaults={"number": f"{market.code.upper()}-G-{kind.upper()}"}
    )
    return account


def balance(account: Account, unit: Unit) -> Decimal:
    total = Entry.objects.filter(
        account=account, unit_type=unit.unit_type, vintage=unit.vintage, project=unit.project
    ).aggregate(q=Sum("quantity"))["q"]
    return total or Decimal(0)


def _validate(market: Market, legs: list[Leg]) -> None:
    sums: dict[Unit, Decimal] = defaultdict(Decimal)
    for leg in legs:
        if leg.quantity == 0 or leg.quantity != leg.quantity.to_integral_value():
            raise LedgerError(NOT_WHOLE)
        if leg.account.market_id != market.pk:
            raise LedgerError(OTHER_MARKET)
        sums[leg.unit] += leg.quantity
    if any(sums.values()):
        raise LedgerError(NOT_BALANCED)


def _check_cover(legs: list[Leg]) -> None:
    """Debits of ordinary accounts must be covered by what they hold (read after the lock)."""
    debits: dict[tuple[Account, Unit], Decimal] = defaultdict(Decimal)
    for leg in legs:
        if not leg.account.may_go_negative:
            debits[(leg.account, leg.unit)] += leg.quantity
    for (account, unit), delta in debits.items():
        if delta < 0:
            held = balance(account, unit)
            if held + delta < 0:
                raise LedgerError(
                    INSUFFICIENT
                    % {
                        "account": account.number,
                        "held": held,
                        "unit": unit.unit_type,
                        "vintage": unit.vintage,
                        "wanted": -delta,
                    }
                )


def lock_accounts(accounts: Iterable[Account]) -> list[Account]:
    ids = sorted({a.pk for a in accounts})
    return list(Account.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def _same_kind(existing: Transaction, kind: str) -> Transaction:
    """A retry returns the first result; a key reused for another kind of movement is a caller's error."""
    if existing.kind != kind:
        raise LedgerError(KEY_REUSED % {"key": existing.idempotency_key})
    return existing


def record(
    *,
    market: Market,
    kind: str,
    idempotency_key: str,
    legs: list[Leg],
    acting_user=None,
    check: Callable[[], None] | None = None,
    reason: str = "",
    **fields,
) -> Transaction:
    """Record one balanced movement, or return the transaction already recorded under this key."""
    if not idempotency_key:
        raise LedgerError(KEY_REQUIRED)
    _validate(market, legs)
    with transaction.atomic():
        existing = Transaction.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return _same_kind(existing, kind)
        lock_accounts(leg.account for leg in legs)
        existing = Transaction.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return _same_kind(existing, kind)
        if check is not None:
            check()
        _check_cover(legs)
        try:
            with transaction.atomic():
                tx = Transaction.objects.create(
                    market=market,
                    kind=kind,
                    idempotency_key=idempotency_key,
                    created_by=acting_user if getattr(acting_user, "pk", None) else None,
                    **fields,
                )
        except IntegrityError:
            existing = Transaction.objects.filter(idempotency_key=idempotency_key).first()
            if existing is None:  # another unique rule (one reversal per transaction) was hit concurrently
                raise LedgerError(CONFLICT) from None
            return _same_kind(existing, kind)
        Entry.objects.bulk_create(
            Entry(
                transaction=tx,
                account=leg.account,
                unit_type=leg.unit.unit_type,
                vintage=leg.unit.vintage,
                project=leg.unit.project,
                quantity=leg.quantity,
            )
            for leg in legs
        )
        log_action(
            tx,
            f"registry.transaction.{kind}",
            actor=acting_user,
            reason=reason,
            changes={str(leg.account): (None, f"{leg.quantity:+} {leg.unit}") for leg in legs},
        )
        security_events.record(
            SecurityEvent.Action.REGISTRY_MOVEMENT,
            SecurityEvent.Outcome.SUCCESS,
            user=acting_user if getattr(acting_user, "pk", None) else None,
            object_ref=f"registry.transaction:{tx.pk}",
            detail=f"{kind} {market.code}",
        )
    return tx


def move(source: Account, target: Account, unit: Unit, quantity: Decimal) -> list[Leg]:
    if source.pk == target.pk:
        raise LedgerError(SAME_ACCOUNT)
    return [Leg(source, unit, -quantity), Leg(target, unit, quantity)]

"""Reversing a recorded transaction: proposed with a reason, approved by a head (four eyes)."""

from decimal import Decimal

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from mrv.audit import log_action
from mrv.transitions import check_transition, run_transition
from registry.ledger import (
    LedgerError,
    Leg,
    Unit,
    record,
)
from registry.models import (
    Account,
    ReversalRequest,
)
from registry.models import Transaction as Tx
from registry.services.common import _require_regulator, _whole

ALREADY_REVERSED = _("This transaction has already been reversed.")
NO_REVERSAL_OF_REVERSAL = _("A reversal cannot itself be reversed; record the movement again instead.")
REASON_REQUIRED = _("Say why the transaction must be reversed.")
REVERSAL_PENDING = _("A reversal of this transaction is already waiting for a head's approval.")
PARTIAL_ONLY_SURRENDER = _("Only a surrender can be reversed in part; reverse this transaction wholly.")
PARTIAL_TOO_LARGE = _(
    "A partial reversal must be less than the %(total)s t the surrender retired (asked: %(quantity)s t); "
    "leave the quantity empty to reverse it wholly."
)


def _partial_legs(original: Tx, quantity: Decimal) -> list[Leg]:
    """A partial reversal of a surrender: `quantity` tonnes back from retirement to the firm, taken from the
    surrender's units in the order it recorded them."""
    if original.kind != Tx.Kind.SURRENDER:
        raise LedgerError(PARTIAL_ONLY_SURRENDER)
    entries = list(original.entries.select_related("account").order_by("id"))
    retired = [e for e in entries if e.account.kind == Account.Kind.RETIREMENT and e.quantity > 0]
    total = sum((e.quantity for e in retired), Decimal(0))
    if quantity >= total:
        raise LedgerError(PARTIAL_TOO_LARGE % {"quantity": quantity, "total": total})
    holding = next(e.account for e in entries if e.account.kind == Account.Kind.HOLDING)
    legs, left = [], quantity
    for entry in retired:
        take = min(left, entry.quantity)
        if take <= 0:
            break
        unit = Unit(entry.unit_type, entry.vintage, entry.project)
        legs += [Leg(entry.account, unit, -take), Leg(holding, unit, take)]
        left -= take
    return legs


def transaction_reverse(
    *, original: Tx, idempotency_key: str, acting_user=None, reason: str = "", quantity: Decimal | None = None
) -> Tx:
    """A correction: a new transaction with every entry negated (or, for a surrender, `quantity` tonnes of it),
    referencing the one it corrects. A transaction is reversed once, wholly or in part."""
    if original.kind == Tx.Kind.REVERSAL:
        raise LedgerError(NO_REVERSAL_OF_REVERSAL)

    def not_yet_reversed():  # read again under the account locks: two concurrent reversals cannot both pass
        if Tx.objects.filter(reverses=original).exists():
            raise LedgerError(ALREADY_REVERSED)

    if quantity is not None:
        legs = _partial_legs(original, _whole(quantity))
    else:
        legs = [
            Leg(e.account, Unit(e.unit_type, e.vintage, e.project), -e.quantity)
            for e in original.entries.select_related("account")
        ]
    return record(
        market=original.market,
        kind=Tx.Kind.REVERSAL,
        idempotency_key=idempotency_key,
        legs=legs,
        acting_user=acting_user,
        check=not_yet_reversed,
        reason=reason,
        reverses=original,
        firm_id=original.firm_id,
        compliance_year=original.compliance_year,
        trade_date=original.trade_date,
    )


def _lock_for_reversal(original: Tx) -> None:
    """Serialise requests to reverse one transaction. Ledger rows are append-only: the application's database
    role may not lock them FOR UPDATE, so a transaction-scoped advisory lock on the row's id stands in."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('registry_reversal'), %s)", [original.pk])


def reversal_propose(*, original: Tx, reason: str, acting_user, quantity=None) -> ReversalRequest:
    """A regulator of the market asks for a transaction to be reversed (a surrender: wholly or `quantity`
    tonnes of it), saying why; a head approves."""
    _require_regulator(acting_user, original.market_id)
    if not (reason or "").strip():
        raise LedgerError(REASON_REQUIRED)
    if original.kind == Tx.Kind.REVERSAL:
        raise LedgerError(NO_REVERSAL_OF_REVERSAL)
    if quantity is not None:
        quantity = _whole(quantity)
        _partial_legs(original, quantity)  # refused now, not at approval, if it is not a smaller part of a surrender
    with transaction.atomic():
        _lock_for_reversal(original)
        if Tx.objects.filter(reverses=original).exists():
            raise LedgerError(ALREADY_REVERSED)
        if ReversalRequest.objects.filter(original=original, status=ReversalRequest.Status.PROPOSED).exists():
            raise LedgerError(REVERSAL_PENDING)
        request = ReversalRequest.objects.create(
            original=original, reason=reason.strip(), proposed_by=acting_user, quantity=quantity
        )
        log_action(
            request,
            "registry.reversalrequest.proposed",
            actor=acting_user,
            reason=request.reason,
            changes={"quantity": (None, quantity)} if quantity is not None else None,
        )
    return request


def reversal_approve(*, request: ReversalRequest, acting_user) -> ReversalRequest:
    """The head approves: the reversing transaction is recorded in the same transaction, or nothing happens."""
    with transaction.atomic():
        request = (
            ReversalRequest.objects.select_for_update(of=("self",))
            .select_related("original__market")
            .get(pk=request.pk)
        )
        check_transition(request, "approve", acting_user)  # the gate first: nothing moves if refused
        request.reversal = transaction_reverse(
            original=request.original,
            idempotency_key=f"reversal-request:{request.pk}",
            acting_user=acting_user,
            reason=request.reason,
            quantity=request.quantity,
        )
        run_transition(request, "approve", acting_user=acting_user, by=acting_user)
    return request


def reversal_reject(*, request: ReversalRequest, acting_user, reason: str = "") -> ReversalRequest:
    run_transition(request, "reject", acting_user=acting_user, reason=reason, by=acting_user)
    return request

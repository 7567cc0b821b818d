"""Reversing a recorded transaction: proposed with a reason, approved by a head (four eyes)."""

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
    ReversalRequest,
)
from registry.models import Transaction as Tx
from registry.services.common import _require_regulator

ALREADY_REVERSED = _("This transaction has already been reversed.")
NO_REVERSAL_OF_REVERSAL = _("A reversal cannot itself be reversed; record the movement again instead.")
REASON_REQUIRED = _("Say why the transaction must be reversed.")
REVERSAL_PENDING = _("A reversal of this transaction is already waiting for a head's approval.")


def transaction_reverse(*, original: Tx, idempotency_key: str, acting_user=None, reason: str = "") -> Tx:
    """A correction: a new transaction with every entry negated, referencing the one it corrects."""
    if original.kind == Tx.Kind.REVERSAL:
        raise LedgerError(NO_REVERSAL_OF_REVERSAL)

    def not_yet_reversed():  # read again under the account locks: two concurrent reversals cannot both pass
        if Tx.objects.filter(reverses=original).exists():
            raise LedgerError(ALREADY_REVERSED)

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


def reversal_propose(*, original: Tx, reason: str, acting_user) -> ReversalRequest:
    """A regulator of the market asks for a transaction to be reversed, saying why; a head approves."""
    _require_regulator(acting_user, original.market_id)
    if not (reason or "").strip():
        raise LedgerError(REASON_REQUIRED)
    if original.kind == Tx.Kind.REVERSAL:
        raise LedgerError(NO_REVERSAL_OF_REVERSAL)
    with transaction.atomic():
        _lock_for_reversal(original)
        if Tx.objects.filter(reverses=original).exists():
            raise LedgerError(ALREADY_REVERSED)
        if ReversalRequest.objects.filter(original=original, status=ReversalRequest.Status.PROPOSED).exists():
            raise LedgerError(REVERSAL_PENDING)
        request = ReversalRequest.objects.create(original=original, reason=reason.strip(), proposed_by=acting_user)
        log_action(request, "registry.reversalrequest.proposed", actor=acting_user, reason=request.reason)
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
        )
        run_transition(request, "approve", acting_user=acting_user, by=acting_user)
    return request


def reversal_reject(*, request: ReversalRequest, acting_user, reason: str = "") -> ReversalRequest:
    run_transition(request, "reject", acting_user=acting_user, reason=reason, by=acting_user)
    return request

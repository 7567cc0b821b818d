"""Transfers between accounts: proposed by a representative, approved by another, executed after the delay."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrv.audit import log_action
from mrv.outbox import enqueue
from mrv.transitions import check_transition, run_transition
from registry import selectors, workflow
from registry.ledger import (
    LedgerError,
    Unit,
    lock_accounts,
    move,
    record,
)
from registry.models import (
    Account,
    TransferProposal,
)
from registry.models import Transaction as Tx
from registry.services.common import NOT_A_HOLDING, NOT_REPRESENTATIVE, _whole

NOT_YOUR_ACCOUNT = _("You may only propose transfers out of your own firm's account.")
SAME_ACCOUNT = _("The receiving account must differ from the paying account.")
OVER_TRANSFER_CAP = _("A transfer of %(quantity)s t exceeds this account's cap of %(cap)s t per transfer.")
OVER_DAILY_CAP = _(
    "A transfer of %(quantity)s t would exceed this account's cap of %(cap)s t per day (%(today)s t already today)."
)


def units_transfer(
    *,
    from_account: Account,
    to_account: Account,
    unit: Unit,
    quantity,
    idempotency_key: str,
    acting_user=None,
    kind: str = Tx.Kind.TRANSFER,
    price_cny_per_t=None,
    trade_date: datetime.date | None = None,
    savepoint: bool = True,
) -> Tx:
    """Move units between two holding accounts of one market (a transfer or a settled trade)."""
    quantity = _whole(quantity)
    for account in (from_account, to_account):
        if account.kind != Account.Kind.HOLDING or account.market_id != from_account.market_id:
            raise LedgerError(NOT_A_HOLDING % {"number": account.number})
    dated = {"trade_date": trade_date} if trade_date else {}
    return record(
        market=from_account.market,
        kind=kind,
        idempotency_key=idempotency_key,
        legs=move(from_account, to_account, unit, quantity),
        acting_user=acting_user,
        price_cny_per_t=price_cny_per_t,
        unhashed={} if trade_date else {"trade_date": timezone.localdate()},
        savepoint=savepoint,
        **dated,
    )


# Authorised representatives propose and approve (four eyes); a transfer to an account on the paying
# account's trusted list executes on approval, any other waits REGISTRY_TRANSFER_DELAY_HOURS and can be
# cancelled meanwhile; caps per transfer and per day; every representative is told of each step.


def transfer_cap(account: Account) -> int:
    return int(account.max_transfer_t if account.max_transfer_t is not None else settings.REGISTRY_TRANSFER_MAX_T)


def daily_transfer_cap(account: Account) -> int:
    configured = account.max_daily_transfer_t
    return int(configured if configured is not None else settings.REGISTRY_TRANSFER_MAX_PER_DAY_T)


def _check_caps(account: Account, quantity: Decimal) -> None:
    """Runs with the paying account locked, so two proposals cannot both slip under the daily cap."""
    cap = transfer_cap(account)
    if cap and quantity > cap:
        raise LedgerError(OVER_TRANSFER_CAP % {"quantity": quantity, "cap": cap})
    daily = daily_transfer_cap(account)
    if not daily:
        return
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    today = TransferProposal.objects.filter(
        from_account=account, created_at__gte=start, status__in=TransferProposal.COUNTED
    ).aggregate(q=Sum("quantity"))["q"] or Decimal(0)
    if today + quantity > daily:
        raise LedgerError(OVER_DAILY_CAP % {"quantity": quantity, "today": today, "cap": daily})


def _notify_representatives(proposal: TransferProposal, event: str) -> None:
    """Every representative of the paying account (its approvers and the people designated for it) is told:
    the deadlines app's notification service, reached through the outbox after commit (told once)."""
    enqueue(REGISTRY_NOTICE_TASK, event=event, proposal_id=proposal.pk)


def transfer_propose(
    *,
    from_account: Account,
    to_account: Account,
    unit: Unit,
    quantity,
    acting_user,
    price_cny_per_t=None,
    trade_date=None,
) -> TransferProposal:
    """A representative of the paying account proposes; caps are checked now (and the balance at execution)."""
    if not workflow.is_representative(from_account, acting_user):
        raise PermissionDenied(NOT_REPRESENTATIVE)
    quantity = _whole(quantity)
    if to_account.kind != Account.Kind.HOLDING or to_account.market_id != from_account.market_id:
        raise LedgerError(NOT_A_HOLDING % {"number": to_account.number})
    if to_account.pk == from_account.pk:
        raise LedgerError(SAME_ACCOUNT)
    with transaction.atomic():
        lock_accounts([from_account])
        _check_caps(from_account, quantity)
        proposal = TransferProposal.objects.create(
            from_account=from_account,
            to_account=to_account,
            unit_type=unit.unit_type,
            vintage=unit.vintage,
            project=unit.project,
            quantity=quantity,
            price_cny_per_t=price_cny_per_t,
            trade_date=trade_date,
            proposed_by=acting_user,
        )
        log_action(proposal, "registry.transferproposal.proposed", actor=acting_user, to_state=proposal.status)
        _notify_representatives(proposal, "registry.transferproposal.proposed")
    return proposal


def _execute(proposal: TransferProposal, acting_user) -> Tx:
    return units_transfer(
        from_account=proposal.from_account,
        to_account=proposal.to_account,
        unit=Unit(proposal.unit_type, proposal.vintage, proposal.project),
        quantity=proposal.quantity,
        idempotency_key=f"proposal:{proposal.pk}",
        acting_user=acting_user,
        price_cny_per_t=proposal.price_cny_per_t,
        trade_date=proposal.trade_date,
        savepoint=False,
    )


def transfer_approve(*, proposal: TransferProposal, acting_user) -> TransferProposal:
    """A second representative approves: to a trusted account the units move now (or nothing happens);
    to any other account the transfer is scheduled after the delay and can be cancelled meanwhile."""
    with transaction.atomic():
        proposal = (
            TransferProposal.objects.select_for_update(of=("self",))
            .select_related("from_account__market", "to_account")
            .get(pk=proposal.pk)
        )
        if selectors.is_trusted(proposal.from_account, proposal.to_account):
            check_transition(proposal, "approve", acting_user)  # the gate first: nothing moves if refused
            proposal.ledger_transaction = _execute(proposal, acting_user)
            run_transition(proposal, "approve", acting_user=acting_user, by=acting_user)
            _notify_representatives(proposal, "registry.transferproposal.approve")
        else:
            after = timezone.now() + datetime.timedelta(hours=settings.REGISTRY_TRANSFER_DELAY_HOURS)
            run_transition(proposal, "schedule", acting_user=acting_user, by=acting_user, execute_after=after)
            _notify_representatives(proposal, "registry.transferproposal.schedule")
    return proposal


def transfer_reject(*, proposal: TransferProposal, acting_user, reason: str = "") -> TransferProposal:
    run_transition(proposal, "reject", acting_user=acting_user, reason=reason, by=acting_user)
    return proposal


def transfer_cancel(*, proposal: TransferProposal, acting_user, reason: str = "") -> TransferProposal:
    """A representative stops a transfer that is still waiting for its delay."""
    with transaction.atomic():
        run_transition(proposal, "cancel", acting_user=acting_user, reason=reason, by=acting_user)
        _notify_representatives(proposal, "registry.transferproposal.cancel")
    return proposal


def transfer_execute(*, proposal_id: int, now: datetime.datetime | None = None) -> TransferProposal | None:
    """Run by the scheduled task: execute one transfer whose delay has passed; a balance that no longer
    covers it fails it (nothing moves). Idempotent: a transfer no longer waiting is left alone."""
    now = now or timezone.now()
    with transaction.atomic():
        proposal = (
            TransferProposal.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("from_account__market", "to_account")
            .filter(pk=proposal_id, status=TransferProposal.Status.SCHEDULED, execute_after__lte=now)
            .first()
        )
        if proposal is None:
            return None
        try:
            with transaction.atomic():
                proposal.ledger_transaction = _execute(proposal, None)
        except LedgerError as exc:
            run_transition(proposal, "fail", acting_user=None, reason=str(exc.message), why=str(exc.message))
            _notify_representatives(proposal, "registry.transferproposal.fail")
            return proposal
        run_transition(proposal, "execute", acting_user=None)
        _notify_representatives(proposal, "registry.transferproposal.execute")
    return proposal


def transfers_execute_due(*, now: datetime.datetime | None = None) -> int:
    """Every scheduled transfer whose delay has passed, each in its own transaction."""
    now = now or timezone.now()
    due = (
        TransferProposal.objects.filter(status=TransferProposal.Status.SCHEDULED, execute_after__lte=now)
        .order_by("execute_after", "pk")
        .values_list("pk", flat=True)
    )
    return sum(1 for pk in list(due) if transfer_execute(proposal_id=pk, now=now) is not None)


REGISTRY_NOTICE_TASK = "deadlines.notify_registry_event"

"""The only code that writes registry data. Ledger movements go through `registry.ledger.record`."""

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrv import inputs, uploads
from mrv.audit import log_action
from mrv.coverage import covered_firms
from mrv.models import OFFSET_TYPE_CODES, EmissionReport, Firm, FirmYearFigure, Market, MarketSector
from mrv.outbox import enqueue
from mrv.refusals import Refused
from mrv.transitions import check_transition, run_transition
from registry import allocation, documents, selectors, workflow
from registry.ledger import (
    LedgerError,
    Leg,
    Unit,
    government_account,
    holding_account,
    lock_accounts,
    move,
    record,
)
from registry.models import (
    ALLOWANCE,
    Account,
    AllocationLine,
    AllocationTable,
    ComplianceRecord,
    Entry,
    Penalty,
    ProductionRecord,
    Representative,
    ReversalRequest,
    TransferProposal,
    TrustedAccount,
)
from registry.models import Transaction as Tx

CAP_EXCEEDED = _(
    "Issuing %(wanted)s t of vintage %(year)s would exceed the cap of %(cap)s t (already issued %(issued)s t)."
)
NO_CAP = _("There is no cap for %(market)s %(year)s.")
RESERVE_EXCEEDED = _("New-entrant lines (%(wanted)s t) exceed the adjustment reserve of %(reserve)s t.")
INITIAL_EXCEEDED = _(
    "The allocation (%(wanted)s t) exceeds the initial allocation of %(initial)s t (cap minus reserve)."
)
NOT_POSITIVE = _("The quantity must be a whole number of tonnes greater than zero.")
VINTAGE_TOO_LATE = _(
    "Allowances of vintage %(vintage)s cannot be surrendered for %(year)s: only the compliance year or earlier (banked) vintages."
)
OFFSET_TYPE_REFUSED = _("%(market)s does not accept %(type)s offsets (accepted: %(accepted)s).")
OFFSET_VINTAGE_REFUSED = _("Offsets of vintage %(vintage)s cannot be used for %(year)s.")
OFFSET_CAP_EXCEEDED = _(
    "Offsets are capped at %(cap)s t for %(year)s (%(pct)s%% of %(obligation)s t); %(used)s t already used, %(wanted)s t asked."
)
NO_OBLIGATION = _("Offsets can be surrendered only once the emissions of %(year)s are determined.")
UNKNOWN_OFFSET_TYPE = _("%(type)s is not an offset credit type the registry knows.")
PROJECT_REQUIRED = _("Offset credits are recorded with their project.")
NOT_A_HOLDING = _("Account %(number)s is not a firm's holding account in this market.")
ALREADY_REVERSED = _("This transaction has already been reversed.")
NO_REVERSAL_OF_REVERSAL = _("A reversal cannot itself be reversed; record the movement again instead.")
NOT_YOUR_ACCOUNT = _("You may only propose transfers out of your own firm's account.")
NOT_REPRESENTATIVE = _(
    "Only an authorised representative of this account (a firm approver or a person designated for it) may do this."
)
SAME_ACCOUNT = _("The receiving account must differ from the paying account.")
OVER_TRANSFER_CAP = _("A transfer of %(quantity)s t exceeds this account's cap of %(cap)s t per transfer.")
OVER_DAILY_CAP = _(
    "A transfer of %(quantity)s t would exceed this account's cap of %(cap)s t per day (%(today)s t already today)."
)
REASON_REQUIRED = _("Say why the transaction must be reversed.")
REVERSAL_PENDING = _("A reversal of this transaction is already waiting for a head's approval.")
ALREADY_TRUSTED = _("Account %(number)s is already on the trusted list or waiting for approval.")
NOT_FIRM_PERSON = _("%(user)s is not a person of the account's firm.")
TABLE_NOT_DRAFT = _("Only a draft table can be recomputed; this one is %(status)s.")
MISSING_INPUTS = _("Allocation inputs are missing: %(details)s")
NO_SHORTFALL = _("%(firm)s has no shortfall for %(year)s: no penalty.")
NOT_MARKED = _("%(firm)s has not been found non-compliant for %(year)s.")
NOT_REGULATOR = _("Only the market's regulator may do this.")


def _whole(quantity) -> Decimal:
    """A whole, finite number of tonnes above zero that fits the ledger's quantity column."""
    try:
        q = inputs.amount_for(Entry, "quantity", quantity)
    except ValidationError:
        raise LedgerError(NOT_POSITIVE) from None
    if q <= 0 or q != q.to_integral_value():
        raise LedgerError(NOT_POSITIVE)
    return q


def _require_regulator(user, market_id: int) -> None:
    if user is not None and not (user.is_national_admin or (user.is_regulator and user.market_id == market_id)):
        raise PermissionDenied(NOT_REGULATOR)


# --- Issuance and transfers --------------------------------------------------------------------


def _cap_check(market: Market, vintage: int, wanted: Decimal):
    def check():
        cap = selectors.cap_for(market, vintage)
        if cap is None or cap.cap_tco2e is None:
            raise LedgerError(NO_CAP % {"market": market, "year": vintage})
        issued = selectors.issued_total(market, vintage)
        if issued + wanted > cap.cap_tco2e:
            raise LedgerError(
                CAP_EXCEEDED % {"wanted": wanted, "year": vintage, "cap": cap.cap_tco2e, "issued": issued}
            )

    return check


def allowances_issue(*, firm: Firm, vintage: int, quantity, idempotency_key: str, acting_user=None) -> Tx:
    """Issue allowances of a vintage to a firm outside an allocation table (e.g. from the reserve)."""
    if acting_user is not None:
        _require_regulator(acting_user, firm.market_id)
    quantity = _whole(quantity)
    market = firm.market
    legs = move(
        government_account(market, Account.Kind.ISSUANCE), holding_account(firm), Unit(ALLOWANCE, vintage), quantity
    )
    return record(
        market=market,
        kind=Tx.Kind.ISSUANCE,
        idempotency_key=idempotency_key,
        legs=legs,
        acting_user=acting_user,
        check=_cap_check(market, vintage, quantity),
    )


def offsets_issue(
    *, firm: Firm, offset_type: str, project: str, vintage: int, quantity, idempotency_key: str, acting_user=None
) -> Tx:
    """Bring offset credits (e.g. CCER transferred in from the national registry) into a firm's account."""
    if acting_user is not None:
        _require_regulator(acting_user, firm.market_id)
    if offset_type not in OFFSET_TYPE_CODES:
        raise LedgerError(UNKNOWN_OFFSET_TYPE % {"type": offset_type})
    if not project.strip():
        raise LedgerError(PROJECT_REQUIRED)
    quantity = _whole(quantity)
    market = firm.market
    legs = move(
        government_account(market, Account.Kind.OFFSET_ISSUANCE),
        holding_account(firm),
        Unit(offset_type, vintage, project),
        quantity,
    )
    return record(
        market=market, kind=Tx.Kind.OFFSET_ISSUANCE, idempotency_key=idempotency_key, legs=legs, acting_user=acting_user
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


def allowances_sell(
    *, firm: Firm, vintage: int, quantity, price_cny_per_t: Decimal, idempotency_key: str, acting_user=None
) -> Tx:
    """The auctioned (or fixed-price) share: units move from the market's auction account to the buyer."""
    if acting_user is not None:
        _require_regulator(acting_user, firm.market_id)
    quantity = _whole(quantity)
    legs = move(
        government_account(firm.market, Account.Kind.AUCTION), holding_account(firm), Unit(ALLOWANCE, vintage), quantity
    )
    return record(
        market=firm.market,
        kind=Tx.Kind.AUCTION_SALE,
        idempotency_key=idempotency_key,
        legs=legs,
        acting_user=acting_user,
        price_cny_per_t=price_cny_per_t,
        unhashed={"trade_date": timezone.localdate()},
    )


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


# --- Transfers under the registry's brakes ------------------------------------------------------
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
            _notify_representatives(proposal, "registry.transferproposal.executed")
        else:
            after = timezone.now() + datetime.timedelta(hours=settings.REGISTRY_TRANSFER_DELAY_HOURS)
            run_transition(proposal, "schedule", acting_user=acting_user, by=acting_user, execute_after=after)
            _notify_representatives(proposal, "registry.transferproposal.scheduled")
    return proposal


def transfer_reject(*, proposal: TransferProposal, acting_user, reason: str = "") -> TransferProposal:
    run_transition(proposal, "reject", acting_user=acting_user, reason=reason, by=acting_user)
    return proposal


def transfer_cancel(*, proposal: TransferProposal, acting_user, reason: str = "") -> TransferProposal:
    """A representative stops a transfer that is still waiting for its delay."""
    with transaction.atomic():
        run_transition(proposal, "cancel", acting_user=acting_user, reason=reason, by=acting_user)
        _notify_representatives(proposal, "registry.transferproposal.cancelled")
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
            _notify_representatives(proposal, "registry.transferproposal.failed")
            return proposal
        run_transition(proposal, "execute", acting_user=None)
        _notify_representatives(proposal, "registry.transferproposal.executed")
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


# --- Trusted lists and representatives ---------------------------------------------------------


def trusted_account_propose(*, account: Account, trusted: Account, acting_user) -> TrustedAccount:
    if not workflow.is_representative(account, acting_user):
        raise PermissionDenied(NOT_REPRESENTATIVE)
    if trusted.kind != Account.Kind.HOLDING or trusted.market_id != account.market_id or trusted.pk == account.pk:
        raise LedgerError(NOT_A_HOLDING % {"number": trusted.number})
    with transaction.atomic():
        lock_accounts([account])
        if TrustedAccount.objects.filter(account=account, trusted=trusted, status__in=TRUSTED_OPEN).exists():
            raise LedgerError(ALREADY_TRUSTED % {"number": trusted.number})
        entry = TrustedAccount.objects.create(account=account, trusted=trusted, proposed_by=acting_user)
        log_action(entry, "registry.trustedaccount.proposed", actor=acting_user, to_state=entry.status)
    return entry


def trusted_account_approve(*, entry: TrustedAccount, acting_user) -> TrustedAccount:
    """A second representative approves; the account is trusted from REGISTRY_TRUSTED_LIST_DELAY_HOURS later."""
    after = timezone.now() + datetime.timedelta(hours=settings.REGISTRY_TRUSTED_LIST_DELAY_HOURS)
    run_transition(entry, "approve", acting_user=acting_user, by=acting_user, active_from=after)
    return entry


def trusted_account_reject(*, entry: TrustedAccount, acting_user) -> TrustedAccount:
    run_transition(entry, "reject", acting_user=acting_user, by=acting_user)
    return entry


def trusted_account_remove(*, entry: TrustedAccount, acting_user) -> TrustedAccount:
    run_transition(entry, "remove", acting_user=acting_user, by=acting_user)
    return entry


def representative_add(*, account: Account, user, acting_user) -> Representative:
    """The market's regulator (the registry administrator) designates a person of the firm for its account."""
    _require_regulator(acting_user, account.market_id)
    if not (user.is_firm_user and user.firm_id == account.firm_id):
        raise LedgerError(NOT_FIRM_PERSON % {"user": user.username})
    with transaction.atomic():
        rep, created = Representative.objects.get_or_create(
            account=account, user=user, defaults={"added_by": acting_user}
        )
        if created:
            log_action(rep, "registry.representative.added", actor=acting_user, changes={"user": (None, user.username)})
    return rep


def account_caps_set(*, account: Account, max_transfer_t, max_daily_transfer_t, acting_user) -> Account:
    """The market's regulator sets an account's own caps (empty: the settings' defaults; 0: no cap)."""
    _require_regulator(acting_user, account.market_id)
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        before = {"max_transfer_t": account.max_transfer_t, "max_daily_transfer_t": account.max_daily_transfer_t}
        account.max_transfer_t, account.max_daily_transfer_t = max_transfer_t, max_daily_transfer_t
        account.save(update_fields=["max_transfer_t", "max_daily_transfer_t"])
        changes = {k: (v, getattr(account, k)) for k, v in before.items() if v != getattr(account, k)}
        log_action(account, "registry.account.caps_set", actor=acting_user, changes=changes)
    return account


def representative_remove(*, representative: Representative, acting_user) -> None:
    _require_regulator(acting_user, representative.account.market_id)
    with transaction.atomic():
        log_action(
            representative.account,
            "registry.representative.removed",
            actor=acting_user,
            changes={"user": (representative.user.username, None)},
        )
        representative.delete()


REGISTRY_NOTICE_TASK = "deadlines.notify_registry_event"
TRUSTED_OPEN = (TrustedAccount.Status.PROPOSED, TrustedAccount.Status.APPROVED)


# --- Trade import ------------------------------------------------------------------------------

TRADE_COLUMNS = ["trade_id", "trade_date", "seller_account", "buyer_account", "vintage", "quantity", "price_cny_per_t"]
IMPORT_HEADER = _("The first line must be the header: %(columns)s.")
IMPORT_EMPTY = _("The file has no trades.")
IMPORT_ENCODING = _("The file must be UTF-8 CSV.")


class ImportRejected(Refused):
    """A trade file refused as a whole, with every row's reason (nothing is imported)."""

    default_code = "import"

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors

    @property
    def messages(self) -> list[str]:
        return [str(e) for e in self.errors]


@dataclass
class TradeRow:
    line: int
    trade_id: str
    trade_date: datetime.date
    seller: Account
    buyer: Account
    vintage: int
    quantity: Decimal
    price: Decimal


TRADE_ID_MAX_LENGTH = 60


def _parse_trade(line: int, row: dict, accounts: dict[str, Account], seen: set) -> tuple[TradeRow | None, list[str]]:
    errors = []

    def bad(message, **kw):
        errors.append(str(_("Row %(line)s: ") % {"line": line}) + str(message % kw if kw else message))

    trade_id = (row.get("trade_id") or "").strip()
    if not trade_id:
        bad(_("trade_id is empty."))
    elif len(trade_id) > TRADE_ID_MAX_LENGTH:
        bad(_("trade_id is longer than %(limit)s characters."), limit=TRADE_ID_MAX_LENGTH)
    elif trade_id in seen:
        bad(_("trade_id %(id)s appears twice in the file."), id=trade_id)
    seen.add(trade_id)
    try:
        trade_date = datetime.date.fromisoformat((row.get("trade_date") or "").strip())
    except ValueError:
        bad(_("trade_date %(v)r is not a date (YYYY-MM-DD)."), v=row.get("trade_date"))
        trade_date = None
    parties = {}
    for column in ("seller_account", "buyer_account"):
        number = (row.get(column) or "").strip()
        parties[column] = accounts.get(number)
        if parties[column] is None:
            bad(_("%(col)s %(v)r is not a holding account of this market."), col=column, v=number)
    if parties["seller_account"] and parties["seller_account"] == parties["buyer_account"]:
        bad(_("seller and buyer are the same account."))
    try:
        vintage = inputs.parse_year(row.get("vintage"))
    except ValidationError as error:
        bad(_("vintage: %(why)s"), why=" ".join(error.messages))
        vintage = None
    try:
        quantity = _whole((row.get("quantity") or "").strip())
    except LedgerError:
        bad(_("quantity %(v)r is not a whole number of tonnes above zero."), v=row.get("quantity"))
        quantity = None
    try:
        price = inputs.amount_for(Tx, "price_cny_per_t", row.get("price_cny_per_t"))
    except ValidationError as error:
        bad(_("price_cny_per_t: %(why)s"), why=" ".join(error.messages))
        price = None
    if errors:
        return None, errors
    return TradeRow(
        line, trade_id, trade_date, parties["seller_account"], parties["buyer_account"], vintage, quantity, price
    ), []


def trades_import(*, market: Market, data: bytes, acting_user) -> list[Tx]:
    """Record a CSV of settled trades: every row is checked first; one bad row and nothing is recorded."""
    _require_regulator(acting_user, market.pk)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected([str(IMPORT_ENCODING)]) from None
    problem = uploads.text_problem(text)
    if problem:
        raise ImportRejected([str(problem)])
    reader = csv.DictReader(io.StringIO(text))
    if [c.strip() for c in (reader.fieldnames or [])] != TRADE_COLUMNS:
        raise ImportRejected([str(IMPORT_HEADER % {"columns": ",".join(TRADE_COLUMNS)})])
    accounts = {a.number: a for a in Account.objects.filter(market=market, kind=Account.Kind.HOLDING)}
    rows, errors, seen = [], [], set()
    for line, raw in enumerate(reader, start=2):
        parsed, row_errors = _parse_trade(line, raw, accounts, seen)
        errors += row_errors
        if parsed:
            rows.append(parsed)
    if not rows and not errors:
        errors.append(str(IMPORT_EMPTY))
    if errors:
        raise ImportRejected(errors)
    recorded = []
    with transaction.atomic():
        for row in rows:
            try:
                recorded.append(
                    units_transfer(
                        from_account=row.seller,
                        to_account=row.buyer,
                        unit=Unit(ALLOWANCE, row.vintage),
                        quantity=row.quantity,
                        idempotency_key=f"trade:{market.code}:{row.trade_id}",
                        acting_user=acting_user,
                        kind=Tx.Kind.TRADE,
                        price_cny_per_t=row.price,
                        trade_date=row.trade_date,
                    )
                )
            except LedgerError as exc:
                raise ImportRejected([str(_("Row %(line)s: ") % {"line": row.line}) + str(exc.message)]) from None
    return recorded


# --- Surrender ---------------------------------------------------------------------------------


def _surrender_checks(firm: Firm, year: int, allowances: dict[int, Decimal], offsets: dict[Unit, Decimal]):
    pack = firm.market.rule_pack_for(year)
    for vintage in allowances:
        if vintage > year:
            raise LedgerError(VINTAGE_TOO_LATE % {"vintage": vintage, "year": year})
    for unit in offsets:
        if unit.unit_type not in pack.accepted_offset_types:
            raise LedgerError(
                OFFSET_TYPE_REFUSED
                % {"market": firm.market, "type": unit.unit_type, "accepted": ", ".join(pack.accepted_offset_types)}
            )
        if unit.vintage > year:
            raise LedgerError(OFFSET_VINTAGE_REFUSED % {"vintage": unit.vintage, "year": year})

    def check():  # runs after the firm's account is locked, so two surrenders cannot both use the headroom
        if not offsets:
            return
        status = selectors.compliance_status(firm, year)
        if status.obligation_tco2e is None:
            raise LedgerError(NO_OBLIGATION % {"year": year})
        wanted = sum(offsets.values(), Decimal(0))
        if status.offsets_tco2e + wanted > status.offset_cap_tco2e:
            raise LedgerError(
                OFFSET_CAP_EXCEEDED
                % {
                    "cap": status.offset_cap_tco2e,
                    "year": year,
                    "pct": pack.offset_cap_pct,
                    "obligation": status.obligation_tco2e,
                    "used": status.offsets_tco2e,
                    "wanted": wanted,
                }
            )

    return check


def units_surrender(
    *,
    firm: Firm,
    year: int,
    allowances: dict[int, object] | None = None,
    offsets: dict[Unit, object] | None = None,
    idempotency_key: str,
    acting_user=None,
) -> Tx:
    """Surrender allowances (this or earlier vintages) and capped, accepted offsets for a compliance year."""
    allowances = {int(v): _whole(q) for v, q in (allowances or {}).items() if q}
    offsets = {u: _whole(q) for u, q in (offsets or {}).items() if q}
    if not allowances and not offsets:
        raise LedgerError(NOT_POSITIVE)
    check = _surrender_checks(firm, year, allowances, offsets)
    holding = holding_account(firm)
    retirement = government_account(firm.market, Account.Kind.RETIREMENT)
    legs = []
    for vintage, quantity in allowances.items():
        legs += move(holding, retirement, Unit(ALLOWANCE, vintage), quantity)
    for unit, quantity in offsets.items():
        legs += move(holding, retirement, unit, quantity)
    return record(
        market=firm.market,
        kind=Tx.Kind.SURRENDER,
        idempotency_key=idempotency_key,
        legs=legs,
        acting_user=acting_user,
        check=check,
        firm=firm,
        compliance_year=year,
    )


# --- Allocation tables -------------------------------------------------------------------------


def _history(firm: Firm, before_year: int, years: int = 3) -> tuple[list[Decimal], list[Decimal]]:
    """Emissions (determined reports first, else recorded figures) and output of the base years."""
    span = list(range(before_year - years, before_year))
    determined = dict(
        EmissionReport.objects.filter(
            firm=firm, year__in=span, period="annual", status__in=selectors.DETERMINED
        ).values_list("year", "determined_emissions_tco2e")
    )
    figures = dict(FirmYearFigure.objects.filter(firm=firm, year__in=span).values_list("year", "emissions_tco2e"))
    outputs = dict(ProductionRecord.objects.filter(firm=firm, year__in=span).values_list("year", "output"))
    emissions, output = [], []
    for y in span:
        value = determined.get(y) if determined.get(y) is not None else figures.get(y)
        if value is not None:
            emissions.append(value)
            if y in outputs:
                output.append(outputs[y])
    if len(output) != len(emissions):
        output = []
    return emissions, output


def _firm_data(firm: Firm, year: int, kind: str) -> allocation.FirmData:
    records = {r.year: r for r in ProductionRecord.objects.filter(firm=firm, year__in=[year - 1, year])}
    if kind == AllocationTable.Kind.TRUE_UP:
        current = records.get(year) if records.get(year) and records[year].is_verified else None
    else:
        current = records.get(year - 1)
    declared = records.get(year).declared_tco2e if records.get(year) else None
    emissions, output = _history(firm, year)
    return allocation.FirmData(
        output=current.output if current else None,
        design_capacity=firm.design_capacity,
        is_new_entrant=firm.is_new_entrant,
        declared_tco2e=declared,
        history_tco2e=emissions,
        history_output=output,
    )


def _deductions(market: Market, year: int) -> dict[int, Decimal]:
    rows = Penalty.objects.filter(firm__market=market, year=year - 1, status=Penalty.Status.DECIDED)
    return dict(rows.values_list("firm_id", "deduction_tco2e"))


def _previously_issued(market: Market, year: int) -> dict[int, Decimal]:
    rows = (
        AllocationLine.objects.filter(
            table__market=market, table__year=year, table__status=AllocationTable.Status.ISSUED
        )
        .values("firm_id")
        .annotate(free=Sum("free_tco2e"), auction=Sum("auction_tco2e"))
    )
    return {r["firm_id"]: r["free"] + r["auction"] for r in rows}


def allocation_table_compute(
    *, market: Market, year: int, kind: str = AllocationTable.Kind.PRELIMINARY, acting_user
) -> AllocationTable:
    """Compute (or recompute) a draft table: one line per covered firm with its method, inputs and formula."""
    _require_regulator(acting_user, market.pk)
    pack = market.rule_pack_for(year)
    cap = selectors.cap_for(market, year)
    if cap is None or cap.cap_tco2e is None:
        raise LedgerError(NO_CAP % {"market": market, "year": year})
    sectors = {s.sector_id: s for s in MarketSector.objects.filter(rule_pack=pack)}
    deductions, earlier = _deductions(market, year), _previously_issued(market, year)
    with transaction.atomic():
        table, _created = AllocationTable.objects.select_for_update().get_or_create(market=market, year=year, kind=kind)
        if table.status != AllocationTable.Status.DRAFT:
            raise LedgerError(TABLE_NOT_DRAFT % {"status": table.get_status_display()})
        table.lines.all().delete()
        lines, missing = [], []
        firms = covered_firms(market, year).select_related("market").order_by("pk")
        for firm in firms:
            if firm.sector_id not in sectors:
                continue
            ms = sectors[firm.sector_id]
            method = ms.new_entrant_method if firm.is_new_entrant and ms.new_entrant_method else ms.allocation_method
            try:
                result = allocation.compute(method, ms, _firm_data(firm, year, kind))
            except allocation.AllocationInputError as exc:
                missing.append(f"{firm.name}: {exc}")
                continue
            deduction = min(deductions.get(firm.pk, Decimal(0)), result.tco2e)
            previous = earlier.get(firm.pk, Decimal(0)) if kind == AllocationTable.Kind.TRUE_UP else Decimal(0)
            free, auction = allocation.split_free_and_auction(
                result.tco2e - deduction - previous, pack.free_allocation_pct
            )
            lines.append(
                AllocationLine(
                    table=table,
                    firm=firm,
                    method=method,
                    inputs=result.inputs,
                    formula=result.formula,
                    computed_tco2e=result.tco2e,
                    deduction_tco2e=deduction,
                    previously_issued_tco2e=previous,
                    free_tco2e=free,
                    auction_tco2e=auction,
                    from_reserve=firm.is_new_entrant,
                )
            )
        if missing:
            raise LedgerError(MISSING_INPUTS % {"details": "; ".join(missing)})
        _check_table_limits(cap, lines, earlier if kind == AllocationTable.Kind.TRUE_UP else {})
        AllocationLine.objects.bulk_create(lines)
        log_action(table, "registry.allocationtable.computed", actor=acting_user, changes={"lines": (None, len(lines))})
    return table


def _check_table_limits(cap, lines: list[AllocationLine], earlier: dict) -> None:
    """Existing firms share the initial allocation (cap − reserve); new entrants draw on the reserve."""
    reserve = sum((line.total_tco2e + line.previously_issued_tco2e for line in lines if line.from_reserve), Decimal(0))
    initial = sum(
        (line.total_tco2e + line.previously_issued_tco2e for line in lines if not line.from_reserve), Decimal(0)
    )
    if reserve > cap.reserve_tco2e:
        raise LedgerError(RESERVE_EXCEEDED % {"wanted": reserve, "reserve": cap.reserve_tco2e})
    if initial > cap.initial_tco2e:
        raise LedgerError(INITIAL_EXCEEDED % {"wanted": initial, "initial": cap.initial_tco2e})


def allocation_table_approve(*, table: AllocationTable, acting_user) -> AllocationTable:
    run_transition(table, "approve", acting_user=acting_user, by=acting_user)
    return table


def allocation_table_issue(*, table: AllocationTable, acting_user) -> AllocationTable:
    """Move every line's units out of the issuance account in one transaction (the auctioned share to auction)."""
    market = table.market
    issuance = government_account(market, Account.Kind.ISSUANCE)
    auction_account = government_account(market, Account.Kind.AUCTION)
    unit = Unit(ALLOWANCE, table.year)
    lines = list(table.lines.select_related("firm__market"))
    legs, net = [], Decimal(0)
    for line in lines:
        if line.free_tco2e:
            legs.append(Leg(holding_account(line.firm), unit, line.free_tco2e))
    auctioned = sum((line.auction_tco2e for line in lines), Decimal(0))
    if auctioned:
        legs.append(Leg(auction_account, unit, auctioned))
    net = sum((leg.quantity for leg in legs), Decimal(0))
    with transaction.atomic():
        if net:
            legs.append(Leg(issuance, unit, -net))
        if legs:
            table.ledger_transaction = record(
                market=market,
                kind=Tx.Kind.ISSUANCE if table.kind == "preliminary" else Tx.Kind.TRUE_UP,
                idempotency_key=f"allocation:{table.pk}",
                legs=legs,
                acting_user=acting_user,
                check=_cap_check(market, table.year, net),
            )
        run_transition(table, "issue", acting_user=acting_user)
        documents.seal_allocation_lines(table, acting_user)  # each firm's allocation notice of record
    return table


# --- Compliance and penalties ------------------------------------------------------------------


def compliance_mark_non_compliant(
    *, market: Market, year: int, acting_user=None, today: datetime.date | None = None
) -> list[ComplianceRecord]:
    """After the deadline, record every firm still short; running it again adds nothing."""
    statuses = selectors.compliance_statuses(market, year, today=today)
    short = [s for s in statuses if s.status == selectors.Status.NON_COMPLIANT]
    records = []
    with transaction.atomic():
        for status in short:
            rec, created = ComplianceRecord.objects.get_or_create(
                firm_id=status.firm_id, year=year, defaults={"shortfall_tco2e": status.shortfall_tco2e}
            )
            if created:
                log_action(
                    rec,
                    "registry.compliance.non_compliant",
                    actor=acting_user,
                    changes={"shortfall_tco2e": (None, status.shortfall_tco2e)},
                )
            records.append(rec)
    return records


def penalty_compute(shortfall_tco2e: Decimal, pack) -> tuple[Decimal, Decimal]:
    """(fine in CNY, deduction from the next allocation in t) per the rule pack."""
    if shortfall_tco2e <= 0:
        return Decimal("0.00"), Decimal(0)
    fine = shortfall_tco2e * pack.penalty_fine_per_tonne_cny
    fine = max(fine, pack.penalty_fine_min_cny)
    if pack.penalty_fine_max_cny is not None:
        fine = min(fine, pack.penalty_fine_max_cny)
    deduction = (shortfall_tco2e * pack.penalty_deduction_multiple).to_integral_value()
    return fine.quantize(Decimal("0.01")), deduction


def penalty_propose(*, firm: Firm, year: int, acting_user) -> Penalty:
    _require_regulator(acting_user, firm.market_id)
    if not ComplianceRecord.objects.filter(firm=firm, year=year).exists():
        raise LedgerError(NOT_MARKED % {"firm": firm, "year": year})
    status = selectors.compliance_status(firm, year)
    if status.shortfall_tco2e <= 0:
        raise LedgerError(NO_SHORTFALL % {"firm": firm, "year": year})
    fine, deduction = penalty_compute(status.shortfall_tco2e, firm.market.rule_pack_for(year))
    with transaction.atomic():
        penalty, created = Penalty.objects.get_or_create(
            firm=firm,
            year=year,
            defaults={"shortfall_tco2e": status.shortfall_tco2e, "fine_cny": fine, "deduction_tco2e": deduction},
        )
        if created:
            log_action(
                penalty,
                "registry.penalty.proposed",
                actor=acting_user,
                changes={"fine_cny": (None, fine), "deduction_tco2e": (None, deduction)},
            )
    return penalty


def penalty_decide(*, penalty: Penalty, decision_text: str, acting_user) -> Penalty:
    """The head's enforcement decision, sealed (the penalty notice of record) in the same transaction."""
    with transaction.atomic():
        run_transition(
            penalty,
            "decide",
            acting_user=acting_user,
            reason=decision_text,
            reason_required=True,
            by=acting_user,
            text=decision_text,
        )
        documents.seal_penalty(penalty, acting_user)
    return penalty


def penalty_withdraw(*, penalty: Penalty, reason: str, acting_user) -> Penalty:
    run_transition(penalty, "withdraw", acting_user=acting_user, reason=reason, reason_required=True)
    return penalty

"""Who sees what in the registry (imported at the end of `mrv.access`).

A firm sees its own accounts, the transactions that touch them and its own allocation lines,
findings and penalties; a regulator sees its market's; the national administrator all; verifiers nothing.
"""

from django.db.models import Exists, OuterRef, Q

from mrv.access import NOTHING, predicate, regulates, scope
from mrv.models import User
from registry.models import (
    Account,
    AllocationLine,
    AllocationTable,
    ComplianceRecord,
    CoverageChange,
    Entry,
    FirmYearPosition,
    MarketCap,
    Penalty,
    ProductionRecord,
    Representative,
    ReversalRequest,
    Transaction,
    TransferProposal,
    TrustedAccount,
)


def _is_authority(user: User) -> bool:
    """The market's regulators (officer, head); statistics officers see no holdings."""
    return user.is_regulator and user.market_id is not None


@scope(Account)
def _accounts(user: User) -> Q:
    if _is_authority(user):
        return Q(market_id=user.market_id)
    if user.is_firm_user:
        return Q(firm_id=user.firm_id)
    return NOTHING


@predicate(Account)
def _account(user: User, account: Account) -> bool:
    if _is_authority(user):
        return regulates(user, account.market_id)
    return user.is_firm_user and account.firm_id is not None and account.firm_id == user.firm_id


@scope(Transaction)
def _transactions(user: User) -> Q:
    if _is_authority(user):
        return Q(market_id=user.market_id)
    if user.is_firm_user:
        touches = Entry.objects.filter(transaction_id=OuterRef("pk"), account__firm_id=user.firm_id)
        return Q(Exists(touches))
    return NOTHING


@predicate(Transaction)
def _transaction(user: User, tx: Transaction) -> bool:
    if _is_authority(user):
        return regulates(user, tx.market_id)
    return user.is_firm_user and tx.entries.filter(account__firm_id=user.firm_id).exists()


@scope(Entry)
def _entries(user: User) -> Q:
    if _is_authority(user):
        return Q(account__market_id=user.market_id)
    if user.is_firm_user:
        return Q(account__firm_id=user.firm_id)
    return NOTHING


@predicate(Entry)
def _entry(user: User, entry: Entry) -> bool:
    return _account(user, entry.account)


@scope(TransferProposal)
def _proposals(user: User) -> Q:
    if _is_authority(user):
        return Q(from_account__market_id=user.market_id)
    if user.is_firm_user:
        return Q(from_account__firm_id=user.firm_id)
    return NOTHING


@predicate(TransferProposal)
def _proposal(user: User, proposal: TransferProposal) -> bool:
    return _account(user, proposal.from_account)


def _account_owned(user: User) -> Q:
    if _is_authority(user):
        return Q(account__market_id=user.market_id)
    if user.is_firm_user:
        return Q(account__firm_id=user.firm_id)
    return NOTHING


def _account_owns(user: User, obj) -> bool:
    return _account(user, obj.account)


for _model in (TrustedAccount, Representative):
    scope(_model)(_account_owned)
    predicate(_model)(_account_owns)


def _firm_owned(user: User) -> Q:
    if _is_authority(user):
        return Q(firm__market_id=user.market_id)
    if user.is_firm_user:
        return Q(firm_id=user.firm_id)
    return NOTHING


def _firm_owns(user: User, obj) -> bool:
    if _is_authority(user):
        return regulates(user, obj.firm.market_id)
    return user.is_firm_user and obj.firm_id == user.firm_id


for _model in (AllocationLine, ComplianceRecord, Penalty, ProductionRecord, FirmYearPosition):
    scope(_model)(_firm_owned)
    predicate(_model)(_firm_owns)


@scope(CoverageChange)
def _coverage_changes(user: User) -> Q:
    """The market's regulators decide a firm's coverage; the firm sees the result on its account page."""
    return Q(firm__market_id=user.market_id) if _is_authority(user) else NOTHING


@predicate(CoverageChange)
def _coverage_change(user: User, change: CoverageChange) -> bool:
    return _is_authority(user) and regulates(user, change.firm.market_id)


@scope(AllocationTable)
def _tables(user: User) -> Q:
    return Q(market_id=user.market_id) if _is_authority(user) else NOTHING


@predicate(AllocationTable)
def _table(user: User, table: AllocationTable) -> bool:
    return _is_authority(user) and regulates(user, table.market_id)


@scope(MarketCap)
def _caps(user: User) -> Q:
    """Caps are public figures."""
    return Q()


@predicate(MarketCap)
def _cap(user: User, cap: MarketCap) -> bool:
    return True


@scope(ReversalRequest)
def _reversal_requests(user: User) -> Q:
    return Q(original__market_id=user.market_id) if _is_authority(user) else NOTHING


@predicate(ReversalRequest)
def _reversal_request(user: User, request: ReversalRequest) -> bool:
    return _is_authority(user) and regulates(user, request.original.market_id)

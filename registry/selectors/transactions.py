"""Reads of the ledger's transactions and the requests to reverse them."""

from django.db.models import Prefetch, QuerySet

from mrv.models import Market
from registry.models import Entry, ReversalRequest, Transaction
from registry.selectors.common import visible_or_404


def market_transactions(*, market: Market, kind: str = "", limit: int = 100) -> QuerySet[Transaction]:
    """The market's latest transactions, of one kind when `kind` is one of the kinds."""
    rows = Transaction.objects.filter(market=market).select_related("created_by", "firm")
    if kind in Transaction.Kind.values:
        rows = rows.filter(kind=kind)
    return rows[:limit]


def transaction_visible(*, user, pk: int) -> Transaction:
    """A transaction `user` may see, with its author, firm and the transaction it reverses; else 404."""
    return visible_or_404(user, Transaction.objects.select_related("created_by", "firm", "reverses"), pk)


def transaction_page_reads(*, tx: Transaction) -> dict:
    """What a transaction's page shows besides it: its entries, the requests to reverse it and its reversal."""
    return {
        "entries": tx.entries.select_related("account"),
        "requests": tx.reversal_requests.select_related("proposed_by", "decided_by", "reversal"),
        "reversed_by": Transaction.objects.filter(reverses=tx).first(),
    }


def reversal_request_visible(*, user, pk: int) -> ReversalRequest:
    """A reversal request `user` may see, with the transaction to reverse; else 404."""
    return visible_or_404(user, ReversalRequest.objects.select_related("original"), pk)


def transactions_with_entries() -> QuerySet[Transaction]:
    """Every transaction with its entries and their accounts, newest first (the API's list, scoped by its caller)."""
    return Transaction.objects.prefetch_related(Prefetch("entries", Entry.objects.select_related("account"))).order_by(
        "-created_at", "-id"
    )

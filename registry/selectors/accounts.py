"""Reads of accounts: holdings, balances, representatives, the trusted list and an account's page."""

import datetime
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from mrv import access
from registry.models import Account, Entry, Representative, Transaction, TransferProposal, TrustedAccount
from registry.selectors.common import visible_or_404


def holdings(account: Account) -> list[dict]:
    """Non-zero holdings by unit, vintage and project."""
    rows = (
        Entry.objects.filter(account=account)
        .values("unit_type", "vintage", "project")
        .annotate(quantity=Sum("quantity"))
        .order_by("unit_type", "vintage", "project")
    )
    return [r for r in rows if r["quantity"]]


def representatives(account: Account) -> list:
    """The authorised representatives of a holding account: its firm's approvers and the people designated for it."""
    from mrv.models import User

    if account.firm_id is None:
        return []
    return list(
        User.objects.filter(is_active=True, firm_id=account.firm_id).filter(
            Q(role=User.Role.FIRM_APPROVER) | Q(pk__in=account.representatives.values("user_id"))
        )
    )


def is_trusted(account: Account, other: Account, *, now: datetime.datetime | None = None) -> bool:
    """`other` is on `account`'s trusted list and its addition's delay has passed."""
    return TrustedAccount.objects.filter(
        account=account,
        trusted=other,
        status=TrustedAccount.Status.APPROVED,
        active_from__lte=now or timezone.now(),
    ).exists()


def account_balances(accounts) -> dict[int, Decimal]:
    """Total units (all kinds) per account, in one query."""
    rows = Entry.objects.filter(account__in=accounts).values("account").annotate(q=Sum("quantity"))
    return {r["account"]: r["q"] for r in rows}


def account_visible(*, user, pk: int) -> Account:
    """An account `user` may see, with its firm, the firm's market and its own market; else 404."""
    return visible_or_404(user, Account.objects.select_related("firm__market", "market"), pk)


def trusted_entry_visible(*, user, pk: int) -> TrustedAccount:
    """An entry of a trusted list `user` may see, with its account; else 404."""
    return visible_or_404(user, TrustedAccount.objects.select_related("account"), pk)


def representative_visible(*, user, pk: int) -> Representative:
    """A designated representative `user` may see, with the account and the person; else 404."""
    return visible_or_404(user, Representative.objects.select_related("account", "user"), pk)


def account_transactions(*, user, account: Account, limit: int = 50) -> QuerySet[Transaction]:
    """The latest transactions `user` may see that moved units of the account, each with the account's entries."""
    return (
        access.visible_to(user, Transaction)
        .filter(entries__account=account)
        .distinct()
        .select_related("created_by")
        .prefetch_related(Prefetch("entries", queryset=Entry.objects.filter(account=account)))
        .order_by("-created_at", "-id")[:limit]
    )


def account_proposals(*, account: Account, past_limit: int = 20) -> tuple[QuerySet, QuerySet]:
    """The account's transfer proposals: those still open (oldest first) and the latest decided ones."""
    proposals = TransferProposal.objects.filter(from_account=account).select_related(
        "to_account", "proposed_by", "decided_by", "cancelled_by"
    )
    return (
        proposals.filter(status__in=TransferProposal.OPEN).order_by("created_at"),
        proposals.exclude(status__in=TransferProposal.OPEN)[:past_limit],
    )


def trusted_entries(*, account: Account) -> QuerySet[TrustedAccount]:
    """The account's trusted list, with who proposed and decided each entry."""
    return TrustedAccount.objects.filter(account=account).select_related("trusted__firm", "proposed_by", "decided_by")


def designated_representatives(*, account: Account) -> QuerySet[Representative]:
    """The people the regulator designated for the account, with who designated them."""
    return Representative.objects.filter(account=account).select_related("user", "added_by")


def holding_account_by_number(*, market_id: int, number: str) -> Account | None:
    """The market's holding account with this number, if there is one (where units may be sent)."""
    return Account.objects.filter(number=number, market_id=market_id, kind=Account.Kind.HOLDING).first()


def account_by_number_visible(*, user, number: str) -> Account:
    """The account with this number among those `user` may see, with its market and firm; else 404."""
    return get_object_or_404(access.visible_to(user, Account).select_related("market", "firm"), number=number)


def accounts_in_order() -> QuerySet[Account]:
    """Every account with its market, in the order they were opened (the API's list, scoped by its caller)."""
    return Account.objects.select_related("market").order_by("pk")

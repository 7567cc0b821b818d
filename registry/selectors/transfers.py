"""Reads of transfers between accounts."""

from django.db.models import QuerySet

from registry.models import TransferProposal
from registry.selectors.common import visible_or_404


def proposal_visible(*, user, pk: int) -> TransferProposal:
    """A transfer proposal `user` may see, with the account it leaves; else 404."""
    return visible_or_404(user, TransferProposal.objects.select_related("from_account"), pk)


def proposals_newest_first() -> QuerySet[TransferProposal]:
    """Every transfer proposal with its accounts, newest first (the API's list, scoped by its caller)."""
    return TransferProposal.objects.select_related("from_account__market", "to_account").order_by("-created_at")

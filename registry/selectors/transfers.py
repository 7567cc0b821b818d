"""Reads of transfers between accounts."""

from registry.models import TransferProposal
from registry.selectors.common import visible_or_404


def proposal_visible(*, user, pk: int) -> TransferProposal:
    """A transfer proposal `user` may see, with the account it leaves; else 404."""
    return visible_or_404(user, TransferProposal.objects.select_related("from_account"), pk)

"""Yes/no predicates used as transition permissions: (object, user) -> bool."""

from mrv.models import User


def _market_id(obj) -> int | None:
    return getattr(obj, "market_id", None)


def is_market_regulator(obj, user: User) -> bool:
    """A regulator (officer or head) of the object's market."""
    return user.is_regulator and user.market_id == _market_id(obj)


def is_market_regulator_head(obj, user: User) -> bool:
    return user.role == User.Role.REGULATOR_HEAD and user.market_id == _market_id(obj)


def is_firm_member(firm_id: int | None, user: User) -> bool:
    return user.is_firm_user and firm_id is not None and user.firm_id == firm_id


def nobody(obj, user: User) -> bool:
    """Transitions only the system runs (a scheduled task, acting_user None)."""
    return False


def is_representative(account, user: User) -> bool:
    """An authorised representative of a holding account: an approver of its firm, or a person designated for it.

    A firm's reporter is not a representative unless designated; regulators never are.
    """
    if not (user.is_authenticated and user.is_firm_user and account.firm_id == user.firm_id):
        return False
    if user.role == User.Role.FIRM_APPROVER:
        return True
    return account.representatives.filter(user=user).exists()


def may_approve_transfer(proposal, user: User) -> bool:
    """Four eyes: another representative of the paying account than the one who proposed it."""
    return user.pk != proposal.proposed_by_id and is_representative(proposal.from_account, user)


def may_decide_transfer(proposal, user: User) -> bool:
    """Any representative of the paying account rejects a proposal or cancels a transfer waiting its delay."""
    return is_representative(proposal.from_account, user)


def may_approve_trusted(entry, user: User) -> bool:
    """A second representative of the account (not the one who proposed the addition)."""
    return user.pk != entry.proposed_by_id and is_representative(entry.account, user)


def may_act_for_trusted(entry, user: User) -> bool:
    return is_representative(entry.account, user)


def may_approve_reversal(request, user: User) -> bool:
    """Four eyes: a head of the transaction's market who did not ask for the reversal."""
    return is_market_regulator_head(request, user) and user.pk != request.proposed_by_id


def may_approve_coverage_change(change, user: User) -> bool:
    """Four eyes: a head of the firm's market who did not propose the coverage change."""
    return is_market_regulator_head(change, user) and user.pk != change.proposed_by_id

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


def may_approve_transfer(proposal, user: User) -> bool:
    """Two-person rule: another person of the paying firm than the one who proposed it."""
    return is_firm_member(proposal.from_account.firm_id, user) and user.pk != proposal.proposed_by_id


def may_decide_transfer(proposal, user: User) -> bool:
    return is_firm_member(proposal.from_account.firm_id, user)

"""Yes/no predicates used as transition permissions of a publication: (object, user) -> bool."""

from mrv.models import User


def may_propose(market_id: int | None, user: User) -> bool:
    """A regulator (officer or head) of the market prepares what the market publishes."""
    return user.is_regulator and market_id is not None and user.market_id == market_id


def manage_actions(market_id: int | None, user: User) -> frozenset[str]:
    """What the publication page offers beyond each proposal's transitions: proposing a market-year."""
    return frozenset({"propose"}) if may_propose(market_id, user) else frozenset()


def may_publish(publication, user: User) -> bool:
    """Four eyes: the market's regulator head, and not the person who proposed it."""
    return (
        user.role == User.Role.REGULATOR_HEAD
        and user.market_id == publication.market_id
        and user.pk != publication.proposed_by_id
    )


def may_reject(publication, user: User) -> bool:
    return user.role == User.Role.REGULATOR_HEAD and user.market_id == publication.market_id

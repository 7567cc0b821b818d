"""Who sees publications before and besides the public pages: the market's regulators (and the national administrator)."""

from django.db.models import Q

from disclosure.models import Publication
from mrv.access import NOTHING, predicate, regulates, scope
from mrv.models import User


@scope(Publication)
def _publications(user: User) -> Q:
    if user.is_regulator and user.market_id:
        return Q(market_id=user.market_id)
    return NOTHING


@predicate(Publication)
def _publication(user: User, publication: Publication) -> bool:
    return user.is_regulator and regulates(user, publication.market_id)

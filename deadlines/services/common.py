"""What the deadline services share: the markets to work on, who must act on a firm's deadlines."""

import logging
from collections import defaultdict
from collections.abc import Iterable

from deadlines.calendar import FIRM_KINDS, Deadline
from mrv.models import (
    DeadlineRule,
    EmissionReport,
    Firm,
    Market,
    User,
    VerificationEngagement,
)

log = logging.getLogger(__name__)

#: Market-wide jobs are not started for due dates longer ago than this.
CATCH_UP_DAYS = 60
Q = EmissionReport.Period


class Recipients:
    """The people to tell, loaded once per scan for a set of firms."""

    def __init__(self, firms: list[Firm], years: Iterable[int]):
        users = User.objects.filter(is_active=True)
        self.firm_users = defaultdict(list)
        for u in users.filter(firm__in=firms, role__in=User.FIRM_ROLES):
            self.firm_users[u.firm_id].append(u)
        self.regulators = defaultdict(list)
        markets = {f.market_id for f in firms}
        for u in users.filter(authority__market_id__in=markets, role__in=User.REGULATOR_ROLES).select_related(
            "authority"
        ):
            self.regulators[u.authority.market_id].append(u)
        engaged = VerificationEngagement.objects.filter(firm__in=firms, year__in=list(years), body__isnull=False)
        engaged = engaged.exclude(
            status__in=[VerificationEngagement.Status.AWAITING_ASSIGNMENT, VerificationEngagement.Status.DECLINED]
        )
        body_of = {(e.firm_id, e.year): e.body_id for e in engaged}
        verifiers = defaultdict(list)
        for u in users.filter(body_id__in=set(body_of.values()), role__in=User.VERIFIER_ROLES):
            verifiers[u.body_id].append(u)
        self.verifiers = {key: verifiers[body_id] for key, body_id in body_of.items()}

    def who_must_act(self, deadline: Deadline) -> list[User]:
        firm = deadline.firm
        if deadline.kind in FIRM_KINDS:
            return self.firm_users[firm.pk]
        if deadline.kind == DeadlineRule.Kind.VERIFICATION:
            return self.verifiers.get((firm.pk, deadline.year)) or self.regulators[firm.market_id]
        return self.regulators[firm.market_id]

    def regulators_of(self, firm: Firm) -> list[User]:
        return self.regulators[firm.market_id]


def _market_params(market: Market) -> dict:
    return {"market_zh": market.name_zh, "market_en": market.name_en, "market_id": market.pk}


def _markets(market_id: int | None):
    markets = Market.objects.all()
    return markets.filter(pk=market_id) if market_id else markets

"""Issuing allowances and offset credits, and the government's sales of allowances."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrv.models import OFFSET_TYPE_CODES, Firm
from registry.ledger import (
    LedgerError,
    Unit,
    government_account,
    holding_account,
    move,
    record,
)
from registry.models import (
    ALLOWANCE,
    Account,
)
from registry.models import Transaction as Tx
from registry.services.common import _cap_check, _require_regulator, _whole

UNKNOWN_OFFSET_TYPE = _("%(type)s is not an offset credit type the registry knows.")
PROJECT_REQUIRED = _("Offset credits are recorded with their project.")


def allowances_issue(*, firm: Firm, vintage: int, quantity, idempotency_key: str, acting_user=None) -> Tx:
    """Issue allowances of a vintage to a firm outside an allocation table (e.g. from the reserve)."""
    if acting_user is not None:
        _require_regulator(acting_user, firm.market_id)
    quantity = _whole(quantity)
    market = firm.market
    legs = move(
        government_account(market, Account.Kind.ISSUANCE), holding_account(firm), Unit(ALLOWANCE, vintage), quantity
    )
    return record(
        market=market,
        kind=Tx.Kind.ISSUANCE,
        idempotency_key=idempotency_key,
        legs=legs,
        acting_user=acting_user,
        check=_cap_check(market, vintage, quantity),
    )


def offsets_issue(
    *, firm: Firm, offset_type: str, project: str, vintage: int, quantity, idempotency_key: str, acting_user=None
) -> Tx:
    """Bring offset credits (e.g. CCER transferred in from the national registry) into a firm's account."""
    if acting_user is not None:
        _require_regulator(acting_user, firm.market_id)
    if offset_type not in OFFSET_TYPE_CODES:
        raise LedgerError(UNKNOWN_OFFSET_TYPE % {"type": offset_type})
    if not project.strip():
        raise LedgerError(PROJECT_REQUIRED)
    quantity = _whole(quantity)
    market = firm.market
    legs = move(
        government_account(market, Account.Kind.OFFSET_ISSUANCE),
        holding_account(firm),
        Unit(offset_type, vintage, project),
        quantity,
    )
    return record(
        market=market, kind=Tx.Kind.OFFSET_ISSUANCE, idempotency_key=idempotency_key, legs=legs, acting_user=acting_user
    )


def allowances_sell(
    *, firm: Firm, vintage: int, quantity, price_cny_per_t: Decimal, idempotency_key: str, acting_user=None
) -> Tx:
    """The auctioned (or fixed-price) share: units move from the market's auction account to the buyer."""
    if acting_user is not None:
        _require_regulator(acting_user, firm.market_id)
    quantity = _whole(quantity)
    legs = move(
        government_account(firm.market, Account.Kind.AUCTION), holding_account(firm), Unit(ALLOWANCE, vintage), quantity
    )
    return record(
        market=firm.market,
        kind=Tx.Kind.AUCTION_SALE,
        idempotency_key=idempotency_key,
        legs=legs,
        acting_user=acting_user,
        price_cny_per_t=price_cny_per_t,
        unhashed={"trade_date": timezone.localdate()},
    )

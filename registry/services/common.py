"""What the registry services share: whole tonnes, the regulator check and the cap check."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from mrv import inputs
from mrv.models import Market
from registry import selectors
from registry.ledger import (
    LedgerError,
)
from registry.models import (
    Entry,
)

CAP_EXCEEDED = _(
    "Issuing %(wanted)s t of vintage %(year)s would exceed the cap of %(cap)s t (already issued %(issued)s t)."
)
NO_CAP = _("There is no cap for %(market)s %(year)s.")
NOT_POSITIVE = _("The quantity must be a whole number of tonnes greater than zero.")
NOT_A_HOLDING = _("Account %(number)s is not a firm's holding account in this market.")
NOT_REPRESENTATIVE = _(
    "Only an authorised representative of this account (a firm approver or a person designated for it) may do this."
)
NOT_REGULATOR = _("Only the market's regulator may do this.")


def _whole(quantity) -> Decimal:
    """A whole, finite number of tonnes above zero that fits the ledger's quantity column."""
    try:
        q = inputs.amount_for(Entry, "quantity", quantity)
    except ValidationError:
        raise LedgerError(NOT_POSITIVE) from None
    if q <= 0 or q != q.to_integral_value():
        raise LedgerError(NOT_POSITIVE)
    return q


def _require_regulator(user, market_id: int) -> None:
    if user is not None and not (user.is_national_admin or (user.is_regulator and user.market_id == market_id)):
        raise PermissionDenied(NOT_REGULATOR)


def _cap_check(market: Market, vintage: int, wanted: Decimal):
    def check():
        cap = selectors.cap_for(market, vintage)
        if cap is None or cap.cap_tco2e is None:
            raise LedgerError(NO_CAP % {"market": market, "year": vintage})
        issued = selectors.issued_total(market, vintage)
        if issued + wanted > cap.cap_tco2e:
            raise LedgerError(
                CAP_EXCEEDED % {"wanted": wanted, "year": vintage, "cap": cap.cap_tco2e, "issued": issued}
            )

    return check

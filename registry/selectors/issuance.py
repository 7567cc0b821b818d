"""Reads of issuance: the allowances that have left the issuance account."""

from decimal import Decimal

from django.db.models import Sum

from mrv.models import Market
from registry.models import ALLOWANCE, Account, Entry

ZERO = Decimal(0)


def issued_total(market: Market, vintage: int) -> Decimal:
    """Allowances of a vintage that have left the issuance account (net)."""
    total = Entry.objects.filter(
        account__market=market, account__kind=Account.Kind.ISSUANCE, unit_type=ALLOWANCE, vintage=vintage
    ).aggregate(q=Sum("quantity"))["q"]
    return -(total or ZERO)

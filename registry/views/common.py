"""What the registry's pages share: the object a user may see, the year and market asked for."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from mrv import inputs
from mrv.models import Market
from registry import selectors
from registry.models import (
    Transaction,
)


def _year(request: HttpRequest) -> int:
    """The year asked for; a year that is not one, or outside the supported range, shows why and last year."""
    asked = request.GET.get("year") or request.POST.get("year")
    if not asked:
        return timezone.localdate().year - 1
    try:
        return inputs.parse_year(asked)
    except ValidationError as error:
        messages.error(
            request,
            _("Year: %(why)s Showing %(year)s instead.")
            % {"why": " ".join(error.messages), "year": timezone.localdate().year - 1},
        )
        return timezone.localdate().year - 1


def _regulated_market(request: HttpRequest) -> Market:
    """The regulator's own market; the national administrator chooses one with ?market=code."""
    user = request.user
    if user.is_regulator:
        return selectors.regulator_market(user=user)
    if user.is_national_admin:
        code = request.GET.get("market") or request.POST.get("market") or "shanghai"
        return selectors.market_by_code(code=code)
    raise PermissionDenied(_("Only a market's regulator may open this page."))


def _market_year(request: HttpRequest) -> tuple[Market, int]:
    """The regulator's market and the requested year, refused with the supported range if outside it."""
    market, year = _regulated_market(request), _year(request)
    market.check_year(year)
    return market, year


def _require_officer(request: HttpRequest) -> Market:
    market = _regulated_market(request)
    if not request.user.is_regulator:
        raise PermissionDenied(_("Only the market's regulator may do this."))
    return market


def _recorded(request: HttpRequest, tx: Transaction) -> None:
    if getattr(tx, "replayed", False):
        messages.info(
            request, _("This request was already recorded as transaction #%(pk)s; nothing new moved.") % {"pk": tx.pk}
        )
    else:
        messages.success(request, _("Recorded as transaction #%(pk)s.") % {"pk": tx.pk})

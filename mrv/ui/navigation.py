"""The navigation bar per role. Pages of other features append a `NavItem` to `NAV` (in their
app's ready() or at import of their urls module); an item whose URL does not exist yet is left out."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: object
    url_name: str
    allowed: Callable[[object], bool]
    order: int = 50


def _everyone(user) -> bool:
    return True


def _firm(user) -> bool:
    return user.is_firm_user


NAV: list[NavItem] = [
    NavItem(_("What needs my action"), "home", _everyone, order=0),
    NavItem(_("Monitoring plans"), "ui:plan_list", lambda u: u.is_firm_user or _regulator(u), order=10),
    NavItem(_("Emission reports"), "ui:report_list", lambda u: u.is_firm_user or _regulator(u), order=20),
]


def _verifier(user) -> bool:
    return user.is_verifier


def _regulator(user) -> bool:
    return user.is_regulator or user.is_national_admin


def _spot_checks(user) -> bool:
    return user.is_spot_checker or user.is_regulator


def _reports(user) -> bool:
    return not user.is_spot_checker


NAV += [
    NavItem(_("Market overview"), "ui:market_overview", _regulator, order=5),
    NavItem(_("Covered firms"), "ui:coverage_list", lambda u: u.is_regulator, order=6),
    NavItem(_("Verification engagements"), "ui:engagement_list", lambda u: _verifier(u) or _regulator(u), order=30),
    NavItem(_("Spot checks"), "ui:spot_check_list", _spot_checks, order=40),
    NavItem(_("Integrity of the records"), "ui:chain_check", _regulator, order=90),
]


def register(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in NAV):
        NAV.append(item)


def items_for(user, current_path: str) -> list[dict]:
    items = []
    for item in sorted(NAV, key=lambda i: i.order):
        if not item.allowed(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active})
    return items


def navigation(request) -> dict:
    """Context processor: `nav_items` for the signed-in user."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {"nav_items": []}
    return {"nav_items": items_for(user, request.path)}

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
    NavItem(_("Monitoring plans"), "ui:plan_list", _firm, order=10),
    NavItem(_("Emission reports"), "ui:report_list", _firm, order=20),
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
